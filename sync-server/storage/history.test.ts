/**
 * History in the store (history.ts): the updates received before a time, whatever compactions
 * folded in between, rebuild the document exactly as it was then; on every store (the embedded
 * ones behind asAsync, and PostgreSQL on a private server with a fresh database per test).
 */
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startTestPostgres, type TestPostgres } from '../cluster/test-servers.ts';
import { makeTempDir, prng, removeDir } from '../test-helpers.ts';
import { asAsync, type AsyncDocStore } from './async-types.ts';
import { HOUR_MS } from './history.ts';
import { MemoryStore } from './memory.ts';
import { PostgresStore } from './postgres.ts';
import { DB_FILE_NAME, SqliteStore } from './sqlite.ts';
import type { DocStore } from './types.ts';

type Clock = { now: number };
type Factory = { name: string; open(dir: string, clock: Clock): Promise<AsyncDocStore> };

let postgres: TestPostgres | undefined;
beforeAll(async () => {
	postgres = await startTestPostgres();
}, 60_000);
afterAll(async () => {
	await postgres?.close();
});

const FACTORIES: Factory[] = [
	{
		name: 'MemoryStore',
		open: async (_dir, clock) => asAsync(new MemoryStore({ now: () => clock.now }))
	},
	{
		name: 'SqliteStore',
		open: async (dir, clock) => asAsync(new SqliteStore(dir, { now: () => clock.now }))
	},
	{
		name: 'PostgresStore',
		open: async (_dir, clock) =>
			PostgresStore.open(await postgres!.createDatabase(), { now: () => clock.now })
	}
];

const DAY0 = Date.UTC(2026, 2, 1);

function rebuild(updates: Uint8Array[]): Y.Doc {
	const doc = new Y.Doc();
	for (const update of updates) Y.applyUpdate(doc, update);
	return doc;
}

const stateOf = (doc: Y.Doc) => ({
	json: { m: doc.getMap('m').toJSON(), t: doc.getArray('t').toJSON() },
	vector: [...Y.decodeStateVector(Y.encodeStateVector(doc)).entries()].sort()
});

let dir = '';
const stores: DocStore[] = [];
const asyncStores: AsyncDocStore[] = [];
afterEach(async () => {
	for (const store of stores.splice(0)) store.close();
	for (const store of asyncStores.splice(0)) await store.close();
	removeDir(dir);
});

describe.each(FACTORIES)('history: $name', (factory) => {
	it('the document as of every hour equals the document then, across compactions', async () => {
		for (const seed of [1, 2, 3]) {
			dir = makeTempDir('gridboard-history-');
			const random = prng(seed);
			const clock: Clock = { now: DAY0 + 5 * 60_000 };
			const store = await factory.open(dir, clock);
			asyncStores.push(store);
			const writer = new Y.Doc();
			const pending: Uint8Array[] = [];
			writer.on('update', (u: Uint8Array) => pending.push(u));
			const expected = new Map<number, ReturnType<typeof stateOf>>();
			let lastSeq = 0;
			for (let step = 0; step < 400; step++) {
				const hourStart = Math.floor(clock.now / HOUR_MS) * HOUR_MS;
				if (!expected.has(hourStart)) expected.set(hourStart, stateOf(writer));
				const r = random();
				if (r < 0.5) writer.getMap('m').set(`k${Math.floor(random() * 20)}`, step);
				else if (r < 0.8) writer.getArray('t').push([`e${step}`]);
				else if (writer.getArray('t').length > 0) writer.getArray('t').delete(0, 1);
				if (pending.length > 0) {
					lastSeq = await store.appendBatch(
						pending.splice(0).map((update) => ({ doc: 'd', update }))
					);
				}
				if (random() < 0.05) await store.compact('d', Y.encodeStateAsUpdate(writer), lastSeq);
				clock.now += Math.floor(random() * 20 * 60_000);
			}
			// Every hour's start: before and after a final compaction.
			for (const round of ['log', 'compacted']) {
				if (round === 'compacted') {
					await store.compact('d', Y.encodeStateAsUpdate(writer), lastSeq);
				}
				for (const [hour, state] of expected) {
					expect(
						stateOf(rebuild(await store.historyBefore('d', hour))),
						`${round} ${hour}`
					).toEqual(state);
				}
				expect(stateOf(rebuild(await store.historyBefore('d', clock.now + HOUR_MS)))).toEqual(
					stateOf(writer)
				);
			}
			const hours = await store.historyHours('d');
			expect(hours.length).toBeGreaterThan(1);
			expect(hours).toEqual([...hours].sort((a, b) => a - b));
			expect(hours.every((h) => h % HOUR_MS === 0)).toBe(true);
			await store.close();
			asyncStores.length = 0;
			removeDir(dir);
		}
	}, 120_000);

	it('one hour folded twice stays one merged row; other documents are untouched', async () => {
		dir = makeTempDir('gridboard-history-');
		const clock: Clock = { now: DAY0 };
		const store = await factory.open(dir, clock);
		asyncStores.push(store);
		const writer = new Y.Doc();
		const pending: Uint8Array[] = [];
		writer.on('update', (u: Uint8Array) => pending.push(u));
		const append = () =>
			store.appendBatch(pending.splice(0).map((update) => ({ doc: 'd', update })));
		writer.getMap('m').set('a', 1);
		let seq = await append();
		await store.compact('d', Y.encodeStateAsUpdate(writer), seq);
		writer.getMap('m').set('b', 2);
		seq = await append();
		await store.compact('d', Y.encodeStateAsUpdate(writer), seq);
		expect(await store.historyBefore('d', DAY0 + HOUR_MS)).toHaveLength(1);
		expect(await store.historyBefore('d', DAY0)).toEqual([]);
		expect(await store.historyBefore('other', DAY0 + HOUR_MS)).toEqual([]);
		expect(await store.historyHours('d')).toEqual([DAY0]);
	});

	it('keeps bytes that are not Yjs updates as they are', async () => {
		dir = makeTempDir('gridboard-history-');
		const clock: Clock = { now: DAY0 };
		const store = await factory.open(dir, clock);
		asyncStores.push(store);
		const seq = await store.appendBatch([
			{ doc: 'd', update: new Uint8Array([1, 2, 3]) },
			{ doc: 'd', update: new Uint8Array([4, 5]) }
		]);
		await store.compact('d', new Uint8Array([9]), seq);
		expect(await store.historyBefore('d', DAY0 + HOUR_MS)).toEqual([
			new Uint8Array([1, 2, 3]),
			new Uint8Array([4, 5])
		]);
	});
});

