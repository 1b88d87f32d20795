import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import * as Y from 'yjs';
import { startRelay, type Relay } from '../../../sync-server/server.ts';
import { openRelayLink, type RelayLink, type WebSocketConstructor } from './relay-link.ts';
import { memberTokens } from './member-tokens.testing.ts';
import type { TokenSource } from './token-manager.ts';
import { waitFor } from './wait-for.ts';

const WS = WebSocket as unknown as WebSocketConstructor;
let relay: Relay;
let dataDir = '';
let syncUrl = '';

beforeAll(async () => {
	dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-link-'));
	relay = await startRelay({
		host: '127.0.0.1',
		port: 0,
		dataDir,
		staticDir: path.join(dataDir, 'no-build')
	});
	syncUrl = relay.url.replace('http', 'ws') + '/sync';
});

afterAll(async () => {
	await relay.close();
	fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A token source backed by the relay's own minting; `first` is what `current()` says at first. */
function tokenSource(
	claims: Parameters<Relay['mintToken']>[0],
	first?: string | null
): TokenSource & { freshCalls: number } {
	let current: string | null = first === undefined ? relay.mintToken(claims) : first;
	const source = {
		freshCalls: 0,
		current: () => current,
		async fresh() {
			source.freshCalls++;
			current = relay.mintToken(claims);
			return { ok: true as const, token: current };
		}
	};
	return source;
}

function link(
	docName: string,
	doc: Y.Doc,
	received: Uint8Array[],
	tokens: TokenSource = tokenSource({ communityId: 'link', role: 'secretary' })
): RelayLink {
	return openRelayLink(docName, doc, {
		relayUrl: syncUrl,
		tokens,
		WebSocketPolyfill: WS,
		disableBc: true,
		maxBackoffTime: 100,
		networkEvents: null,
		onServerStateVector: (sv) => received.push(sv)
	});
}

describe('relay-link', () => {
	it('asks for confirmations on connect and hands over every [100] state vector', async () => {
		const doc = new Y.Doc();
		const received: Uint8Array[] = [];
		const a = link('c/link/board/g01', doc, received);
		try {
			await waitFor(() => received.length >= 1, 'confirmation after subscribe');
			doc.getMap('m').set('k', 'v');
			await waitFor(
				() => received.some((sv) => (Y.decodeStateVector(sv).get(doc.clientID) ?? 0) >= 1),
				'confirmation covering the edit'
			);
		} finally {
			a.destroy();
		}
	});

	it('a 44xx close from the relay is `closed` with its code and reason, and connect() resumes', async () => {
		const doc = new Y.Doc();
		const a = link('c/link/board/g02', doc, []);
		try {
			await waitFor(() => a.getState().connection === 'online', 'online');
			// An over-long varint: the relay refuses the frame and closes with 4400.
			a.provider.ws?.send(
				new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80])
			);
			await waitFor(() => a.getState().connection === 'closed', 'closed');
			expect(a.getState().closeReason?.code).toBe(4400);
			expect(a.getState().disconnectedSince).toEqual(expect.any(Number));

			a.connect();
			await waitFor(() => a.getState().connection === 'online', 'online again');
			expect(a.getState().closeReason).toBeNull();
		} finally {
			a.destroy();
		}
	});

	it('4401 (no valid token): fetches a fresh token and reconnects at once', async () => {
		const tokens = tokenSource({ communityId: 'link', role: 'secretary' }, 'not-a-token');
		const a = link('c/link/board/g04', new Y.Doc(), [], tokens);
		try {
			await waitFor(() => a.getState().connection === 'online', 'online with a fresh token');
			expect(tokens.freshCalls).toBe(1);
			expect(a.provider.params.token).toBe(tokens.current());
		} finally {
			a.destroy();
		}
	});

	it('no token yet: asks for one before the first socket', async () => {
		const tokens = tokenSource({ communityId: 'link', role: 'secretary' }, null);
		const a = link('c/link/board/g05', new Y.Doc(), [], tokens);
		try {
			await waitFor(() => a.getState().connection === 'online', 'online');
			expect(tokens.freshCalls).toBe(1);
		} finally {
			a.destroy();
		}
	});

	it('4403 (another community): closed with the reason, no retries, and the token source is asked', async () => {
		const tokens = tokenSource({ communityId: 'elsewhere', role: 'secretary' });
		const a = link('c/link/board/g06', new Y.Doc(), [], tokens);
		try {
			await waitFor(() => a.getState().connection === 'closed', 'closed');
			expect(a.getState().closeReason?.code).toBe(4403);
			expect(a.provider.shouldConnect).toBe(false);
			await waitFor(() => tokens.freshCalls === 1, 'a membership check');
		} finally {
			a.destroy();
		}
	});

	it('a read-only connection hears 101 when it writes, and counts it', async () => {
		const tokens = tokenSource({ communityId: 'link', role: 'observer' });
		const doc = new Y.Doc();
		const a = link('c/link/board/g07', doc, [], tokens);
		try {
			await waitFor(() => a.getState().connection === 'online', 'online');
			expect(a.getState().writesRejected).toBe(0);
			doc.getMap('m').set('k', 'v');
			await waitFor(() => a.getState().writesRejected > 0, 'writes rejected');
			expect(a.getState().connection).toBe('online');
		} finally {
			a.destroy();
		}
	});

	it('disconnect() stays offline until connect()', async () => {
		const doc = new Y.Doc();
		const a = link('c/link/board/g03', doc, []);
		try {
			await waitFor(() => a.getState().connection === 'online', 'online');
			a.disconnect();
			expect(a.getState().connection).toBe('offline');
			expect(a.provider.shouldConnect).toBe(false);
			a.connect();
			expect(a.getState().connection).toBe('connecting');
			await waitFor(() => a.getState().connection === 'online', 'online again');
		} finally {
			a.destroy();
		}
	});
});

