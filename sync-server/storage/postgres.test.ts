/**
 * What only the PostgreSQL store has (the contract suite, contract.test.ts, covers the rest):
 * an append that resolved survives a crash of the server; while the server is down appends
 * reject (nothing is confirmed) and the same store works again once it is back; relays opening
 * one database together migrate it once; per document, numbers are taken in commit order.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../cluster/test-servers.ts';
import { PostgresStore } from './postgres.ts';

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

let postgres: TestPostgres;
beforeAll(async () => {
	postgres = await startTestPostgres();
}, 60_000);
afterAll(async () => {
	await postgres?.close();
});

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
	for (const store of opened.splice(0)) await store.close();
});

async function open(url: string): Promise<PostgresStore> {
	const store = await PostgresStore.open(url);
	opened.push(store);
	return store;
}

it('an append that resolved survives a crash of PostgreSQL; appends reject while it is down', async () => {
	const store = await open(await postgres.createDatabase());
	const seq = await store.appendBatch([{ doc: 'a', update: bytes(1), author: 'm-alice' }]);
	await postgres.stop({ crash: true });
	try {
		await expect(store.appendBatch([{ doc: 'a', update: bytes(2) }])).rejects.toThrow();
	} finally {
		await postgres.start();
	}
	// The same store (its pool) works again, and the crash lost nothing that was confirmed.
	expect(await store.load('a')).toEqual({ snapshot: null, updates: [bytes(1)], lastSeq: seq });
	expect(await store.appendBatch([{ doc: 'a', update: bytes(3) }])).toBeGreaterThan(seq);
	expect((await store.attribution('a')).map((r) => r.author)).toEqual([null, 'm-alice']);
}, 60_000);

it('relays opening one database together create its schema once', async () => {
	const url = await postgres.createDatabase();
	const stores = await Promise.all([open(url), open(url), open(url)]);
	await stores[0]!.appendBatch([{ doc: 'a', update: bytes(1) }]);
	expect((await stores[2]!.load('a')).updates).toEqual([bytes(1)]);
	const client = new pg.Client(url);
	await client.connect();
	try {
		const { rows } = await client.query(
			'SELECT component, version FROM schema_migrations ORDER BY component, version'
		);
		expect(rows).toEqual([
			{ component: 'docs', version: 1 },
			{ component: 'docs', version: 2 }
		]);
	} finally {
		await client.end();
	}
});

it('an append waits for its documents, then takes numbers after every earlier commit of them', async () => {
	const url = await postgres.createDatabase();
	const store = await open(url);
	const other = await open(url);
	await store.appendBatch([{ doc: 'a', update: bytes(1) }]);
	// Another relay's transaction holds document a (as an append or a compaction of it would).
	const side = new pg.Client(url);
	await side.connect();
	try {
		await side.query('BEGIN');
		await side.query("SELECT pg_advisory_xact_lock(hashtextextended('a', 0))");
		let done = false;
		const waiting = store.appendBatch([{ doc: 'a', update: bytes(2) }]).then((seq) => {
			done = true;
			return seq;
		});
		// Wait (on the server's own record) until the append waits for document a's lock.
		const deadline = Date.now() + 10_000;
		for (;;) {
			const { rows } = await side.query<{ n: string }>(
				"SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
			);
			if (Number(rows[0]!.n) > 0) break;
			if (Date.now() > deadline) throw new Error('the append never waited for document a');
		}
		// Other documents are not held up.
		const b = await other.appendBatch([{ doc: 'b', update: bytes(3) }]);
		expect(done).toBe(false);
		await side.query('COMMIT');
		const a = await waiting;
		expect(a).toBeGreaterThan(b);
		expect((await store.load('a')).updates).toEqual([bytes(1), bytes(2)]);
	} finally {
		await side.end();
	}
});

it('of two compactions racing, the one built from an older load keeps the newer snapshot', async () => {
	const store = await open(await postgres.createDatabase());
	const first = await store.appendBatch([{ doc: 'a', update: bytes(1) }]);
	const second = await store.appendBatch([{ doc: 'a', update: bytes(2) }]);
	// Worker B loaded both rows and commits first; worker A loaded only the first.
	await store.compact('a', bytes(9, 2), second);
	await store.compact('a', bytes(9, 1), first);
	expect(await store.load('a')).toEqual({ snapshot: bytes(9, 2), updates: [], lastSeq: second });
});

it('a fold of stream entries skips those at or before the position already folded', async () => {
	const store = await open(await postgres.createDatabase());
	const row = (id: string, value: number) => ({ id, update: bytes(value), author: 'm-a', at: 1 });
	expect(await store.appendFromStream('a', [row('5-0', 1), row('5-1', 2)])).toBe(2);
	// A retry after a crash before the trim, with one more entry: only that one is appended.
	expect(await store.appendFromStream('a', [row('5-0', 1), row('5-1', 2), row('12-0', 3)])).toBe(1);
	const loaded = await store.loadFolded('a');
	expect(loaded.updates).toEqual([bytes(1), bytes(2), bytes(3)]);
	expect(loaded.streamId).toBe('12-0');
	expect((await store.attribution('a')).map((record) => record.updates)).toEqual([3]);
});
