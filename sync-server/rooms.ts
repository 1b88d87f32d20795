/**
 * The set of loaded rooms: loading from storage, compaction, idle unload.
 *
 * Invariants:
 * - At most one Room per document name; a room is built from a complete `store.load` before
 *   any peer sees it.
 * - A room is compacted (snapshot + log trim in one transaction) after `compactAfterUpdates`
 *   log rows and when it is unloaded; unloading commits its queued updates first. Idle rooms are
 *   unloaded one per event-loop turn.
 * - A room whose storage failed is dropped without compaction, so the next load starts from
 *   what is really on disk.
 */
import { CommitQueue } from './commit-queue.ts';
import { Room } from './room.ts';
import type { DocStore } from './storage/types.ts';

export type RoomsOptions = {
	maxDocBytes: number;
	maxPendingBytes: number;
	awarenessTombstoneMs?: number;
	idleUnloadMs: number;
	compactAfterUpdates: number;
	/** Least time between two commits (CommitQueue). */
	commitIntervalMs?: number;
	/** Least time between two broadcasts of one room's updates (Room's `broadcastIntervalMs`). */
	broadcastIntervalMs?: number;
	log: (event: Record<string, unknown>) => void;
};

export class Rooms {
	readonly queue: CommitQueue;
	#store: DocStore;
	#options: RoomsOptions;
	#rooms = new Map<string, Room>();
	#idleTimers = new Map<Room, NodeJS.Timeout>();
	/**
	 * Idle rooms waiting to be unloaded, one per event-loop turn: each unload is a compaction with
	 * its own fsync, and many documents going idle together (a meeting ends, a benchmark phase
	 * ends) must not stall every other room's traffic for the sum of them.
	 */
	#unloadQueue = new Set<Room>();
	#unloading: NodeJS.Immediate | null = null;

	constructor(store: DocStore, options: RoomsOptions) {
		this.#store = store;
		this.#options = options;
		this.queue = new CommitQueue(
			store,
			{
				afterCommit: (room) => {
					if (room.logRows >= options.compactAfterUpdates) this.#compact(room);
				},
				onFailure: (rooms, error) => {
					options.log({
						event: 'storage-error',
						op: 'append',
						docs: rooms.length,
						error: String(error)
					});
					for (const room of rooms) this.#drop(room);
				}
			},
			{ minIntervalMs: options.commitIntervalMs }
		);
	}

	get size(): number {
		return this.#rooms.size;
	}

	/** The loaded room of a document, if any (never loads). */
	get(name: string): Room | undefined {
		return this.#rooms.get(name);
	}

	/** Returns the loaded room, loading it from storage first if needed. Throws on storage errors. */
	open(name: string): Room {
		const existing = this.#rooms.get(name);
		if (existing) {
			this.#cancelIdle(existing);
			return existing;
		}
		const stored = this.#store.load(name);
		const room = new Room(
			name,
			stored,
			{
				enqueue: (r, update) => this.queue.enqueue(r, update),
				onEmpty: (r) => this.#scheduleIdle(r)
			},
			{
				maxDocBytes: this.#options.maxDocBytes,
				maxPendingBytes: this.#options.maxPendingBytes,
				awarenessTombstoneMs: this.#options.awarenessTombstoneMs,
				broadcastIntervalMs: this.#options.broadcastIntervalMs
			}
		);
		this.#rooms.set(name, room);
		return room;
	}

	#cancelIdle(room: Room): void {
		const timer = this.#idleTimers.get(room);
		if (timer) clearTimeout(timer);
		this.#idleTimers.delete(room);
	}

	#scheduleIdle(room: Room): void {
		this.#cancelIdle(room);
		if (room.failed) {
			this.#drop(room);
			return;
		}
		const timer = setTimeout(() => {
			this.#idleTimers.delete(room);
			this.#unloadQueue.add(room);
			this.#unloading ??= setImmediate(this.#unloadNext);
		}, this.#options.idleUnloadMs);
		timer.unref();
		this.#idleTimers.set(room, timer);
	}

	#unloadNext = (): void => {
		this.#unloading = null;
		const room = this.#unloadQueue.values().next().value;
		if (room === undefined) return;
		this.#unloadQueue.delete(room);
		// Someone may have joined since it went idle.
		if (room.peers.size === 0 && !this.#idleTimers.has(room)) this.unload(room);
		if (this.#unloadQueue.size > 0) this.#unloading = setImmediate(this.#unloadNext);
	};

	#compact(room: Room): boolean {
		if (room.failed || room.pendingUpdates > 0 || room.logRows === 0) return true;
		try {
			const snapshot = room.snapshot();
			this.#store.compact(room.name, snapshot, room.lastSeq);
			room.compacted(snapshot.length);
			return true;
		} catch (error) {
			// The log rows are still there, so nothing is lost; try again next time.
			this.#options.log({ event: 'storage-error', op: 'compact', error: String(error) });
			return false;
		}
	}

	/** Commits, compacts and frees a room. */
	unload(room: Room): void {
		if (this.#rooms.get(room.name) !== room) return;
		if (room.pendingUpdates > 0) this.queue.flush();
		// A failed flush dropped the room already.
		if (this.#rooms.get(room.name) !== room) return;
		this.#compact(room);
		this.#cancelIdle(room);
		this.#unloadQueue.delete(room);
		this.#rooms.delete(room.name);
		room.destroy();
	}

	/** Forgets a room after a storage failure: no compaction, peers closed with 4500. */
	#drop(room: Room): void {
		this.queue.discard(room);
		room.fail();
		this.#cancelIdle(room);
		this.#unloadQueue.delete(room);
		if (this.#rooms.get(room.name) === room) this.#rooms.delete(room.name);
		room.destroy();
	}

	/** Flushes everything, then compacts and unloads every room. */
	closeAll(): void {
		if (this.#unloading) clearImmediate(this.#unloading);
		this.#unloading = null;
		this.#unloadQueue.clear();
		this.queue.flush();
		for (const room of [...this.#rooms.values()]) this.unload(room);
	}
}
