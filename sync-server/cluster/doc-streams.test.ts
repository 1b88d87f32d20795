/**
 * The document streams (doc-streams.ts), their tail (stream-tail.ts) and the compaction worker
 * (compactor.ts) on a real Redis (AOF, `appendfsync always`) and a real PostgreSQL: two
 * DocStreams instances stand for two relays.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { UpdateEntry } from '../storage/types.ts';
import { PostgresStore } from '../storage/postgres.ts';
import { waitFor } from '../test-helpers.ts';
import { Compactor } from './compactor.ts';
import { DocStreams, ready, type StreamEntry } from './doc-streams.ts';
import { StreamTail } from './stream-tail.ts';
import {
	startTestPostgres,
	startTestRedis,
	type TestPostgres,
	type TestRedis
} from './test-servers.ts';

let redis: TestRedis;
let postgres: TestPostgres;
beforeAll(async () => {
	[redis, postgres] = await Promise.all([startTestRedis(), startTestPostgres()]);
}, 60_000);
afterAll(async () => {
	await Promise.all([redis?.close(), postgres?.close()]);
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
	// Every cleanup runs, even after one failed; the first failure is reported.
	const failures: unknown[] = [];
	for (const cleanup of cleanups.splice(0).reverse()) {
		await Promise.resolve()
			.then(cleanup)
			.catch((error: unknown) => failures.push(error));
	}
	if (failures.length > 0) throw failures[0];
});

let prefixes = 0;
/** Two relays on one Redis (a fresh key prefix per test) and one fresh database. */
async function cluster(): Promise<{ a: DocStreams; b: DocStreams; store: PostgresStore }> {
	const store = await PostgresStore.open(await postgres.createDatabase());
	cleanups.push(() => store.close());
	const prefix = `t${++prefixes}`;
	const a = new DocStreams({ url: redis.url, prefix, relayId: 'relay-a', store });
	const b = new DocStreams({ url: redis.url, prefix, relayId: 'relay-b', store });
	cleanups.push(
		() => a.close(),
		() => b.close()
	);
	await Promise.all([ready(a.redis), ready(b.redis)]);
	return { a, b, store };
}

/** A tail that records what it delivers; a long block, so only wake-ups make `add` work. */
function tail(streams: DocStreams): { tail: StreamTail; seen: StreamEntry[]; gaps: string[] } {
	const seen: StreamEntry[] = [];
	const gaps: string[] = [];
	const errors: unknown[] = [];
	const result = new StreamTail(streams, {
		onEntry: (entry) => seen.push(entry),
		onGap: (doc) => gaps.push(doc),
		onError: (error) => errors.push(error),
		blockMs: 60_000
	});
	cleanups.push(async () => {
		await result.close();
		expect(errors).toEqual([]);
	});
	return { tail: result, seen, gaps };
}

