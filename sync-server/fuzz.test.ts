/**
 * Bad input never takes the relay down: random and malformed frames close only their own
 * socket (4400, or 1009 when too big) while other clients keep syncing. The same tests run on
 * the embedded relay and on each relay of a cluster (relay-under-test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { relayModes, type RelayMode, type RelayUnderTest } from './relay-under-test.ts';
import type { RelayOptions } from './server.ts';
import { connectSynced, prng, RawClient, waitFor, type TestClient } from './test-helpers.ts';

const DOC = 'c/demo/board/g01';
const SEED = 0x6b1d;
const CONCURRENCY = 25;
/** Type 2 (auth) is never valid from a client: appended to frames that might decode cleanly. */
const CERTAINLY_INVALID = [2];

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

type Case = { frame: Uint8Array | string; thenInvalid: boolean };

function randomBytes(rand: () => number, length: number): number[] {
	return Array.from({ length }, () => Math.floor(rand() * 256));
}

function randomFrames(rand: () => number, count: number): Case[] {
	return Array.from({ length: count }, () => ({
		frame: new Uint8Array(randomBytes(rand, 1 + Math.floor(rand() * 64))),
		thenInvalid: true
	}));
}

/** Malformed messages that must each be refused on their own. */
function malformedFrames(rand: () => number, count: number): Case[] {
	const overLong = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
	const templates: (() => number[] | string)[] = [
		() => [0x80], // truncated varint type
		() => [0, 0x80], // truncated sync type
		() => [0, 2, 0x80, 0x80], // truncated length
		() => [0, 0], // step 1 without payload
		() => overLong,
		() => [0, ...overLong],
		() => [0, 2, ...overLong],
		() => [1, ...overLong],
		() => [0, 2, 50, ...randomBytes(rand, 5)], // length prefix lies (too long)
		() => [1, 200, 1, 2, 3],
		() => [0, 1, 10, 1],
		() => [0, 0, 3, 1, 2], // state vector that lies
		() => [0, 2, 1, 0, 9], // empty-ish update plus trailing byte
		() => [3, 0], // query awareness with trailing bytes
		() => [100, 7], // subscribe with trailing bytes
		() => [2, ...randomBytes(rand, 3)], // auth from a client
		() => [4 + Math.floor(rand() * 96)], // unknown types 4..99
		() => [101 + Math.floor(rand() * 27)], // unknown types 101..127
		() => [0, 3 + Math.floor(rand() * 120), 0], // unknown sync types
		() => {
			// sync update with a garbage body, then trailing garbage after the length-prefixed part
			const body = randomBytes(rand, 1 + Math.floor(rand() * 30));
			return [0, 2, body.length, ...body, 0xff];
		},
		() => {
			// garbage that claims lots of structs
			return [0, 2, 6, 0xff, 0xff, 0x03, 0x01, 0x02, 0x03];
		},
		() => [1, 5, 1, 7, 1, 3, 0x7b], // awareness with a truncated JSON state
		() => [],
		() => 'text frames are refused'
	];
	return Array.from({ length: count }, (_, i) => ({
		frame: (() => {
			const out = templates[i % templates.length]!();
			return typeof out === 'string' ? out : new Uint8Array(out);
		})(),
		thenInvalid: false
	}));
}

async function attack(wsUrl: string, c: Case): Promise<number> {
	const client = new RawClient(`${wsUrl}/${DOC}`);
	await client.opened();
	client.send(c.frame as Uint8Array);
	if (c.thenInvalid) client.send(CERTAINLY_INVALID);
	try {
		return await client.closed();
	} finally {
		client.ws.terminate();
	}
}

for (const mode of relayModes()) {
	describe(`bad input (${mode.name})`, () => {
		it('2,000 random and malformed frames close their sockets; the relay and other clients carry on', async () => {
			started = await startIn(mode);
			const { wsUrl, relay } = started;
			const a = await connectSynced(wsUrl, DOC);
			const b = await connectSynced(wsUrl, DOC);
			clients.push(a, b);
			const rand = prng(SEED);
			const cases = [...randomFrames(rand, 1000), ...malformedFrames(rand, 1000)];
			const codes = new Map<number, number>();
			for (let i = 0; i < cases.length; i += CONCURRENCY) {
				const batch = cases.slice(i, i + CONCURRENCY);
				const results = await Promise.all(batch.map((c) => attack(wsUrl, c)));
				results.forEach((code, j) => {
					codes.set(code, (codes.get(code) ?? 0) + 1);
					if (code !== 4400) {
						throw new Error(`case ${i + j} closed with ${code}: ${String(batch[j]!.frame)}`);
					}
				});
				if (i % 200 === 0) {
					a.doc.getArray('during').push([i]);
					await waitFor(() => b.doc.getArray('during').length === a.doc.getArray('during').length);
				}
			}
			expect(codes.get(4400)).toBe(cases.length);
			b.doc.getText('after').insert(0, 'still syncing');
			await waitFor(() => a.doc.getText('after').toString() === 'still syncing');
			const health = (await (await fetch(`${relay.url}/health`)).json()) as { ok: boolean };
			expect(health.ok).toBe(true);
			expect(relay.stats().connections).toBe(2);
		});

		it('a frame over MAX_PAYLOAD closes with 1009', async () => {
			started = await startIn(mode, { maxPayload: 4096 });
			const client = new RawClient(`${started.wsUrl}/${DOC}`);
			await client.opened();
			client.send(new Uint8Array(8192));
			expect(await client.closed()).toBe(1009);
			const ok = await connectSynced(started.wsUrl, DOC);
			clients.push(ok);
		});

		it('a document growing beyond MAX_DOC_BYTES closes with 4413 and stays usable', async () => {
			started = await startIn(mode, { maxDocBytes: 20_000 });
			const bomber = await connectSynced(started.wsUrl, DOC);
			clients.push(bomber);
			const codes: number[] = [];
			bomber.provider.on('connection-close', (event) => {
				if (event) codes.push(event.code);
			});
			bomber.doc.getText('t').insert(0, 'x'.repeat(50_000));
			await waitFor(() => codes.includes(4413), 5000, 'close 4413');
			// 4413 is permanent: y-websocket does not reconnect.
			expect(bomber.provider.shouldConnect).toBe(false);
			const other = await connectSynced(started.wsUrl, DOC);
			clients.push(other);
			expect(other.doc.getText('t').length).toBe(0);
		});

		it('a reader that stops reading is closed with 4508 instead of buffering forever', async () => {
			started = await startIn(mode, { maxBufferedBytes: 64 * 1024 });
			const slow = new RawClient(`${started.wsUrl}/${DOC}`);
			await slow.opened();
			// Stop reading at the TCP level: the relay's send buffer for this socket must grow.
			const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
			socket.pause();
			const writer = await connectSynced(started.wsUrl, DOC);
			clients.push(writer);
			const rand = prng(7);
			for (let i = 0; i < 40; i++) {
				writer.doc
					.getText('t')
					.insert(0, String.fromCharCode(...randomBytes(rand, 1)).repeat(256 * 1024));
				await waitFor(() => started!.relay.stats().pendingUpdates === 0);
				await new Promise((resolve) => setImmediate(resolve));
			}
			socket.resume();
			expect(await slow.closed(10_000)).toBe(4508);
			await waitFor(() => started!.relay.stats().connections === 1, 5000, 'slow reader gone');
		});
	});
}
