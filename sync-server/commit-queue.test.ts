/**
 * Group commit: batches, at most one commit per `minIntervalMs`, confirmations after the commit
 * and the sync that followed it.
 */
import { describe, expect, it } from 'vitest';
import { CommitQueue } from './commit-queue.ts';
import type { Room } from './room.ts';
import { MemoryStore } from './storage/memory.ts';
import { waitFor } from './test-helpers.ts';
import * as Y from 'yjs';

/** A queue over a MemoryStore that records each commit, and one room's confirmations. */
function setUp(minIntervalMs?: number) {
	const store = new MemoryStore();
	const commits: { at: number; size: number }[] = [];
	const appendBatch = store.appendBatch.bind(store);
	store.appendBatch = (entries) => {
		commits.push({ at: performance.now(), size: entries.length });
		return appendBatch(entries);
	};
	const failed: Room[][] = [];
	const queue = new CommitQueue(
		store,
		{ afterCommit() {}, onFailure: (rooms) => failed.push(rooms) },
		{ minIntervalMs }
	);
	const confirmed: number[] = [];
	const room = {
		name: 'c/demo/board/g1',
		failed: false,
		committed: (count: number) => confirmed.push(count),
		stored() {},
		stateVector: () => new Uint8Array([0]),
		flush() {}
	} as unknown as Room;
	return { store, commits, queue, room, confirmed, failed };
}

