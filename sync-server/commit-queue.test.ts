/**
 * Group commit: batches, at most one commit per `minIntervalMs`, confirmations after the commit.
 */
import { describe, expect, it } from 'vitest';
import { CommitQueue } from './commit-queue.ts';
import type { Room } from './room.ts';
import { MemoryStore } from './storage/memory.ts';
import { waitFor } from './test-helpers.ts';

/** A queue over a MemoryStore that records each commit, and one room's confirmations. */
function setUp(minIntervalMs?: number) {
	const store = new MemoryStore();
	const commits: { at: number; size: number }[] = [];
	const appendBatch = store.appendBatch.bind(store);
	store.appendBatch = (entries) => {
		commits.push({ at: performance.now(), size: entries.length });
		return appendBatch(entries);
	};
	const queue = new CommitQueue(store, { afterCommit() {}, onFailure() {} }, { minIntervalMs });
	const confirmed: number[] = [];
	const room = {
		name: 'c/demo/board/g1',
		committed: (count: number) => confirmed.push(count),
		flush() {}
	} as unknown as Room;
	return { store, commits, queue, room, confirmed };
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

	it("sends each room's waiting broadcast before the commit blocks for its fsync", () => {
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
});
