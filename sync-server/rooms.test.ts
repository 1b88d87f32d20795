/**
 * Room lifecycle: idle unload (with compaction) and reload, compaction by log length.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { HOT_LOG_FACTOR, Rooms, type RoomsOptions } from './rooms.ts';
import { MemoryStore } from './storage/memory.ts';
import { SqliteStore } from './storage/sqlite.ts';
import {
	connectSynced,
	removeDir,
	startTestRelay,
	trackPersisted,
	waitFor,
	type TestRelay
} from './test-helpers.ts';

const DOC = 'c/demo/meetings/m1';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
	cleanups = [];
});

async function relay(options: Parameters<typeof startTestRelay>[0]): Promise<TestRelay> {
	const started = await startTestRelay(options);
	cleanups.push(() => removeDir(started.dataDir));
	cleanups.push(() => started.relay.close());
	return started;
}

describe('rooms', () => {
	it('an idle document is compacted, unloaded, and reloads with its content', async () => {
		const store = new MemoryStore();
		const { relay: r, wsUrl } = await relay({ store, idleUnloadMs: 200 });
		const a = await connectSynced(wsUrl, DOC);
		const persisted = trackPersisted(a.provider);
		for (let i = 0; i < 5; i++) a.doc.getArray('minutes').push([`item ${i}`]);
		await waitFor(() => persisted.covers(a.doc));
		expect(r.stats().docsLoaded).toBe(1);
		a.destroy();
		await waitFor(() => r.stats().docsLoaded === 0, 5000, 'unload');
		expect(store.logLength(DOC)).toBe(0);
		expect(store.load(DOC).snapshot).not.toBeNull();
		const b = await connectSynced(wsUrl, DOC);
		cleanups.push(() => b.destroy());
		expect(r.stats().docsLoaded).toBe(1);
		expect(b.doc.getArray('minutes').toArray()).toEqual([0, 1, 2, 3, 4].map((i) => `item ${i}`));
	});

	it('a document stays loaded while someone is connected', async () => {
		const { relay: r, wsUrl } = await relay({ idleUnloadMs: 50 });
		const a = await connectSynced(wsUrl, DOC);
		cleanups.push(() => a.destroy());
		const b = await connectSynced(wsUrl, DOC);
		b.destroy();
		a.doc.getMap('m').set('k', 1);
		const c = await connectSynced(wsUrl, DOC);
		cleanups.push(() => c.destroy());
		await waitFor(() => c.doc.getMap('m').get('k') === 1);
		expect(r.stats().docsLoaded).toBe(1);
	});

	it('compacts a document with COMPACT_AFTER_UPDATES log rows once it had no commit for compactQuietMs', async () => {
		const store = new MemoryStore();
		const { wsUrl } = await relay({ store, compactAfterUpdates: 10, compactQuietMs: 1000 });
		const a = await connectSynced(wsUrl, DOC);
		cleanups.push(() => a.destroy());
		const persisted = trackPersisted(a.provider);
		for (let i = 0; i < 25; i++) {
			a.doc.getArray('n').push([i]);
			await waitFor(() => persisted.covers(a.doc));
		}
		// Busy (a commit every few ms): not compacted yet.
		const busyUntil = performance.now();
		expect(store.load(DOC).snapshot).toBeNull();
		expect(store.logLength(DOC)).toBe(25);
		await waitFor(() => store.logLength(DOC) === 0, 5000);
		expect(performance.now() - busyUntil).toBeGreaterThanOrEqual(900);
		expect(store.load(DOC).snapshot).not.toBeNull();
		const b = await connectSynced(wsUrl, DOC);
		cleanups.push(() => b.destroy());
		expect(b.doc.getArray('n').length).toBe(25);
	});

	it(`compacts a document that never goes quiet at ${HOT_LOG_FACTOR} × COMPACT_AFTER_UPDATES rows`, async () => {
		const store = new MemoryStore();
		const { wsUrl } = await relay({ store, compactAfterUpdates: 3, compactQuietMs: 60_000 });
		const a = await connectSynced(wsUrl, DOC);
		cleanups.push(() => a.destroy());
		const persisted = trackPersisted(a.provider);
		for (let i = 0; i < 3 * HOT_LOG_FACTOR - 1; i++) {
			a.doc.getArray('n').push([i]);
			await waitFor(() => persisted.covers(a.doc));
		}
		expect(store.load(DOC).snapshot).toBeNull();
		a.doc.getArray('n').push(['the one that makes it hot']);
		await waitFor(() => persisted.covers(a.doc));
		await waitFor(() => store.logLength(DOC) === 0, 1000, 'compacted');
		expect(store.load(DOC).snapshot).not.toBeNull();
	});

	it('close() compacts every loaded document, and a new relay serves the same content', async () => {
		const first = await startTestRelay({});
		cleanups.push(() => removeDir(first.dataDir));
		const a = await connectSynced(first.wsUrl, DOC);
		const persisted = trackPersisted(a.provider);
		a.doc.getText('t').insert(0, 'graceful');
		await waitFor(() => persisted.covers(a.doc));
		await first.relay.close();
		a.destroy();
		const store = new SqliteStore(first.dataDir);
		expect(store.logLength(DOC)).toBe(0);
		expect(store.load(DOC).snapshot).not.toBeNull();
		store.close();
		const second = await relay({ dataDir: first.dataDir });
		const b = await connectSynced(second.wsUrl, DOC);
		cleanups.push(() => b.destroy());
		expect(b.doc.getText('t').toString()).toBe('graceful');
	});
});

/** A MemoryStore that records the event-loop turn of every compaction. */
function compactionTurns() {
	const store = new MemoryStore();
	const compactedAtTurn: number[] = [];
	let turn = 0;
	let ticking = true;
	const tick = () => {
		turn++;
		if (ticking) setImmediate(tick);
	};
	setImmediate(tick);
	const compact = store.compact.bind(store);
	store.compact = (doc, snapshot, upToSeq) => {
		compactedAtTurn.push(turn);
		compact(doc, snapshot, upToSeq);
	};
	const stop = (): void => {
		ticking = false;
	};
	return { store, compactedAtTurn, stop };
}

