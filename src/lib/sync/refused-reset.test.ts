/**
 * Integration: an update the relay refuses under the write rules (message 102) stands on the
 * device's document session and in the status bar summary while its changes are unconfirmed, and
 * `resetDocument` discards that one document's local copy (database and pending-index entry) and
 * loads it again from the relay, leaving every other document alone — against the real relay
 * (sync-server/server.ts) on port 0 with a member token (service tokens are not checked), with
 * fake-indexeddb as the device's IndexedDB and `ws` as the browser's WebSocket.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import * as encoding from 'lib0/encoding';
import WebSocket, { WebSocketServer } from 'ws';
import * as Y from 'yjs';
import { startRelay, type Relay } from '../../../sync-server/server.ts';
import { openDocSession } from './doc-session.ts';
import { databaseName } from './local-store.ts';
import { openPendingIndex } from './pending-index.ts';
import type { WebSocketConstructor } from './relay-link.ts';
import { createSessionRegistry, type SessionRegistry } from './session-registry.ts';
import { summarizeSync } from './sync-summary.ts';
import { memberTokens } from './member-tokens.testing.ts';
import type { TokenSource } from './token-manager.ts';
import { waitFor } from './wait-for.ts';

const WS = WebSocket as unknown as WebSocketConstructor;
const COMMUNITY = 'refused';
const BOARD = `c/${COMMUNITY}/board/g01`;
/** Tasks are not checked by the relay yet (write-rules-of.ts): its writes are stored. */
/** A document the member may write freely: a meeting's minutes (rich text). */
const TASKS = `c/${COMMUNITY}/meetings/m1`;

let relay: Relay;
let dataDir = '';
let tokens: TokenSource;
const cleanup: (() => void)[] = [];

beforeAll(async () => {
	dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-refused-'));
	relay = await startRelay({
		host: '127.0.0.1',
		port: 0,
		staticDir: path.join(dataDir, 'no-build'),
		dataDir
	});
	tokens = await memberTokens(relay, COMMUNITY);
});

afterEach(() => {
	for (const stop of cleanup.splice(0)) stop();
});

afterAll(async () => {
	await relay.close();
	fs.rmSync(dataDir, { recursive: true, force: true });
});

function appStart(indexedDB: IDBFactory): SessionRegistry {
	const registry = createSessionRegistry({
		relayUrl: relay.url.replace('http', 'ws') + '/sync',
		indexedDB,
		WebSocketPolyfill: WS,
		disableBc: true,
		maxBackoffTime: 100,
		networkEvents: null,
		tokens,
		pendingIndex: openPendingIndex({ indexedDB })
	});
	cleanup.push(() => registry.destroy());
	return registry;
}

const summary = (registry: SessionRegistry) =>
	summarizeSync(
		registry.all().map((session) => session.getState()),
		true,
		{ photosPending: 0 }
	);

const databases = async (indexedDB: IDBFactory) =>
	(await indexedDB.databases()).map((info) => info.name);

