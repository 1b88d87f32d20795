/**
 * The persisted message (type 100): confirmations only after a commit, only to subscribers. The
 * protocol tests run on the embedded relay and on each relay of a cluster (relay-under-test.ts);
 * the storage failures, made by an injected store, on the embedded relay.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import {
	encodePersistedSubscribe,
	encodeSyncStep1,
	encodeSyncStep2,
	encodeSyncUpdate
} from './protocol.ts';
import type { DocStore } from './storage/types.ts';
import { MemoryStore } from './storage/memory.ts';
import { relayModes, type RelayMode, type RelayUnderTest } from './relay-under-test.ts';
import {
	connectSynced,
	RawClient,
	removeDir,
	startTestRelay,
	trackPersisted,
	waitFor,
	type TestRelay
} from './test-helpers.ts';

const DOC = 'c/demo/tasks';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
	cleanups = [];
});

async function relay(store?: DocStore): Promise<TestRelay> {
	const started = await startTestRelay({ store });
	cleanups.push(() => removeDir(started.dataDir));
	cleanups.push(() => started.relay.close());
	return started;
}

/** The kind of relay the protocol tests of the current `describe` run on. */
let mode: RelayMode;

async function relayUnderTest(): Promise<RelayUnderTest> {
	const started = await mode.start();
	cleanups.push(() => started.close());
	return started.relay;
}

async function raw(wsUrl: string): Promise<RawClient> {
	const client = new RawClient(`${wsUrl}/${DOC}`);
	cleanups.push(() => client.ws.terminate());
	await client.opened();
	return client;
}

/** A store over `inner` with some operations replaced (to make them fail). */
function storeOver(inner: MemoryStore, replaced: Partial<DocStore>): DocStore {
	return {
		load: (doc) => inner.load(doc),
		appendBatch: (entries) => inner.appendBatch(entries),
		compact: (doc, snapshot, upTo) => inner.compact(doc, snapshot, upTo),
		sync: (done) => inner.sync(done),
		syncNow: () => inner.syncNow(),
		hasDoc: (doc) => inner.hasDoc(doc),
		docNames: () => inner.docNames(),
		attribution: (doc) => inner.attribution(doc),
		historyBefore: (doc, before) => inner.historyBefore(doc, before),
		historyHours: (doc) => inner.historyHours(doc),
		close: () => inner.close(),
		...replaced
	};
}

/** A synced y-websocket client, its confirmations, and the close codes it has seen. */
async function watchedClient(wsUrl: string) {
	const client = await connectSynced(wsUrl, DOC);
	cleanups.push(() => client.destroy());
	const persisted = trackPersisted(client.provider);
	const codes: number[] = [];
	client.provider.on('connection-close', (event) => {
		if (event) codes.push(event.code);
	});
	await waitFor(() => persisted.received.length === 1);
	return { client, persisted, codes };
}

function persistedSv(frame: Uint8Array): Map<number, number> {
	const decoder = decoding.createDecoder(frame);
	expect(decoding.readVarUint(decoder)).toBe(100);
	const sv = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
	expect(decoding.hasContent(decoder)).toBe(false);
	return sv;
}

function edit(text: string): { doc: Y.Doc; update: Uint8Array } {
	const doc = new Y.Doc();
	doc.getText('t').insert(0, text);
	return { doc, update: Y.encodeStateAsUpdate(doc) };
}

/** Round trip: the relay answers step 1 in order, so earlier frames have been handled. */
async function roundTrip(client: RawClient): Promise<void> {
	const before = client.ofType(0).length;
	client.send(encodeSyncStep1(new Uint8Array([0])));
	await waitFor(() => client.ofType(0).length > before, 5000, 'round trip');
}

