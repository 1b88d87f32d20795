/**
 * The relay: one node:http server for the app files, /health and the /sync/<docName>
 * WebSocket endpoint (ws in noServer mode).
 *
 * Invariants:
 * - A document name is checked on the raw request path at upgrade; a refused name gets an
 *   HTTP 400 and never reaches storage.
 * - Every socket and server has an 'error' listener: bad input closes one connection, never
 *   the process.
 * - Connections per IP count the socket's remote address, or with `trustProxy` the last
 *   X-Forwarded-For hop (the address the proxy itself saw; earlier hops are client-supplied).
 * - Authenticate before allocating (docs/access.md): path grammar → Origin → connections per
 *   IP → token → role matrix, all before `rooms.open`. Token and matrix failures complete the
 *   upgrade and close at once with 4401/4403; no document is loaded or created for them.
 * - A socket that has not finished its upgrade (or its first HTTP request) within
 *   `authDeadlineMs` is destroyed.
 * - Live revocation: the HTTP API closes a changed member's sockets at once; a sweep every
 *   `sweepMs` re-reads the members of live connections (the admin CLI writes from another
 *   process) and closes expired tokens with 4401.
 * - `close()` commits and syncs everything queued (confirming it), closes sockets, compacts,
 *   then closes the store.
 */
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { accessFor, type Role } from '../src/lib/domain/access.ts';
import { createApiHandler } from './api.ts';
import {
	createBlobService,
	isBlobPath,
	readBlobConfig,
	type BlobConfig,
	type BlobService
} from './blobs.ts';
import { DEFAULT_CONFIG, type RelayConfig } from './config.ts';
import { Connection } from './connection.ts';
import { SqliteIdentityStore } from './identity-sqlite.ts';
import type { IdentityStore } from './identity-store.ts';
import {
	authenticate,
	checkMember,
	createCommunity as createCommunityRecord,
	inviteUrl,
	mintServiceToken,
	type AuthResult
} from './identity.ts';
import { parseDocName, type DocNameError } from './doc-name.ts';
import { CLOSE } from './protocol.ts';
import { Rooms } from './rooms.ts';
import { createStaticHandler, sendText } from './static-files.ts';
import { SqliteStore } from './storage/sqlite.ts';
import type { DocStore } from './storage/types.ts';
import { CLOCK_SKEW_SECONDS, KeyRing } from './tokens.ts';

export const RELAY_VERSION = '0.1.0';

export type RelayOptions = Partial<RelayConfig> & {
	/** Storage to use instead of SQLite in dataDir (tests pass a MemoryStore or a spy). */
	store?: DocStore;
	/** Close a socket whose unsent data exceeds this many bytes (4508). Default 16 MiB. */
	maxBufferedBytes?: number;
	/** Identity storage instead of SQLite in dataDir (tests pass a MemoryIdentityStore). */
	identity?: IdentityStore;
	/** How often live connections are re-checked against the member table. Default 2 s. */
	sweepMs?: number;
	/** Clock skew allowed on token expiry. Default 30 s. */
	clockSkewSeconds?: number;
	/** How long a departed peer's awareness metadata is kept (echo protection). Default 30 s. */
	awarenessTombstoneMs?: number;
	/** A peer's presence not renewed for this long is removed (src/lib/domain/presence.ts). */
	presenceTimeoutMs?: number;
	/** Ping and keepalive period. Default 15 s. */
	heartbeatMs?: number;
	/** Structured log sink; never receives document content. Default: silent. */
	log?: (event: Record<string, unknown>) => void;
	/** Photo blob limits and sweep (sync-server/blobs.ts); default: MAX_BLOB_BYTES, BLOB_GRACE_HOURS. */
	blobs?: Partial<BlobConfig>;
};

export type RelayStats = {
	uptimeSeconds: number;
	docsLoaded: number;
	connections: number;
	/** Updates queued for the next commit. */
	pendingUpdates: number;
	/** A sync of the storage failed: nothing is stored or confirmed until a restart. */
	storageBroken: boolean;
	/** Writes dropped from read-only connections since start. */
	droppedWrites: number;
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
	/** Creates a community and its one-time secretary invite (1 use, 7 days). */
	createCommunity(name: string, id?: string): CreatedCommunity;
	/** Closes the live connections of one member (code 4401 or 4403). */
	closeMember(communityId: string, memberId: string, code: number, reason: string): number;
	identity: IdentityStore;
	/** Photo blobs: the upload/read handler and the unreferenced-blob sweep. */
	blobs: BlobService;
	close(): Promise<void>;
};

