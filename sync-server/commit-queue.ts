/**
 * Group commit: updates are stored in batches, ONE transaction per batch. A batch is committed
 * at the end of the event-loop turn that queued its first update, but no sooner than
 * `minIntervalMs` after the previous commit. The commit itself does not wait for the disk:
 * committed batches then wait for ONE `store.sync` (an fdatasync on libuv's thread pool), and
 * batches committed while a sync is running wait for the next one, so the syncs pace themselves
 * to the disk and the event loop keeps relaying edits meanwhile. Updates are sent on to the
 * other peers before their commit either way; only the confirmations wait.
 *
 * Invariant: a room learns that its updates are durable (`room.committed`) only after
 * `store.appendBatch` returned AND a `store.sync` that started after that commit finished, in
 * commit order. If the commit threw or the sync failed, every room of those batches is failed
 * instead and no confirmation is ever sent for that data.
 */
import { Pacer } from './pacer.ts';
import type { Room } from './room.ts';
import type { DocStore } from './storage/types.ts';

export type CommitHooks = {
	afterCommit(room: Room): void;
	onFailure(rooms: Room[], error: unknown): void;
};

/** A committed batch waiting for durability: per room, how many updates and its state then. */
type Committed = { lastSeq: number; rooms: Map<Room, { count: number; state: Uint8Array }> };

export class CommitQueue {
	#store: DocStore;
	#hooks: CommitHooks;
	#entries: { room: Room; update: Uint8Array }[] = [];
	#pacer: Pacer;
	/** Committed, waiting for the next sync. */
	#unsynced: Committed[] = [];
	/** Committed, waiting for the sync that is running. */
	#syncing: Committed[] | null = null;

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

	/**
	 * Commits everything queued now (synchronously) and starts a sync if none is running. With
	 * `durable`, blocks until everything committed so far is durable and confirmed (shutdown,
	 * unloading a room). Safe to call at any time.
	 */
	flush({ durable = false } = {}): void {
		this.#pacer.cancel();
		this.#commit();
		if (durable) {
			const waiting = [...(this.#syncing ?? []), ...this.#unsynced];
			this.#unsynced = [];
			// The running sync's callback finds its batches settled already.
			if (this.#syncing) this.#syncing.length = 0;
			if (waiting.length === 0) return;
			let error: Error | null = null;
			try {
				this.#store.syncNow();
			} catch (caught) {
				error = caught as Error;
			}
			this.#settle(waiting, error);
		} else this.#startSync();
	}

	#commit(): void {
		if (this.#entries.length === 0) return;
		const entries = this.#entries;
		this.#entries = [];
		const counts = new Map<Room, number>();
		for (const { room } of entries) counts.set(room, (counts.get(room) ?? 0) + 1);
		// Whatever the rooms hold for broadcast goes out first: no edit reaches the other peers
		// later because of storage.
		for (const room of counts.keys()) room.flush();
		this.#pacer.ran();
		let lastSeq: number;
		try {
			lastSeq = this.#store.appendBatch(
				entries.map(({ room, update }) => ({ doc: room.name, update }))
			);
		} catch (error) {
			this.#hooks.onFailure([...counts.keys()], error);
			return;
		}
		// Every update a room has applied is in this batch or an earlier one, so the room's state
		// now is exactly what this commit makes durable.
		const rooms = new Map<Room, { count: number; state: Uint8Array }>();
		for (const [room, count] of counts) rooms.set(room, { count, state: room.stateVector() });
		this.#unsynced.push({ lastSeq, rooms });
	}

	#startSync(): void {
		if (this.#syncing || this.#unsynced.length === 0) return;
		const batches = this.#unsynced;
		this.#unsynced = [];
		this.#syncing = batches;
		this.#store.sync((error) => {
			this.#syncing = null;
			this.#settle(batches, error);
			this.#startSync();
		});
	}

	#settle(batches: Committed[], error: Error | null): void {
		if (error) {
			const rooms = new Set(batches.flatMap((batch) => [...batch.rooms.keys()]));
			if (rooms.size > 0) this.#hooks.onFailure([...rooms], error);
			return;
		}
		for (const { lastSeq, rooms } of batches) {
			for (const [room, { count, state }] of rooms) {
				if (room.failed) continue;
				room.committed(count, lastSeq, state);
				this.#hooks.afterCommit(room);
			}
		}
	}

	/** Drops queued entries of a room that is being discarded after a failure. */
	discard(room: Room): void {
		this.#entries = this.#entries.filter((entry) => entry.room !== room);
	}
}
