/**
 * The rooms of a relay in cluster mode (issue 22; REDIS_URL and DATABASE_URL set): what
 * rooms.ts and commit-queue.ts do on the embedded store, done on the document streams
 * (doc-streams.ts) and PostgreSQL. Rooms themselves (room.ts) are the same.
 *
 * Invariants:
 * - At most one Room per document name; a room is built from a complete `DocStreams.load`
 *   before any peer sees it (concurrent opens of one document share one load), and from then
 *   on follows the document through this relay's StreamTail from the load's stream id: every
 *   entry another relay appended is applied to it (`Room.applyRemote`: sent to the local peers,
 *   never stored again); the relay's own entries (its origin) are skipped, the room has them.
 * - After a gap (the stream was trimmed past entries the tail had not delivered) the room is
 *   reloaded: the whole stored document is applied to it (Yjs merges, nothing is duplicated)
 *   and the tail follows on from the new load's id.
 * - Commits: the updates the rooms emit are appended in batches, ONE `DocStreams.append` (one
 *   MULTI, one fsync) at a time, in order; a room's peers are confirmed (message 100, with the
 *   room's state vector when its batch was sent) only after that append resolved. A batch that
 *   fails (Redis unreachable) confirms nothing: its rooms are failed (peers closed with 4500,
 *   so they resend everything on reconnect) and dropped, and `storageDown` is true until an
 *   append succeeds again and Redis is connected.
 * - Awareness crosses relays by Redis pub/sub, one channel per loaded document
 *   (`{prefix}:aw:{name}`): what a room's local peers change is published once per broadcast
 *   interval (`onLocalAwareness`), tagged with this relay's id; what other relays publish is
 *   applied to the room (`applyRemoteAwareness`) and sent to its peers. A relay that loads a
 *   document asks (an empty message) and the others answer with their peers' states
 *   (`Room.localAwareness`), so a newcomer sees everyone at once. Awareness is not stored:
 *   a message lost while Redis is down is made good by the next renewal (y-websocket: 15 s), and
 *   a state whose relay died times out (`presenceTimeoutMs`) on every relay.
 * - Fast path of document updates (the second hop): every update a room queues for storage is
 *   also published on the document's update channel (`{prefix}:up:{name}`, tagged with this
 *   relay's id), merged per task, before its append is sent on the same connection (the append
 *   waits at least for the end of the turn: Pacer). The other relays
 *   FORWARD those bytes to their local peers only (forwarded.ts): their rooms do not apply
 *   them, so their state vectors, hence their confirmations, never cover an update that is not
 *   durable yet; each applies it later from the stream entry as before, sent on only to the
 *   peers that did not receive all of it by the fast path (`ForwardedUpdates.alreadySent`:
 *   those attached since). A local peer's edit that builds on a forwarded update
 *   stays pending in the room until that entry is applied; `Room.applyRemote` then queues what
 *   it integrated for storage, confirmed once that append is durable (the entry it depends on
 *   is durable already: it came from the stream). A checked update of such a peer is refused
 *   by the write guard instead (`missing_dependency`), or, resent after a reconnect with the
 *   forwarded update and its attestations, refused for those; either is checked again after
 *   the room's next remote applies, for a few seconds after the latest forward
 *   (forwarded.ts, the room's `checkAgainLater` hook), instead of being refused or asked again
 *   at once.
 * - A room is unloaded once it has had no peer for `idleUnloadMs` and nothing of it is
 *   unconfirmed. Compaction is not the room's: the worker (compactor.ts) folds the streams
 *   into PostgreSQL on a timer, in every relay, under a lease per document.
 * - PostgreSQL down is reported, not a reason to stop confirming: `postgresDown` is the result
 *   of the last check (a trivial query every `postgresCheckMs`, and at once after a failed
 *   load), which `/health` reports. Confirmation stays Redis's (the stream is the durable log);
 *   loads of documents not yet loaded and compaction fail until PostgreSQL answers again.
 */
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import { Pacer } from '../pacer.ts';
import { Room, type RoomLimits } from '../room.ts';
import { PostgresStore } from '../storage/postgres.ts';
import { Compactor } from './compactor.ts';
import { ForwardedUpdates } from './forwarded.ts';
import type { Redis } from 'ioredis';
import { connect, DocStreams, ready } from './doc-streams.ts';
import { StreamTail } from './stream-tail.ts';

