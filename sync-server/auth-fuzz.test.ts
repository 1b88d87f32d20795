/**
 * Hostile input with authentication on: 10,000 random and malformed frames from authenticated
 * sockets, 10,000 unauthenticated attempts (garbage HTTP, tokenless and forged upgrades that keep
 * sending frames), and 500 sockets that never finish an upgrade. The relay stays up in this
 * process, its heap stays bounded, and two honest clients keep syncing throughout. The same
 * tests run on the embedded relay and on each relay of a cluster (relay-under-test.ts).
 */
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { relayModes, type RelayMode, type RelayUnderTest } from './relay-under-test.ts';
import type { RelayOptions } from './server.ts';
import { connectSynced, prng, RawClient, waitFor, type TestClient } from './test-helpers.ts';

const DOC = 'c/demo/board/g01';
const CONCURRENCY = 50;
const EMBEDDED_N = Number(process.env.AUTH_FUZZ_N ?? 10_000);
/**
 * Attempts of each kind per relay of a cluster: a fifth, so the three relays together take 6,000
 * of each (admission is the embedded relay's code; what is the cluster's, the early frames and
 * the asynchronous load, is exercised by every attempt) and CI stays within minutes.
 */
const CLUSTER_N = Number(process.env.AUTH_FUZZ_CLUSTER_N ?? EMBEDDED_N / 5);

let started: RelayUnderTest | null = null;
let closeStarted: (() => Promise<void>) | null = null;
let clients: TestClient[] = [];
afterEach(async () => {
	for (const c of clients) c.destroy();
	clients = [];
	await closeStarted?.();
	started = null;
	closeStarted = null;
});

/** Starts the relay under test in `mode`; `afterEach` closes it. */
async function startIn(mode: RelayMode, options?: RelayOptions): Promise<RelayUnderTest> {
	const { relay, close } = await mode.start(options);
	closeStarted = close;
	return relay;
}

function bytes(rand: () => number, length: number): number[] {
	return Array.from({ length }, () => Math.floor(rand() * 256));
}

function frameFor(rand: () => number, i: number): Uint8Array {
	const overLong = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
	const templates: (() => number[])[] = [
		() => bytes(rand, 1 + Math.floor(rand() * 64)).concat([2]),
		() => [0, 2, 50, ...bytes(rand, 5)],
		() => [0, ...overLong],
		() => [0x80],
		() => [0, 2, 6, 0xff, 0xff, 0x03, 0x01, 0x02, 0x03],
		() => [2, ...bytes(rand, 3)],
		() => [101 + Math.floor(rand() * 27)],
		() => [1, 200, 1, 2, 3],
		() => [0, 0, 3, 1, 2]
	];
	return new Uint8Array(templates[i % templates.length]!());
}

async function inBatches(
	count: number,
	run: (i: number) => Promise<void>,
	between?: (i: number) => Promise<void>
) {
	for (let i = 0; i < count; i += CONCURRENCY) {
		await Promise.all(
			Array.from({ length: Math.min(CONCURRENCY, count - i) }, (_, j) => run(i + j))
		);
		if (between) await between(i);
	}
}

async function keepSyncing(a: TestClient, b: TestClient, i: number): Promise<void> {
	a.doc.getArray('during').push([i]);
	await waitFor(() => b.doc.getArray('during').length === a.doc.getArray('during').length);
}

/**
 * The heap the process still holds after a full collection: what the relay retained, not the
 * garbage a burst left for a later collection (which made a bare `heapUsed` reading flaky).
 */
function retainedHeap(): number {
	v8.setFlagsFromString('--expose-gc');
	const gc = vm.runInNewContext('gc') as () => void;
	gc();
	gc();
	return process.memoryUsage().heapUsed;
}

