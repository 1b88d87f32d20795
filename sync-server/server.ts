/**
 * The relay: one node:http server for the app files, the HTTP API, photos, /health and the
 * /sync/<docName> WebSocket endpoint (ws in noServer mode). `startRelay` wires its parts:
 *
 *   http-routes.ts   which handler answers which path
 *   admission.ts     the upgrade checks: path grammar → Origin → connections per IP → token →
 *                    access matrix, all before `rooms.open`; the auth deadline
 *   revocation.ts    closing a member's sockets at once, and the sweep that re-reads members
 *   cluster/         cluster mode (REDIS_URL + DATABASE_URL): rooms, shared keys, identity
 *   heartbeat.ts     pings and keepalives
 *   lifecycle.ts     the shutdown order
 *   early-listener.ts  listen; the port bound before start-up (main.ts), its connections held
 *                    till here
 *
 * Invariants:
 * - Every socket and server has an 'error' listener: bad input closes one connection, never
 *   the process.
 * - Authenticate before allocating (docs/access.md): nothing is loaded or created for an
 *   upgrade the admission gate refused.
 * - `close()` commits and syncs everything queued (confirming it), closes sockets, compacts,
 *   then closes the store.
 */
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Role } from '../src/lib/wire/index.ts';
import { createAdmissionGate, Deadlines, type Admitted } from './admission.ts';
import { createApiHandler } from './api.ts';
import { recoverImports } from './backup/archive.ts';
import { startBackups, type BackupSchedule } from './backup/backup.ts';
import { removeRelayLock, writeRelayLock } from './backup/relay-lock.ts';
import { createBasemapService } from './basemap/serve.ts';
import { bufferEarlyFrames } from './cluster/early-frames.ts';
// Cluster mode only, and loaded only then (ioredis, pg): a lone relay starts without them.
import type { ClusterRooms } from './cluster/cluster-rooms.ts';
import { asAsyncIdentity, type AsyncIdentityStore } from './identity-async.ts';
import { DiskBlobStore, type BlobStore } from './blob-store.ts';
import {
	createBlobService,
	readBlobConfig,
	storedDocs,
	type BlobConfig,
	type BlobService
} from './blobs.ts';
import { DEFAULT_CONFIG, refuseClusterBackups, type RelayConfig } from './config.ts';
import { listen, relayUrl, type EarlyListener } from './early-listener.ts';
import { Connection } from './connection.ts';
import { startHeartbeat } from './heartbeat.ts';
import { createHistoryHandler } from './history.ts';
import { createHttpRoutes, rawPathOf, type StorageStatus } from './http-routes.ts';
import { startMemoryReturn } from './memory-return.ts';
import { SqliteIdentityStore } from './identity-sqlite.ts';
import type { IdentityStore } from './identity-store.ts';
import {
	createCommunity as createCommunityRecord,
	createCommunityAsync as createCommunityRow,
	checkMember,
	inviteUrl,
	mintServiceToken,
	type MemberDirectory,
	type MemberReread
} from './identity.ts';
import { shutdown } from './lifecycle.ts';
import { createNoticeService } from './notices/routes.ts';
import { SqliteNoticeStore } from './notices/sqlite.ts';
import { asAsyncNotices, type AsyncNoticeStore, type NoticeStore } from './notices/store.ts';
import { CLOSE } from './protocol.ts';
import {
	closeMember as closeMemberIn,
	startRevocationSweep,
	sweepConnections,
	type RevocationSweepOptions
} from './revocation.ts';
import { createHttpLimits } from './rate-limit.ts';
import { Rooms } from './rooms.ts';
import type { Room } from './room.ts';
import { createStaticHandler } from './static-files.ts';
import { asAsync } from './storage/async-types.ts';
import { SqliteStore } from './storage/sqlite.ts';
import type { DocStore } from './storage/types.ts';
import { CLOCK_SKEW_SECONDS, KeyRing } from './tokens.ts';

// node:http through the CommonJS loader: an ESM import of it reads every export, and its lazy
// WebSocket and EventSource getters then load undici and node:http2 at start-up (ARCHITECTURE.md,
// "Restart after a crash").
const { createServer } = process.getBuiltinModule('node:http');

