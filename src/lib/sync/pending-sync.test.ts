/**
 * Integration: documents with changes not yet on the relay are found again after a reload
 * (pending-index.ts), opened in the background by the session registry, counted in the status
 * bar summary and sent — against the real relay (sync-server/server.ts) on port 0, with
 * fake-indexeddb as each device's IndexedDB and `ws` as the browser's WebSocket.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import WebSocket from 'ws';
import { startRelay, type Relay } from '../../../sync-server/server.ts';
import { openDocSession, type DocSession } from './doc-session.ts';
import { openPendingIndex } from './pending-index.ts';
import type { WebSocketConstructor } from './relay-link.ts';
import { createSessionRegistry, type SessionRegistry } from './session-registry.ts';
import { summarizeSync } from './sync-summary.ts';
import type { TokenSource } from './token-manager.ts';
import { waitFor } from './wait-for.ts';

const WS = WebSocket as unknown as WebSocketConstructor;
const COMMUNITY = 'test';

let relay: Relay;
let syncUrl = '';
let dataDir = '';
const cleanup: (() => void)[] = [];

beforeAll(async () => {
	dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-pending-'));
	relay = await startRelay({
		host: '127.0.0.1',
		port: 0,
		staticDir: path.join(dataDir, 'no-build'),
		dataDir
	});
	syncUrl = relay.url.replace('http', 'ws') + '/sync';
});

afterEach(() => {
	for (const stop of cleanup.splice(0)) stop();
});

afterAll(async () => {
	await relay.close();
	fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Tokens for `communityId` (another community's token is refused with 4403). */
function tokens(communityId = COMMUNITY): TokenSource {
	const mint = () => relay.mintToken({ communityId, role: 'secretary' });
	let token = mint();
	return {
		current: () => token,
		async fresh() {
			token = mint();
			return { ok: true, token };
		}
	};
}

/** One app start on a device: a registry with the device's pending index, as AppState builds it. */
function appStart(
	indexedDB: IDBFactory,
	options: { connect: boolean; tokenCommunity?: string }
): SessionRegistry {
	const registry = createSessionRegistry({
		relayUrl: syncUrl,
		indexedDB,
		WebSocketPolyfill: WS,
		disableBc: true,
		maxBackoffTime: 100,
		networkEvents: null,
		connect: options.connect,
		tokens: tokens(options.tokenCommunity),
		pendingIndex: openPendingIndex({ indexedDB })
	});
	cleanup.push(() => registry.destroy());
	return registry;
}

function otherDevice(docName: string): DocSession {
	const session = openDocSession(docName, {
		relayUrl: syncUrl,
		indexedDB: new IDBFactory(),
		WebSocketPolyfill: WS,
		disableBc: true,
		maxBackoffTime: 100,
		networkEvents: null,
		tokens: tokens()
	});
	cleanup.push(() => session.destroy());
	return session;
}

const summary = (registry: SessionRegistry) =>
	summarizeSync(
		registry.all().map((session) => session.getState()),
		true,
		{ restoring: registry.isRestoring() }
	);

