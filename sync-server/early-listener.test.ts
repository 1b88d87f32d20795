/**
 * Restart after a crash: the relay's port is bound before the relay is ready, and a client
 * that connects in between waits and is served instead of being refused (and backing off);
 * main.ts leaves V8's compile cache of the relay's modules even when it is killed with -9.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { bindEarly, relayUrl, type EarlyListener } from './early-listener.ts';
import { startRelay, type Relay } from './server.ts';
import {
	connectClient,
	killHard,
	MAIN_FILE,
	makeTempDir,
	mintTokenFor,
	removeDir,
	waitFor,
	type TestClient
} from './test-helpers.ts';

const DOC = 'c/demo/board/g01';

let dataDir = '';
let listener: EarlyListener | null = null;
let relay: Relay | null = null;
let client: TestClient | null = null;
const children: ChildProcess[] = [];
afterEach(async () => {
	client?.destroy();
	client = null;
	await relay?.close();
	relay = null;
	await listener?.close();
	listener = null;
	for (const child of children.splice(0)) await killHard(child);
	removeDir(dataDir);
});

describe('early listener', () => {
	it('holds a client that connects before the relay is ready, then serves it without a reconnect', async () => {
		dataDir = makeTempDir();
		const token = mintTokenFor(dataDir, { communityId: 'demo', role: 'secretary' });
		listener = await bindEarly(0, '127.0.0.1');
		const wsUrl = `${relayUrl('127.0.0.1', listener.port).replace('http', 'ws')}/sync`;
		client = connectClient(wsUrl, DOC, undefined, token);
		let closes = 0;
		client.provider.on('connection-close', () => closes++);
		await waitFor(() => listener!.waiting === 1, 5000, 'the connection held');

		relay = await startRelay({ dataDir, staticDir: path.join(dataDir, 'no-build'), listener });
		expect(relay.port).toBe(listener.port);
		const provider = client.provider;
		await waitFor(() => provider.synced, 5000, 'the held client synced');
		expect(closes).toBe(0);
		expect(listener.waiting).toBe(1);
	});

	it('tracks the connections it adopted as its own: closing the relay closes one mid-request', async () => {
		dataDir = makeTempDir();
		listener = await bindEarly(0, '127.0.0.1');
		const socket = net.connect(listener.port, '127.0.0.1');
		let closed = false;
		socket.on('close', () => (closed = true));
		socket.on('error', () => {});
		// Headers never finished: only the shutdown's closeAllConnections can end it before the
		// (here 60 s) auth deadline and headers timeout.
		socket.write('GET /health HTTP/1.1\r\nHost: relay\r\n');
		await waitFor(() => listener!.waiting === 1, 5000, 'the connection held');

		relay = await startRelay({
			dataDir,
			staticDir: path.join(dataDir, 'no-build'),
			authDeadlineMs: 60_000,
			listener
		});
		expect(closed).toBe(false);
		await relay.close();
		relay = null;
		await waitFor(() => closed, 5000, 'the connection closed with the relay');
	});

	it('main.ts leaves a compile cache that the next start reads, even after kill -9', async () => {
		dataDir = makeTempDir();
		const env: Record<string, string | undefined> = {
			...process.env,
			DATA_DIR: dataDir,
			STATIC_DIR: path.join(dataDir, 'no-build'),
			PORT: '0',
			BOOTSTRAP: 'off',
			NODE_COMPILE_CACHE: undefined,
			NODE_DISABLE_COMPILE_CACHE: undefined,
			NODE_DEBUG_NATIVE: 'COMPILE_CACHE'
		};
		const start = async (): Promise<string> => {
			const child = spawn(process.execPath, [MAIN_FILE], {
				env,
				stdio: ['ignore', 'pipe', 'pipe']
			});
			children.push(child);
			let stderr = '';
			child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
			await new Promise<void>((resolve, reject) => {
				child.once('exit', (code) => reject(new Error(`relay exited with ${code}: ${stderr}`)));
				createInterface({ input: child.stdout! }).on('line', (line) => {
					if (line.includes('"event":"listening"')) resolve();
				});
			});
			await killHard(child);
			return stderr;
		};
		await start();
		const server = `${path.dirname(MAIN_FILE)}/server.ts`;
		expect(await start()).toContain(`V8 code cache for ESM file://${server} was accepted`);
	});
});