export { RELAY_VERSION } from './http-routes.ts';
export { clientAddress, parseSyncTarget, tokenFromUrl, type SyncTarget } from './admission.ts';

export type RelayOptions = Partial<RelayConfig> & {
	/** Storage to use instead of SQLite in dataDir (tests pass a MemoryStore or a spy). */
	store?: DocStore;
	/** Cluster mode: prefix of every Redis key and channel (default `gridboard`; tests isolate). */
	clusterPrefix?: string;
	/** Close a socket whose unsent data exceeds this many bytes (4508). Default 16 MiB. */
	maxBufferedBytes?: number;
	/** Identity storage instead of SQLite in dataDir (tests pass a MemoryIdentityStore). */
	identity?: IdentityStore;
	/** Public notice storage instead of SQLite in dataDir (notices/store.ts). */
	notices?: NoticeStore;
	/** How often live connections are re-checked against the member table. Default 2 s. */
	sweepMs?: number;
	/** Clock skew allowed on token expiry. Default 30 s. */
	clockSkewSeconds?: number;
	/** How long a departed peer's awareness metadata is kept (echo protection). Default 30 s. */
	awarenessTombstoneMs?: number;
	/** A peer's presence not renewed for this long is removed (src/lib/wire/presence.ts). */
	presenceTimeoutMs?: number;
	/** Ping and keepalive period. Default 15 s. */
	heartbeatMs?: number;
	/** Structured log sink; never receives document content. Default: silent. */
	log?: (event: Record<string, unknown>) => void;
	/** Photo blob limits and sweep (sync-server/blobs.ts); default: MAX_BLOB_BYTES, BLOB_GRACE_HOURS. */
	blobs?: Partial<BlobConfig>;
	/** The port bound already (main.ts, early-listener.ts): its connections, held, are served. */
	listener?: EarlyListener;
};

export type RelayStats = {
	uptimeSeconds: number;
	docsLoaded: number;
	connections: number;
	/** Updates queued for the next commit. */
	pendingUpdates: number;
	/**
	 * A sync of the storage failed: nothing is stored or confirmed until a restart. In cluster
	 * mode: Redis is unreachable or the last append failed, nothing is confirmed meanwhile.
	 */
	storageBroken: boolean;
	/** Cluster mode: each shared store, up or down (`/health` is 503 while one is down). */
	storage?: StorageStatus;
	/** Writes dropped from read-only connections since start. */
	droppedWrites: number;
	/** Members' updates refused by the documents' write rules since start (write-guard.ts). */
	refusedUpdates: number;
	/** Upgrades refused or closed for authentication, Origin, rate or matrix reasons. */
	refusedUpgrades: number;
};

/** What is loaded of one document (tests and operators). */
export type DocStats = {
	approxBytes: number;
	/** Bytes of Yjs pending content (updates whose dependencies the relay lacks). */
	pendingBytes: number;
	/** Awareness entries: states, and metadata (kept by y-protocols for every id seen). */
	awarenessStates: number;
	awarenessMeta: number;
	peers: number;
};

export type MintTokenInput = {
	communityId: string;
	role: Role;
	grids?: string[];
	memberId?: string;
	ttlSeconds?: number;
	name?: string;
};

export type CreatedCommunity = { communityId: string; inviteCode: string; inviteUrl: string };

export type Relay = {
	/** http://host:port; replace `http` with `ws` and append `/sync` for providers. */
	url: string;
	port: number;
	stats(): RelayStats;
	/** Figures of a loaded document; null when it is not loaded. */
	docStats(docName: string): DocStats | null;
	/** A service token (`svc: true`, no member row) for tests and benchmarks. */
	mintToken(claims: MintTokenInput): string;
	/**
	 * Creates a community and its one-time secretary invite (1 use, 7 days). Embedded mode only
	 * (it throws in cluster mode, where the communities are in PostgreSQL): `createCommunityAsync`.
	 */
	createCommunity(name: string, id?: string): CreatedCommunity;
	/** `createCommunity` in either mode. */
	createCommunityAsync(name: string, id?: string): Promise<CreatedCommunity>;
	/** Closes the live connections of one member (code 4401 or 4403). */
	closeMember(communityId: string, memberId: string, code: number, reason: string): number;
	/** The embedded identity store (in cluster mode the local SQLite one, which nothing reads). */
	identity: IdentityStore;
	/** Where the API reads and writes identity: `identity`, or PostgreSQL in cluster mode. */
	sharedIdentity: AsyncIdentityStore;
	/** Photo blobs: the upload/read handler and the unreferenced-blob sweep. */
	blobs: BlobService;
	/** Scheduled backups (BACKUP_DIR); null when none is configured. */
	backups: BackupSchedule | null;
	/** Cluster mode: the rooms on the streams and PostgreSQL (tests probe them); null embedded. */
	cluster: ClusterRooms | null;
	close(): Promise<void>;
};

