/**
 * Integration: a session's awareness (presence and cursors) reaches the other devices on the
 * same document through the real relay, and a colleague who loses signal stops showing within
 * the presence bound (wire/presence.ts; shortened here to 1.5 s on the relay and the devices).
 */
import { afterAll, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { startRelay } from '../../../sync-server/server.ts';
import { openDocSession, type DocSession } from './doc-session.ts';
import type { WebSocketConstructor } from './relay-link.ts';
import { waitFor } from './wait-for.ts';

const PRESENCE_TIMEOUT = 1500;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-awareness-'));
const relay = await startRelay({
	host: '127.0.0.1',
	port: 0,
	staticDir: path.join(dataDir, 'no-build'),
	dataDir,
	presenceTimeoutMs: PRESENCE_TIMEOUT
});
const sessions: DocSession[] = [];
const sockets: WebSocket[] = [];

afterAll(async () => {
	for (const session of sessions.splice(0)) session.destroy();
	for (const socket of sockets.splice(0)) socket.terminate();
	await relay.close();
	fs.rmSync(dataDir, { recursive: true, force: true });
});

function open(docName: string): DocSession {
	const token = relay.mintToken({ communityId: 'test', role: 'secretary' });
	const session = openDocSession(docName, {
		relayUrl: relay.url.replace('http', 'ws') + '/sync',
		tokens: { current: () => token, fresh: async () => ({ ok: true, token }) },
		indexedDB: new IDBFactory(),
		WebSocketPolyfill: WebSocket as unknown as WebSocketConstructor,
		disableBc: true,
		networkEvents: null,
		presence: { timeoutMs: PRESENCE_TIMEOUT, renewMs: 300, checkMs: 100 }
	});
	sessions.push(session);
	return session;
}

it("a session's awareness is the relay link's: one device's presence reaches the other", async () => {
	const a = open('c/test/meetings/m1');
	const b = open('c/test/meetings/m1');
	expect(a.awareness.doc).toBe(a.doc);
	a.awareness.setLocalStateField('user', { name: '王秀英' });
	await waitFor(
		() =>
			[...b.awareness.getStates().values()].some(
				(state) => (state.user as { name?: string } | undefined)?.name === '王秀英'
			),
		'b sees a'
	);
});

const names = (session: DocSession): string[] =>
	[...session.awareness.getStates().values()].flatMap((state) => {
		const name = (state.user as { name?: string } | undefined)?.name;
		return name ? [name] : [];
	});

it('a colleague who loses signal stops showing within the bound, for everyone and for newcomers', async () => {
	const docName = 'c/test/meetings/m2';
	const a = open(docName);
	a.awareness.setLocalStateField('user', { name: '王秀英' });

	// 李建国's phone announces itself, then loses signal: its socket stays open (the relay has not
	// noticed; it even answers pings), but nothing more comes from it.
	const token = relay.mintToken({ communityId: 'test', role: 'secretary' });
	const lost = new WebSocket(
		`${relay.url.replace('http', 'ws')}/sync/${docName}?token=${encodeURIComponent(token)}`
	);
	sockets.push(lost);
	await new Promise((resolve, reject) => {
		lost.once('open', resolve);
		lost.once('error', reject);
	});
	const phone = new Awareness(new Y.Doc());
	phone.setLocalStateField('user', { name: '李建国' });
	const message = encoding.createEncoder();
	encoding.writeVarUint(message, 1);
	encoding.writeVarUint8Array(message, encodeAwarenessUpdate(phone, [phone.clientID]));
	phone.destroy();
	lost.send(encoding.toUint8Array(message));
	const lastSignal = Date.now();

	await waitFor(() => names(a).includes('李建国'), 'a sees 李建国');
	await waitFor(() => !names(a).includes('李建国'), 'a stops showing 李建国');
	const shownFor = Date.now() - lastSignal;
	expect(shownFor).toBeGreaterThanOrEqual(PRESENCE_TIMEOUT - 100);
	// The bound: the timeout plus one check (and the relay's round trips).
	expect(shownFor).toBeLessThan(PRESENCE_TIMEOUT + 1500);
	expect(lost.readyState).toBe(WebSocket.OPEN);

	// A newcomer is not handed the stale presence as fresh; the live colleague it does see.
	const c = open(docName);
	await waitFor(() => names(c).includes('王秀英'), 'c sees 王秀英');
	expect(names(c)).not.toContain('李建国');
	// A live colleague, renewing, is never dropped.
	expect(names(a)).toContain('王秀英');
});