export type ClusterRoomsOptions = RoomLimits & {
	redisUrl: string;
	databaseUrl: string;
	/** Prefix of every Redis key (default `gridboard`). */
	prefix?: string;
	idleUnloadMs: number;
	/** Least time between two appends (like CommitQueue's `minIntervalMs`). */
	commitIntervalMs?: number;
	/** Time between two rounds of the compaction worker (ms); 0: this relay runs none. */
	compactEveryMs: number;
	/** The worker's minimum lifetime of a stream entry (compactor.ts; default 60 s). */
	compactMinLifetimeMs?: number;
	/** A Redis command with no answer for this long fails (DocStreams' `commandTimeoutMs`). */
	redisTimeoutMs?: number;
	/** Time between two checks that PostgreSQL answers (ms; default 2 s). */
	postgresCheckMs?: number;
	log: (event: Record<string, unknown>) => void;
};

type Queued = { room: Room; update: Uint8Array; author: string | null };

/** A check of PostgreSQL unanswered for this long counts as PostgreSQL down. */
const POSTGRES_CHECK_TIMEOUT_MS = 5000;

export class ClusterRooms {
	readonly streams: DocStreams;
	readonly store: PostgresStore;
	#options: ClusterRoomsOptions;
	#tail: StreamTail;
	/** Pub/sub connection for awareness (a subscribed connection runs no other command). */
	#subscriber: Redis;
	#rooms = new Map<string, Room>();
	/** The fast path's side of each loaded room (forwarded.ts). */
	#forwarded = new Map<string, ForwardedUpdates>();
	#loading = new Map<string, Promise<Room>>();
	#idleTimers = new Map<Room, NodeJS.Timeout>();
	#queue: Queued[] = [];
	/** Local updates to publish at the end of the current task, per document. */
	#toPublish = new Map<string, Uint8Array[]>();
	#pacer: Pacer;
	#appending: Promise<void> | null = null;
	#appendFailed = false;
	#compactor: Compactor;
	#compactTimer: NodeJS.Timeout | null = null;
	#compacting: Promise<void> | null = null;
	/** The last tick found Redis not ready (logged once per wait). */
	#compactWaiting = false;
	/** Ticks of the compaction worker skipped since start because Redis was not ready. */
	#compactSkipped = 0;
	#postgresDown = false;
	#postgresCheck: Promise<void> | null = null;
	#postgresTimer: NodeJS.Timeout | null = null;
	#closed = false;