/** Rooms over `store` without a relay, and a peer that ignores what it is sent. */
function roomsOver(store: MemoryStore, options: Partial<RoomsOptions>) {
	const rooms = new Rooms(store, {
		maxDocBytes: 1_000_000,
		maxPendingBytes: 100_000,
		idleUnloadMs: 60_000,
		compactAfterUpdates: 500,
		log() {},
		...options
	});
	return { rooms, peer: { wantsPersisted: false, send() {}, close() {} } };
}

describe('storage chores, one per event-loop turn', () => {
	it('compacts rooms that went quiet together one per event-loop turn, and keeps them loaded', async () => {
		const { store, compactedAtTurn, stop } = compactionTurns();
		cleanups.push(stop);
		const { rooms, peer } = roomsOver(store, {
			idleUnloadMs: 60_000,
			compactAfterUpdates: 2,
			compactQuietMs: 50
		});
		const names = ['c/demo/meetings/m1', 'c/demo/meetings/m2', 'c/demo/meetings/m3'];
		for (const name of names) {
			const room = rooms.open(name);
			room.attach(peer);
			for (const line of ['议程', '决议']) {
				const doc = new Y.Doc();
				doc.getArray('minutes').push([`${name} ${line}`]);
				expect(room.applyUpdate(Y.encodeStateAsUpdate(doc), peer)).toBe('applied');
			}
		}
		rooms.queue.flush();
		expect(compactedAtTurn).toEqual([]);
		await waitFor(() => compactedAtTurn.length === 3, 5000, 'all compacted');
		expect(new Set(compactedAtTurn).size).toBe(3);
		expect(rooms.size).toBe(3);
		for (const name of names) expect(store.logLength(name)).toBe(0);
		rooms.closeAll();
	});

	it('compacts rooms that turned hot in the same commit one per event-loop turn', async () => {
		const { store, compactedAtTurn, stop } = compactionTurns();
		cleanups.push(stop);
		const { rooms, peer } = roomsOver(store, { compactAfterUpdates: 1, compactQuietMs: 60_000 });
		const names = ['c/demo/meetings/m1', 'c/demo/meetings/m2', 'c/demo/meetings/m3'];
		for (const name of names) {
			const room = rooms.open(name);
			room.attach(peer);
			for (let i = 0; i < HOT_LOG_FACTOR; i++) {
				const doc = new Y.Doc();
				doc.getArray('minutes').push([`${name} 第${i}条`]);
				expect(room.applyUpdate(Y.encodeStateAsUpdate(doc), peer)).toBe('applied');
			}
		}
		rooms.queue.flush();
		// Not in the turn of the commit: that turn also sends the confirmations.
		expect(compactedAtTurn).toEqual([]);
		await waitFor(() => compactedAtTurn.length === 3, 5000, 'all compacted');
		expect(new Set(compactedAtTurn).size).toBe(3);
		for (const name of names) expect(store.logLength(name)).toBe(0);
		rooms.closeAll();
	});

	it('unloads rooms that went idle together one per event-loop turn', async () => {
		const { store, compactedAtTurn, stop } = compactionTurns();
		cleanups.push(stop);
		const { rooms, peer } = roomsOver(store, { idleUnloadMs: 1, compactAfterUpdates: 500 });
		for (const name of ['c/demo/meetings/m1', 'c/demo/meetings/m2', 'c/demo/meetings/m3']) {
			const room = rooms.open(name);
			room.attach(peer);
			const doc = new Y.Doc();
			doc.getArray('minutes').push([`${name} 议程`]);
			expect(room.applyUpdate(Y.encodeStateAsUpdate(doc), peer)).toBe('applied');
		}
		rooms.queue.flush();
		for (const name of ['c/demo/meetings/m1', 'c/demo/meetings/m2', 'c/demo/meetings/m3']) {
			rooms.get(name)?.detach(peer);
		}
		await waitFor(() => rooms.size === 0, 5000, 'all unloaded');
		expect(compactedAtTurn).toHaveLength(3);
		expect(new Set(compactedAtTurn).size).toBe(3);
		for (const name of ['c/demo/meetings/m1', 'c/demo/meetings/m2', 'c/demo/meetings/m3']) {
			expect(store.logLength(name)).toBe(0);
			expect(store.load(name).snapshot).not.toBeNull();
		}
	});
});

