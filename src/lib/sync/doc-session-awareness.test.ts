/**
 * Integration: a session's awareness (presence and cursors) reaches the other devices on the
 * same document through the real relay.
 */
import { afterAll, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import WebSocket from 'ws';
import { startRelay } from '../../../sync-server/server.ts';
import { openDocSession, type DocSession } from './doc-session.ts';
import type { WebSocketConstructor } from './relay-link.ts';
import { waitFor } from './wait-for.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-awareness-'));
const relay = await startRelay({
	host: '127.0.0.1',
	port: 0,
	staticDir: path.join(dataDir, 'no-build'),
	dataDir
});
const sessions: DocSession[] = [];

afterAll(async () => {
	for (const session of sessions.splice(0)) session.destroy();
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
		networkEvents: null
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