describe('an update refused by the write rules', () => {
	it('stands while unconfirmed; resetDocument discards only that document and reloads it', async () => {
		const indexedDB = new IDBFactory();
		const registry = appStart(indexedDB);
		const tasks = registry.acquire(TASKS);
		cleanup.push(() => tasks.release());
		const board = registry.acquire(BOARD);
		await Promise.all([tasks.session.whenLoaded, board.session.whenLoaded]);

		// Stored: what the rules allow.
		tasks.session.doc.getText('minutes').insert(0, 'tasks stay');
		await waitFor(() => tasks.session.getState().lastConfirmedAt !== null, 'tasks confirmed');
		await waitFor(() => tasks.session.getState().unconfirmed === 0, 'tasks all confirmed');

		// Refused: a root the board does not have; then one that builds on it.
		board.session.doc.getMap('notes').set('k', 'refused');
		board.session.doc.getMap('notes').set('k', 'refused again');
		await waitFor(() => (board.session.getState().refused?.count ?? 0) >= 1, 'a refusal');
		const state = board.session.getState();
		expect(state.refused).toMatchObject({ firstReason: 'shape', firstPath: 'notes' });
		expect(state.unconfirmed).toBe(2);
		expect(state.connection).toBe('online');
		const before = summary(registry);
		expect(before.refusals).toEqual([expect.objectContaining({ docName: BOARD, unconfirmed: 2 })]);
		expect(before.allOnServer).toBe(false);
		const index = openPendingIndex({ indexedDB });
		cleanup.push(() => index.close());
		expect(await index.list(COMMUNITY)).toEqual([BOARD]);
		expect(await databases(indexedDB)).toContain(databaseName(BOARD));

		// The way out: that one document's copy goes, the other one stays open and stored.
		expect(await registry.resetDocument(BOARD)).toEqual({ ok: true });
		expect(registry.all().map((session) => session.docName)).toEqual([TASKS]);
		expect(await databases(indexedDB)).not.toContain(databaseName(BOARD));
		expect(await databases(indexedDB)).toContain(databaseName(TASKS));
		expect(await index.list(COMMUNITY)).toEqual([]);
		expect(tasks.session.doc.getText('minutes').toString()).toBe('tasks stay');
		board.release();

		// Opened again: loaded from the relay, without the refused content, nothing refused.
		const again = registry.acquire(BOARD);
		cleanup.push(() => again.release());
		expect(again.session).not.toBe(board.session);
		await again.session.whenLoaded;
		await waitFor(() => again.session.getState().lastConfirmedAt !== null, 'board confirmed');
		expect(again.session.doc.getMap('notes').size).toBe(0);
		expect(again.session.getState()).toMatchObject({ refused: null, unconfirmed: 0 });
		expect(summary(registry)).toMatchObject({ refusals: [], allOnServer: true });
	});
});

describe('a refusal stands only while something of this device is unconfirmed', () => {
	it('is cleared once the relay confirms everything (e.g. the role came back)', async () => {
		// A stand-in relay: refuses the first update it gets, and confirms on demand.
		const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
		await new Promise<void>((resolve) => server.once('listening', () => resolve()));
		const sockets: WebSocket[] = [];
		let updates = 0;
		let refusals = 0;
		server.on('connection', (socket) => {
			sockets.push(socket);
			socket.on('message', (data: Buffer) => {
				// Sync step 2 or update from the client: [0, 1|2, …].
				if (data[0] === 0 && (data[1] === 1 || data[1] === 2) && updates++ === 0) {
					const refusal = encoding.createEncoder();
					encoding.writeVarUint(refusal, 102);
					encoding.writeVarUint(refusal, 1);
					encoding.writeVarString(refusal, 'not_permitted');
					refusals++;
					encoding.writeVarString(refusal, `cases/c${refusals}/fields/status~1/[]`);
					socket.send(encoding.toUint8Array(refusal));
				}
			});
		});
		const confirm = (stateVector: Uint8Array) => {
			const message = encoding.createEncoder();
			encoding.writeVarUint(message, 100);
			encoding.writeVarUint8Array(message, stateVector);
			for (const socket of sockets) socket.send(encoding.toUint8Array(message));
		};
		const { port } = server.address() as { port: number };
		const session = openDocSession('c/stand-in/board/g01', {
			relayUrl: `ws://127.0.0.1:${port}/sync`,
			indexedDB: new IDBFactory(),
			WebSocketPolyfill: WS,
			disableBc: true,
			networkEvents: null
		});
		try {
			await session.whenLoaded;
			await waitFor(() => session.getState().connection === 'online', 'online');
			session.doc.getMap('cases').set('c1', 'x');
			await waitFor(() => session.getState().refused !== null, 'the refusal');
			expect(session.getState()).toMatchObject({
				unconfirmed: 1,
				refused: { count: 1, firstReason: 'not_permitted' }
			});
			// The relay has everything after all: nothing unconfirmed, no refusal standing.
			confirm(Y.encodeStateVector(session.doc));
			await waitFor(() => session.getState().unconfirmed === 0, 'confirmed');
			expect(session.getState().refused).toBeNull();
			// A later refusal starts a fresh record (not the old count).
			updates = 0;
			session.doc.getMap('cases').set('c2', 'y');
			await waitFor(
				() => session.getState().refused?.lastPath === 'cases/c2/fields/status~1/[]',
				'a new refusal'
			);
			expect(session.getState().refused).toMatchObject({
				count: 1,
				firstPath: 'cases/c2/fields/status~1/[]'
			});
		} finally {
			session.destroy();
			for (const socket of sockets) socket.terminate();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	});
});
