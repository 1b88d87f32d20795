/**
 * Summaries beside documents, against the real relay (port 0) with fake-indexeddb per device:
 * the summary follows an edit in the same transaction, is stored with the document, survives a
 * reload, follows remote edits, and is read in bulk without opening the document; its "as of"
 * follows what the device last heard from the relay, never the clock of a local edit; an unchanged
 * summary (a document loaded as stored) is not written again.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import WebSocket from 'ws';
import type * as Y from 'yjs';
import { startRelay, type Relay } from '../../../sync-server/server.ts';
import { openDocSession, type DocSession } from './doc-session.ts';
import type { WebSocketConstructor } from './relay-link.ts';
import { readStoredSummaries } from './stored-summaries.ts';
import { databaseName } from './local-store.ts';
import { waitFor } from './wait-for.ts';

const WS = WebSocket as unknown as WebSocketConstructor;
let relay: Relay;
let syncUrl = '';
let dataDir = '';
const sessions: DocSession[] = [];

beforeAll(async () => {
	dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-summary-'));
	relay = await startRelay({
		host: '127.0.0.1',
		port: 0,
		staticDir: path.join(dataDir, 'no-build'),
		dataDir
	});
	syncUrl = relay.url.replace('http', 'ws') + '/sync';
});
afterEach(() => {
	for (const session of sessions.splice(0)) session.destroy();
});
afterAll(async () => {
	await relay.close();
	fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A kind-blind summary: how many entries the `cases` map holds, and how many of them are open. */
const countCases = (doc: Y.Doc) => {
	const cases = doc.getMap<string>('cases');
	return { cases: cases.size, open: [...cases.values()].filter((s) => s === 'open').length };
};

function open(
	docName: string,
	indexedDB: IDBFactory,
	extra: { connect?: boolean; summarize?: boolean } = {}
): DocSession {
	const mint = () => relay.mintToken({ communityId: 'test', role: 'secretary' });
	const session = openDocSession(docName, {
		relayUrl: syncUrl,
		tokens: {
			current: mint,
			async fresh() {
				return { ok: true, token: mint() };
			}
		},
		indexedDB,
		WebSocketPolyfill: WS,
		disableBc: true,
		maxBackoffTime: 100,
		networkEvents: null,
		connect: extra.connect,
		summarizerFor: extra.summarize === false ? undefined : () => countCases
	});
	sessions.push(session);
	return session;
}

let counter = 0;
const nextDocName = () => `c/test/board/s${++counter}`;

