/**
 * Starting and stopping the relay's HTTP server.
 *
 * Invariant of `shutdown` (the order matters): timers stop; everything queued is committed and
 * synced, so it is confirmed before the sockets close and nobody resends after reconnecting;
 * sockets close with 1001; rooms unload (compacting); the HTTP server and the WebSocket server
 * close; then the stores.
 */
import type http from 'node:http';
import type { WebSocketServer } from 'ws';
import { CLOSE } from '../src/lib/wire/index.ts';
import type { Connection } from './connection.ts';
import type { IdentityStore } from './identity-store.ts';
import type { NoticeStore } from './notices/store.ts';
import type { Rooms } from './rooms.ts';
import type { DocStore } from './storage/types.ts';

/** Listens on `port` (0: any free port) and `host`; resolves with the port bound. */
export async function listen(
	server: http.Server,
	port: number,
	host: string,
	log: (event: Record<string, unknown>) => void
): Promise<number> {
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	server.on('error', (error) => log({ event: 'http-server-error', error: String(error) }));
	const address = server.address();
	return typeof address === 'object' && address ? address.port : port;
}

export type RelayParts = {
	/** Stops the timers: heartbeat, revocation sweep, blob sweep. */
	stopTimers: Array<() => void>;
	rooms: Rooms;
	connections: Iterable<Connection>;
	server: http.Server;
	wss: WebSocketServer;
	store: DocStore;
	identity: IdentityStore;
	notices: NoticeStore;
};

export async function shutdown(parts: RelayParts): Promise<void> {
	for (const stop of parts.stopTimers) stop();
	// Durable and confirmed before the sockets close, so nobody resends after reconnecting.
	parts.rooms.queue.flush({ durable: true });
	for (const connection of parts.connections) {
		connection.close(CLOSE.goingAway, 'relay shutting down');
	}
	parts.rooms.closeAll();
	await new Promise<void>((resolve) => {
		parts.server.close(() => resolve());
		parts.server.closeAllConnections();
	});
	for (const ws of parts.wss.clients) ws.terminate();
	parts.wss.close();
	parts.store.close();
	parts.identity.close();
	parts.notices.close();
}
