/**
 * A document as it was, through the real relay (port 0) with real clients: history survives
 * compaction, the state as of an earlier hour equals the document then, `kill -9` in the middle
 * of compactions leaves history and document consistent, and only a secretary who may read the
 * document gets it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { documentBefore } from './history.ts';
import type { MintTokenInput } from './server.ts';
import { asAsync } from './storage/async-types.ts';
import { HOUR_MS } from './storage/history.ts';
import { SqliteStore } from './storage/sqlite.ts';
import {
	connectSynced,
	killHard,
	makeTempDir,
	mintTokenFor,
	rawHttpStatus,
	removeDir,
	spawnRelay,
	startTestRelay,
	trackPersisted,
	waitFor,
	type ChildRelay,
	type TestRelay
} from './test-helpers.ts';

const DOC = 'c/demo/board/g1';
const PATH = '/api/communities/demo/history/board/g1';
const DAY0 = Date.UTC(2026, 2, 1, 1);

/** A refused request: path, bearer token (null: none), status, error code. */
type Refused = [path: string, token: string | null, status: number, error: string];

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const stateOf = (doc: Y.Doc) => ({
	json: doc.getMap('cases').toJSON(),
	vector: [...Y.decodeStateVector(Y.encodeStateVector(doc)).entries()].sort()
});

async function relayWithClock(clock: { now: number }): Promise<TestRelay & { store: SqliteStore }> {
	const dataDir = makeTempDir();
	const store = new SqliteStore(dataDir, { now: () => clock.now });
	const started = await startTestRelay({
		dataDir,
		store,
		compactAfterUpdates: 4,
		compactQuietMs: 0
	});
	cleanups.push(() => removeDir(dataDir));
	cleanups.push(() => started.relay.close());
	return { ...started, store };
}

async function getHistory(relay: TestRelay, path: string, token: string | null = relay.token) {
	const response = await fetch(relay.relay.url + path, {
		headers: token === null ? {} : { Authorization: `Bearer ${token}` }
	});
	return response;
}

async function asOf(relay: TestRelay, at: number | string): Promise<Y.Doc> {
	const response = await getHistory(relay, `${PATH}?at=${at}`);
	expect(response.status).toBe(200);
	const doc = new Y.Doc();
	Y.applyUpdate(doc, new Uint8Array(await response.arrayBuffer()));
	return doc;
}

