/**
 * Integration: doc sessions against the real relay (sync-server/server.ts) on port 0, with
 * fake-indexeddb standing in for each device's IndexedDB and `ws` for the browser's WebSocket.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import WebSocket from 'ws';
import { startRelay, type Relay, type RelayOptions } from '../../../sync-server/server.ts';
import { MemoryStore } from '../../../sync-server/storage/memory.ts';
import type { UpdateEntry } from '../../../sync-server/storage/types.ts';
import { openDocSession, type DocSession, type DocSyncState } from './doc-session.ts';
import type { WebSocketConstructor } from './relay-link.ts';
import { waitFor } from './wait-for.ts';

const WS = WebSocket as unknown as WebSocketConstructor;

const dirs: string[] = [];
/** Relays by sync URL, so a session gets its tokens from the relay it talks to. */
const relayBySyncUrl = new Map<string, Relay>();
const relays: Relay[] = [];
const sessions: DocSession[] = [];

async function startTestRelay(options: RelayOptions = {}) {
	const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-sync-'));
	dirs.push(dataDir);
	const relay = await startRelay({
		host: '127.0.0.1',
		port: 0,
		staticDir: path.join(dataDir, 'no-build'),
		...options,
		dataDir
	});
	relays.push(relay);
	const syncUrl = relay.url.replace('http', 'ws') + '/sync';
	relayBySyncUrl.set(syncUrl, relay);
	return { relay, dataDir, syncUrl };
}

function open(
	docName: string,
	relayUrl: string,
	indexedDB: IDBFactory,
	extra: { connect?: boolean; networkEvents?: EventTarget } = {}
): DocSession {
	const relay = relayBySyncUrl.get(relayUrl);
	const communityId = docName.split('/')[1] ?? '';
	const mint = () => relay?.mintToken({ communityId, role: 'secretary' }) ?? null;
	let token = mint();
	const session = openDocSession(docName, {
		relayUrl,
		tokens: {
			current: () => token,
			async fresh() {
				token = mint();
				return token ? { ok: true, token } : { ok: false, reason: 'offline' };
			}
		},
		indexedDB,
		WebSocketPolyfill: WS,
		disableBc: true,
		maxBackoffTime: 100,
		networkEvents: extra.networkEvents ?? null,
		connect: extra.connect
	});
	sessions.push(session);
	return session;
}

function record(session: DocSession): DocSyncState[] {
	const seen: DocSyncState[] = [session.getState()];
	session.subscribe((state) => seen.push(state));
	return seen;
}

let docCounter = 0;
const nextDocName = () => `c/test/board/g${String(++docCounter).padStart(2, '0')}`;

afterEach(() => {
	for (const session of sessions.splice(0)) session.destroy();
});

