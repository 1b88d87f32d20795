import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { relayModes, type RelayMode } from './relay-under-test.ts';
import {
	connectSynced,
	removeDir,
	startTestRelay,
	trackPersisted,
	waitFor,
	type TestClient,
	type TestRelay
} from './test-helpers.ts';

const DOC = 'c/demo/board/g01';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
	cleanups = [];
});

async function relayOnTempDir(dataDir?: string): Promise<TestRelay> {
	const started = await startTestRelay({ dataDir });
	cleanups.push(() => started.relay.close());
	if (!dataDir) cleanups.unshift(() => removeDir(started.dataDir));
	return started;
}

/** The kind of relay the sync tests of the current `describe` run on. */
let mode: RelayMode;

async function relayUnderTest(): Promise<TestRelay> {
	const started = await mode.start();
	cleanups.push(() => started.close());
	return started.relay;
}

async function client(wsUrl: string, doc = DOC): Promise<TestClient> {
	const c = await connectSynced(wsUrl, doc);
	cleanups.push(() => c.destroy());
	return c;
}

for (const relayMode of relayModes()) {
	describe(`relay sync on ${relayMode.name}`, () => {
		beforeAll(() => {
			mode = relayMode;
		});

		it('two clients on one doc converge, both ways', async () => {
			const { wsUrl } = await relayUnderTest();
			const a = await client(wsUrl);
			const b = await client(wsUrl);
			a.doc.getMap('cases').set('c1', 'open');
			a.doc.getText('notes').insert(0, 'hello');
			await waitFor(() => b.doc.getText('notes').toString() === 'hello');
			b.doc.getMap('cases').set('c2', 'closed');
			b.doc.getText('notes').insert(5, ' world');
			await waitFor(() => a.doc.getText('notes').toString() === 'hello world');
			await waitFor(() => a.doc.getMap('cases').get('c2') === 'closed');
			expect(b.doc.getMap('cases').toJSON()).toEqual({ c1: 'open', c2: 'closed' });
			expect(Y.encodeStateVector(a.doc)).toEqual(Y.encodeStateVector(b.doc));
		});

		it('a client joining later receives everything', async () => {
			const { wsUrl } = await relayUnderTest();
			const a = await client(wsUrl);
			for (let i = 0; i < 20; i++) a.doc.getArray('log').push([i]);
			a.doc.getText('t').insert(0, 'early');
			const b = await client(wsUrl);
			await waitFor(() => b.doc.getArray('log').length === 20);
			expect(b.doc.getText('t').toString()).toBe('early');
		});

		it('documents are separate', async () => {
			const { wsUrl } = await relayUnderTest();
			const a = await client(wsUrl, 'c/demo/board/g01');
			const b = await client(wsUrl, 'c/demo/board/g02');
			a.doc.getMap('m').set('k', 1);
			const a2 = await client(wsUrl, 'c/demo/board/g01');
			await waitFor(() => a2.doc.getMap('m').get('k') === 1);
			expect(b.doc.getMap('m').size).toBe(0);
		});
	});
}

describe('relay sync, embedded storage', () => {
	it('content survives a relay restart on the same DATA_DIR', async () => {
		const first = await startTestRelay();
		cleanups.push(() => removeDir(first.dataDir));
		const c = await connectSynced(first.wsUrl, DOC);
		const persisted = trackPersisted(c.provider);
		c.doc.getText('notes').insert(0, 'kept across restart');
		c.doc.getMap('cases').set('c1', { status: 'open' });
		await waitFor(() => persisted.covers(c.doc), 5000, 'persisted confirmation');
		c.destroy();
		await first.relay.close();
		const second = await relayOnTempDir(first.dataDir);
		const b = await client(second.wsUrl);
		await waitFor(() => b.doc.getText('notes').toString() === 'kept across restart');
		expect(b.doc.getMap('cases').get('c1')).toEqual({ status: 'open' });
	});
});