describe('history over HTTP', () => {
	it('write, compact, write more: the document as of each earlier hour is the document then', async () => {
		const clock = { now: DAY0 + 10 * 60_000 };
		const relay = await relayWithClock(clock);
		const client = await connectSynced(relay.wsUrl, DOC);
		cleanups.push(() => client.destroy());
		const persisted = trackPersisted(client.provider);
		const cases = client.doc.getMap<Y.Map<unknown>>('cases');
		const states: ReturnType<typeof stateOf>[] = [];
		for (let hour = 0; hour < 3; hour++) {
			for (let n = 0; n < 6; n++) {
				client.doc.transact(() => {
					const c = new Y.Map<unknown>();
					cases.set(`case-${hour}-${n}`, c);
					c.set('title', `第${hour}小时 ${n}`);
				});
				if (hour === 2 && n === 0) cases.delete('case-0-0');
				await waitFor(() => persisted.covers(client.doc), 5000, 'confirmation');
			}
			// Compactions folded this hour's rows (the log holds fewer than it received).
			await waitFor(() => relay.store.logLength(DOC) < 4, 5000, 'compaction');
			states.push(stateOf(client.doc));
			clock.now += HOUR_MS;
		}
		for (let hour = 0; hour < 3; hour++) {
			const until = DAY0 + (hour + 1) * HOUR_MS;
			expect(stateOf(await asOf(relay, until))).toEqual(states[hour]);
			// The same time as ISO 8601, and any time inside the next hour, round down to it.
			expect(stateOf(await asOf(relay, new Date(until).toISOString()))).toEqual(states[hour]);
			expect(stateOf(await asOf(relay, until + 59 * 60_000))).toEqual(states[hour]);
		}
		expect((await asOf(relay, DAY0)).getMap('cases').size).toBe(0);
		const response = await getHistory(relay, `${PATH}?at=${DAY0 + 2 * HOUR_MS}`);
		expect(response.headers.get('x-history-until')).toBe(String(DAY0 + 2 * HOUR_MS));
		expect(response.headers.get('x-history-since')).toBe(String(DAY0));
		const hours = await (await getHistory(relay, `${PATH}?hours`)).json();
		expect(hours).toEqual({ hours: [DAY0, DAY0 + HOUR_MS, DAY0 + 2 * HOUR_MS] });
	});

	it('refuses callers who may not read the document, and bad input, without a crash', async () => {
		const clock = { now: DAY0 };
		const relay = await relayWithClock(clock);
		const client = await connectSynced(relay.wsUrl, DOC);
		cleanups.push(() => client.destroy());
		client.doc.getMap('cases').set('x', 1);
		const households = await connectSynced(relay.wsUrl, 'c/demo/households/g1');
		cleanups.push(() => households.destroy());
		households.doc.getMap('households').set('h', 1);
		await waitFor(
			() => relay.store.hasDoc(DOC) && relay.store.hasDoc('c/demo/households/g1'),
			5000,
			'stored'
		);
		const mint = relay.relay.mintToken;
		// Only a secretary of the community reads history: every other caller is refused, for the
		// board and the household register alike, both the content (`?at`) and the days it
		// changed in (`?hours`), a member of the document's own grid included.
		const HOUSEHOLDS = '/api/communities/demo/history/households/g1';
		const others: MintTokenInput[] = [
			{ communityId: 'demo', role: 'volunteer', ttlSeconds: 60 },
			{ communityId: 'demo', role: 'observer', ttlSeconds: 60 },
			{ communityId: 'demo', role: 'grid-member', grids: ['g1'], ttlSeconds: 60 },
			{ communityId: 'demo', role: 'grid-member', grids: ['g2'], ttlSeconds: 60 },
			{ communityId: 'other', role: 'secretary', ttlSeconds: 60 }
		];
		const forbidden = [PATH, HOUSEHOLDS].flatMap((doc) =>
			['?at=1', '?hours'].flatMap((query) =>
				others.map((claims): Refused => [doc + query, mint(claims), 403, 'forbidden'])
			)
		);
		const badAt = [
			'?at=yesterday',
			'?at=-5',
			'?at=99999999999999999999',
			'?at=2026-13-45',
			'',
			'?at=1&hours',
			`?at=${'1'.repeat(5000)}`
		].map((query): Refused => [PATH + query, relay.token, 400, 'bad_at']);
		const notFound = [
			'/api/communities/demo/history/board/nothing-here?at=1',
			'/api/communities/demo/history/board?at=1',
			'/api/communities/demo/history/board/g1/x?at=1',
			'/api/communities/demo/history/board/%2e%2e?at=1',
			'/api/communities/demo/history/../directory?at=1',
			'/api/communities/Demo/history/board/g1?at=1',
			'/api/communities/demo/history'
		].map((path): Refused => [path, relay.token, 404, 'not_found']);
		const refusals: Refused[] = [
			[`${PATH}?at=1`, null, 401, 'token_missing'],
			// A secretary of this community asking for another community's register.
			['/api/communities/other/history/households/g1?hours', relay.token, 403, 'forbidden'],
			...forbidden,
			...badAt,
			...notFound
		];
		for (const [path, token, status, error] of refusals) {
			const response = await getHistory(relay, path, token);
			expect([path, response.status, await response.json()]).toEqual([path, status, { error }]);
		}
		const post = await fetch(`${relay.relay.url}${PATH}?at=1`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${relay.token}` },
			body: 'x'
		});
		expect(post.status).toBe(405);
		// The secretary reads the households (her cell is write) and the relay still serves.
		const secretaryReads = await getHistory(
			relay,
			`/api/communities/demo/history/households/g1?at=${DAY0 + HOUR_MS}`
		);
		expect(secretaryReads.status).toBe(200);
		expect(await rawHttpStatus(Number(new URL(relay.relay.url).port), '/health', false)).toBe(200);
	});
});

describe('history and kill -9', () => {
	let child: ChildRelay | null = null;
	let dataDir = '';
	afterEach(async () => {
		if (child) await killHard(child.child);
		child = null;
		removeDir(dataDir);
	});

	it('killed among compactions, history still rebuilds the stored document', async () => {
		dataDir = makeTempDir();
		const env = {
			DATA_DIR: dataDir,
			STATIC_DIR: `${dataDir}/no-build`,
			COMPACT_AFTER_UPDATES: '2',
			COMPACT_QUIET_MS: '0',
			COMMIT_INTERVAL_MS: '0'
		};
		mintTokenFor(dataDir, { communityId: 'demo', role: 'secretary' });
		for (let round = 0; round < 4; round++) {
			child = await spawnRelay(env);
			const client = await connectSynced(child.wsUrl, DOC);
			const persisted = trackPersisted(client.provider);
			const cases = client.doc.getMap('cases');
			for (let n = 0; n < 10; n++) {
				cases.set(`r${round}-${n}`, 'x'.repeat(n));
				await waitFor(() => persisted.covers(client.doc), 5000, 'a confirmation');
			}
			// Then edits every few milliseconds, each its own row and compaction, killed among them.
			for (let n = 10; n < 10 + 5 * (round + 1); n++) {
				cases.set(`r${round}-${n}`, 'y'.repeat(n));
				await new Promise((resolve) => setTimeout(resolve, 3));
			}
			await killHard(child.child);
			child = null;
			client.destroy();
			const store = new SqliteStore(dataDir);
			try {
				const stored = store.load(DOC);
				const live = new Y.Doc();
				for (const update of [stored.snapshot, ...stored.updates]) {
					if (update) Y.applyUpdate(live, update);
				}
				const past = new Y.Doc();
				Y.applyUpdate(past, await documentBefore(asAsync(store), DOC, Date.now() + 2 * HOUR_MS));
				expect(stateOf(past)).toEqual(stateOf(live));
				expect(past.getMap('cases').size).toBeGreaterThan(round * 1);
				// Compactions ran: history, not only the log, holds the rows.
				expect(stored.snapshot).not.toBeNull();
			} finally {
				store.close();
			}
		}
	});
});