afterAll(async () => {
	for (const relay of relays.splice(0)) await relay.close();
	for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('doc-session against the real relay', () => {
	let syncUrl = '';
	beforeAll(async () => {
		syncUrl = (await startTestRelay()).syncUrl;
	});

	it('two devices converge, and each edit is unconfirmed until the relay confirms it', async () => {
		const docName = nextDocName();
		const a = open(docName, syncUrl, new IDBFactory());
		const b = open(docName, syncUrl, new IDBFactory());
		await Promise.all([a.whenLoaded, b.whenLoaded]);
		await waitFor(
			() => a.getState().connection === 'online' && b.getState().connection === 'online',
			'both online'
		);
		await waitFor(() => a.getState().lastConfirmedAt !== null, 'first confirmation');
		const seen = record(a);

		a.doc.getMap('case').set('title', 'Broken stair light');
		expect(a.getState().unconfirmed).toBe(1);
		b.doc.getMap('case').set('owner', 'Li Wei');

		await waitFor(() => b.doc.getMap('case').get('title') === 'Broken stair light', 'b has a');
		await waitFor(() => a.doc.getMap('case').get('owner') === 'Li Wei', 'a has b');
		await waitFor(() => a.getState().unconfirmed === 0, 'a confirmed');
		await waitFor(() => b.getState().unconfirmed === 0, 'b confirmed');
		expect(a.doc.getMap('case').toJSON()).toEqual(b.doc.getMap('case').toJSON());

		// The count fell in the state change that carried a new relay confirmation.
		const drop = seen.findIndex((state) => state.unconfirmed === 0 && state !== seen[0]);
		const before = seen[drop - 1];
		expect(before?.unconfirmed).toBe(1);
		expect(seen[drop]?.lastConfirmedAt).not.toBe(null);
		expect(a.getState()).toMatchObject({ local: 'saved', localError: null, loaded: true });
	});

	it('opening a stored document emits no update event, so Yjs does not encode it again', async () => {
		const docName = nextDocName();
		const idb = new IDBFactory();
		const first = open(docName, syncUrl, idb);
		await first.whenLoaded;
		first.doc.getText('note').insert(0, '三号楼楼道灯不亮'.repeat(100));
		await waitFor(() => first.getState().unconfirmed === 0, 'first confirmed');
		first.destroy();

		const second = open(docName, syncUrl, idb);
		const events: string[] = [];
		const emit = second.doc.emit.bind(second.doc);
		second.doc.emit = (name, args) => {
			events.push(name);
			emit(name, args);
		};
		await second.whenLoaded;
		expect(second.doc.getText('note').length).toBe(800);
		expect(events).toContain('afterTransaction');
		expect(events).not.toContain('update');
		// Listening starts with the first change after loading: it is saved and sent as always.
		await waitFor(() => second.getState().connection === 'online', 'online');
		second.doc.getMap('case').set('title', '楼道灯');
		expect(events).toContain('update');
		await waitFor(() => second.getState().unconfirmed === 0, 'second confirmed');
		expect(second.getState().local).toBe('saved');
	});

	it('an edit made while disconnected is counted, survives a reload offline, then reaches the other device and is confirmed', async () => {
		const docName = nextDocName();
		const deviceA = new IDBFactory();
		const a = open(docName, syncUrl, deviceA);
		const b = open(docName, syncUrl, new IDBFactory());
		await waitFor(() => a.getState().lastConfirmedAt !== null, 'a confirmed once');

		a.disconnect();
		expect(a.getState().connection).toBe('offline');
		a.doc.getMap('case').set('note', 'typed in the basement');
		a.doc.getText('log').insert(0, 'visit 1');
		await waitFor(() => a.getState().local === 'saved', 'saved on device');
		expect(a.getState().unconfirmed).toBe(2);

		a.destroy();
		const reloaded = open(docName, syncUrl, deviceA, { connect: false });
		await reloaded.whenLoaded;
		expect(reloaded.doc.getMap('case').get('note')).toBe('typed in the basement');
		expect(reloaded.getState()).toMatchObject({ connection: 'offline', unconfirmed: 2 });
		expect(b.doc.getMap('case').get('note')).toBeUndefined();

		reloaded.connect();
		await waitFor(() => b.doc.getMap('case').get('note') === 'typed in the basement', 'b has it');
		await waitFor(() => reloaded.getState().unconfirmed === 0, 'confirmed after reconnect');
		expect(b.doc.getText('log').toString()).toBe('visit 1');
	});

	it('a confirmed edit is on the relay disk: a restarted relay serves it to a new device', async () => {
		const { relay, dataDir, syncUrl: url } = await startTestRelay();
		const docName = nextDocName();
		const a = open(docName, url, new IDBFactory());
		await a.whenLoaded;
		a.doc.getMap('case').set('household', 'Block 4, flat 2');
		await waitFor(() => a.getState().unconfirmed === 0 && a.getState().lastConfirmedAt !== null);
		a.destroy();
		await relay.close();

		const again = await startTestRelay({ dataDir });
		const fresh = open(docName, again.syncUrl, new IDBFactory());
		await waitFor(
			() => fresh.doc.getMap('case').get('household') === 'Block 4, flat 2',
			'restarted relay serves the edit'
		);
	});
});

class FlakyStore extends MemoryStore {
	failing = false;
	override appendBatch(entries: readonly UpdateEntry[]): number {
		if (this.failing) throw new Error('disk full (test)');
		return super.appendBatch(entries);
	}
}

describe('doc-session when the relay cannot commit', () => {
	it('keeps the change unconfirmed while commits fail, and confirms it once they succeed', async () => {
		const store = new FlakyStore();
		const { syncUrl } = await startTestRelay({ store });
		const docName = nextDocName();
		const a = open(docName, syncUrl, new IDBFactory());
		const b = open(docName, syncUrl, new IDBFactory());
		await waitFor(() => a.getState().lastConfirmedAt !== null, 'first confirmation');

		store.failing = true;
		a.doc.getMap('case').set('status', 'escalated');
		// The relay relays the change to b but must not confirm it to a.
		await waitFor(() => a.getState().connection !== 'online', 'relay dropped a after failing');
		expect(a.getState().unconfirmed).toBe(1);
		await waitFor(() => a.getState().connection === 'online', 'a reconnected');
		expect(a.getState().unconfirmed).toBe(1);

		store.failing = false;
		await waitFor(() => a.getState().unconfirmed === 0, 'confirmed after the store recovered');
		await waitFor(() => b.doc.getMap('case').get('status') === 'escalated', 'b has it');
	});
});

describe('relay link connection state', () => {
	it('goes offline at once on the browser offline event, and back online on online', async () => {
		const { syncUrl } = await startTestRelay();
		const network = new EventTarget();
		const a = open(nextDocName(), syncUrl, new IDBFactory(), { networkEvents: network });
		await waitFor(() => a.getState().connection === 'online', 'online');
		expect(a.getState().disconnectedSince).toBeNull();

		network.dispatchEvent(new Event('offline'));
		expect(a.getState().connection).toBe('offline');
		expect(a.getState().disconnectedSince).not.toBeNull();

		network.dispatchEvent(new Event('online'));
		await waitFor(() => a.getState().connection === 'online', 'online again');
		expect(a.getState().disconnectedSince).toBeNull();
	});

	it('shows offline (not connecting) while the relay is unreachable', async () => {
		const { relay, syncUrl } = await startTestRelay();
		await relay.close();
		const a = open(nextDocName(), syncUrl, new IDBFactory());
		await a.whenLoaded;
		await waitFor(() => a.getState().connection === 'offline', 'offline');
		a.doc.getMap('case').set('x', 1);
		await waitFor(() => a.getState().local === 'saved', 'saved on device');
		expect(a.getState()).toMatchObject({ connection: 'offline', unconfirmed: 1 });
		expect(a.getState().disconnectedSince).toEqual(expect.any(Number));
	});
});
