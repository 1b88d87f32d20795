/**
 * Attested authorship through the real relay (src/lib/wire/attestation.ts): the relay records,
 * in the document's `attest` map, the member behind every Yjs client id a member token wrote
 * with, and its own client id as RELAY_MEMBER; service tokens are neither checked nor attested;
 * a client id attested to one member is refused to another; attestations survive compaction and
 * restarts; the relay never writes under a client id a client has used.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ATTESTATION_ROOT, RELAY_MEMBER } from '../src/lib/wire/index.ts';
import type { RelayOptions } from './server.ts';
import { MemoryStore } from './storage/memory.ts';
import { SqliteStore } from './storage/sqlite.ts';
import { removeDir, startTestRelay, waitFor, type TestRelay } from './test-helpers.ts';
import {
	BOARD,
	casesOf,
	createMembers,
	entry,
	probeClient,
	timelineOf,
	writeCase,
	type Members,
	type ProbeClient
} from './write-rules-fixture.ts';

type Attested = Record<string, { member: string; from: number }>;

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
	cleanups = [];
});

async function relay(options: RelayOptions = {}): Promise<TestRelay> {
	const started = await startTestRelay(options);
	cleanups.push(() => removeDir(started.dataDir));
	cleanups.push(() => started.relay.close());
	return started;
}

async function client(r: TestRelay, token: string): Promise<ProbeClient> {
	const c = await probeClient(r, token);
	cleanups.push(() => c.destroy());
	return c;
}

function attestOf(doc: Y.Doc): Attested {
	return doc.getMap(ATTESTATION_ROOT).toJSON() as Attested;
}

function relayIds(attest: Attested): string[] {
	return Object.keys(attest).filter((id) => attest[id]?.member === RELAY_MEMBER);
}

/** A relay with members, a case by the secretary and a comment by the volunteer. */
async function board(options: RelayOptions = {}) {
	const r = await relay(options);
	const m = createMembers(r);
	const secretary = await client(r, m.secretary.token);
	writeCase(secretary.doc, 'k1', m.secretary.name);
	const volunteer = await client(r, m.volunteer.token);
	await waitFor(() => casesOf(volunteer.doc).has('k1'), 5000, 'case');
	timelineOf(volunteer.doc, 'k1').push([entry('comment', m.volunteer.name, { text: '我看到了' })]);
	const watcher = await client(r, r.token);
	await waitFor(() => String(volunteer.doc.clientID) in attestOf(watcher.doc), 5000, 'attested');
	return { r, m, secretary, volunteer, watcher };
}

/** Writes a comment under `clientId` (set after the sync, as a Yjs doc drops an id it sees). */
async function writeAs(
	r: TestRelay,
	m: Members,
	who: keyof Members,
	clientId: number
): Promise<ProbeClient> {
	const c = await client(r, m[who].token);
	const own = c.doc.clientID;
	c.doc.clientID = clientId;
	timelineOf(c.doc, 'k1').push([entry('comment', m[who].name, { text: 'as someone else' })]);
	await waitFor(() => c.refusals.length > 0, 5000, '102');
	c.doc.clientID = own;
	return c;
}

