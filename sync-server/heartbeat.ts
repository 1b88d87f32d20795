/**
 * The relay's heartbeat: every `heartbeatMs`, a connection that did not answer the previous
 * ping is terminated and every other one is pinged; a connection that was sent nothing for
 * `heartbeatMs` also gets a tiny empty awareness message, which keeps y-websocket's 30 s "no
 * message received" watchdog from reconnecting a client that is alone in its room.
 */
import type { Connection } from './connection.ts';
import { encodeAwareness } from './protocol.ts';

/** `[1, varBytes([0])]`: an awareness update with no states. */
const EMPTY_AWARENESS = encodeAwareness(new Uint8Array([0]));

/** One beat over the live connections. */
export function beat(connections: Iterable<Connection>, heartbeatMs: number, now: number): void {
	for (const connection of connections) {
		if (!connection.alive) {
			connection.terminate();
			continue;
		}
		connection.ping();
		if (now - connection.lastSentAt >= heartbeatMs) connection.send(EMPTY_AWARENESS);
	}
}

/** Starts the heartbeat; returns its stop function. */
export function startHeartbeat(connections: Iterable<Connection>, heartbeatMs: number): () => void {
	const timer = setInterval(() => beat(connections, heartbeatMs, Date.now()), heartbeatMs);
	timer.unref();
	return () => clearInterval(timer);
}