/** Cluster mode: the lease of the photo sweep (`{prefix}:lease:photo-sweep`; no document's name). */
const PHOTO_SWEEP_LEASE = 'photo-sweep';
/** Frames a socket may send before its room is loaded (cluster mode; cluster/early-frames.ts). */
const EARLY_FRAME_LIMITS = { maxFrames: 64, maxBytes: 16 * 1024 * 1024 };

export async function startRelay(options: RelayOptions = {}): Promise<Relay> {
	const config: RelayConfig = { ...DEFAULT_CONFIG, ...stripUndefined(options) };
	refuseClusterBackups(config);
	const log = options.log ?? (() => {});
	const maxBufferedBytes = options.maxBufferedBytes ?? 16 * 1024 * 1024;
	const heartbeatMs = options.heartbeatMs ?? 15_000;
	const sweepMs = options.sweepMs ?? 2000;
	const clockSkewSeconds = options.clockSkewSeconds ?? CLOCK_SKEW_SECONDS;
	const store = options.store ?? new SqliteStore(config.dataDir);
	const identity = options.identity ?? new SqliteIdentityStore(config.dataDir);
	const notices = options.notices ?? new SqliteNoticeStore(config.dataDir);
	const keys = new KeyRing(config.dataDir);
	const connectionLimits = {
		maxBufferedBytes,
		maxAwarenessBytes: config.maxAwarenessBytes,
		maxMessagesPerSecond: config.maxMessagesPerSecond,
		maxAwarenessPerSecond: config.maxAwarenessPerSecond
	};
	const rooms = new Rooms(store, {
		maxDocBytes: config.maxDocBytes,
		maxPendingBytes: config.maxPendingBytes,
		awarenessTombstoneMs: options.awarenessTombstoneMs,
		presenceTimeoutMs: options.presenceTimeoutMs,
		idleUnloadMs: config.idleUnloadMs,
		compactAfterUpdates: config.compactAfterUpdates,
		compactQuietMs: config.compactQuietMs,
		commitIntervalMs: config.commitIntervalMs,
		broadcastIntervalMs: config.broadcastIntervalMs,
		log
	});
	// Cluster mode (REDIS_URL and DATABASE_URL): documents load from and commit to the Redis
	// streams and PostgreSQL (cluster/cluster-rooms.ts); `rooms` above then stays empty.
	const cluster: ClusterRooms | null =
		config.redisUrl && config.databaseUrl
			? await (
					await import('./cluster/cluster-rooms.ts')
				).ClusterRooms.open({
					redisUrl: config.redisUrl,
					databaseUrl: config.databaseUrl,
					prefix: options.clusterPrefix,
					maxDocBytes: config.maxDocBytes,
					maxPendingBytes: config.maxPendingBytes,
					awarenessTombstoneMs: options.awarenessTombstoneMs,
					presenceTimeoutMs: options.presenceTimeoutMs,
					broadcastIntervalMs: config.broadcastIntervalMs,
					idleUnloadMs: config.idleUnloadMs,
					commitIntervalMs: config.commitIntervalMs,
					compactEveryMs: config.clusterCompactMs,
					compactMinLifetimeMs: config.clusterCompactMinLifetimeMs,
					redisTimeoutMs: config.clusterRedisTimeoutMs,
					postgresCheckMs: config.clusterPostgresCheckMs,
					log
				})
			: null;
	// Cluster mode: keys.json follows the relays' shared keys in PostgreSQL (cluster/shared-keys.ts).
	const clusterIdentity = cluster
		? await (await import('./identity-postgres.ts')).PostgresIdentityStore.open(config.databaseUrl!)
		: null;
	const sharedKeys = clusterIdentity
		? await (
				await import('./cluster/shared-keys.ts')
			).SharedKeys.start({
				identity: clusterIdentity,
				ring: keys,
				redisUrl: config.redisUrl!,
				prefix: options.clusterPrefix,
				log
			})
		: null;
	// Cluster mode: photos and notices in PostgreSQL too, on one pool (blob-store-postgres.ts,
	// notices/postgres.ts; why not a shared directory: ARCHITECTURE.md, "Scale-out").
	const clusterPool = cluster
		? (await import('./storage/postgres.ts')).openPool(config.databaseUrl!)
		: null;
	const blobStore: BlobStore = clusterPool
		? await (await import('./blob-store-postgres.ts')).PostgresBlobStore.open(clusterPool)
		: new DiskBlobStore(config.dataDir);
	const noticeStore: AsyncNoticeStore = clusterPool
		? await (await import('./notices/postgres.ts')).PostgresNoticeStore.open(clusterPool)
		: asAsyncNotices(notices);
	const connections = new Set<Connection>();
	const sweep: RevocationSweepOptions = {
		connections,
		identity,
		keys,
		clockSkewSeconds,
		sweepMs,
		log
	};
	// One pass for the changes of one turn (a full re-read may bring many).
	let sweepQueued = false;
	const sweepSoon = (): void => {
		if (sweepQueued) return;
		sweepQueued = true;
		setImmediate(() => {
			sweepQueued = false;
			sweepConnections(sweep);
		});
	};
	// Cluster mode: members from PostgreSQL, mirrored here for the synchronous token checks; a
	// change on any relay re-checks this relay's sockets at once (cluster/cluster-identity.ts).
	const members = clusterIdentity
		? await (
				await import('./cluster/cluster-identity.ts')
			).ClusterIdentity.start({
				identity: clusterIdentity,
				redisUrl: config.redisUrl!,
				relayId: cluster!.streams.relayId,
				onChange: () => sweepSoon(),
				log
			})
		: null;
	if (members) {
		sweep.identity = members.directory;
		sweep.refresh = (ids) => members.refreshMembers(ids);
	}
	const memberCheck: { identity: MemberDirectory; reread?: MemberReread } = members
		? { identity: members.directory, reread: (cid, mid) => members.reread(cid, mid) }
		: { identity };
	const sharedIdentity = members?.store ?? asAsyncIdentity(identity);
	const startedAt = Date.now();
	let closing = false;
	let droppedWrites = 0;
	const onDroppedWrite = (): void => {
		droppedWrites++;
	};
	let refusedUpdates = 0;
	const onRefusedUpdate = (): void => {
		refusedUpdates++;
	};

	const closeMember = (
		communityId: string,
		memberId: string,
		code: number,
		reason: string
	): number => closeMemberIn(connections, communityId, memberId, code, reason);

	const limits = createHttpLimits(config);
	const blobs = createBlobService({
		blobs: blobStore,
		// Cluster mode: the sweep reads the cluster's documents (PostgreSQL and the streams).
		docs: cluster
			? { names: () => cluster.docNames(), load: (name) => cluster.streams.load(name) }
			: storedDocs(store),
		limits,
		...memberCheck,
		keys,
		clockSkewSeconds,
		config: { ...readBlobConfig(process.env), ...options.blobs },
		log,
		// Cluster mode: one relay sweeps per period (a Redis lease), not every relay.
		sweepLease: cluster ? (ms) => cluster.streams.holdLease(PHOTO_SWEEP_LEASE, ms) : undefined
	});

	// HTTP: the routes, with the auth deadline on every new socket.
	const deadlines = new Deadlines(config.authDeadlineMs);
	const noticeService = createNoticeService({
		...memberCheck,
		notices: noticeStore,
		keys,
		clockSkewSeconds,
		publicUrl: config.publicUrl,
		log
	});
	const routes = createHttpRoutes({
		blobs: blobs.handle,
		basemap: createBasemapService({
			dataDir: config.dataDir,
			...memberCheck,
			keys,
			clockSkewSeconds,
			log
		}),
		history: createHistoryHandler({
			// Cluster mode: the history folded into PostgreSQL (the last minute or so of edits is
			// still in the streams: docs/cluster-status.md).
			store: cluster ? cluster.store : asAsync(store),
			...memberCheck,
			keys,
			clockSkewSeconds,
			log
		}),
		notices: noticeService.api,
		noticePage: noticeService.page,
		api: createApiHandler({
			...memberCheck,
			store: sharedIdentity,
			keys,
			tokenTtlSeconds: config.tokenTtlSeconds,
			publicUrl: config.publicUrl,
			clockSkewSeconds,
			limits,
			closeMember,
			log
		}),
		files: createStaticHandler(config.staticDir),
		health: () => stats()
	});
	const server = createServer(
		{
			// Headers (and so a WebSocket upgrade's token) must arrive within the auth deadline; a
			// request body, such as a photo upload on a slow link, may take longer.
			headersTimeout: config.authDeadlineMs,
			requestTimeout: Math.max(config.authDeadlineMs, config.requestTimeoutMs),
			connectionsCheckingInterval: Math.min(30_000, Math.max(50, config.authDeadlineMs / 2))
		},
		(req, res) => {
			deadlines.clear(req.socket);
			routes(req, res, rawPathOf(req.url ?? '/'));
		}
	);
	server.on('connection', (socket: Duplex) => {
		socket.on('error', () => socket.destroy());
		deadlines.start(socket);
	});
	server.on('clientError', (_error, socket) => socket.destroy());

	// WebSockets: the admission gate, then a connection to the document's room.
	const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxPayload });
	wss.on('error', (error) => log({ event: 'ws-server-error', error: String(error) }));
	const connect = (
		ws: WebSocket,
		room: Room,
		auth: Admitted['auth'],
		access: Admitted['access']
	) => {
		const connection = new Connection(ws, room, connectionLimits, {
			claims: auth.claims,
			access,
			onDroppedWrite,
			onRefusedUpdate
		});
		connections.add(connection);
		ws.on('close', () => {
			connections.delete(connection);
			connection.room.detach(connection);
		});
		return connection;
	};
	const onAdmitted = ({ ws, docName, auth, access }: Admitted): void => {
		ws.on('error', (error) => log({ event: 'socket-error', error: error.message }));
		if (cluster) {
			// The room loads asynchronously: the client's first frames wait, in order, bounded.
			const early = bufferEarlyFrames(ws, EARLY_FRAME_LIMITS);
			cluster.open(docName).then(
				(room) => {
					const frames = early.take();
					// A change to the member announced while the room loaded found no connection.
					const current = checkMember(memberCheck.identity, auth.claims);
					if (ws.readyState !== ws.OPEN || room.failed || !current.ok) {
						cluster.release(room);
						if (ws.readyState !== ws.OPEN) return;
						if (!current.ok) ws.close(current.code, current.reason);
						else ws.close(CLOSE.storageFailure, 'storage failure');
						return;
					}
					connect(ws, room, auth, access).replay(frames);
				},
				(error: unknown) => {
					early.take();
					log({ event: 'storage-error', op: 'load', error: String(error) });
					ws.close(CLOSE.storageFailure, 'storage unavailable');
				}
			);
			return;
		}
		let room: Room;
		try {
			room = rooms.open(docName);
		} catch (error) {
			log({ event: 'storage-error', op: 'load', error: String(error) });
			ws.close(CLOSE.storageFailure, 'storage unavailable');
			return;
		}
		connect(ws, room, auth, access);
	};
	const gate = createAdmissionGate({
		config,
		...memberCheck,
		keys,
		clockSkewSeconds,
		wss,
		deadlines,
		closing: () => closing,
		onAdmitted,
		log
	});
	server.on('upgrade', gate.upgrade);

	const stats = (): RelayStats => ({
		uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
		docsLoaded: cluster ? cluster.size : rooms.size,
		connections: connections.size,
		pendingUpdates: cluster ? cluster.queued : rooms.queue.size,
		storageBroken: cluster ? cluster.storageDown : rooms.queue.broken !== null,
		...(cluster ? { storage: clusterStorage(cluster) } : {}),
		droppedWrites,
		refusedUpdates,
		refusedUpgrades: gate.refused
	});

	const docStats = (docName: string): DocStats | null => {
		const room = cluster ? cluster.get(docName) : rooms.get(docName);
		if (!room) return null;
		return {
			approxBytes: room.approxBytes,
			pendingBytes: room.pendingBytes,
			awarenessStates: room.awareness.getStates().size,
			awarenessMeta: room.awareness.meta.size,
			peers: room.peers.size
		};
	};

	const stopSweep = startRevocationSweep(sweep);
	const stopHeartbeat = startHeartbeat(connections, heartbeatMs);
	const stopMemoryReturn = startMemoryReturn({ everyMs: config.memoryReturnMs, log });

	// An import a crash interrupted is finished (committed) or dropped before anyone connects.
	// (In cluster mode the import committed to PostgreSQL: cluster/archive-cluster.ts.)
	const recovered = await recoverImports(
		config.dataDir,
		cluster ? async (id) => (await sharedIdentity.getCommunity(id)) !== null : undefined
	);
	if (recovered > 0) log({ event: 'imports-recovered', count: recovered });

	const { listener } = options;
	if (listener) {
		// What listen() does: node:http starts tracking connections (headersTimeout,
		// requestTimeout, closeAllConnections) on 'listening', so before the first one arrives.
		server.emit('listening');
		listener.adopt((socket) => {
			server.emit('connection', socket);
			socket.resume();
		});
	}
	const port = listener ? listener.port : await listen(server, config.port, config.host, log);
	writeRelayLock(config.dataDir, port);
	const backups = config.backupDir
		? startBackups({
				dataDir: config.dataDir,
				backupDir: config.backupDir,
				intervalMs: config.backupIntervalMs,
				keep: config.backupKeep,
				log
			})
		: null;

	let closed: Promise<void> | null = null;
	const close = (): Promise<void> => {
		closing = true;
		// Cluster mode: confirmed before the sockets close; the rooms go after them.
		closed ??= (cluster?.drain() ?? Promise.resolve())
			.then(() =>
				shutdown({
					stopTimers: [
						stopHeartbeat,
						stopSweep,
						stopMemoryReturn,
						() => blobs.close(),
						() => backups?.stop(),
						() => void listener?.close()
					],
					rooms,
					connections,
					server,
					wss,
					store,
					identity,
					notices
				})
			)
			.then(async () => {
				sharedKeys?.close();
				members?.close();
				await clusterIdentity?.close();
				// The next relay's timer takes the sweep at once, not when this lease expires
				// (a restarted relay is a new holder: its old lease would block every relay).
				await cluster?.streams.releaseHeld(PHOTO_SWEEP_LEASE).catch(() => undefined);
				await cluster?.close();
				await clusterPool?.end();
			})
			.finally(() => removeRelayLock(config.dataDir));
		return closed;
	};

	const url = relayUrl(config.host, port);
	const mintToken = (claims: MintTokenInput): string =>
		mintServiceToken(keys, { ...claims, ttlSeconds: claims.ttlSeconds ?? config.tokenTtlSeconds });
	const created = ({ community, code }: { community: { id: string }; code: string }) => ({
		communityId: community.id,
		inviteCode: code,
		inviteUrl: inviteUrl(config.publicUrl ?? url, code)
	});
	const createCommunity = (name: string, id?: string): CreatedCommunity => {
		if (members) throw new Error('cluster mode: communities are created by createCommunityAsync');
		return created(createCommunityRecord(identity, name, id));
	};
	const createCommunityAsync = async (name: string, id?: string): Promise<CreatedCommunity> =>
		created(await createCommunityRow(sharedIdentity, name, id));

	return {
		url,
		port,
		stats,
		docStats,
		mintToken,
		createCommunity,
		createCommunityAsync,
		closeMember,
		identity,
		sharedIdentity,
		blobs,
		backups,
		cluster,
		close
	};
}

function clusterStorage(cluster: ClusterRooms): StorageStatus {
	return {
		redis: cluster.storageDown ? 'down' : 'up',
		postgres: cluster.postgresDown ? 'down' : 'up'
	};
}

function stripUndefined<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