/** Waits for an async condition (what the device's storage holds), polling; never a fixed sleep. */
async function until(condition: () => Promise<boolean>, label: string): Promise<void> {
	const deadline = Date.now() + 10_000;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

async function stored(idb: IDBFactory, docName: string) {
	const [entry] = await readStoredSummaries([docName], idb);
	return entry ?? null;
}

describe('summaries beside documents', () => {
	it('follow an edit in the same transaction, are stored with it and survive a reload', async () => {
		const docName = nextDocName();
		const idb = new IDBFactory();
		const a = open(docName, idb, { connect: false });
		await a.whenLoaded;
		expect(a.summary()).toEqual({ cases: 0, open: 0 });
		a.doc.getMap('cases').set('c1', 'open');
		// Synchronously: the update handler recomputed it before the edit returned.
		expect(a.summary()).toEqual({ cases: 1, open: 1 });
		a.doc.transact(() => {
			a.doc.getMap('cases').set('c2', 'open');
			a.doc.getMap('cases').set('c1', 'closed');
		});
		expect(a.summary()).toEqual({ cases: 2, open: 1 });
		await waitFor(() => a.getState().local === 'saved', 'saved');
		expect((await stored(idb, docName))?.summary).toEqual({ cases: 2, open: 1 });
		a.destroy();

		// Read without opening the document; then a reload computes the same.
		expect(await stored(idb, docName)).toEqual({
			docName,
			summary: { cases: 2, open: 1 },
			asOf: null
		});
		const again = open(docName, idb, { connect: false });
		await again.whenLoaded;
		expect(again.summary()).toEqual({ cases: 2, open: 1 });
	});

	it('a document loaded unchanged, or an edit no figure shows, does not write its summary again', async () => {
		const docName = nextDocName();
		const idb = new IDBFactory();
		const a = open(docName, idb, { connect: false });
		await a.whenLoaded;
		a.doc.getMap('cases').set('c1', 'open');
		await waitFor(() => a.getState().local === 'saved', 'saved');
		a.destroy();

		// Every write of the meta key `summary` to this device's storage from here on.
		const put = vi.spyOn(IDBObjectStore.prototype, 'put');
		const summaryWrites = () => put.mock.calls.filter(([, key]) => key === 'summary').length;
		try {
			const again = open(docName, idb, { connect: false });
			await again.whenLoaded;
			expect(again.summary()).toEqual({ cases: 1, open: 1 });
			again.doc.getMap('notes').set('n1', 'not a case');
			await waitFor(() => again.getState().local === 'saved', 'saved');
			expect(summaryWrites()).toBe(0);
			// A change the summary shows is written with the edit.
			again.doc.getMap('cases').set('c1', 'closed');
			await waitFor(() => again.getState().local === 'saved', 'saved');
			expect(summaryWrites()).toBe(1);
		} finally {
			put.mockRestore();
		}
		expect((await stored(idb, docName))?.summary).toEqual({ cases: 1, open: 0 });
	});

	it('a document stored before it kept a summary gets one when it loads', async () => {
		const docName = nextDocName();
		const idb = new IDBFactory();
		const old = open(docName, idb, { connect: false, summarize: false });
		await old.whenLoaded;
		old.doc.getMap('cases').set('c1', 'open');
		await waitFor(() => old.getState().local === 'saved', 'saved');
		old.destroy();
		expect((await stored(idb, docName))?.summary).toBeNull();

		const now = open(docName, idb, { connect: false });
		await now.whenLoaded;
		await until(async () => (await stored(idb, docName))?.summary !== null, 'stored');
		expect((await stored(idb, docName))?.summary).toEqual({ cases: 1, open: 1 });
	});

	it('follow remote edits, and "as of" follows what the device last heard', async () => {
		const docName = nextDocName();
		const idbA = new IDBFactory();
		const a = open(docName, idbA);
		const b = open(docName, new IDBFactory());
		await waitFor(() => a.getState().connection === 'online', 'a online');
		await until(async () => (await stored(idbA, docName))?.asOf != null, 'a heard the relay');
		const heard = (await stored(idbA, docName))!.asOf!;

		b.doc.getMap('cases').set('from-b', 'open');
		await waitFor(() => a.doc.getMap('cases').has('from-b'), 'a has b');
		expect(a.summary()).toEqual({ cases: 1, open: 1 });
		await until(
			async () => JSON.stringify((await stored(idbA, docName))?.summary) === '{"cases":1,"open":1}',
			'remote edit in the stored summary'
		);

		// Offline, a local edit changes the summary but not when the relay was last heard.
		a.disconnect();
		await waitFor(() => a.getState().connection === 'offline', 'a offline');
		const lastHeard = (await stored(idbA, docName))!.asOf!;
		expect(lastHeard).toBeGreaterThanOrEqual(heard);
		await waitFor(() => Date.now() > lastHeard + 2, 'the clock moved on');
		const editedAt = Date.now();
		a.doc.getMap('cases').set('from-a', 'open');
		await waitFor(() => a.getState().local === 'saved', 'saved');
		const offline = (await stored(idbA, docName))!;
		expect(offline.summary).toEqual({ cases: 2, open: 2 });
		expect(offline.asOf).toBe(lastHeard);
		expect(offline.asOf).toBeLessThan(editedAt);

		// Back online: the sync step 2 (and the relay's confirmation) move it on.
		a.connect();
		await until(
			async () => ((await stored(idbA, docName))?.asOf ?? 0) >= editedAt,
			'heard again after the edit'
		);
	});

	it('a bulk read skips documents not on this device and creates no database for them', async () => {
		const idb = new IDBFactory();
		const docName = nextDocName();
		const a = open(docName, idb, { connect: false });
		await a.whenLoaded;
		a.doc.getMap('cases').set('c1', 'open');
		await waitFor(() => a.getState().local === 'saved', 'saved');
		const missing = nextDocName();
		const read = await readStoredSummaries([missing, docName], idb);
		expect(read.map((entry) => entry.docName)).toEqual([docName]);
		const names = (await idb.databases()).map((info) => info.name);
		expect(names).toContain(databaseName(docName));
		expect(names).not.toContain(databaseName(missing));
	});
});