describe('history: SqliteStore only', () => {
	it('a database from before history keeps what it held as the baseline, at its first open', () => {
		dir = makeTempDir('gridboard-history-');
		const doc = new Y.Doc();
		doc.getMap('m').set('old', 1);
		const snapshot = Y.encodeStateAsUpdate(doc);
		const updates: Uint8Array[] = [];
		doc.on('update', (u: Uint8Array) => updates.push(u));
		doc.getMap('m').set('log', 2);
		const old = new DatabaseSync(path.join(dir, DB_FILE_NAME));
		old.exec(`CREATE TABLE snapshots (doc TEXT PRIMARY KEY, upto_seq INTEGER NOT NULL, data BLOB NOT NULL) STRICT;
			CREATE TABLE updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL, data BLOB NOT NULL, author TEXT) STRICT;`);
		old.prepare('INSERT INTO snapshots VALUES (?, 1, ?)').run('d', snapshot);
		old.prepare('INSERT INTO updates (seq, doc, data) VALUES (2, ?, ?)').run('d', updates[0]!);
		old.close();
		const upgradedAt = DAY0 + 30 * 60_000;
		const clock: Clock = { now: upgradedAt };
		const store = new SqliteStore(dir, { now: () => clock.now });
		stores.push(store);
		expect(store.historyBefore('d', DAY0)).toEqual([]);
		expect(
			rebuild(store.historyBefore('d', DAY0 + HOUR_MS))
				.getMap('m')
				.toJSON()
		).toEqual({
			old: 1,
			log: 2
		});
		expect(store.historyHours('d')).toEqual([DAY0]);
		store.close();
		stores.length = 0;
		// Opening again adds no second baseline.
		const again = new SqliteStore(dir, { now: () => DAY0 + 5 * HOUR_MS });
		stores.push(again);
		expect(again.historyHours('d')).toEqual([DAY0]);
	});

	it('a compaction failing inside its transaction leaves no history row behind', () => {
		dir = makeTempDir('gridboard-history-');
		const store = new SqliteStore(dir, { now: () => DAY0 });
		stores.push(store);
		const doc = new Y.Doc();
		let seq = 0;
		doc.on('update', (u: Uint8Array) => (seq = store.appendBatch([{ doc: 'd', update: u }])));
		doc.getMap('m').set('a', 1);
		const side = new DatabaseSync(path.join(dir, DB_FILE_NAME));
		side.exec(`CREATE TRIGGER no_snapshots BEFORE INSERT ON snapshots
			BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`);
		expect(() => store.compact('d', Y.encodeStateAsUpdate(doc), seq)).toThrow(/disk trouble/);
		expect(side.prepare('SELECT count(*) AS n FROM history').get()).toEqual({ n: 0 });
		expect(
			rebuild(store.historyBefore('d', DAY0 + HOUR_MS))
				.getMap('m')
				.toJSON()
		).toEqual({
			a: 1
		});
		side.exec('DROP TRIGGER no_snapshots');
		side.close();
	});
});
