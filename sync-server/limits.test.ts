/**
 * Memory limits of a loaded document, through a real relay and real or raw clients:
 * - Yjs pending content (updates whose dependencies the relay lacks) stays under
 *   MAX_PENDING_BYTES: the connection that pushes it past is closed with 4413, and its pending
 *   content never reaches storage or other clients.
 * - Awareness metadata: a connection introduces at most MAX_AWARENESS_IDS unknown client ids
 *   (4400 beyond), removals of unknown ids create nothing, and a departed peer's ids are
 *   forgotten once their tombstones expire.
 * - TRUST_PROXY: per-IP counting uses the last X-Forwarded-For hop.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readConfig } from './config.ts';
import { encodeAwareness, encodeSyncStep2, encodeSyncUpdate } from './protocol.ts';
import { MAX_AWARENESS_IDS } from './room.ts';
import type { RelayOptions } from './server.ts';
import { MemoryStore } from './storage/memory.ts';
import {
	connectSynced,
	RawClient,
	removeDir,
	startTestRelay,
	trackPersisted,
	upgradeStatus,
	waitFor,
	type TestClient,
	type TestRelay
} from './test-helpers.ts';

const DOC = 'c/demo/board/g01';

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

function raw(url: string, token?: string | null, options = {}): RawClient {
	const client = new RawClient(url, token, options);
	cleanups.push(() => client.ws.terminate());
	return client;
}

async function client(wsUrl: string): Promise<TestClient> {
	const c = await connectSynced(wsUrl, DOC);
	cleanups.push(() => c.destroy());
	return c;
}

/** `count` consecutive updates of one client, each inserting `size` characters. */
function chain(count: number, size: number, text = 'x'): Uint8Array[] {
	const doc = new Y.Doc();
	const updates: Uint8Array[] = [];
	doc.on('update', (update: Uint8Array) => updates.push(update));
	for (let i = 0; i < count; i++) doc.getText('t').insert(0, text.repeat(size));
	doc.destroy();
	return updates;
}

describe('pending content (updates with missing dependencies)', () => {
	it('is capped: the flooding connection closes with 4413 and its pending content is dropped', async () => {
		const cap = 1024 * 1024;
		const s = await relay({ maxDocBytes: cap, maxPendingBytes: cap });
		const bomber = raw(`${s.wsUrl}/${DOC}`);
		await bomber.opened();
		await waitFor(() => s.relay.docStats(DOC) !== null);
		// The first update is never sent, so every later one misses its dependencies.
		const updates = chain(41, 64 * 1024).slice(1);
		let peak = 0;
		let sent = 0;
		for (const update of updates) {
			bomber.send(encodeSyncUpdate(update));
			// A query-awareness answer tells that the update before it was handled.
			bomber.send([3]);
			sent++;
			await waitFor(
				() => bomber.ofType(1).length === sent || bomber.closeCode !== null,
				5000,
				'update handled'
			);
			if (bomber.closeCode !== null) break;
			peak = Math.max(peak, s.relay.docStats(DOC)!.pendingBytes);
		}
		expect(await bomber.closed()).toBe(4413);
		expect(peak).toBeGreaterThan(cap / 2);
		await waitFor(() => s.relay.docStats(DOC)?.peers === 0, 5000, 'bomber detached');
		expect(peak).toBeLessThanOrEqual(cap);
		expect(sent).toBeLessThan(updates.length);
		expect(s.relay.docStats(DOC)?.pendingBytes).toBe(0);
		// A new client gets a small sync step 2 and the relay keeps working.
		const honest = await client(s.wsUrl);
		honest.doc.getText('t').insert(0, 'fine');
		const other = await client(s.wsUrl);
		await waitFor(() => other.doc.getText('t').toString() === 'fine');
		expect(other.doc.store.pendingStructs).toBeNull();
	});

	it('never reaches a compaction snapshot', async () => {
		const store = new MemoryStore();
		const cap = 64 * 1024;
		const s = await relay({ store, maxPendingBytes: cap, idleUnloadMs: 50 });
		const writer = await connectSynced(s.wsUrl, DOC);
		const persisted = trackPersisted(writer.provider);
		writer.doc.getText('notes').insert(0, 'kept');
		await waitFor(() => persisted.covers(writer.doc), 5000, 'persisted');
		const bomber = raw(`${s.wsUrl}/${DOC}`);
		await bomber.opened();
		for (const update of chain(30, 16 * 1024).slice(1)) bomber.send(encodeSyncUpdate(update));
		expect(await bomber.closed()).toBe(4413);
		writer.destroy();
		await waitFor(() => s.relay.stats().docsLoaded === 0, 5000, 'unload');
		const snapshot = store.load(DOC).snapshot;
		expect(snapshot).not.toBeNull();
		expect(snapshot!.length).toBeLessThan(1024);
		const reader = await client(s.wsUrl);
		expect(reader.doc.getText('notes').toString()).toBe('kept');
		expect(s.relay.docStats(DOC)?.pendingBytes).toBe(0);
	});

	it('a flood drops pending content; an honest peer with pending content is asked to resend', async () => {
		const s = await relay({ maxPendingBytes: 64 * 1024 });
		const honest = raw(`${s.wsUrl}/${DOC}`);
		await honest.opened();
		await waitFor(() => honest.frames.length > 0, 5000, 'relay step 1');
		const syncStep1s = (): Uint8Array[] => honest.ofType(0).filter((f) => f[1] === 0);
		expect(syncStep1s()).toHaveLength(1);
		// The honest client's second edit arrives first (as across two tabs sharing a document).
		const hdoc = new Y.Doc();
		cleanups.push(() => hdoc.destroy());
		const edits: Uint8Array[] = [];
		hdoc.on('update', (update: Uint8Array) => edits.push(update));
		hdoc.getText('t').insert(0, 'honest ');
		hdoc.getText('t').insert(7, 'edit');
		honest.send(encodeSyncUpdate(edits[1]!));
		await waitFor(() => (s.relay.docStats(DOC)?.pendingBytes ?? 0) > 0, 5000, 'pending');
		const bomber = raw(`${s.wsUrl}/${DOC}`);
		await bomber.opened();
		for (const update of chain(30, 16 * 1024).slice(1)) bomber.send(encodeSyncUpdate(update));
		expect(await bomber.closed()).toBe(4413);
		expect(s.relay.docStats(DOC)?.pendingBytes).toBe(0);
		// The relay asks the honest peer for what it lacks; the peer answers as y-protocols does.
		await waitFor(() => syncStep1s().length === 2, 5000, 'resend request');
		const request = decoding.createDecoder(syncStep1s()[1]!.slice(2));
		const stateVector = decoding.readVarUint8Array(request);
		honest.send(encodeSyncStep2(Y.encodeStateAsUpdate(hdoc, stateVector)));
		const reader = await client(s.wsUrl);
		await waitFor(() => reader.doc.getText('t').toString() === 'honest edit', 5000, 'content');
		expect(s.relay.docStats(DOC)?.pendingBytes).toBe(0);
		expect(honest.closeCode).toBeNull();
	});
});