describe('attestation', () => {
	it("attests each member's client id from its first clock, and the relay's own id as ~relay", async () => {
		const { m, secretary, volunteer, watcher } = await board();
		const attest = attestOf(watcher.doc);
		expect(attest[String(secretary.doc.clientID)]).toEqual({
			member: m.secretary.memberId,
			from: 0
		});
		expect(attest[String(volunteer.doc.clientID)]).toEqual({
			member: m.volunteer.memberId,
			from: 0
		});
		const relays = relayIds(attest);
		expect(relays).toHaveLength(1);
		expect(relays[0]).not.toBe(String(secretary.doc.clientID));
		expect(relays[0]).not.toBe(String(volunteer.doc.clientID));
		// The relay wrote the attestations under its own id, and nothing else under it.
		const relayId = Number(relays[0]);
		const relayStructs = Y.decodeUpdate(Y.encodeStateAsUpdate(watcher.doc)).structs.filter(
			(s) => s.id.client === relayId
		);
		for (const struct of relayStructs) {
			expect((struct as Y.Item).parent).toBe(ATTESTATION_ROOT);
		}
	});

	it('service tokens are neither checked nor attested', async () => {
		const { r, watcher } = await board();
		const service = await client(r, r.token);
		// A root no rule knows: a member would be refused (shape).
		service.doc.getMap('legacy').set('imported', 1);
		await waitFor(() => watcher.doc.getMap('legacy').get('imported') === 1, 5000, 'forwarded');
		expect(service.refusals).toEqual([]);
		expect(String(service.doc.clientID) in attestOf(watcher.doc)).toBe(false);
	});

	it('a client id attested to one member is refused to another, even the secretary', async () => {
		const { r, m, volunteer, watcher } = await board();
		const id = volunteer.doc.clientID;
		for (const who of ['gridMember', 'secretary'] as const) {
			const other = await writeAs(r, m, who, id);
			expect(other.refusals[0]).toMatchObject({ reason: 'foreign_client', path: String(id) });
		}
		expect(attestOf(watcher.doc)[String(id)]?.member).toBe(m.volunteer.memberId);
		// The member it is attested to goes on writing with it.
		timelineOf(volunteer.doc, 'k1').push([entry('comment', m.volunteer.name, { text: 'again' })]);
		await waitFor(() => timelineOf(watcher.doc, 'k1').length === 3, 5000, 'second comment');
	});

	it('attestations survive compaction and a restart, and still refuse foreign writers', async () => {
		const { r, m, volunteer } = await board();
		const id = volunteer.doc.clientID;
		const before = attestOf(volunteer.doc);
		// close() compacts every loaded document into one snapshot.
		await r.relay.close();
		const store = new SqliteStore(r.dataDir);
		expect(store.logLength(BOARD)).toBe(0);
		expect(store.load(BOARD).snapshot).not.toBeNull();
		store.close();
		const second = await relay({ dataDir: r.dataDir });
		const fresh = await client(second, second.token);
		const after = attestOf(fresh.doc);
		for (const [key, value] of Object.entries(before)) expect(after[key]).toEqual(value);
		const other = await writeAs(second, m, 'gridMember', id);
		expect(other.refusals[0]?.reason).toBe('foreign_client');
		// The restarted relay attests under a new id of its own, never one a client used.
		const grid = await client(second, m.gridMember.token);
		timelineOf(grid.doc, 'k1').push([entry('comment', m.gridMember.name, { text: 'after' })]);
		await waitFor(() => relayIds(attestOf(fresh.doc)).length === 2, 5000, 'second relay id');
		const written = new Set(
			Y.decodeUpdate(Y.encodeStateAsUpdate(fresh.doc))
				.structs.filter((s) => ((s as Y.Item).parent as unknown) !== ATTESTATION_ROOT)
				.map((s) => String(s.id.client))
		);
		for (const relayId of relayIds(attestOf(fresh.doc))) expect(written.has(relayId)).toBe(false);
	});

	it('attestations survive an idle compaction and reload', async () => {
		const store = new MemoryStore();
		const { r, volunteer, secretary, watcher, m } = await board({ store, idleUnloadMs: 100 });
		const before = attestOf(watcher.doc);
		for (const c of [volunteer, secretary, watcher]) c.destroy();
		await waitFor(() => r.relay.stats().docsLoaded === 0, 5000, 'unloaded');
		expect(store.logLength(BOARD)).toBe(0);
		const fresh = await client(r, r.token);
		expect(attestOf(fresh.doc)).toEqual(before);
		const other = await writeAs(r, m, 'gridMember', volunteer.doc.clientID);
		expect(other.refusals[0]?.reason).toBe('foreign_client');
	});
});