describe('relay-link: updates refused by the write rules (102)', () => {
	it('keeps what was refused (count, first and last reason and path) and stays online', async () => {
		const tokens = await memberTokens(relay, 'refusals');
		const doc = new Y.Doc();
		const received: Uint8Array[] = [];
		const a = link('c/refusals/board/g01', doc, received, tokens);
		try {
			await waitFor(() => a.getState().connection === 'online', 'online');
			expect(a.getState().refused).toBeNull();
			// A root the board does not have: refused as `shape` at that root.
			doc.getMap('notes').set('k', 'v');
			await waitFor(() => a.getState().refused !== null, 'a refusal');
			expect(a.getState().refused).toEqual({
				count: 1,
				firstReason: 'shape',
				firstPath: 'notes',
				lastReason: 'shape',
				lastPath: 'notes'
			});
			expect(a.getState().connection).toBe('online');
			// Building on the refused content: the relay lacks what it depends on, asks for it (sync
			// step 1), and refuses the resent whole for what it is.
			doc.getMap('notes').set('k', 'w');
			await waitFor(() => (a.getState().refused?.count ?? 0) >= 2, 'a second refusal');
			expect(a.getState().refused).toMatchObject({
				firstReason: 'shape',
				firstPath: 'notes',
				lastReason: 'shape'
			});
			// The connection still works: a confirmation of the relay's state comes in.
			const heard = received.length;
			a.provider.ws?.send(new Uint8Array([100]));
			await waitFor(() => received.length > heard, 'the relay still answers');
			// Nothing of it was stored.
			const stored = Y.decodeStateVector(received.at(-1)!);
			expect(stored.get(doc.clientID) ?? 0).toBe(0);

			// The refusal survives a reconnection (the content is offered again and refused again).
			a.disconnect();
			a.connect();
			await waitFor(() => a.getState().connection === 'online', 'online again');
			await waitFor(() => (a.getState().refused?.count ?? 0) >= 3, 'refused again');
			expect(a.getState().refused?.firstReason).toBe('shape');

			a.clearRefused();
			expect(a.getState().refused).toBeNull();
		} finally {
			a.destroy();
		}
	});

	it('a short or unknown 102 still counts as a refusal', async () => {
		const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
		await new Promise<void>((resolve) => server.once('listening', () => resolve()));
		server.on('connection', (socket) => {
			socket.send(new Uint8Array([102]));
			// [102, 2, "newer_reason", "x"]
			const text = (value: string) => [value.length, ...new TextEncoder().encode(value)];
			socket.send(new Uint8Array([102, 2, ...text('newer_reason'), ...text('x')]));
		});
		const { port } = server.address() as { port: number };
		const a = openRelayLink('c/link/board/g10', new Y.Doc(), {
			relayUrl: `ws://127.0.0.1:${port}/sync`,
			WebSocketPolyfill: WS,
			disableBc: true,
			networkEvents: null,
			onServerStateVector: () => undefined
		});
		try {
			await waitFor(() => (a.getState().refused?.count ?? 0) >= 2, 'two refusals');
			expect(a.getState().refused).toEqual({
				count: 2,
				firstReason: 'unknown',
				firstPath: '',
				lastReason: 'unknown',
				lastPath: 'x'
			});
		} finally {
			a.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	});
});

describe('relay-link: the removal signal', () => {
	/** A stand-in relay that ends every connection the way `ending` says. */
	async function endingServer(ending: { code: number; reason: string } | 'drop') {
		const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
		await new Promise<void>((resolve) => server.once('listening', () => resolve()));
		let connections = 0;
		server.on('connection', (socket) => {
			connections++;
			if (ending === 'drop') socket.terminate();
			else socket.close(ending.code, ending.reason);
		});
		const { port } = server.address() as { port: number };
		return {
			url: `ws://127.0.0.1:${port}/sync`,
			connections: () => connections,
			close: () => new Promise<void>((resolve) => server.close(() => resolve()))
		};
	}

	function watchedTokens() {
		const source = {
			freshCalls: 0,
			removedCalls: 0,
			current: () => 'a-token',
			async fresh() {
				source.freshCalls++;
				return { ok: true as const, token: 'a-token' };
			},
			memberRemoved() {
				source.removedCalls++;
			}
		};
		return source;
	}

	function openOn(url: string, tokens: TokenSource) {
		return openRelayLink('c/link/board/g09', new Y.Doc(), {
			relayUrl: url,
			tokens,
			WebSocketPolyfill: WS,
			disableBc: true,
			maxBackoffTime: 50,
			networkEvents: null,
			onServerStateVector: () => undefined
		});
	}

	it('4403 member_removed: closed, and the token source hears memberRemoved() once', async () => {
		const server = await endingServer({ code: 4403, reason: 'member_removed' });
		const tokens = watchedTokens();
		const a = openOn(server.url, tokens);
		try {
			await waitFor(() => a.getState().connection === 'closed', 'closed');
			expect(a.getState().closeReason).toEqual({ code: 4403, reason: 'member_removed' });
			expect(tokens.removedCalls).toBe(1);
			expect(tokens.freshCalls).toBe(0);
		} finally {
			a.destroy();
			await server.close();
		}
	});

	it.each([
		['a plain 4403 (access refused)', { code: 4403, reason: 'forbidden' }],
		['4400 with the reason member_removed', { code: 4400, reason: 'member_removed' }]
	])('%s: never the removal signal', async (_name, ending) => {
		const server = await endingServer(ending);
		const tokens = watchedTokens();
		const a = openOn(server.url, tokens);
		try {
			await waitFor(() => a.getState().connection === 'closed', 'closed');
			if (ending.code === 4403) await waitFor(() => tokens.freshCalls === 1, 'membership check');
			expect(tokens.removedCalls).toBe(0);
		} finally {
			a.destroy();
			await server.close();
		}
	});

	it.each([
		['4401 with the reason member_removed', { code: 4401, reason: 'member_removed' } as const],
		['a dropped connection (1006, a network error)', 'drop' as const]
	])('%s: retried, never the removal signal', async (_name, ending) => {
		const server = await endingServer(ending);
		const tokens = watchedTokens();
		const a = openOn(server.url, tokens);
		try {
			await waitFor(() => server.connections() >= 3, 'retries');
			expect(a.getState().connection).not.toBe('closed');
			expect(tokens.removedCalls).toBe(0);
		} finally {
			a.destroy();
			await server.close();
		}
	});
});
