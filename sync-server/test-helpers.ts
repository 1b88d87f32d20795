/**
 * Shared helpers for relay tests: a real relay on port 0 with a fresh DATA_DIR, real
 * y-websocket providers over `ws`, a child-process relay for kill tests, and polling waits.
 *
 * Invariant: nothing here mocks a socket or sleeps for a fixed time; tests wait for conditions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type * as decoding from 'lib0/decoding';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { afterEach } from 'vitest';
import * as Y from 'yjs';
import { mintServiceToken, type ServiceTokenInput } from './identity.ts';
import { encodePersistedSubscribe, readPersistedStateVector } from './protocol.ts';
import { startRelay, type Relay, type RelayOptions } from './server.ts';
import { MemoryStore } from './storage/memory.ts';
import type { DocStore } from './storage/types.ts';
import { KeyRing } from './tokens.ts';

export const MAIN_FILE = fileURLToPath(new URL('./main.ts', import.meta.url));

export function makeTempDir(prefix = 'gridboard-relay-'): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
	fs.rmSync(dir, { recursive: true, force: true });
}

export async function waitFor(
	condition: () => boolean,
	timeoutMs = 5000,
	what = 'condition'
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline)
			throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

export type TestRelay = {
	relay: Relay;
	dataDir: string;
	wsUrl: string;
	/** A secretary service token for community `demo` (what clients use unless told otherwise). */
	token: string;
};

/** Default tokens by relay ws URL: helpers authenticate unless a test passes a token or null. */
const defaultTokens = new Map<string, string>();

function defaultTokenFor(url: string): string | null {
	for (const [wsUrl, token] of defaultTokens) if (url.startsWith(wsUrl + '/')) return token;
	return null;
}