describe('awareness metadata', () => {
	const TOMBSTONE_MS = 50;

	/** An awareness update announcing `ids` with `state` (null: removal) at `clock`. */
	function awarenessFrame(ids: number[], state: unknown = { user: 'x' }, clock = 1): Uint8Array {
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, ids.length);
		for (const id of ids) {
			encoding.writeVarUint(encoder, id);
			encoding.writeVarUint(encoder, clock);
			encoding.writeVarString(encoder, JSON.stringify(state));
		}
		return encodeAwareness(encoding.toUint8Array(encoder));
	}

	/** Sends query-awareness and waits for its answer: every earlier frame was handled. */
	async function roundTrip(c: RawClient): Promise<void> {
		const before = c.ofType(1).length;
		c.send([3]);
		await waitFor(() => c.ofType(1).length > before || c.closeCode !== null, 5000, 'answer');
	}

	it('a connection introducing too many client ids is closed; what it announced is forgotten', async () => {
		const s = await relay({ awarenessTombstoneMs: TOMBSTONE_MS });
		const spammer = raw(`${s.wsUrl}/${DOC}`);
		await spammer.opened();
		await waitFor(() => s.relay.docStats(DOC) !== null);
		const baseline = s.relay.docStats(DOC)!.awarenessMeta;
		spammer.send(awarenessFrame(Array.from({ length: MAX_AWARENESS_IDS }, (_, i) => 1000 + i)));
		await roundTrip(spammer);
		expect(s.relay.docStats(DOC)!.awarenessMeta).toBe(baseline + MAX_AWARENESS_IDS);
		spammer.send(awarenessFrame(Array.from({ length: 5000 }, (_, i) => 10_000 + i)));
		expect(await spammer.closed()).toBe(4400);
		await waitFor(() => s.relay.docStats(DOC)?.peers === 0, 5000, 'spammer detached');
		expect(s.relay.docStats(DOC)!.awarenessStates).toBe(0);
		await waitFor(() => s.relay.docStats(DOC)!.awarenessMeta === baseline, 5000, 'meta forgotten');
	});

	it('removals of unknown ids create no metadata', async () => {
		const s = await relay();
		const c = raw(`${s.wsUrl}/${DOC}`);
		await c.opened();
		await waitFor(() => s.relay.docStats(DOC) !== null);
		const baseline = s.relay.docStats(DOC)!.awarenessMeta;
		for (let frame = 0; frame < 10; frame++) {
			const ids = Array.from({ length: 5000 }, (_, i) => 10_000 + frame * 5000 + i);
			c.send(awarenessFrame(ids, null));
			await roundTrip(c);
		}
		expect(s.relay.docStats(DOC)!.awarenessMeta).toBe(baseline);
		expect(c.closeCode).toBeNull();
	});

	it('introduced ids count over the lifetime of a connection', async () => {
		const s = await relay();
		const c = raw(`${s.wsUrl}/${DOC}`);
		await c.opened();
		for (let id = 1; id <= MAX_AWARENESS_IDS; id++) c.send(awarenessFrame([id]));
		c.send(awarenessFrame([1, 2], { user: 'y' }, 2));
		await roundTrip(c);
		expect(c.closeCode).toBeNull();
		c.send(awarenessFrame([MAX_AWARENESS_IDS + 1]));
		expect(await c.closed()).toBe(4400);
	});

	it('normal providers keep presence (each echoes the others); leaving removes state and metadata', async () => {
		const s = await relay({ awarenessTombstoneMs: TOMBSTONE_MS });
		const a = await client(s.wsUrl);
		await waitFor(() => s.relay.docStats(DOC) !== null);
		const baseline = s.relay.docStats(DOC)!.awarenessMeta;
		a.provider.awareness.setLocalStateField('user', { name: 'A' });
		// More providers than MAX_AWARENESS_IDS: y-websocket re-sends every change it receives.
		const others: TestClient[] = [];
		for (let i = 0; i < MAX_AWARENESS_IDS + 2; i++) {
			const c = await client(s.wsUrl);
			c.provider.awareness.setLocalStateField('user', { name: `P${i}` });
			others.push(c);
		}
		const everyone = [a, ...others];
		for (const c of everyone) {
			await waitFor(
				() => c.provider.awareness.getStates().size === everyone.length,
				5000,
				'everyone sees everyone'
			);
		}
		const b = others.pop()!;
		const bId = b.doc.clientID;
		b.destroy();
		await waitFor(() => !a.provider.awareness.getStates().has(bId), 5000, 'B gone');
		await waitFor(() => s.relay.docStats(DOC)?.peers === others.length + 1, 5000, 'B detached');
		await waitFor(
			() => s.relay.docStats(DOC)!.awarenessMeta === baseline + others.length + 1,
			5000,
			"B's metadata forgotten"
		);
		expect(s.relay.docStats(DOC)!.awarenessStates).toBe(others.length + 1);
		a.provider.awareness.setLocalStateField('user', { name: 'A again' });
		await waitFor(
			() =>
				(
					others[0]!.provider.awareness.getStates().get(a.doc.clientID) as {
						user: { name: string };
					}
				)?.user.name === 'A again',
			5000,
			'presence still flows'
		);
		for (const c of everyone) expect(c.provider.wsconnected || c === b).toBe(true);
	});
});