/** Resolves once `count` connections are blocked in an XREAD on `streams`' Redis. */
async function blockedReads(streams: DocStreams, count: number): Promise<void> {
	const deadline = Date.now() + 5000;
	for (;;) {
		const list = String(await streams.redis.client('LIST'));
		const blocked = list.split('\n').filter((line) => / flags=b .*cmd=xread/.test(line));
		if (blocked.length >= count) return;
		if (Date.now() > deadline) throw new Error(`no ${count} blocked reads:\n${list}`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

/** A writer's updates: each `edit` is one Yjs update of that writer's own doc. */
function writer(name: string): { doc: Y.Doc; edit(text: string): Uint8Array } {
	const doc = new Y.Doc();
	return {
		doc,
		edit(text) {
			let captured: Uint8Array | null = null;
			const capture = (update: Uint8Array) => (captured = update);
			doc.on('update', capture);
			doc.getArray<string>('log').push([`${name}:${text}`]);
			doc.off('update', capture);
			return captured!;
		}
	};
}

/** The Y.Doc a load gives. */
function docOf(loaded: { snapshot: Uint8Array | null; updates: Uint8Array[] }): Y.Doc {
	const doc = new Y.Doc();
	if (loaded.snapshot) Y.applyUpdate(doc, loaded.snapshot);
	for (const update of loaded.updates) Y.applyUpdate(doc, update);
	return doc;
}

/** `doc`'s updates from both writers, merged as every relay's clients would see them. */
function everything(...docs: Y.Doc[]): Y.Doc {
	const all = new Y.Doc();
	for (const doc of docs) Y.applyUpdate(all, Y.encodeStateAsUpdate(doc));
	return all;
}

const vector = (doc: Y.Doc) => Y.decodeStateVector(Y.encodeStateVector(doc));
const counts = (records: { author: string | null; updates: number }[]) =>
	Object.fromEntries(records.map((record) => [record.author, record.updates]));

it("two relays append to one document and each tail delivers the other's entries with their origin", async () => {
	const { a, b } = await cluster();
	const tailA = tail(a);
	const tailB = tail(b);
	// Added while both tails' reads are blocked: the wake-up makes the add take effect.
	await blockedReads(a, 2);
	tailA.tail.add('c/1/board', '0-0');
	tailB.tail.add('c/1/board', '0-0');
	const alice = writer('alice');
	const bob = writer('bob');
	const fromA: UpdateEntry[] = [
		{ doc: 'c/1/board', update: alice.edit('one'), author: 'm-alice' },
		{ doc: 'c/1/board', update: alice.edit('two'), author: 'm-alice' }
	];
	const fromB: UpdateEntry[] = [{ doc: 'c/1/board', update: bob.edit('one'), author: null }];
	const [idsA, idsB] = await Promise.all([a.append(fromA), b.append(fromB)]);
	expect(idsA).toHaveLength(2);
	expect(idsB).toHaveLength(1);

	for (const { seen } of [tailA, tailB]) {
		await waitFor(() => seen.length === 3, 5000, 'three entries');
		// Stream order is id order, and each relay's own entries keep their order.
		const ids = seen.map((entry) => entry.id);
		expect(ids).toEqual([...idsA, ...idsB].sort((x, y) => (x < y ? -1 : 1)));
		expect(seen.filter((entry) => entry.origin === 'relay-a').map((e) => e.update)).toEqual(
			fromA.map((entry) => new Uint8Array(entry.update))
		);
		const bobs = seen.filter((entry) => entry.origin === 'relay-b');
		expect(bobs.map((entry) => [entry.update, entry.author])).toEqual([[fromB[0]!.update, null]]);
		expect(seen.find((entry) => entry.origin === 'relay-a')!.author).toBe('m-alice');
	}
	// A document removed is no longer delivered; one added from a position starts after it.
	tailA.tail.remove('c/1/board');
	tailA.tail.add('c/1/other', '0-0');
	await b.append([{ doc: 'c/1/board', update: bob.edit('two') }]);
	await b.append([{ doc: 'c/1/other', update: bob.edit('three') }]);
	await waitFor(() => tailA.seen.length === 4, 5000, 'the entry of the other document');
	expect(tailA.seen.at(-1)!.doc).toBe('c/1/other');
	await waitFor(() => tailB.seen.length === 4, 5000, "relay B's fourth entry");
	expect(tailB.seen.map((entry) => entry.doc)).toEqual(Array(4).fill('c/1/board'));
}, 30_000);

it('a document loads whole before and after compaction; the stream is trimmed', async () => {
	const { a, b, store } = await cluster();
	const alice = writer('alice');
	const bob = writer('bob');
	for (let i = 0; i < 5; i++) {
		await a.append([{ doc: 'c/1/board', update: alice.edit(`a${i}`), author: 'm-alice' }]);
		await b.append([{ doc: 'c/1/board', update: bob.edit(`b${i}`), author: 'm-bob' }]);
	}
	const expected = vector(everything(alice.doc, bob.doc));
	// Nothing compacted yet: everything comes from the stream.
	const before = await a.load('c/1/board');
	expect(vector(docOf(before))).toEqual(expected);

	// A minimum lifetime keeps young entries in the stream.
	expect(await new Compactor(a, { minLifetimeMs: 3_600_000 }).runOnce()).toEqual([
		{ doc: 'c/1/board', folded: 0, left: 10 }
	]);
	const compactor = new Compactor(b, { minLifetimeMs: 0 });
	expect(await compactor.runOnce()).toEqual([{ doc: 'c/1/board', folded: 10, left: 0 }]);
	expect(await a.range('c/1/board', null)).toEqual([]);
	expect(await a.docs()).toEqual([]);
	const after = await a.load('c/1/board');
	expect(after.updates).toEqual([]); // one snapshot in PostgreSQL
	expect(vector(docOf(after))).toEqual(expected);
	expect(after.streamId).toBe(before.streamId);
	expect(counts(await store.attribution('c/1/board'))).toEqual({ 'm-alice': 5, 'm-bob': 5 });

	// Entries appended after the compaction load from the stream again, after the snapshot.
	await a.append([{ doc: 'c/1/board', update: alice.edit('late'), author: 'm-alice' }]);
	const later = await b.load('c/1/board');
	expect(later.updates).toHaveLength(1);
	expect(vector(docOf(later))).toEqual(vector(everything(alice.doc, bob.doc)));
	// A tail started at the load's position delivers only what comes after it.
	const tailB = tail(b);
	tailB.tail.add('c/1/board', later.streamId);
	const id = (await a.append([{ doc: 'c/1/board', update: alice.edit('next') }]))[0];
	await waitFor(() => tailB.seen.length > 0, 5000, 'the next entry');
	expect(tailB.seen.map((entry) => entry.id)).toEqual([id]);
}, 30_000);

it('a worker that dies between the PostgreSQL commit and the trim folds nothing twice when rerun', async () => {
	const { a, b, store } = await cluster();
	const alice = writer('alice');
	const bob = writer('bob');
	for (let i = 0; i < 3; i++) {
		await a.append([{ doc: 'c/1/board', update: alice.edit(`a${i}`), author: 'm-alice' }]);
		await b.append([{ doc: 'c/1/board', update: bob.edit(`b${i}`), author: 'm-bob' }]);
	}
	const crashing = new Compactor(a, {
		minLifetimeMs: 0,
		afterFold: () => {
			throw new Error('worker killed after the commit');
		}
	});
	await expect(crashing.compactDoc('c/1/board')).rejects.toThrow('worker killed');
	// Committed to PostgreSQL, still in the stream; loading counts each entry once.
	expect(await a.range('c/1/board', null)).toHaveLength(6);
	const expected = vector(everything(alice.doc, bob.doc));
	expect(vector(docOf(await b.load('c/1/board')))).toEqual(expected);
	expect((await b.load('c/1/board')).updates).toHaveLength(6);

	// More entries arrive; the rerun folds only what was not folded, then trims everything.
	await b.append([{ doc: 'c/1/board', update: bob.edit('b3'), author: 'm-bob' }]);
	const rerun = new Compactor(b, { minLifetimeMs: 0 });
	expect(await rerun.compactDoc('c/1/board')).toEqual({ doc: 'c/1/board', folded: 1, left: 0 });
	expect(counts(await store.attribution('c/1/board'))).toEqual({ 'm-alice': 3, 'm-bob': 4 });
	expect(vector(docOf(await a.load('c/1/board')))).toEqual(vector(everything(alice.doc, bob.doc)));
	// The crashed worker's lease was released: it can fold again at once (nothing to do).
	expect(await rerun.compactDoc('c/1/board')).toEqual({ doc: 'c/1/board', folded: 0, left: 0 });
}, 30_000);

it('a document leased by one worker is skipped by another', async () => {
	const { a, b } = await cluster();
	await a.append([{ doc: 'c/1/board', update: writer('alice').edit('x') }]);
	let resume!: () => void;
	const paused = new Promise<void>((resolve) => (resume = resolve));
	let folding!: () => void;
	const inFold = new Promise<void>((resolve) => (folding = resolve));
	const slow = new Compactor(a, {
		minLifetimeMs: 0,
		afterFold: async () => {
			folding();
			await paused;
		}
	});
	const first = slow.compactDoc('c/1/board');
	await inFold;
	expect(await new Compactor(b, { minLifetimeMs: 0 }).compactDoc('c/1/board')).toBeNull();
	resume();
	expect(await first).toEqual({ doc: 'c/1/board', folded: 1, left: 0 });
}, 30_000);

it('a held lease is renewed by its holder only, and given up by it only', async () => {
	const { a, b } = await cluster();
	expect(await a.holdLease('photo-sweep', 60_000)).toBe(true);
	expect(await b.holdLease('photo-sweep', 60_000)).toBe(false);
	await b.releaseHeld('photo-sweep');
	expect(await b.holdLease('photo-sweep', 60_000)).toBe(false);
	expect(await a.holdLease('photo-sweep', 60_000)).toBe(true);
	await a.releaseHeld('photo-sweep');
	expect(await b.holdLease('photo-sweep', 60_000)).toBe(true);
});

it('Redis restarting: appends reject while it is down and work after; the tail resumes exactly once', async () => {
	const { a, b } = await cluster();
	const tailA = tail(a);
	tailA.tail.add('c/1/board', '0-0');
	const bob = writer('bob');
	const first = await b.append([{ doc: 'c/1/board', update: bob.edit('1') }]);
	await waitFor(() => tailA.seen.length === 1, 5000, 'the first entry');
	// Acknowledged just before the crash, perhaps not read by the tail yet.
	const second = await b.append([{ doc: 'c/1/board', update: bob.edit('2') }]);
	await redis.stop({ crash: true });
	try {
		// No offline queue: a relay cut off from Redis cannot confirm anything.
		await waitFor(() => b.redis.status !== 'ready', 5000, 'the lost connection');
		await expect(b.append([{ doc: 'c/1/board', update: bob.edit('lost') }])).rejects.toThrow();
	} finally {
		await redis.start();
	}
	// Each connection reconnects on its own schedule (until then its appends reject too).
	await Promise.all([ready(a.redis), ready(b.redis)]);
	// Appended while the tail may still be reconnecting: AOF kept the rest.
	const third = await b.append([{ doc: 'c/1/board', update: bob.edit('3') }]);
	await waitFor(() => tailA.seen.length >= 3, 15_000, 'the entries after the restart');
	const fourth = await a.append([{ doc: 'c/1/board', update: bob.edit('4') }]);
	await waitFor(() => tailA.seen.length >= 4, 5000, 'the fourth entry');
	expect(tailA.seen.map((entry) => entry.id)).toEqual([...first, ...second, ...third, ...fourth]);
	// Everything acknowledged survived the crash.
	expect((await a.range('c/1/board', null)).map((entry) => entry.id)).toEqual(
		tailA.seen.map((entry) => entry.id)
	);
}, 60_000);

it('a tail reports a gap when entries it had not read were trimmed, and reloading closes it', async () => {
	const { a, b } = await cluster();
	const alice = writer('alice');
	const old = await a.append([{ doc: 'c/1/board', update: alice.edit('old') }]);
	await new Compactor(a, { minLifetimeMs: 0 }).runOnce();
	await a.append([{ doc: 'c/1/board', update: alice.edit('new') }]);
	const tailB = tail(b);
	// From a position before the trim (as after a long outage): the folded entry is gone.
	tailB.tail.add('c/1/board', '0-0');
	await waitFor(() => tailB.gaps.length === 1, 5000, 'the gap');
	expect(tailB.gaps).toEqual(['c/1/board']);
	expect(tailB.seen).toEqual([]);
	// The relay reloads and follows from the load's position: nothing missed, no gap.
	const loaded = await b.load('c/1/board');
	expect(vector(docOf(loaded))).toEqual(vector(alice.doc));
	tailB.tail.add('c/1/board', loaded.streamId);
	const next = await a.append([{ doc: 'c/1/board', update: alice.edit('next') }]);
	await waitFor(() => tailB.seen.length === 1, 5000, 'the next entry');
	expect(tailB.seen.map((entry) => entry.id)).toEqual(next);
	expect(tailB.gaps).toEqual(['c/1/board']);
	// A position at the last trimmed entry is no gap.
	const tailA = tail(a);
	tailA.tail.add('c/1/board', old[0]!);
	await waitFor(() => tailA.seen.length === 2, 5000, 'the entries after the trimmed one');
	expect(tailA.gaps).toEqual([]);
}, 30_000);

it('PostgreSQL down: the fold fails and trims nothing, appends still confirm, the next round folds all', async () => {
	const { a, b, store } = await cluster();
	const alice = writer('alice');
	await a.append([{ doc: 'c/1/board', update: alice.edit('1'), author: 'm-alice' }]);
	const compactor = new Compactor(b, { minLifetimeMs: 0 });
	await postgres.stop({ crash: true });
	try {
		await expect(compactor.runOnce()).rejects.toThrow();
		// Redis is the durable log: confirmations go on while PostgreSQL is away.
		await a.append([{ doc: 'c/1/board', update: alice.edit('2'), author: 'm-alice' }]);
		expect(await a.range('c/1/board', null)).toHaveLength(2);
	} finally {
		await postgres.start();
	}
	expect(await compactor.runOnce()).toEqual([{ doc: 'c/1/board', folded: 2, left: 0 }]);
	expect(counts(await store.attribution('c/1/board'))).toEqual({ 'm-alice': 2 });
	expect(vector(docOf(await a.load('c/1/board')))).toEqual(vector(alice.doc));
}, 60_000);