/** Appends `?token=` to a sync URL (nothing for a null token). */
export function withToken(url: string, token: string | null): string {
	if (token === null) return url;
	return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

/** Mints a service token with the keys of a DATA_DIR (for relays in child processes). */
export function mintTokenFor(
	dataDir: string,
	input: Omit<ServiceTokenInput, 'ttlSeconds'> & { ttlSeconds?: number }
): string {
	return mintServiceToken(new KeyRing(dataDir), { ttlSeconds: 3600, ...input });
}

/** Starts a relay on port 0; with no dataDir, on a fresh temp dir. */
export async function startTestRelay(options: RelayOptions = {}): Promise<TestRelay> {
	const dataDir = options.dataDir ?? makeTempDir();
	const relay = await startRelay({
		port: 0,
		staticDir: path.join(dataDir, 'no-build'),
		...options,
		dataDir
	});
	const wsUrl = relay.url.replace('http', 'ws') + '/sync';
	const token = relay.mintToken({ communityId: 'demo', role: 'secretary', ttlSeconds: 3600 });
	defaultTokens.set(wsUrl, token);
	return { relay, dataDir, wsUrl, token };
}

/** A test file's relays: each started for one test and undone after it (see `relayPerTest`). */
type RelaysPerTest = {
	/** startTestRelay; after the test the relay is closed and its data directory removed. */
	start(options?: RelayOptions): Promise<TestRelay>;
	/** Clients (or anything with destroy) to destroy after the test, before their relay closes. */
	destroyAfter(...clients: { destroy(): void }[]): void;
	/** Anything else to undo after the test (a raw socket's terminate). */
	defer(cleanup: () => unknown): void;
};

/**
 * The set-up most relay tests share: call once at a test file's top level. After each test, what
 * the test registered is undone newest first (clients, then their relay, then its data), so a
 * failing test leaves no relay or socket behind for the next.
 */
export function relayPerTest(): RelaysPerTest {
	let cleanups: (() => unknown)[] = [];
	afterEach(async () => {
		const pending = cleanups.reverse();
		cleanups = [];
		for (const cleanup of pending) await cleanup();
	});
	return {
		async start(options) {
			const started = await startTestRelay(options);
			cleanups.push(() => removeDir(started.dataDir));
			cleanups.push(() => started.relay.close());
			return started;
		},
		destroyAfter(...clients) {
			for (const client of clients) cleanups.push(() => client.destroy());
		},
		defer(cleanup) {
			cleanups.push(cleanup);
		}
	};
}

/** A member of the relay's community `demo`, joined by invite through the real API. */
export type Member = { memberId: string; name: string; token: string };

/** POSTs JSON to the relay's API (with a bearer token when given); anything but 200 throws. */
export async function apiCall(
	r: TestRelay,
	path: string,
	body: unknown,
	token?: string
): Promise<Record<string, unknown>> {
	const response = await fetch(`${r.relay.url}${path}`, {
		method: 'POST',
		headers: {
			'Content-Type': 'application/json',
			...(token ? { Authorization: `Bearer ${token}` } : {})
		},
		body: JSON.stringify(body)
	});
	if (response.status !== 200) throw new Error(`${path}: ${response.status}, not 200`);
	return (await response.json()) as Record<string, unknown>;
}

/**
 * Community `demo` on `r` with its secretary (李书记 on phone-li) joined; `join` adds a member of
 * `role` (and `grids`) by a one-use invite the secretary makes.
 */
export async function demoCommunity(r: TestRelay): Promise<{
	secretary: Member;
	join(role: string, grids: string[], name: string, deviceId: string): Promise<Member>;
}> {
	const redeem = async (code: string, name: string, deviceId: string): Promise<Member> => {
		const joined = await apiCall(r, '/api/join', { code, displayName: name, deviceId });
		const credential = joined.credential as { memberId: string };
		const issued = await apiCall(r, '/api/token', { credential });
		return { memberId: credential.memberId, name, token: issued.token as string };
	};
	const created = await r.relay.createCommunityAsync('示例社区', 'demo');
	const secretary = await redeem(created.inviteCode, '李书记', 'phone-li');
	return {
		secretary,
		async join(role, grids, name, deviceId) {
			const body = { role, grids, expiresInHours: 1, maxUses: 1 };
			const invite = await apiCall(r, '/api/communities/demo/invites', body, secretary.token);
			return redeem(invite.code as string, name, deviceId);
		}
	};
}

export type TestClient = { doc: Y.Doc; provider: WebsocketProvider; destroy(): void };

export function connectClient(
	wsUrl: string,
	docName: string,
	doc = new Y.Doc(),
	token: string | null = defaultTokens.get(wsUrl) ?? null
): TestClient {
	const provider = new WebsocketProvider(wsUrl, docName, doc, {
		WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
		disableBc: true,
		maxBackoffTime: 200,
		params: token === null ? {} : { token }
	});
	return {
		doc,
		provider,
		destroy() {
			provider.destroy();
			doc.destroy();
		}
	};
}

export async function connectSynced(
	wsUrl: string,
	docName: string,
	token?: string | null
): Promise<TestClient> {
	const client = connectClient(wsUrl, docName, undefined, token);
	await waitFor(() => client.provider.synced, 5000, `${docName} synced`);
	return client;
}

export type PersistedTracker = {
	/** Every state vector received in a persisted message, oldest first. */
	received: Map<number, number>[];
	/** True when some received state vector covers all of `doc`'s own local edits. */
	covers(doc: Y.Doc): boolean;
};

/** Sends the persisted-subscribe message on every (re)connect and records confirmations. */
export function trackPersisted(provider: WebsocketProvider): PersistedTracker {
	const tracker: PersistedTracker = {
		received: [],
		covers(doc) {
			const local = Y.decodeStateVector(Y.encodeStateVector(doc)).get(doc.clientID) ?? 0;
			return tracker.received.some((sv) => (sv.get(doc.clientID) ?? 0) >= local);
		}
	};
	provider.messageHandlers[100] = (_encoder, decoder: decoding.Decoder) => {
		tracker.received.push(readPersistedStateVector(decoder));
	};
	const subscribe = (): void =>
		provider.ws?.send(encodePersistedSubscribe() as Uint8Array<ArrayBuffer>);
	provider.on('status', ({ status }) => {
		if (status === 'connected') subscribe();
	});
	if (provider.wsconnected) subscribe();
	return tracker;
}

export type ChildRelay = { child: ChildProcess; url: string; port: number; wsUrl: string };

/** Spawns `node sync-server/main.ts` and resolves once it printed its listening JSON line. */
export function spawnRelay(env: Record<string, string>): Promise<ChildRelay> {
	// Create the signing keys first, so this process can mint tokens the child accepts.
	const token = env.DATA_DIR
		? mintTokenFor(env.DATA_DIR, { communityId: 'demo', role: 'secretary' })
		: null;
	const child = spawn(process.execPath, [MAIN_FILE], {
		env: { ...process.env, PORT: '0', BOOTSTRAP: 'off', ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let stderr = '';
	child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`relay did not start: ${stderr}`)), 10_000);
		child.once('exit', (code) => reject(new Error(`relay exited with ${code}: ${stderr}`)));
		createInterface({ input: child.stdout! }).on('line', (line) => {
			if (!line.startsWith('{')) return;
			const message = JSON.parse(line) as { event?: string; url?: string; port?: number };
			if (message.event !== 'listening' || !message.url || !message.port) return;
			clearTimeout(timer);
			const wsUrl = message.url.replace('http', 'ws') + '/sync';
			if (token) defaultTokens.set(wsUrl, token);
			resolve({ child, url: message.url, port: message.port, wsUrl });
		});
	});
}

