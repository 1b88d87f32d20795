/**
 * The set of loaded rooms: loading from storage, compaction, idle unload.
 *
 * Invariants:
 * - At most one Room per document name; a room is built from a complete `store.load` before
 *   any peer sees it.
 * - A room is compacted (snapshot + log trim in one transaction) once its log holds
 *   `compactAfterUpdates` rows and no commit of it came for `compactQuietMs`, without waiting
 *   for a quiet moment when the log reaches HOT_LOG_FACTOR × `compactAfterUpdates` rows, and
 *   when it is unloaded; unloading commits and syncs its queued updates first. Compactions and
 *   unloads are storage chores, done one per event-loop turn.
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
	presenceTimeoutMs?: number;
	idleUnloadMs: number;
	compactAfterUpdates: number;
	/** Least time between two commits (CommitQueue). */
	commitIntervalMs?: number;
	/** Least time between two broadcasts of one room's updates (Room's `broadcastIntervalMs`). */
	broadcastIntervalMs?: number;
	/**
	 * A room due for compaction waits until it had no commit for this long (default 1000 ms):
	 * compaction encodes the whole document and blocks the event loop, which a busy document
	 * would otherwise pay every `compactAfterUpdates` edits while people are working in it.
	 */
	compactQuietMs?: number;
	log: (event: Record<string, unknown>) => void;
};

/**
 * A room that never goes quiet is compacted when its log reaches this many times
 * `compactAfterUpdates` rows, which bounds what a load replays.
 */
export const HOT_LOG_FACTOR = 10;

export class Rooms {
	readonly queue: CommitQueue;
	#store: DocStore;
	#options: RoomsOptions;
	#rooms = new Map<string, Room>();
	#idleTimers = new Map<Room, NodeJS.Timeout>();
	/** Rooms due for compaction, waiting for a quiet moment. */
	#compactTimers = new Map<Room, NodeJS.Timeout>();
	/**
	 * Storage chores (an idle room to unload, a quiet or hot room to compact), one per event-loop
	 * turn: each encodes a whole document and rewrites it in SQLite, and many documents going
	 * idle, quiet or hot together (a meeting ends, a benchmark phase ends, rooms fed at one rate)
	 * must not stall every other room's traffic for the sum of them.
	 */
	#chores = new Map<Room, 'unload' | 'compact'>();
	#choring: NodeJS.Immediate | null = null;

	constructor(store: DocStore, options: RoomsOptions) {
		this.#store = store;
		this.#options = options;
		this.queue = new CommitQueue(
			store,
			{
				afterCommit: (room) => this.#afterCommit(room),
				onFailure: (rooms, error, op) => {
					options.log({
						event: 'storage-error',
						op,
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
		// Rows or a snapshot of this document that are committed but not synced yet (a room
		// dropped after a failed commit left them) must not be confirmed as durable by the new room.
		if (this.queue.holds(name)) this.queue.flush({ durable: true });
		// After a failed sync (that flush's included), what the store holds may not be what is on
		// disk: a room loaded now would confirm it to its peers.
		if (this.queue.broken) throw this.queue.broken;
		const stored = this.#store.load(name);
		const room = new Room(
			name,
			stored,
			{
				enqueue: (r, update, author) => this.queue.enqueue(r, update, author),
				onEmpty: (r) => this.#scheduleIdle(r)
			},
			{
				maxDocBytes: this.#options.maxDocBytes,
				maxPendingBytes: this.#options.maxPendingBytes,
				awarenessTombstoneMs: this.#options.awarenessTombstoneMs,
				presenceTimeoutMs: this.#options.presenceTimeoutMs,
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
			this.#addChore(room, 'unload');
		}, this.#options.idleUnloadMs);
		timer.unref();
		this.#idleTimers.set(room, timer);
	}

	#addChore(room: Room, chore: 'unload' | 'compact'): void {
		if (this.#chores.get(room) !== 'unload') this.#chores.set(room, chore);
		this.#choring ??= setImmediate(this.#nextChore);
	}

	#nextChore = (): void => {
		this.#choring = null;
		const next = this.#chores.entries().next().value;
		if (next === undefined) return;
		const [room, chore] = next;
		this.#chores.delete(room);
		if (chore === 'unload') {
			// Someone may have joined since it went idle.
			if (room.peers.size === 0 && !this.#idleTimers.has(room)) this.unload(room);
		} else if (
			this.#rooms.get(room.name) === room &&
			room.logRows >= this.#options.compactAfterUpdates
		) {
			this.#compact(room);
		}
		if (this.#chores.size > 0) this.#choring ??= setImmediate(this.#nextChore);
	};

	#afterCommit(room: Room): void {
		const { compactAfterUpdates } = this.#options;
		if (room.logRows >= compactAfterUpdates * HOT_LOG_FACTOR) {
			// A chore, not at once: rooms fed at one rate turn hot in the same commit, and ten
			// compactions in one turn stalled every room for 150 ms (docs/benchmarks.md).
			this.#cancelCompact(room);
			this.#addChore(room, 'compact');
		} else if (room.logRows >= compactAfterUpdates) {
			// Restarted by every commit of the room: it fires after a quiet spell.
			const waiting = this.#compactTimers.get(room);
			if (waiting) waiting.refresh();
			else {
				const timer = setTimeout(() => {
					this.#compactTimers.delete(room);
					this.#addChore(room, 'compact');
				}, this.#options.compactQuietMs ?? 1000);
				timer.unref();
				this.#compactTimers.set(room, timer);
			}
		}
	}

	#cancelCompact(room: Room): void {
		clearTimeout(this.#compactTimers.get(room));
		this.#compactTimers.delete(room);
	}

	#compact(room: Room): boolean {
		this.#cancelCompact(room);
		// Updates not confirmed yet are no reason to wait: the snapshot holds everything the doc
		// has, and it replaces only rows up to the last commit, after them in the WAL, so a crash
		// keeps both or neither. A busy room is always waiting for some sync. The queue treats
		// the snapshot like a commit: not durable, and not loaded by a new room, before a sync.
		if (room.failed || this.queue.broken || room.logRows === 0) return true;
		try {
			const snapshot = room.snapshot();
			this.#store.compact(room.name, snapshot, room.lastSeq);
			room.compacted(snapshot.length);
			this.queue.compacted(room);
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
		if (room.pendingUpdates > 0) this.queue.flush({ durable: true });
		// A failed flush dropped the room already.
		if (this.#rooms.get(room.name) !== room) return;
		this.#compact(room);
		this.#cancelIdle(room);
		this.#chores.delete(room);
		this.#rooms.delete(room.name);
		room.destroy();
	}

	/** Forgets a room after a storage failure: no compaction, peers closed with 4500. */
	#drop(room: Room): void {
		this.queue.discard(room);
		// An unloaded room whose compaction was waiting for a sync: nothing left to close.
		if (this.#rooms.get(room.name) !== room) return;
		room.fail();
		this.#cancelIdle(room);
		this.#cancelCompact(room);
		this.#chores.delete(room);
		this.#rooms.delete(room.name);
		room.destroy();
	}

	/** Flushes everything, then compacts and unloads every room, then syncs the compactions. */
	closeAll(): void {
		if (this.#choring) clearImmediate(this.#choring);
		this.#choring = null;
		this.#chores.clear();
		this.queue.flush({ durable: true });
		for (const room of [...this.#rooms.values()]) this.unload(room);
		// The compactions, so that no sync is left running for a store about to close.
		this.queue.flush({ durable: true });
	}
}
