/**
 * Stopping the relay (its port is bound by `listen`, early-listener.ts).
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