export function killHard(child: ChildProcess): Promise<void> {
	return new Promise((resolve) => {
		if (child.exitCode !== null || child.signalCode !== null) return resolve();
		child.once('exit', () => resolve());
		child.kill('SIGKILL');
	});
}

export function closeCode(ws: WebSocket): Promise<number> {
	return new Promise((resolve) => {
		if (ws.readyState === WebSocket.CLOSED) return resolve(-1);
		ws.once('close', (code) => resolve(code));
	});
}

/** Resolves with the HTTP status of a refused upgrade, or 101 if it was accepted. */
export function upgradeStatus(
	url: string,
	token = defaultTokenFor(url),
	options: WebSocket.ClientOptions = {}
): Promise<number> {
	return new Promise((resolve) => {
		const ws = new WebSocket(withToken(url, token), options);
		ws.on('error', () => {});
		ws.once('unexpected-response', (_req, res) => {
			resolve(res.statusCode ?? 0);
			ws.terminate();
		});
		ws.once('open', () => {
			resolve(101);
			ws.close();
		});
	});
}

/** A raw `ws` client that records every frame, for protocol-level tests. */
export class RawClient {
	readonly ws: WebSocket;
	readonly frames: Uint8Array[] = [];
	closeCode: number | null = null;
	closeReason: string | null = null;

	constructor(
		url: string,
		token: string | null = defaultTokenFor(url),
		options: WebSocket.ClientOptions = {}
	) {
		this.ws = new WebSocket(withToken(url, token), options);
		this.ws.on('error', () => {});
		this.ws.on('message', (data: Buffer) => this.frames.push(new Uint8Array(data)));
		this.ws.on('close', (code, reason) => {
			this.closeReason = reason.toString();
			this.closeCode = code;
		});
	}

	opened(): Promise<void> {
		return waitFor(() => this.ws.readyState === WebSocket.OPEN, 5000, 'raw socket open');
	}

	send(bytes: Uint8Array | number[]): void {
		this.ws.send(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
	}

	ofType(type: number): Uint8Array[] {
		return this.frames.filter((frame) => frame[0] === type);
	}

	async closed(timeoutMs = 5000): Promise<number> {
		await waitFor(() => this.closeCode !== null, timeoutMs, 'socket close');
		return this.closeCode!;
	}
}

/** Sends a raw HTTP request line (no URL normalisation) and resolves with the status code. */
export function rawHttpStatus(port: number, rawPath: string, upgrade: boolean): Promise<number> {
	return new Promise((resolve, reject) => {
		const socket = net.connect(port, '127.0.0.1');
		let response = '';
		socket.on('error', reject);
		socket.on('data', (chunk) => {
			response += chunk.toString('latin1');
			const match = /^HTTP\/1\.1 (\d{3})/.exec(response);
			if (match) {
				resolve(Number(match[1]));
				socket.destroy();
			}
		});
		const headers = upgrade
			? 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
				'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
			: 'Accept: text/html\r\n';
		socket.write(`GET ${rawPath} HTTP/1.1\r\nHost: localhost\r\n${headers}\r\n`, 'latin1');
	});
}

/** Deterministic PRNG (mulberry32) so fuzz failures reproduce from the seed. */
export function prng(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** A MemoryStore that records which documents were loaded and which received updates. */
export function recordingStore(inner: DocStore = new MemoryStore()): {
	store: DocStore;
	loaded: string[];
	appended: string[];
	touched(doc: string): boolean;
} {
	const loaded: string[] = [];
	const appended: string[] = [];
	const store: DocStore = {
		load: (doc) => (loaded.push(doc), inner.load(doc)),
		appendBatch: (entries) => {
			for (const entry of entries) appended.push(entry.doc);
			return inner.appendBatch(entries);
		},
		compact: (doc, snapshot, upTo) => inner.compact(doc, snapshot, upTo),
		attribution: (doc) => inner.attribution(doc),
		historyBefore: (doc, before) => inner.historyBefore(doc, before),
		historyHours: (doc) => inner.historyHours(doc),
		sync: (done) => inner.sync(done),
		syncNow: () => inner.syncNow(),
		hasDoc: (doc) => inner.hasDoc(doc),
		docNames: () => inner.docNames(),
		close: () => inner.close()
	};
	return {
		store,
		loaded,
		appended,
		touched: (doc) => loaded.includes(doc) || appended.includes(doc) || inner.hasDoc(doc)
	};
}