/** Makes `store.sync` wait until the test finishes it; records the order of commits and syncs. */
function manualSync(store: MemoryStore, events: string[] = []) {
	const running: ((error: Error | null) => void)[] = [];
	const appendBatch = store.appendBatch.bind(store);
	store.appendBatch = (entries) => {
		events.push(`commit ${entries.length}`);
		return appendBatch(entries);
	};
	store.sync = (done) => {
		events.push('sync');
		running.push(done);
	};
	store.syncNow = () => {
		events.push('syncNow');
	};
	const finish = (error: Error | null = null) => running.shift()!(error);
	return {
		events,
		finish,
		get running() {
			return running.length;
		}
	};
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const update = (i: number) => new Uint8Array([0, 0, i]);

describe('CommitQueue', () => {
	it('commits what one turn queued in one transaction, then confirms', async () => {
		const { commits, queue, room, confirmed } = setUp();
		queue.enqueue(room, update(1));
		queue.enqueue(room, update(2));
		expect(confirmed).toEqual([]);
		await waitFor(() => confirmed.length === 1);
		expect(commits.map((c) => c.size)).toEqual([2]);
		expect(confirmed).toEqual([2]);
		queue.enqueue(room, update(3));
		await waitFor(() => confirmed.length === 2);
		expect(commits.map((c) => c.size)).toEqual([2, 1]);
	});

	it('stores each update with the member the room authenticated for it', async () => {
		const { store, queue, room, confirmed } = setUp();
		const doc = new Y.Doc();
		doc.clientID = 5;
		const updates: Uint8Array[] = [];
		doc.on('update', (u: Uint8Array) => updates.push(u));
		doc.getArray('timeline').push(['评论']);
		doc.getMap('attest').set('5', { member: 'm-alice', from: 0 });
		queue.enqueue(room, updates[0]!, 'm-alice');
		queue.enqueue(room, updates[1]!, '~relay');
		await waitFor(() => confirmed.length === 1);
		expect(store.attribution(room.name).map((r) => [r.author, r.updates])).toEqual([
			['m-alice', 1],
			['~relay', 1]
		]);
	});

	it('waits minIntervalMs after a commit, and commits what came meanwhile together', async () => {
		const { store, commits, queue, room, confirmed } = setUp(100);
		queue.enqueue(room, update(1));
		await waitFor(() => commits.length === 1);
		for (let i = 2; i <= 5; i++) {
			queue.enqueue(room, update(i));
			await turn();
		}
		await waitFor(() => commits.length === 2);
		expect(commits.map((c) => c.size)).toEqual([1, 4]);
		expect(commits[1]!.at - commits[0]!.at).toBeGreaterThanOrEqual(99);
		expect(confirmed).toEqual([1, 4]);
		expect(store.load('c/demo/board/g1').updates).toHaveLength(5);
	});

	it('flush() commits at once whatever is queued', async () => {
		const { commits, queue, room, confirmed } = setUp(60_000);
		queue.enqueue(room, update(1));
		await waitFor(() => commits.length === 1);
		queue.enqueue(room, update(2));
		queue.flush();
		expect(commits.map((c) => c.size)).toEqual([1, 1]);
		expect(confirmed).toEqual([1, 1]);
	});

	it("sends each room's waiting broadcast before the commit", () => {
		const { store, queue, room } = setUp();
		const events: string[] = [];
		const appendBatch = store.appendBatch.bind(store);
		store.appendBatch = (entries) => {
			events.push('commit');
			return appendBatch(entries);
		};
		Object.assign(room, { flush: () => events.push('broadcast') });
		queue.enqueue(room, update(1));
		queue.enqueue(room, update(2));
		queue.flush();
		expect(events).toEqual(['broadcast', 'commit']);
	});

	it('confirms only after a sync that started after the commit; later commits wait for the next sync', async () => {
		const { store, queue, room, confirmed } = setUp();
		const sync = manualSync(store);
		queue.enqueue(room, update(1));
		await waitFor(() => sync.running === 1);
		queue.enqueue(room, update(2));
		queue.enqueue(room, update(3));
		await waitFor(() => sync.events.length === 3);
		// Committed, but the sync running now started before that commit.
		expect(sync.events).toEqual(['commit 1', 'sync', 'commit 2']);
		expect(confirmed).toEqual([]);
		sync.finish();
		expect(confirmed).toEqual([1]);
		expect(sync.events).toEqual(['commit 1', 'sync', 'commit 2', 'sync']);
		sync.finish();
		expect(confirmed).toEqual([1, 2]);
		expect(sync.running).toBe(0);
	});

	it('flush({ durable: true }) blocks on syncNow and confirms everything once', async () => {
		const { store, queue, room, confirmed } = setUp();
		const sync = manualSync(store);
		queue.enqueue(room, update(1));
		await waitFor(() => sync.running === 1);
		queue.enqueue(room, update(2));
		queue.flush({ durable: true });
		expect(sync.events).toEqual(['commit 1', 'sync', 'commit 1', 'syncNow']);
		expect(confirmed).toEqual([1, 1]);
		// The sync that was running settles nothing twice.
		sync.finish();
		expect(confirmed).toEqual([1, 1]);
	});

	it('a failed sync fails every room with unconfirmed updates, and every later commit', async () => {
		const { store, queue, room, confirmed, failed } = setUp();
		const other = { ...room, name: 'c/demo/board/g2' } as Room;
		const sync = manualSync(store);
		queue.enqueue(room, update(1));
		await waitFor(() => sync.running === 1);
		// Committed while the failing sync runs: after a write-back error the next sync may
		// succeed although the pages were lost, so this batch can never be confirmed either.
		queue.enqueue(other, update(2));
		await waitFor(() => sync.events.length === 3);
		sync.finish(new Error('EIO'));
		expect(failed).toEqual([[room, other]]);
		expect(queue.broken?.message).toBe('EIO');
		queue.enqueue(room, update(3));
		queue.flush();
		expect(failed).toHaveLength(2);
		expect(sync.events).toEqual(['commit 1', 'sync', 'commit 1']);
		expect(confirmed).toEqual([]);
	});

	it('an error of a sync whose batches a blocking flush settled still breaks the queue', async () => {
		const { store, queue, room, confirmed } = setUp();
		const sync = manualSync(store);
		queue.enqueue(room, update(1));
		await waitFor(() => sync.running === 1);
		queue.flush({ durable: true });
		expect(confirmed).toEqual([1]);
		sync.finish(new Error('EIO'));
		expect(queue.broken).not.toBeNull();
		queue.enqueue(room, update(2));
		queue.flush({ durable: true });
		expect(confirmed).toEqual([1]);
	});

	it("confirms each commit with the room's state at that commit, not at the sync", async () => {
		const { store, queue, room } = setUp();
		let version = 1;
		const states: number[] = [];
		Object.assign(room, {
			stateVector: () => new Uint8Array([version]),
			committed: (_count: number, state: Uint8Array) => states.push(state[0]!)
		});
		const sync = manualSync(store);
		queue.enqueue(room, update(1));
		await waitFor(() => sync.running === 1);
		// The room moves on (an update applied, queued, not committed) while the sync runs.
		version = 2;
		queue.enqueue(room, update(2));
		queue.flush();
		version = 3;
		queue.enqueue(room, update(3));
		sync.finish();
		expect(states).toEqual([1]);
		await waitFor(() => sync.running === 1);
		sync.finish();
		expect(states).toEqual([1, 2]);
	});

	it('a compaction counts as a commit: the document is unsynced until the next sync confirms it', async () => {
		const { store, queue, room, confirmed } = setUp();
		const sync = manualSync(store);
		expect(queue.holds(room.name)).toBe(false);
		queue.compacted(room);
		expect(queue.holds(room.name)).toBe(true);
		expect(sync.events).toEqual(['sync']);
		sync.finish();
		expect(confirmed).toEqual([0]);
		expect(queue.holds(room.name)).toBe(false);
	});
});
