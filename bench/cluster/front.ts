/**
 * A round-robin TCP front for the relays of a cluster: what the reverse proxy of
 * docs/cluster/nginx.conf does for them, reduced to what failover needs (bench/cluster's
 * failover case). Each accepted connection goes to the next relay in turn; a relay that refuses
 * the connection is skipped for that connection and tried again for later ones (nginx:
 * `proxy_next_upstream error`). Bytes are piped both ways unchanged (the WebSocket upgrade
 * included); when either side closes or fails, the other is closed too, so a client of a
 * relay that died sees its socket close at once and reconnects through the front.
 */
import net from 'node:net';

export type Front = {
	readonly port: number;
	/** Connections accepted since the front started. */
	readonly accepted: number;
	/** Connections piped to each upstream port now. */
	connectionsTo(port: number): number;
	close(): Promise<void>;
};

export async function startFront(upstreams: readonly number[]): Promise<Front> {
	let next = 0;
	let accepted = 0;
	const sockets = new Set<net.Socket>();
	const open = new Map<number, number>();
	const server = net.createServer((client) => {
		accepted++;
		client.pause();
		client.setNoDelay(true);
		sockets.add(client);
		client.once('close', () => sockets.delete(client));
		client.on('error', () => client.destroy());
		const attempt = (tries: number): void => {
			if (tries >= upstreams.length || client.destroyed) {
				client.destroy();
				return;
			}
			const port = upstreams[next++ % upstreams.length]!;
			const upstream = net.connect(port, '127.0.0.1');
			let piped = false;
			upstream.once('connect', () => {
				piped = true;
				upstream.setNoDelay(true);
				sockets.add(upstream);
				open.set(port, (open.get(port) ?? 0) + 1);
				upstream.once('close', () => {
					sockets.delete(upstream);
					open.set(port, open.get(port)! - 1);
					client.destroy();
				});
				client.once('close', () => upstream.destroy());
				client.pipe(upstream);
				upstream.pipe(client);
				client.resume();
			});
			upstream.on('error', () => {
				if (piped) upstream.destroy();
				else attempt(tries + 1);
			});
		};
		attempt(0);
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	return {
		port: (server.address() as net.AddressInfo).port,
		get accepted() {
			return accepted;
		},
		connectionsTo: (port) => open.get(port) ?? 0,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => server.close(resolve));
		}
	};
}