/** Polls an asynchronous read until `ok` holds (IndexedDB reads are asynchronous). */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, label: string) {
	const deadline = Date.now() + 10_000;
	for (;;) {
		const value = await read();
		if (ok(value)) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

let counter = 0;
const boardName = () => `c/${COMMUNITY}/board/p${++counter}`;
const directoryName = `c/${COMMUNITY}/directory`;

describe('documents with pending changes after a reload', () => {
	it('an offline edit on a board no page opens is counted after a reload, then sent and confirmed', async () => {
		const device = new IDBFactory();
		const board = boardName();
		const b = otherDevice(board);

		// Offline: the board page is open, an edit is saved on this device only.
		const first = appStart(device, { connect: false });
		const lease = first.acquire(board);
		await lease.session.whenLoaded;
		lease.session.doc.getMap('case').set('title', 'Blocked fire exit');
		await waitFor(() => lease.session.getState().local === 'saved', 'saved on the device');
		expect(await openPendingIndex({ indexedDB: device }).list(COMMUNITY)).toEqual([board]);
		lease.release();
		first.destroy();

		// Reload, still offline, on the home page: only the directory is opened by a page.
		const second = appStart(device, { connect: false });
		const home = second.acquire(directoryName);
		expect(await second.restorePending(COMMUNITY)).toBe(1);
		expect(second.all().map((session) => session.docName)).toContain(board);
		await waitFor(() => summary(second).unconfirmed === 1, 'the board counted');
		expect(summary(second).allOnServer).toBe(false);
		home.release();
		second.destroy();

		// Reload online, still on the home page: the edit reaches the other device.
		const third = appStart(device, { connect: true });
		const homeAgain = third.acquire(directoryName);
		await third.restorePending(COMMUNITY);
		await waitFor(() => b.doc.getMap('case').get('title') === 'Blocked fire exit', 'b has it');
		await waitFor(() => summary(third).allOnServer, 'all on the server');
		expect(summary(third).unconfirmed).toBe(0);
		await waitFor(() => third.all().every((s) => s.getState().unconfirmed === 0), 'confirmed');
		// Nothing is pending any more: the index forgets the board, and the registry lets it go.
		const index = openPendingIndex({ indexedDB: device });
		cleanup.push(() => index.close());
		await eventually(
			() => index.list(COMMUNITY),
			(names) => names.length === 0,
			'index cleared'
		);
		homeAgain.release();
	});

	it('a document the relay refuses keeps its session and its count, with the close reason', async () => {
		const device = new IDBFactory();
		const board = boardName();
		const first = appStart(device, { connect: false });
		const lease = first.acquire(board);
		await lease.session.whenLoaded;
		lease.session.doc.getMap('case').set('title', 'Written before the membership changed');
		await waitFor(() => lease.session.getState().local === 'saved', 'saved on the device');
		lease.release();
		first.destroy();

		// Its token is now for another community: the relay closes the socket with 4403.
		const registry = createSessionRegistry({
			relayUrl: syncUrl,
			indexedDB: device,
			WebSocketPolyfill: WS,
			disableBc: true,
			maxBackoffTime: 100,
			networkEvents: null,
			lingerMs: 20,
			tokens: tokens('elsewhere'),
			pendingIndex: openPendingIndex({ indexedDB: device })
		});
		cleanup.push(() => registry.destroy());
		await registry.restorePending(COMMUNITY);
		const session = registry.all().find((s) => s.docName === board);
		expect(session).toBeDefined();
		await waitFor(() => session?.getState().connection === 'closed', 'refused');
		// Opened and released by a page together with an idle document, which the relay refuses
		// too: once the idle one is closed after the linger time, the board is still there.
		const idle = registry.acquire(directoryName);
		await idle.session.whenLoaded;
		registry.acquire(board).release();
		idle.release();
		await waitFor(() => !registry.all().includes(idle.session), 'the idle document closed');
		expect(registry.all()).toContain(session);
		const bar = summary(registry);
		expect(bar).toMatchObject({ connection: 'closed', closeCode: 4403, unconfirmed: 1 });
		expect(bar.allOnServer).toBe(false);
	});

	it('sign-out wipes the pending index', async () => {
		const device = new IDBFactory();
		const registry = appStart(device, { connect: false });
		const lease = registry.acquire(boardName());
		await lease.session.whenLoaded;
		lease.session.doc.getMap('case').set('title', 'x');
		await waitFor(() => lease.session.getState().local === 'saved', 'saved on the device');
		expect(await openPendingIndex({ indexedDB: device }).list(COMMUNITY)).toHaveLength(1);
		expect(await registry.clearAllLocalData()).toEqual({ ok: true });
		const names = (await device.databases()).map((info) => info.name);
		expect(names).toEqual([]);
	});
});