export type SyncTarget =
	{ ok: true; docName: string } | { ok: false; reason: DocNameError | 'not-sync' };

/** Reads `token` from the raw query string of an upgrade URL. */
export function tokenFromUrl(rawUrl: string): string | null {
	const start = rawUrl.indexOf('?');
	if (start === -1) return null;
	const end = rawUrl.indexOf('#', start);
	const query = rawUrl.slice(start + 1, end === -1 ? undefined : end);
	if (query.length > 16_384) return null;
	try {
		return new URLSearchParams(query).get('token');
	} catch {
		return null;
	}
}

/** Reads the document name from a raw upgrade URL; the query string is ignored. */
export function parseSyncTarget(rawUrl: string): SyncTarget {
	const end = rawUrl.search(/[?#]/);
	const rawPath = end === -1 ? rawUrl : rawUrl.slice(0, end);
	if (!rawPath.startsWith('/sync/')) return { ok: false, reason: 'not-sync' };
	const name = rawPath.slice('/sync/'.length);
	const parsed = parseDocName(name);
	return parsed.ok ? { ok: true, docName: name } : { ok: false, reason: parsed.reason };
}

/** The client address for per-IP limits: with `trustProxy`, the last X-Forwarded-For hop. */
export function clientAddress(req: http.IncomingMessage, trustProxy: boolean): string {
	const remote = req.socket.remoteAddress ?? 'unknown';
	if (!trustProxy) return remote;
	const header = req.headers['x-forwarded-for'];
	const value = Array.isArray(header) ? header.join(',') : header;
	const last = value
		?.split(',')
		.map((hop) => hop.trim())
		.filter((hop) => hop !== '')
		.at(-1);
	return last !== undefined && net.isIP(last) !== 0 ? last : remote;
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
	const body = `${text}\n`;
	socket.end(
		`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\n` +
			'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
			`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
	);
}

export async function startRelay(options: RelayOptions = {}): Promise<Relay> {
	const config: RelayConfig = { ...DEFAULT_CONFIG, ...stripUndefined(options) };
	const log = options.log ?? (() => {});
	const maxBufferedBytes = options.maxBufferedBytes ?? 16 * 1024 * 1024;
	const heartbeatMs = options.heartbeatMs ?? 15_000;
	const sweepMs = options.sweepMs ?? 2000;
	const clockSkewSeconds = options.clockSkewSeconds ?? CLOCK_SKEW_SECONDS;
	const store = options.store ?? new SqliteStore(config.dataDir);
	const identity = options.identity ?? new SqliteIdentityStore(config.dataDir);
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
	const connections = new Set<Connection>();
	const startedAt = Date.now();
	const serveStatic = createStaticHandler(config.staticDir);
	let closing = false;
	let droppedWrites = 0;
	let refusedUpgrades = 0;
	const perIp = new Map<string, number>();
	const onDroppedWrite = (): void => {
		droppedWrites++;
	};

	const stats = (): RelayStats => ({
		uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
		docsLoaded: rooms.size,
		connections: connections.size,
		pendingUpdates: rooms.queue.size,
		storageBroken: rooms.queue.broken !== null,
		droppedWrites,
		refusedUpgrades
	});

	const docStats = (docName: string): DocStats | null => {
		const room = rooms.get(docName);
		if (!room) return null;
		return {
			approxBytes: room.approxBytes,
			pendingBytes: room.pendingBytes,
			awarenessStates: room.awareness.getStates().size,
			awarenessMeta: room.awareness.meta.size,
			peers: room.peers.size
		};
	};

	const closeMember = (
		communityId: string,
		memberId: string,
		code: number,
		reason: string
	): number => {
		let closedCount = 0;
		for (const connection of connections) {
			const { claims } = connection;
			if (claims.svc !== true && claims.cid === communityId && claims.sub === memberId) {
				connection.close(code, reason);
				closedCount++;
			}
		}
		return closedCount;
	};

	/** Origins allowed for this request: the relay's own (from Host), PUBLIC_URL, ALLOWED_ORIGINS. */
	const originAllowed = (req: http.IncomingMessage): boolean => {
		const origin = req.headers.origin;
		if (origin === undefined) return true;
		if (config.allowedOrigins.includes(origin) || origin === config.publicUrl) return true;
		const host = req.headers.host;
		return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
	};

	const handleApi = createApiHandler({
		identity,
		keys,
		tokenTtlSeconds: config.tokenTtlSeconds,
		publicUrl: config.publicUrl,
		clockSkewSeconds,
		closeMember,
		log
	});

	const blobs = createBlobService({
		dataDir: config.dataDir,
		store,
		identity,
		keys,
		clockSkewSeconds,
		config: { ...readBlobConfig(process.env), ...options.blobs },
		log
	});

	// Sockets that have not yet finished an upgrade or sent a complete HTTP request.
	const deadlines = new Map<Duplex, NodeJS.Timeout>();
	const clearDeadline = (socket: Duplex): void => {
		const timer = deadlines.get(socket);
		if (timer) clearTimeout(timer);
		deadlines.delete(socket);
	};

	const server = http.createServer(
		{
			// Headers (and so a WebSocket upgrade's token) must arrive within the auth deadline; a
			// request body, such as a photo upload on a slow link, may take longer.
			headersTimeout: config.authDeadlineMs,
			requestTimeout: Math.max(config.authDeadlineMs, config.requestTimeoutMs),
			connectionsCheckingInterval: Math.min(30_000, Math.max(50, config.authDeadlineMs / 2))
		},
		(req, res) => {
			clearDeadline(req.socket);
			const rawUrl = req.url ?? '/';
			const end = rawUrl.search(/[?#]/);
			const rawPath = end === -1 ? rawUrl : rawUrl.slice(0, end);
			if (isBlobPath(rawPath)) {
				blobs.handle(req, res, rawPath);
				return;
			}
			if (rawPath === '/api' || rawPath.startsWith('/api/')) {
				handleApi(req, res, rawPath);
				return;
			}
			serveHttp(req, res, rawPath);
		}
	);
	server.on('connection', (socket: Duplex) => {
		socket.on('error', () => socket.destroy());
		const timer = setTimeout(() => {
			deadlines.delete(socket);
			socket.destroy();
		}, config.authDeadlineMs);
		timer.unref();
		deadlines.set(socket, timer);
		socket.once('close', () => clearDeadline(socket));
	});

	function serveHttp(req: http.IncomingMessage, res: http.ServerResponse, rawPath: string): void {
		if (rawPath === '/health') {
			const { uptimeSeconds, docsLoaded, connections: open, storageBroken } = stats();
			res.writeHead(storageBroken ? 503 : 200, {
				'Content-Type': 'application/json',
				'Cache-Control': 'no-store'
			});
			res.end(
				JSON.stringify({
					ok: !storageBroken,
					uptimeSeconds,
					docsLoaded,
					connections: open,
					version: RELAY_VERSION
				})
			);
			return;
		}
		if (rawPath.startsWith('/sync/')) {
			sendText(res, 426, 'WebSocket upgrade required\n');
			return;
		}
		serveStatic(req, res, rawPath);
	}
	server.on('clientError', (_error, socket) => socket.destroy());

	const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxPayload });
	wss.on('error', (error) => log({ event: 'ws-server-error', error: String(error) }));

	const onConnection = (
		ws: WebSocket,
		docName: string,
		auth: Extract<AuthResult, { ok: true }>,
		access: 'read' | 'write'
	): void => {
		ws.on('error', (error) => log({ event: 'socket-error', error: error.message }));
		let connection: Connection;
		try {
			connection = new Connection(ws, rooms.open(docName), connectionLimits, {
				claims: auth.claims,
				access,
				onDroppedWrite
			});
		} catch (error) {
			log({ event: 'storage-error', op: 'load', error: String(error) });
			ws.close(CLOSE.storageFailure, 'storage unavailable');
			return;
		}
		connections.add(connection);
		ws.on('close', () => {
			connections.delete(connection);
			connection.room.detach(connection);
		});
	};

	server.on('upgrade', (req, socket, head) => {
		socket.on('error', () => socket.destroy());
		if (closing) {
			refuseUpgrade(socket, 503, 'Relay shutting down');
			return;
		}
		const rawUrl = req.url ?? '';
		const target = parseSyncTarget(rawUrl);
		if (!target.ok) {
			refusedUpgrades++;
			if (target.reason === 'not-sync') refuseUpgrade(socket, 404, 'Not found');
			else refuseUpgrade(socket, 400, `Bad document name: ${target.reason}`);
			return;
		}
		if (!originAllowed(req)) {
			refusedUpgrades++;
			refuseUpgrade(socket, 403, 'Origin not allowed');
			return;
		}
		const ip = clientAddress(req, config.trustProxy);
		const open = perIp.get(ip) ?? 0;
		if (open >= config.maxConnectionsPerIp) {
			refusedUpgrades++;
			refuseUpgrade(socket, 429, 'Too many connections from this address');
			return;
		}
		perIp.set(ip, open + 1);
		socket.once('close', () => {
			const left = (perIp.get(ip) ?? 1) - 1;
			if (left <= 0) perIp.delete(ip);
			else perIp.set(ip, left);
		});
		// Token and matrix: decided here, before any storage call; told after the upgrade.
		let auth: AuthResult;
		try {
			auth = authenticate(identity, keys, tokenFromUrl(rawUrl), Date.now(), clockSkewSeconds);
		} catch (error) {
			log({ event: 'storage-error', op: 'identity', error: String(error) });
			refuseUpgrade(socket, 503, 'Relay unavailable');
			return;
		}
		let denial: { code: number; reason: string } | null = auth.ok
			? null
			: { code: auth.code, reason: auth.reason };
		let access: 'read' | 'write' | 'none' = 'none';
		if (auth.ok) {
			access = accessFor(auth.claims, target.docName);
			if (access === 'none') denial = { code: CLOSE.forbidden, reason: 'forbidden' };
		}
		wss.handleUpgrade(req, socket, head, (ws) => {
			clearDeadline(socket);
			if (denial || !auth.ok || access === 'none') {
				refusedUpgrades++;
				ws.on('error', () => {});
				ws.close(denial?.code ?? CLOSE.forbidden, denial?.reason ?? 'forbidden');
				return;
			}
			onConnection(ws, target.docName, auth, access);
		});
	});

	// Live revocation and expiry: re-read the members of live connections from the store.
	const sweep = setInterval(() => {
		try {
			keys.reload();
		} catch (error) {
			log({ event: 'keys-error', error: String(error) });
		}
		const now = Date.now() / 1000;
		const checked = new Map<string, AuthResult>();
		for (const connection of connections) {
			if (connection.closed) continue;
			const { claims } = connection;
			if (claims.exp + clockSkewSeconds <= now) {
				connection.close(CLOSE.unauthorized, 'token expired');
				continue;
			}
			const key = `${claims.cid}\n${claims.sub}\n${claims.ver}\n${claims.svc === true}`;
			let result = checked.get(key);
			if (!result) {
				try {
					result = checkMember(identity, claims);
				} catch (error) {
					log({ event: 'storage-error', op: 'sweep', error: String(error) });
					return;
				}
				checked.set(key, result);
			}
			if (!result.ok) connection.close(result.code, result.reason);
		}
	}, sweepMs);
	sweep.unref();

	// Pings find dead peers; a tiny empty awareness message keeps y-websocket's 30 s
	// "no message received" watchdog from reconnecting a client that is alone in its room.
	const emptyAwareness = new Uint8Array([1, 1, 0]);
	const heartbeat = setInterval(() => {
		const now = Date.now();
		for (const connection of connections) {
			if (!connection.alive) {
				connection.terminate();
				continue;
			}
			connection.ping();
			if (now - connection.lastSentAt >= heartbeatMs) connection.send(emptyAwareness);
		}
	}, heartbeatMs);
	heartbeat.unref();

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(config.port, config.host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	server.on('error', (error) => log({ event: 'http-server-error', error: String(error) }));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : config.port;
	const urlHost = config.host.includes(':') ? `[${config.host}]` : config.host;

	let closed: Promise<void> | null = null;
	const close = (): Promise<void> => {
		closed ??= (async () => {
			closing = true;
			clearInterval(heartbeat);
			clearInterval(sweep);
			blobs.close();
			// Durable and confirmed before the sockets close, so nobody resends after reconnecting.
			rooms.queue.flush({ durable: true });
			for (const connection of connections)
				connection.close(CLOSE.goingAway, 'relay shutting down');
			rooms.closeAll();
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
			for (const ws of wss.clients) ws.terminate();
			wss.close();
			store.close();
			identity.close();
		})();
		return closed;
	};

	const url = `http://${urlHost}:${port}`;
	const mintToken = (claims: MintTokenInput): string =>
		mintServiceToken(keys, { ...claims, ttlSeconds: claims.ttlSeconds ?? config.tokenTtlSeconds });
	const createCommunity = (name: string, id?: string): CreatedCommunity => {
		const created = createCommunityRecord(identity, name, id);
		return {
			communityId: created.community.id,
			inviteCode: created.code,
			inviteUrl: inviteUrl(config.publicUrl ?? url, created.code)
		};
	};

	return {
		url,
		port,
		stats,
		docStats,
		mintToken,
		createCommunity,
		closeMember,
		identity,
		blobs,
		close
	};
}

function stripUndefined<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
