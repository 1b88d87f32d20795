/**
 * Group commit: updates are stored in batches, ONE transaction per batch. A batch is committed
 * at the end of the event-loop turn that queued its first update, but no sooner than
 * `minIntervalMs` after the previous commit. The commit itself does not wait for the disk:
 * committed batches then wait for ONE `store.sync` (an fdatasync on libuv's thread pool), and
 * batches committed while a sync is running wait for the next one, so the syncs pace themselves
 * to the disk and the event loop keeps relaying edits meanwhile. Updates are sent on to the
 * other peers before their commit either way; only the confirmations wait.
 *
 * Invariants:
 * - A room learns that its updates are stored (`room.stored`, `afterCommit`) when the commit
 *   returned, and that they are durable (`room.committed`, which confirms them to its peers)
 *   only after a `store.sync` that started after that commit finished, in commit order.
 * - If a commit throws, the rooms of that batch are failed and never confirmed for it.
 * - A compaction counts as a commit of its room with no updates (`compacted`).
 * - A failed sync is fatal (`broken`): after a write-back error Linux may report success to
 *   the next fsync although the pages were lost, so nothing committed before it can ever be
 *   called durable. Every room with updates waiting is failed, and every later commit fails,
 *   until the relay is restarted (the store syncs the WAL again when it opens).
 */
import { Pacer } from './pacer.ts';
import type { Room } from './room.ts';
import type { DocStore } from './storage/types.ts';

export type CommitHooks = {
	afterCommit(room: Room): void;
	onFailure(rooms: Room[], error: unknown, op: 'append' | 'sync'): void;
};

/** A committed batch waiting for durability: per room, how many updates and its state then. */
type Committed = Map<Room, { count: number; state: Uint8Array }>;

export class CommitQueue {
	#store: DocStore;
	#hooks: CommitHooks;
	#entries: { room: Room; update: Uint8Array; author: string | null }[] = [];
	#pacer: Pacer;
	/** Committed, waiting for the next sync. */
	#unsynced: Committed[] = [];
	/** Committed, waiting for the sync that is running. */
	#syncing: Committed[] | null = null;
	/** The error of a failed sync: nothing is committed or confirmed after it. */
	broken: Error | null = null;

	constructor(store: DocStore, hooks: CommitHooks, options: { minIntervalMs?: number } = {}) {
		this.#store = store;
		this.#hooks = hooks;
		this.#pacer = new Pacer(() => this.flush(), options.minIntervalMs);
	}

	/** Updates queued and not yet committed. */
	get size(): number {
		return this.#entries.length;
	}

	/**
	 * True when a commit (or compaction) of document `name` is not synced yet. Queued updates
	 * need no check: a room is unloaded only after a durable flush, and a dropped room's queued
	 * updates are discarded.
	 */
	holds(name: string): boolean {
		const batches = [...this.#unsynced, ...(this.#syncing ?? [])];
		return batches.some((batch) => [...batch.keys()].some((room) => room.name === name));
	}

	enqueue(room: Room, update: Uint8Array, author: string | null = null): void {
		this.#entries.push({ room, update, author });
		this.#pacer.request();
	}

	/**
	 * Commits everything queued now (synchronously) and starts a sync if none is running. With
	 * `durable`, blocks until everything committed so far is durable and confirmed (shutdown,
	 * unloading or loading a room). Safe to call at any time.
	 */
	flush({ durable = false } = {}): void {
		this.#pacer.cancel();
		this.#commit();
		if (!durable) {
			this.#startSync();
			return;
		}
		// The running sync's batches are settled here; its callback finds them gone. A write-back
		// error is reported to every descriptor open when it happened, so `syncNow` (its own
		// descriptor) sees an error the running sync may be about to report too.
		const waiting = this.#takeUnsynced();
		if (waiting.length === 0) return;
		try {
			this.#store.syncNow();
		} catch (error) {
			this.#fail(error as Error, waiting);
			return;
		}
		this.#settle(waiting);
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
			if (this.broken) throw this.broken;
			lastSeq = this.#store.appendBatch(
				entries.map(({ room, update, author }) => ({ doc: room.name, update, author }))
			);
		} catch (error) {
			this.#hooks.onFailure(live(counts.keys()), error, 'append');
			return;
		}
		// Every update a room has applied is in this batch or an earlier one, so the room's state
		// now is exactly what this commit makes durable.
		const batch: Committed = new Map();
		for (const [room, count] of counts) {
			batch.set(room, { count, state: room.stateVector() });
			room.stored(count, lastSeq);
			this.#hooks.afterCommit(room);
		}
		this.#unsynced.push(batch);
	}

	#startSync(): void {
		if (this.#syncing || this.#unsynced.length === 0 || this.broken) return;
		const batches = this.#unsynced;
		this.#unsynced = [];
		this.#syncing = batches;
		const done = (error: Error | null): void => {
			this.#syncing = null;
			if (error) this.#fail(error, batches);
			else {
				this.#settle(batches);
				this.#startSync();
			}
		};
		try {
			this.#store.sync(done);
		} catch (error) {
			done(error as Error);
		}
	}

	/**
	 * Every committed batch not settled yet, taken out of the queue. The running sync's array is
	 * emptied in place, so its callback finds nothing left to settle.
	 */
	#takeUnsynced(): Committed[] {
		const batches = [...(this.#syncing ?? []), ...this.#unsynced];
		this.#unsynced = [];
		if (this.#syncing) this.#syncing.length = 0;
		return batches;
	}

	#settle(batches: Committed[]): void {
		for (const batch of batches) {
			for (const [room, { count, state }] of batch) {
				if (!room.failed) room.committed(count, state);
			}
		}
	}

	/** A failed sync: fails every room with anything unconfirmed, and refuses all later work. */
	#fail(error: Error, batches: Committed[]): void {
		this.broken ??= error;
		const rooms = new Set<Room>();
		for (const batch of [...batches, ...this.#takeUnsynced()])
			for (const room of batch.keys()) rooms.add(room);
		for (const { room } of this.#entries) rooms.add(room);
		this.#entries = [];
		this.#pacer.cancel();
		this.#hooks.onFailure(live(rooms), error, 'sync');
	}

	/**
	 * Called after a compaction of `room` was committed. Its snapshot may hold updates that are
	 * not committed yet, and it is durable only after the next sync: until then the document
	 * counts as unsynced (`holds`), and that sync confirms the state the snapshot holds.
	 */
	compacted(room: Room): void {
		if (this.broken) return;
		this.#unsynced.push(new Map([[room, { count: 0, state: room.stateVector() }]]));
		this.#startSync();
	}

	/** Drops queued entries of a room that is being discarded after a failure. */
	discard(room: Room): void {
		this.#entries = this.#entries.filter((entry) => entry.room !== room);
	}
}

/** Rooms not failed yet: a failed room was closed and dropped already. */
function live(rooms: Iterable<Room>): Room[] {
	return [...rooms].filter((room) => !room.failed);
}