for (const relayMode of relayModes()) {
	describe(`persisted message (type 100) on ${relayMode.name}`, () => {
		beforeAll(() => {
			mode = relayMode;
		});

		it('is not sent to a client that never subscribed', async () => {
			const { wsUrl, relay: r } = await relayUnderTest();
			const client = await raw(wsUrl);
			const { update } = edit('not confirmed to me');
			client.send(encodeSyncUpdate(update));
			await waitFor(() => r.stats().pendingUpdates === 0 && r.stats().docsLoaded === 1);
			await roundTrip(client);
			client.send(encodeSyncUpdate(update)); // a duplicate, too
			await roundTrip(client);
			expect(client.ofType(100)).toHaveLength(0);
		});

		it('answers subscribe with the stored state vector, then confirms each commit', async () => {
			const s = await relayUnderTest();
			const { wsUrl } = s;
			const client = await raw(wsUrl);
			client.send(encodePersistedSubscribe());
			await waitFor(() => client.ofType(100).length === 1, 5000, 'first persisted');
			expect(persistedSv(client.ofType(100)[0]!).size).toBe(0);

			const { doc, update } = edit('hello');
			client.send(encodeSyncUpdate(update));
			await waitFor(() => client.ofType(100).length === 2, 5000, 'confirmation');
			expect(persistedSv(client.ofType(100)[1]!).get(doc.clientID)).toBe(5);
			expect(s.appended.filter((doc) => doc === DOC)).toHaveLength(1);
		});

		it('confirms an update that was already stored (duplicate)', async () => {
			const { wsUrl } = await relayUnderTest();
			const first = await raw(wsUrl);
			const { doc, update } = edit('twice');
			first.send(encodeSyncUpdate(update));
			await roundTrip(first);
			const second = await raw(wsUrl);
			second.send(encodePersistedSubscribe());
			await waitFor(() => second.ofType(100).length === 1);
			const before = second.ofType(100).length;
			second.send(encodeSyncStep2(update));
			await waitFor(() => second.ofType(100).length > before, 5000, 'duplicate confirmation');
			expect(persistedSv(second.ofType(100).at(-1)!).get(doc.clientID)).toBe(5);
		});

		it('every subscriber of the document is told about a commit', async () => {
			const { wsUrl } = await relayUnderTest();
			const watcher = await raw(wsUrl);
			watcher.send(encodePersistedSubscribe());
			await waitFor(() => watcher.ofType(100).length === 1);
			const writer = await connectSynced(wsUrl, DOC);
			cleanups.push(() => writer.destroy());
			writer.doc.getMap('m').set('k', 'v');
			await waitFor(
				() => watcher.ofType(100).some((f) => (persistedSv(f).get(writer.doc.clientID) ?? 0) >= 1),
				5000,
				'watcher confirmation'
			);
		});
	});
}

describe('persisted message (type 100): storage failures of the embedded relay', () => {
	it('a storage failure closes with 4500 and sends no confirmation; reconnect stores the edit', async () => {
		const inner = new MemoryStore();
		let failing = false;
		const store = storeOver(inner, {
			appendBatch: (entries) => {
				if (failing) throw new Error('disk full');
				return inner.appendBatch(entries);
			}
		});
		const { wsUrl } = await relay(store);
		const { client, persisted, codes } = await watchedClient(wsUrl);
		failing = true;
		client.doc.getText('t').insert(0, 'must not be confirmed yet');
		await waitFor(() => codes.includes(4500), 5000, 'close 4500');
		expect(persisted.covers(client.doc)).toBe(false);
		failing = false;
		await waitFor(() => persisted.covers(client.doc), 5000, 'confirmation after reconnect');
		const doc = new Y.Doc();
		for (const u of inner.load(DOC).updates) Y.applyUpdate(doc, u);
		expect(doc.getText('t').toString()).toBe('must not be confirmed yet');
	});

	it('a failed sync closes with 4500, confirms nothing until a restart, and the restarted relay serves the edit', async () => {
		const inner = new MemoryStore();
		let failing = false;
		const store = storeOver(inner, {
			// Committed, but the disk reports an error on the way to durability.
			sync: (done) => setTimeout(() => done(failing ? new Error('EIO') : null), 5)
		});
		const first = await relay(store);
		const { client, persisted, codes } = await watchedClient(first.wsUrl);
		failing = true;
		client.doc.getText('t').insert(0, '写入失败的那一条');
		await waitFor(() => codes.includes(4500), 5000, 'close 4500');
		expect(persisted.covers(client.doc)).toBe(false);
		// The disk is fine again, but this relay cannot know what the failed sync lost.
		failing = false;
		await waitFor(() => codes.filter((code) => code === 4500).length >= 2, 5000, 'closed again');
		expect(persisted.covers(client.doc)).toBe(false);
		const health = await fetch(`${first.relay.url}/health`);
		expect(health.status).toBe(503);
		client.destroy();

		const second = await relay(store);
		const reader = await connectSynced(second.wsUrl, DOC);
		cleanups.push(() => reader.destroy());
		expect(reader.doc.getText('t').toString()).toBe('写入失败的那一条');
	});
});