describe('storage that syncs slower than commits come', () => {
	/** A MemoryStore whose syncs never finish on their own, counting the blocking ones. */
	function slowSyncStore() {
		const store = new MemoryStore();
		const counts = { syncs: 0, syncNows: 0 };
		store.sync = () => {
			counts.syncs++;
		};
		store.syncNow = () => {
			counts.syncNows++;
		};
		return { store, counts };
	}

	const edit = (text: string): Uint8Array => {
		const doc = new Y.Doc();
		doc.getArray('minutes').push([text]);
		return Y.encodeStateAsUpdate(doc);
	};

	it('compacts a hot room although its updates are still waiting for a sync', async () => {
		const { store } = slowSyncStore();
		const { rooms, peer } = roomsOver(store, { compactAfterUpdates: 1, compactQuietMs: 60_000 });
		const room = rooms.open(DOC);
		room.attach(peer);
		for (let i = 0; i < HOT_LOG_FACTOR; i++) room.applyUpdate(edit(`第${i}条`), peer);
		rooms.queue.flush();
		expect(room.pendingUpdates).toBe(HOT_LOG_FACTOR);
		await waitFor(() => store.logLength(DOC) === 0, 5000, 'compacted');
		const reloaded = new Y.Doc();
		Y.applyUpdate(reloaded, store.load(DOC).snapshot!);
		expect(reloaded.getArray('minutes').length).toBe(HOT_LOG_FACTOR);
	});

	/**
	 * Rooms over `store` where DOC's first edit is committed (not synced) and its second commit
	 * fails, which drops the room; `appendBatch` works again afterwards.
	 */
	function droppedWithUnsyncedRows(store: MemoryStore) {
		let refuse = false;
		const appendBatch = store.appendBatch.bind(store);
		store.appendBatch = (entries) => {
			if (refuse) throw new Error('disk full');
			return appendBatch(entries);
		};
		const { rooms, peer } = roomsOver(store, {});
		const first = rooms.open(DOC);
		first.attach(peer);
		first.applyUpdate(edit('已提交，未同步'), peer);
		rooms.queue.flush();
		refuse = true;
		first.applyUpdate(edit('提交失败'), peer);
		rooms.queue.flush();
		refuse = false;
		expect(rooms.get(DOC)).toBeUndefined();
		return rooms;
	}

	it('a room loaded while its rows await a sync syncs them first, so it never confirms them early', () => {
		const { store, counts } = slowSyncStore();
		const rooms = droppedWithUnsyncedRows(store);
		expect(counts.syncNows).toBe(0);
		const second = rooms.open(DOC);
		expect(counts.syncNows).toBe(1);
		expect(second.doc.getArray('minutes').toArray()).toEqual(['已提交，未同步']);
		rooms.closeAll();
	});

	it('a room whose rows fail that sync is not loaded at all', () => {
		const { store } = slowSyncStore();
		store.syncNow = () => {
			throw new Error('EIO');
		};
		const rooms = droppedWithUnsyncedRows(store);
		// Loading it would confirm rows that the failed sync may have lost.
		expect(() => rooms.open(DOC)).toThrow('EIO');
		expect(rooms.get(DOC)).toBeUndefined();
		expect(() => rooms.open('c/demo/other')).toThrow('EIO');
	});

	it('a compacted document is synced before it is loaded again', () => {
		const { store, counts } = slowSyncStore();
		const { rooms, peer } = roomsOver(store, { compactAfterUpdates: 1, compactQuietMs: 60_000 });
		const room = rooms.open(DOC);
		room.attach(peer);
		room.applyUpdate(edit('压缩进快照'), peer);
		rooms.queue.flush({ durable: true });
		room.detach(peer);
		rooms.unload(room);
		expect(store.logLength(DOC)).toBe(0);
		expect(counts.syncNows).toBe(1);
		const again = rooms.open(DOC);
		expect(counts.syncNows).toBe(2);
		expect(again.doc.getArray('minutes').toArray()).toEqual(['压缩进快照']);
		rooms.closeAll();
	});
});
