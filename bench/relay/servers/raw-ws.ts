/**
 * The floor: a raw `ws` broadcast server that real y-websocket clients can use. It keeps no
 * document and does no Yjs work; it reads only the message header (varUint type and sync
 * sub-type) and:
 * - answers a client's sync step 1 with a sync step 2 holding an empty update (so the provider
 *   reports `synced`), or, when FLOOR_FILE is set, with the bytes of that file read from disk
 *   at that moment (the "read it from disk and send it" floor of the cold-load workload);
 * - forwards every sync step 2 / update to the other sockets of the same path, as an update;
 * - forwards awareness to every socket of the path, sender included (as the relays do).
 */
import fs from 'node:fs';
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const rooms = new Map<string, Set<WebSocket>>();
const floorFile = process.env.FLOOR_FILE;
const EMPTY_STEP2 = Uint8Array.of(0, 1, 2, 0, 0);

function writeVarUint(out: number[], value: number): void {
	while (value > 0x7f) {
		out.push((value & 0x7f) | 0x80);
		value = Math.floor(value / 128);
	}
	out.push(value);
}

function readVarUint(bytes: Uint8Array, start: number): [number, number] {
	let value = 0;
	let shift = 1;
	let pos = start;
	for (;;) {
		const byte = bytes[pos++] ?? 0;
		value += (byte & 0x7f) * shift;
		if (byte < 0x80) return [value, pos];
		shift *= 128;
	}
}

const server = http.createServer((_request, response) => {
	response.writeHead(200, { 'Content-Type': 'application/json' });
	response.end(JSON.stringify({ docsLoaded: 0 }));
});
const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (request, socket, head) => {
	wss.handleUpgrade(request, socket, head, (ws) => {
		const name = (request.url ?? '/').split('?')[0] ?? '/';
		const room = rooms.get(name) ?? new Set<WebSocket>();
		rooms.set(name, room);
		room.add(ws);
		ws.on('close', () => {
			room.delete(ws);
			if (room.size === 0) rooms.delete(name);
		});
		ws.on('message', (data: Buffer) => {
			if (data[0] === 0 && data[1] === 0) {
				if (!floorFile) {
					ws.send(EMPTY_STEP2);
					return;
				}
				const stored = fs.readFileSync(floorFile);
				const header: number[] = [0, 1];
				writeVarUint(header, stored.length);
				ws.send(Buffer.concat([Buffer.from(header), stored]));
				return;
			}
			if (data[0] === 0) {
				if (data[1] === 1) {
					// A step 2 carries no news here (everyone starts empty); skip empty ones.
					const [length] = readVarUint(data, 2);
					if (length <= 2) return;
				}
				const update =
					data[1] === 2 ? data : Buffer.concat([Buffer.from([0, 2]), data.subarray(2)]);
				for (const peer of room) if (peer !== ws) peer.send(update);
				return;
			}
			if (data[0] === 1) for (const peer of room) peer.send(data);
		});
	});
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	console.log(JSON.stringify({ event: 'listening', port }));
});
