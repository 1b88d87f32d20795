/**
 * Group commit: every update emitted during one event-loop turn is stored in ONE transaction.
 *
 * Invariant: a room learns that its updates are durable (`room.committed`) only after
 * `store.appendBatch` returned; if it threw, every room in the batch is failed instead and no
 * confirmation is ever sent for that data.
 */
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
	#scheduled: NodeJS.Immediate | null = null;

	constructor(store: DocStore, hooks: CommitHooks) {
		this.#store = store;
		this.#hooks = hooks;
	}

	get size(): number {
		return this.#entries.length;
	}

	enqueue(room: Room, update: Uint8Array): void {
		this.#entries.push({ room, update });
		this.#scheduled ??= setImmediate(() => this.flush());
	}

	/** Commits everything queued now (synchronously). Safe to call at any time. */
	flush(): void {
		if (this.#scheduled) clearImmediate(this.#scheduled);
		this.#scheduled = null;
		if (this.#entries.length === 0) return;
		const entries = this.#entries;
		this.#entries = [];
		const counts = new Map<Room, number>();
		for (const { room } of entries) counts.set(room, (counts.get(room) ?? 0) + 1);
		let lastSeq: number;
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
