/**
 * Group commit: updates are stored in batches, ONE transaction (one fsync) per batch. A batch is
 * committed at the end of the event-loop turn that queued its first update, but no sooner than
 * `minIntervalMs` after the previous commit: under a steady stream of writes a commit per turn
 * would spend a large share of the relay's time waiting for fsync (docs/benchmarks.md), while
 * updates are sent on to the other peers at once either way. Only the confirmations wait.
 *
 * Invariant: a room learns that its updates are durable (`room.committed`) only after
 * `store.appendBatch` returned; if it threw, every room in the batch is failed instead and no
 * confirmation is ever sent for that data.
 */
import { Pacer } from './pacer.ts';
import type { Room } from './room.ts';
import type { DocStore } from './storage/types.ts';

export type CommitHooks = {
	afterCommit(room: Room): void;
	onFailure(rooms: Room[], error: unknown): void;
};

export class CommitQueue {
	#store: DocStore;
	#hooks: CommitHooks;
	#entries: { room: Room; update: Uint8Array }[] = [];
	#pacer: Pacer;

	constructor(store: DocStore, hooks: CommitHooks, options: { minIntervalMs?: number } = {}) {
		this.#store = store;
		this.#hooks = hooks;
		this.#pacer = new Pacer(() => this.flush(), options.minIntervalMs);
	}

	get size(): number {
		return this.#entries.length;
	}

	enqueue(room: Room, update: Uint8Array): void {
		this.#entries.push({ room, update });
		this.#pacer.request();
	}

	/** Commits everything queued now (synchronously). Safe to call at any time. */
	flush(): void {
		this.#pacer.cancel();
		if (this.#entries.length === 0) return;
		const entries = this.#entries;
		this.#entries = [];
		const counts = new Map<Room, number>();
		for (const { room } of entries) counts.set(room, (counts.get(room) ?? 0) + 1);
		// The commit blocks the event loop for an fsync: whatever the rooms hold for broadcast
		// goes out first, so no edit reaches the other peers later because of storage.
		for (const room of counts.keys()) room.flush();
		let lastSeq: number;
		this.#pacer.ran();
		try {
			lastSeq = this.#store.appendBatch(
				entries.map(({ room, update }) => ({ doc: room.name, update }))
			);
		} catch (error) {
			this.#hooks.onFailure([...counts.keys()], error);
			return;
		}
		for (const [room, count] of counts) {
			room.committed(count, lastSeq);
			this.#hooks.afterCommit(room);
		}
	}

	/** Drops queued entries of a room that is being discarded after a failure. */
	discard(room: Room): void {
		this.#entries = this.#entries.filter((entry) => entry.room !== room);
	}
}
