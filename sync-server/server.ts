/**
 * The relay: one node:http server for the app files, /health and the /sync/<docName>
 * WebSocket endpoint (ws in noServer mode).
 *
 * Invariants:
 * - A document name is checked on the raw request path at upgrade; a refused name gets an
 *   HTTP 400 and never reaches storage.
 * - Every socket and server has an 'error' listener: bad input closes one connection, never
 *   the process.
 * - `close()` commits everything queued, compacts, closes sockets, then closes the store.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { DEFAULT_CONFIG, type RelayConfig } from './config.ts';
import { Connection } from './connection.ts';
import { parseDocName, type DocNameError } from './doc-name.ts';
import { CLOSE } from './protocol.ts';
import { Rooms } from './rooms.ts';
import { createStaticHandler, sendText } from './static-files.ts';
import { SqliteStore } from './storage/sqlite.ts';
import type { DocStore } from './storage/types.ts';

export const RELAY_VERSION = '0.1.0';

export type RelayOptions = Partial<RelayConfig> & {
	/** Storage to use instead of SQLite in dataDir (tests pass a MemoryStore or a spy). */
	store?: DocStore;
	/** Close a socket whose unsent data exceeds this many bytes (4508). Default 16 MiB. */
	maxBufferedBytes?: number;
	/** Largest awareness update accepted (4400 above). Default 64 KiB. */
	maxAwarenessBytes?: number;
	/** Ping and keepalive period. Default 15 s. */
	heartbeatMs?: number;
	/** Structured log sink; never receives document content. Default: silent. */
	log?: (event: Record<string, unknown>) => void;
};

export type RelayStats = {
	uptimeSeconds: number;
	docsLoaded: number;
	connections: number;
	pendingUpdates: number;
};

export type Relay = {
	/** http://host:port; replace `http` with `ws` and append `/sync` for providers. */
	url: string;
	port: number;
	stats(): RelayStats;
	close(): Promise<void>;
};

export type SyncTarget =
	{ ok: true; docName: string } | { ok: false; reason: DocNameError | 'not-sync' };

/** Reads the document name from a raw upgrade URL; the query string is ignored. */
export function parseSyncTarget(rawUrl: string): SyncTarget {
	const end = rawUrl.search(/[?#]/);
	const rawPath = end === -1 ? rawUrl : rawUrl.slice(0, end);
	if (!rawPath.startsWith('/sync/')) return { ok: false, reason: 'not-sync' };
	const name = rawPath.slice('/sync/'.length);
	const parsed = parseDocName(name);
	return parsed.ok ? { ok: true, docName: name } : { ok: false, reason: parsed.reason };
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
	const maxAwarenessBytes = options.maxAwarenessBytes ?? 64 * 1024;
	const heartbeatMs = options.heartbeatMs ?? 15_000;
	const store = options.store ?? new SqliteStore(config.dataDir);
	const rooms = new Rooms(store, {
		maxDocBytes: config.maxDocBytes,
		idleUnloadMs: config.idleUnloadMs,
		compactAfterUpdates: config.compactAfterUpdates,
		log
	});
	const connections = new Set<Connection>();
	const startedAt = Date.now();
	const serveStatic = createStaticHandler(config.staticDir);
	let closing = false;

	const stats = (): RelayStats => ({
		uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
		docsLoaded: rooms.size,
		connections: connections.size,
		pendingUpdates: rooms.queue.size
	});

	const server = http.createServer((req, res) => {
		const rawUrl = req.url ?? '/';
		const end = rawUrl.search(/[?#]/);
		const rawPath = end === -1 ? rawUrl : rawUrl.slice(0, end);
		if (rawPath === '/health') {
			const { uptimeSeconds, docsLoaded, connections: open } = stats();
			res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
			res.end(
				JSON.stringify({
					ok: true,
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
	});
	server.on('clientError', (_error, socket) => socket.destroy());

	const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxPayload });
	wss.on('error', (error) => log({ event: 'ws-server-error', error: String(error) }));

	const onConnection = (ws: WebSocket, docName: string): void => {
		ws.on('error', (error) => log({ event: 'socket-error', error: error.message }));
		let connection: Connection;
		try {
			connection = new Connection(ws, rooms.open(docName), { maxBufferedBytes, maxAwarenessBytes });
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
		const target = parseSyncTarget(req.url ?? '');
		if (!target.ok) {
			if (target.reason === 'not-sync') refuseUpgrade(socket, 404, 'Not found');
			else refuseUpgrade(socket, 400, `Bad document name: ${target.reason}`);
			return;
		}
		wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, target.docName));
	});

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
			rooms.queue.flush();
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
		})();
		return closed;
	};

	return { url: `http://${urlHost}:${port}`, port, stats, close };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