	private constructor(store: PostgresStore, options: ClusterRoomsOptions) {
		this.store = store;
		this.#options = options;
		this.streams = new DocStreams({
			url: options.redisUrl,
			prefix: options.prefix,
			relayId: randomUUID(),
			store,
			commandTimeoutMs: options.redisTimeoutMs
		});
		this.#tail = new StreamTail(this.streams, {
			onEntry: (entry) => {
				if (entry.origin === this.streams.relayId) return;
				this.#rooms.get(entry.doc)?.applyRemote(entry.update);
				this.#forwarded.get(entry.doc)?.remoteApplied();
			},
			onGap: (doc) => void this.#reload(doc),
			onError: (error) => options.log({ event: 'cluster-tail-error', error: String(error) })
		});
		// Connected again: the next append may succeed; until one fails, storage is not down.
		this.streams.redis.on('ready', () => {
			this.#appendFailed = false;
		});
		this.#subscriber = connect(options.redisUrl);
		this.#subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) =>
			this.#onMessage(channel.toString(), message)
		);
		this.#pacer = new Pacer(this.#commit, options.commitIntervalMs);
		this.#compactor = new Compactor(this.streams, { minLifetimeMs: options.compactMinLifetimeMs });
		if (options.compactEveryMs > 0) this.#scheduleCompaction();
		this.#schedulePostgresCheck();
	}

	/**
	 * Connects to PostgreSQL (running its schema steps; rejects if it cannot) and Redis (waits
	 * until Redis answers: a relay started while Redis is down listens once it is back).
	 */
	static async open(options: ClusterRoomsOptions): Promise<ClusterRooms> {
		const store = await PostgresStore.open(options.databaseUrl);
		const rooms = new ClusterRooms(store, options);
		await Promise.all([ready(rooms.streams.redis), ready(rooms.#subscriber)]);
		return rooms;
	}

	get size(): number {
		return this.#rooms.size;
	}

	/** Updates waiting for the next append (not those of the append under way). */
	get queued(): number {
		return this.#queue.length;
	}

	/** Redis is unreachable, or the last append failed: nothing is confirmed now. */
	get storageDown(): boolean {
		return this.#appendFailed || this.streams.redis.status !== 'ready';
	}

	/** Ticks the compaction worker skipped since start while Redis was not ready (tests). */
	get compactSkipped(): number {
		return this.#compactSkipped;
	}

	/** PostgreSQL did not answer the last check: loads and compaction wait, confirmations go on. */
	get postgresDown(): boolean {
		return this.#postgresDown;
	}

	/** Checks now that PostgreSQL answers (one check at a time); resolves once it is known. */
	checkPostgres(): Promise<void> {
		this.#postgresCheck ??= new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('no answer')), POSTGRES_CHECK_TIMEOUT_MS);
			this.store
				.ping()
				.then(resolve, reject)
				.finally(() => clearTimeout(timer));
		})
			.then(
				() => this.#setPostgresDown(false),
				(error: unknown) => this.#setPostgresDown(true, error)
			)
			.finally(() => (this.#postgresCheck = null));
		return this.#postgresCheck;
	}

	#setPostgresDown(down: boolean, error?: unknown): void {
		if (down !== this.#postgresDown) {
			this.#options.log({
				event: down ? 'postgres-down' : 'postgres-up',
				...(error === undefined ? {} : { error: String(error) })
			});
		}
		this.#postgresDown = down;
	}

	#schedulePostgresCheck(): void {
		this.#postgresTimer = setTimeout(() => {
			void this.checkPostgres().finally(() => {
				if (!this.#closed) this.#schedulePostgresCheck();
			});
		}, this.#options.postgresCheckMs ?? 2000);
		this.#postgresTimer.unref();
	}

	get(name: string): Room | undefined {
		return this.#rooms.get(name);
	}

	/** The loaded room of `name`, loading it first if needed; rejects on storage errors. */
	async open(name: string): Promise<Room> {
		if (this.#closed) throw new Error('the relay is closing');
		const existing = this.#rooms.get(name);
		if (existing) {
			this.#cancelIdle(existing);
			return existing;
		}
		let loading = this.#loading.get(name);
		if (!loading) {
			loading = this.#load(name).finally(() => this.#loading.delete(name));
			this.#loading.set(name, loading);
		}
		const room = await loading;
		this.#cancelIdle(room);
		return room;
	}

	/** A room opened for a socket that closed before it was ready: unloaded when idle. */
	release(room: Room): void {
		if (room.peers.size === 0) this.#scheduleIdle(room);
	}

	async #load(name: string): Promise<Room> {
		const loaded = await this.streams.load(name).catch((error: unknown) => {
			// Most often PostgreSQL: `/health` says so now rather than at the next check.
			void this.checkPostgres();
			throw error;
		});
		if (this.#closed) throw new Error('the relay is closing');
		const forwarded = new ForwardedUpdates(this.#options.maxPendingBytes);
		const room = new Room(
			name,
			loaded,
			{
				enqueue: (r, update, author) => {
					this.#publishUpdate(r.name, update);
					this.#queue.push({ room: r, update, author });
					this.#pacer.request();
				},
				onEmpty: (r) => this.#scheduleIdle(r),
				onLocalAwareness: (r, update) => this.#publishAwareness(r.name, update),
				checkAgainLater: forwarded.checkAgainLater,
				alreadySent: (update) => forwarded.alreadySent(update)
			},
			this.#options
		);
		this.#rooms.set(name, room);
		this.#forwarded.set(name, forwarded);
		this.#tail.add(name, loaded.streamId);
		const channel = this.#awarenessChannel(name);
		this.#subscriber
			.subscribe(channel, this.#updateChannel(name))
			// Subscribed: ask the other relays for their peers' states (an empty update).
			.then(() => this.streams.redis.publish(channel, `${this.streams.relayId}\n`))
			.catch((error: unknown) => {
				this.#options.log({ event: 'cluster-awareness-error', error: String(error) });
			});
		return room;
	}

	#publishAwareness(name: string, update: Uint8Array): void {
		const message = Buffer.concat([Buffer.from(`${this.streams.relayId}\n`), update]);
		// Ephemeral: lost while Redis is down, made good by the next renewal.
		this.streams.redis.publish(this.#awarenessChannel(name), message).catch(() => {});
	}

	#awarenessChannel(name: string): string {
		return `${this.streams.prefix}:aw:${name}`;
	}

	/**
	 * The fast path: a room's local updates, published before their append (see the invariant
	 * above) at the end of the current task, merged: a peer's update and the attestation of its
	 * new client id (applied right after it) travel as one, so no relay's peer ever holds the
	 * one without the other.
	 */
	#publishUpdate(name: string, update: Uint8Array): void {
		const waiting = this.#toPublish.get(name);
		if (waiting) return void waiting.push(update);
		this.#toPublish.set(name, [update]);
		queueMicrotask(() => {
			const updates = this.#toPublish.get(name) ?? [];
			this.#toPublish.delete(name);
			const merged = updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
			const message = Buffer.concat([Buffer.from(`${this.streams.relayId}\n`), merged]);
			// Ephemeral: lost while Redis is down; the stream entry brings it anyway.
			this.streams.redis.publish(this.#updateChannel(name), message).catch(() => {});
		});
	}

	#updateChannel(name: string): string {
		return `${this.streams.prefix}:up:${name}`;
	}

	#onMessage(channel: string, message: Buffer): void {
		const updates = `${this.streams.prefix}:up:`;
		if (!channel.startsWith(updates)) return this.#onAwareness(channel, message);
		const name = channel.slice(updates.length);
		const room = this.#rooms.get(name);
		const forwarded = this.#forwarded.get(name);
		const newline = message.indexOf(0x0a);
		if (!room || !forwarded || newline < 0) return;
		if (message.subarray(0, newline).toString() === this.streams.relayId) return;
		forwarded.forward(room, new Uint8Array(message.subarray(newline + 1)));
	}

	#onAwareness(channel: string, message: Buffer): void {
		const name = channel.slice(`${this.streams.prefix}:aw:`.length);
		const room = this.#rooms.get(name);
		const newline = message.indexOf(0x0a);
		if (!room || newline < 0) return;
		if (message.subarray(0, newline).toString() === this.streams.relayId) return;
		if (newline === message.length - 1) {
			// Another relay just loaded the document: it gets our peers' states.
			const states = room.localAwareness();
			if (states) this.#publishAwareness(name, states);
			return;
		}
		if (!room.applyRemoteAwareness(new Uint8Array(message.subarray(newline + 1)))) {
			this.#options.log({ event: 'cluster-awareness-error', error: 'unreadable update' });
		}
	}

	#forget(room: Room): void {
		this.#rooms.delete(room.name);
		this.#forwarded.get(room.name)?.dispose();
		this.#forwarded.delete(room.name);
		this.#tail.remove(room.name);
		this.#subscriber
			.unsubscribe(this.#awarenessChannel(room.name), this.#updateChannel(room.name))
			.catch(() => {});
	}

	async #reload(name: string): Promise<void> {
		try {
			const loaded = await this.streams.load(name);
			const room = this.#rooms.get(name);
			if (!room) return;
			if (loaded.snapshot) room.applyRemote(loaded.snapshot);
			for (const update of loaded.updates) room.applyRemote(update);
			this.#forwarded.get(name)?.remoteApplied();
			this.#tail.add(name, loaded.streamId);
			this.#options.log({ event: 'cluster-reload', gap: true });
		} catch (error) {
			this.#options.log({ event: 'storage-error', op: 'reload', error: String(error) });
			const room = this.#rooms.get(name);
			if (room) this.#drop(room);
		}
	}

	/** Appends what the rooms emitted, one append at a time; see the invariant above. */
	#commit = (): void => {
		this.#pacer.cancel();
		if (this.#appending || this.#queue.length === 0) return;
		const entries = this.#queue;
		this.#queue = [];
		const counts = new Map<Room, number>();
		for (const { room } of entries) counts.set(room, (counts.get(room) ?? 0) + 1);
		// Broadcast first: no edit reaches the other peers later because of storage.
		for (const room of counts.keys()) room.flush();
		this.#pacer.ran();
		// Every update a room applied is in this batch or an earlier one (confirmed already).
		const states = new Map([...counts.keys()].map((room) => [room, room.stateVector()]));
		const batch = entries.map(({ room, update, author }) => ({ doc: room.name, update, author }));
		this.#appending = this.streams.append(batch).then(
			() => {
				this.#appendFailed = false;
				for (const [room, count] of counts) {
					if (!room.failed) room.committed(count, states.get(room)!);
				}
			},
			(error: unknown) => {
				this.#appendFailed = true;
				this.#options.log({
					event: 'storage-error',
					op: 'append',
					docs: counts.size,
					error: String(error)
				});
				for (const room of counts.keys()) this.#drop(room);
			}
		);
		void this.#appending.finally(() => {
			this.#appending = null;
			if (this.#queue.length > 0) this.#pacer.request();
		});
	};

	#cancelIdle(room: Room): void {
		clearTimeout(this.#idleTimers.get(room));
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
			if (room.peers.size > 0 || this.#rooms.get(room.name) !== room) return;
			// Unconfirmed updates: wait for their append (a failure drops the room).
			if (room.pendingUpdates > 0) this.#scheduleIdle(room);
			else this.#unload(room);
		}, this.#options.idleUnloadMs);
		timer.unref();
		this.#idleTimers.set(room, timer);
	}

	#unload(room: Room): void {
		this.#cancelIdle(room);
		this.#forget(room);
		room.destroy();
	}

	/** Forgets a room after a storage failure: peers closed with 4500, reloaded on reconnect. */
	#drop(room: Room): void {
		this.#queue = this.#queue.filter((entry) => entry.room !== room);
		if (this.#rooms.get(room.name) !== room) return;
		room.fail();
		this.#cancelIdle(room);
		this.#forget(room);
		room.destroy();
	}

	#scheduleCompaction(): void {
		this.#compactTimer = setTimeout(() => {
			// While the connection to Redis is not ready (starting, or Redis away), a round could
			// only fail: it waits for the next tick. `/health` reports Redis down, not this worker.
			if (this.streams.redis.status !== 'ready') {
				if (!this.#compactWaiting) this.#options.log({ event: 'cluster-compact-waiting' });
				this.#compactWaiting = true;
				this.#compactSkipped++;
				if (!this.#closed) this.#scheduleCompaction();
				return;
			}
			this.#compactWaiting = false;
			this.#compacting = this.#compactor
				.runOnce()
				.then(
					(results) => {
						const folded = results.reduce((sum, result) => sum + result.folded, 0);
						if (folded > 0) this.#options.log({ event: 'cluster-compacted', folded });
					},
					(error: unknown) =>
						this.#options.log({ event: 'storage-error', op: 'compact', error: String(error) })
				)
				.finally(() => {
					this.#compacting = null;
					if (!this.#closed) this.#scheduleCompaction();
				});
		}, this.#options.compactEveryMs);
		this.#compactTimer.unref();
	}

	/**
	 * Every document of the cluster (the photo sweep reads them with `streams.load`): those with
	 * a stream, then those in PostgreSQL. In that order, as in `DocStreams.load`: a document whose
	 * stream is folded and forgotten between the two reads is in PostgreSQL by the second.
	 */
	async docNames(): Promise<string[]> {
		const streamed = await this.streams.docs();
		const stored = await this.store.docNames();
		return [...new Set([...streamed, ...stored])].sort();
	}

	/** Runs one round of the compaction worker now (tests, the admin CLI). */
	compactNow(): ReturnType<Compactor['runOnce']> {
		return this.#compactor.runOnce();
	}

	/**
	 * Appends everything queued now and waits for it (and for the append under way): called
	 * before the sockets close, so their peers are confirmed and nobody resends after
	 * reconnecting. Bounded: what arrives meanwhile is appended by `close`, after the sockets
	 * closed, so clients that keep writing cannot hold the shutdown.
	 */
	async drain({ all = false } = {}): Promise<void> {
		for (let round = 0; this.#appending || this.#queue.length > 0; round++) {
			if (!all && round === 2) return;
			this.#commit();
			await this.#appending;
		}
	}

	/** Drains, then unloads every room and closes the tail, Redis and PostgreSQL. */
	async close(): Promise<void> {
		await this.drain({ all: true });
		this.#closed = true;
		clearTimeout(this.#compactTimer ?? undefined);
		clearTimeout(this.#postgresTimer ?? undefined);
		await this.#compacting;
		await this.#postgresCheck;
		await Promise.allSettled(this.#loading.values());
		for (const room of [...this.#rooms.values()]) this.#unload(room);
		await this.#tail.close();
		this.#subscriber.disconnect();
		this.streams.close();
		await this.store.close();
	}
}