describe('TRUST_PROXY', () => {
	const xff = (value: string): { headers: Record<string, string> } => ({
		headers: { 'X-Forwarded-For': value }
	});

	it('off: every client behind a proxy shares the socket address', async () => {
		const s = await relay({ maxConnectionsPerIp: 1 });
		const first = raw(`${s.wsUrl}/${DOC}`, undefined, xff('10.0.0.1'));
		await first.opened();
		expect(await upgradeStatus(`${s.wsUrl}/${DOC}`, s.token, xff('10.0.0.2'))).toBe(429);
	});

	it('on: the last X-Forwarded-For hop is the client address', async () => {
		const s = await relay({ maxConnectionsPerIp: 1, trustProxy: true });
		const first = raw(`${s.wsUrl}/${DOC}`, undefined, xff('10.0.0.1'));
		await first.opened();
		expect(await upgradeStatus(`${s.wsUrl}/${DOC}`, s.token, xff('10.0.0.2'))).toBe(101);
		// Earlier hops are whatever the client sent: only the last one counts.
		expect(await upgradeStatus(`${s.wsUrl}/${DOC}`, s.token, xff('10.0.0.9, 10.0.0.1'))).toBe(429);
		expect(await upgradeStatus(`${s.wsUrl}/${DOC}`, s.token, xff('10.0.0.1, 10.0.0.3'))).toBe(101);
		// No usable header: the socket address, which has a free slot.
		const direct = raw(`${s.wsUrl}/${DOC}`);
		await direct.opened();
		expect(await upgradeStatus(`${s.wsUrl}/${DOC}`, s.token, xff('not an address'))).toBe(429);
	});

	it('TRUST_PROXY and MAX_PENDING_BYTES are read from the environment', () => {
		expect(readConfig({}).trustProxy).toBe(false);
		expect(readConfig({ TRUST_PROXY: 'on' }).trustProxy).toBe(true);
		expect(readConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(true);
		expect(readConfig({ TRUST_PROXY: 'off' }).trustProxy).toBe(false);
		expect(() => readConfig({ TRUST_PROXY: 'maybe' })).toThrow(/TRUST_PROXY/);
		expect(readConfig({}).maxPendingBytes).toBe(1024 * 1024);
		expect(readConfig({ MAX_PENDING_BYTES: '4096' }).maxPendingBytes).toBe(4096);
		expect(() => readConfig({ MAX_PENDING_BYTES: '10' })).toThrow(/MAX_PENDING_BYTES/);
	});
});