for (const mode of relayModes()) {
	describe(`hostile input with authentication on (${mode.name})`, () => {
		it('10,000 bad frames from authenticated sockets and 10,000 unauthenticated attempts (a fifth on a cluster relay)', async () => {
			const N = mode.cluster ? CLUSTER_N : EMBEDDED_N;
			started = await startIn(mode, { maxConnectionsPerIp: 10_000, authDeadlineMs: 500 });
			const { wsUrl, relay } = started;
			const a = await connectSynced(wsUrl, DOC);
			const b = await connectSynced(wsUrl, DOC);
			clients.push(a, b);
			const heapBefore = retainedHeap();
			const rand = prng(0x5eed);
			const codes = new Map<number, number>();
			const count = (code: number): void => void codes.set(code, (codes.get(code) ?? 0) + 1);

			// 10,000 frames, each from an authenticated socket (a bad frame closes its socket).
			await inBatches(
				N,
				async (i) => {
					const c = new RawClient(`${wsUrl}/${DOC}`);
					await c.opened();
					c.send(frameFor(rand, i));
					try {
						count(await c.closed());
					} finally {
						c.ws.terminate();
					}
				},
				async (i) => {
					if (i % 1000 === 0) await keepSyncing(a, b, i);
				}
			);
			expect(codes).toEqual(new Map([[4400, N]]));

			// 10,000 unauthenticated attempts.
			const port = relay.port;
			const garbage = (i: number): Promise<void> =>
				new Promise((resolve) => {
					const socket = net.connect(port, '127.0.0.1');
					socket.on('error', () => {});
					socket.on('close', () => resolve());
					// The relay either answers (HTTP error, or 101 then a 4401 close) or closes the socket.
					socket.on('data', () => socket.destroy());
					const junk = [
						() => Buffer.from(bytes(rand, 1 + Math.floor(rand() * 200))),
						() =>
							Buffer.from(
								`GET /sync/${DOC} HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`
							),
						() =>
							Buffer.from(
								`GET /sync/${DOC}?token=${'A'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`
							),
						() =>
							Buffer.from(
								`POST /api/join HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n{`
							),
						() =>
							Buffer.from(
								`GET /sync/${DOC} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`
							).toString() + String.fromCharCode(...bytes(rand, 20))
					];
					// Never half-close: the relay must end every one of these itself (at the latest by the deadline).
					socket.write(junk[i % junk.length]!());
				});
			const tokenless = async (i: number): Promise<void> => {
				const token = i % 2 === 0 ? null : `${'e30'}.${'e30'}.${'x'.repeat(i % 50)}`;
				const c = new RawClient(`${wsUrl}/${DOC}`, token);
				c.ws.on('open', () => {
					for (let k = 0; k < 3; k++) c.ws.send(new Uint8Array(bytes(rand, 8)));
				});
				try {
					count(await c.closed());
				} finally {
					c.ws.terminate();
				}
			};
			codes.clear();
			await inBatches(
				N,
				(i) => (i % 2 === 0 ? garbage(i) : tokenless(i)),
				async (i) => {
					if (i % 1000 === 0) await keepSyncing(a, b, i);
				}
			);
			expect(codes).toEqual(new Map([[4401, N / 2]]));

			b.doc.getText('after').insert(0, 'still syncing');
			await waitFor(() => a.doc.getText('after').toString() === 'still syncing');
			const health = (await (await fetch(`${relay.url}/health`)).json()) as { ok: boolean };
			expect(health.ok).toBe(true);
			await waitFor(() => relay.stats().connections === 2);
			expect(relay.stats().docsLoaded).toBe(1);
			expect(retainedHeap() - heapBefore).toBeLessThan(100 * 1024 * 1024);
		}, 120_000);

		it('500 sockets that never finish an upgrade are destroyed after AUTH_DEADLINE_MS', async () => {
			started = await startIn(mode, { authDeadlineMs: 300 });
			const { relay, wsUrl } = started;
			const a = await connectSynced(wsUrl, DOC);
			clients.push(a);
			const closed: number[] = [];
			const startedAt = Date.now();
			const sockets = Array.from({ length: 500 }, (_, i) => {
				const socket = net.connect(relay.port, '127.0.0.1');
				socket.on('error', () => {});
				socket.on('close', () => closed.push(Date.now() - startedAt));
				// Some say nothing, some send half a request line, some half the headers.
				if (i % 3 === 1) socket.write('GET /sync/c/demo/board/g01');
				if (i % 3 === 2)
					socket.write(`GET /sync/${DOC} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n`);
				return socket;
			});
			await waitFor(() => closed.length === 500, 10_000, 'all pending sockets destroyed');
			expect(Math.min(...closed)).toBeGreaterThanOrEqual(250);
			for (const socket of sockets) socket.destroy();
			const b = await connectSynced(wsUrl, DOC);
			clients.push(b);
			a.doc.getText('t').insert(0, 'alive');
			await waitFor(() => b.doc.getText('t').toString() === 'alive');
		});
	});
}
