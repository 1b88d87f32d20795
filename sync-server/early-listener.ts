/**
 * The relay's port, bound before the relay's modules load (main.ts), so that clients reconnecting
 * after a crash wait on an accepted connection instead of being refused. A refused client backs
 * off (y-websocket: 0.2 s doubling up to 2.5 s) and comes back seconds later; a held one is served
 * as soon as the relay is ready. `listen`, which binds it, also binds the relay's HTTP server
 * when no port was bound early (server.ts).
 *
 * Invariant: every connection accepted here reaches the relay's HTTP server exactly once, in the
 * order accepted: held (paused, unread) until `adopt`, handed over at once after it. Only
 * node:net is imported, so binding costs no module loading.
 */
import net from 'node:net';

export type EarlyListener = {
	port: number;
	/** Connections accepted and not yet handed over, or after `adopt`, how many were. */
	readonly waiting: number;
	/** Hands every held connection, and each later one, to `handler` (the relay's HTTP server). */
	adopt(handler: (socket: net.Socket) => void): void;
	/** Stops accepting; held connections are closed. */
	close(): Promise<void>;
};

/** http://host:port, with an IPv6 host in brackets. */
export function relayUrl(host: string, port: number): string {
	return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Listens on `port` (0: any free port) and `host`; resolves with the port bound. An error while
 * binding rejects; a later one is logged (`http-server-error`).
 */
export async function listen(
	server: net.Server,
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

/** Listens on `port` (0: any free port) and `host`; connections wait until `adopt`. */
export async function bindEarly(
	port: number,
	host: string,
	log: (event: Record<string, unknown>) => void = () => {}
): Promise<EarlyListener> {
	// Paused, unread, in arrival order. A client that gave up is found out by the HTTP server,
	// which reads the end of its stream once it has it.
	const held: net.Socket[] = [];
	let handler: ((socket: net.Socket) => void) | null = null;
	let handedOver = 0;
	const ignore = (): void => {};
	const server = net.createServer({ pauseOnConnect: true });
	server.on('connection', (socket) => {
		if (handler) return handler(socket);
		socket.on('error', ignore);
		held.push(socket);
	});
	const bound = await listen(server, port, host, log);
	return {
		port: bound,
		get waiting() {
			return handler ? handedOver : held.length;
		},
		adopt(next) {
			handler = next;
			handedOver = held.length;
			for (const socket of held.splice(0)) {
				socket.off('error', ignore);
				next(socket);
			}
		},
		close() {
			for (const socket of held.splice(0)) socket.destroy();
			return new Promise((resolve) => server.close(() => resolve()));
		}
	};
}
