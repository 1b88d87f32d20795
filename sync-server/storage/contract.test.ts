/**
 * One contract suite, run against every storage implementation (tldraw sync-core style): the
 * embedded stores behind the async interface (asAsync) and the PostgreSQL store, on a private
 * PostgreSQL server (sync-server/cluster/test-servers.ts) with a fresh database per test.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startTestPostgres, type TestPostgres } from '../cluster/test-servers.ts';
import { makeTempDir, removeDir } from '../test-helpers.ts';
import { asAsync, type AsyncDocStore } from './async-types.ts';
import { idRanges, type Attribution } from './attribution.ts';
import { MemoryStore } from './memory.ts';
import { PostgresStore } from './postgres.ts';
import { SqliteStore } from './sqlite.ts';
import type { DocStore } from './types.ts';

/** Where a store keeps its data (a directory, a database) and how to open a store on it. */
type Place = { open(): Promise<AsyncDocStore>; remove(): Promise<void> };
type Factory = { name: string; place(): Promise<Place>; durable: boolean };

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

function updateSetting(key: string, value: string): Uint8Array {
	const doc = new Y.Doc();
	doc.getMap('m').set(key, value);
	return Y.encodeStateAsUpdate(doc);
}

/**
 * Alice (client 11) appends three entries to a timeline, Bob (client 22) appends one and
 * deletes Alice's second; a service writer (null) sets a field. Returns the updates in order.
 */
function timelineHistory(): { updates: { author: string | null; update: Uint8Array }[] } {
	const alice = new Y.Doc();
	alice.clientID = 11;
	const bob = new Y.Doc();
	bob.clientID = 22;
	const service = new Y.Doc();
	service.clientID = 33;
	const updates: { author: string | null; update: Uint8Array }[] = [];
	// What a change emits is what the relay's doc emits and stores: its structs and only the
	// deletions it made.
	const record = (author: string | null, doc: Y.Doc, change: () => void): void => {
		let update: Uint8Array | null = null;
		const take = (u: Uint8Array) => (update = u);
		doc.once('update', take);
		change();
		if (!update) throw new Error('the change emitted nothing');
		updates.push({ author, update });
		for (const other of [alice, bob, service]) if (other !== doc) Y.applyUpdate(other, update);
	};
	const timeline = (doc: Y.Doc) => doc.getArray<string>('timeline');
	record('m-alice', alice, () => timeline(alice).push(['报告']));
	record('m-alice', alice, () => timeline(alice).push(['评论 1']));
	record('m-alice', alice, () => timeline(alice).push(['评论 2']));
	record('m-bob', bob, () => timeline(bob).push(['回复']));
	record('m-bob', bob, () => timeline(bob).delete(1, 1));
	record(null, service, () => service.getMap('fields').set('status', 'open'));
	return { updates };
}

/** Attribution records as plain data: ranges instead of bytes. */
const readable = (records: Attribution[]) =>
	records.map((r) => ({
		author: r.author,
		updates: r.updates,
		inserted: idRanges(r.inserted),
		deleted: idRanges(r.deleted)
	}));

function runDocStoreContract(factory: Factory): void {
	describe(`DocStore contract: ${factory.name}`, () => {
		let place: Place;
		let store: AsyncDocStore;
		afterEach(async () => {
			await store.close();
			await place.remove();
		});
		const open = async (): Promise<AsyncDocStore> => {
			place = await factory.place();
			store = await place.open();
			return store;
		};
		/** Closes the store and opens another on the same data. */
		const reopen = async (): Promise<AsyncDocStore> => {
			await store.close();
			store = await place.open();
			return store;
		};

		it('an unknown document loads empty and is not listed', async () => {
			const s = await open();
			expect(await s.load('c/x/tasks')).toEqual({ snapshot: null, updates: [], lastSeq: 0 });
			expect(await s.hasDoc('c/x/tasks')).toBe(false);
			expect(await s.docNames()).toEqual([]);
		});

		it('appendBatch stores entries of several docs in order with growing sequence numbers', async () => {
			const s = await open();
			const first = await s.appendBatch([
				{ doc: 'a', update: bytes(1) },
				{ doc: 'b', update: bytes(2) },
				{ doc: 'a', update: bytes(3) }
			]);
			const second = await s.appendBatch([{ doc: 'a', update: bytes(4) }]);
			expect(second).toBeGreaterThan(first);
			expect(await s.load('a')).toEqual({
				snapshot: null,
				updates: [bytes(1), bytes(3), bytes(4)],
				lastSeq: second
			});
			expect((await s.load('b')).updates).toEqual([bytes(2)]);
			expect(await s.docNames()).toEqual(['a', 'b']);
			expect(await s.hasDoc('a')).toBe(true);
		});

		it('appendBatch is one transaction: a bad entry stores nothing', async () => {
			const s = await open();
			await s.appendBatch([{ doc: 'a', update: bytes(1) }]);
			await expect(
				s.appendBatch([
					{ doc: 'a', update: bytes(2) },
					{ doc: 'b', update: bytes(3) },
					{ doc: 'a', update: 'not bytes' as unknown as Uint8Array }
				])
			).rejects.toThrow();
			expect((await s.load('a')).updates).toEqual([bytes(1)]);
			expect(await s.hasDoc('b')).toBe(false);
			// The store still works after the rollback.
			await s.appendBatch([{ doc: 'b', update: bytes(5) }]);
			expect((await s.load('b')).updates).toEqual([bytes(5)]);
		});

		it('load returns the snapshot plus the updates stored after it', async () => {
			const s = await open();
			await s.appendBatch([{ doc: 'a', update: bytes(1) }]);
			const upTo = await s.appendBatch([{ doc: 'a', update: bytes(2) }]);
			const later = await s.appendBatch([{ doc: 'a', update: bytes(3) }]);
			await s.compact('a', bytes(9, 9), upTo);
			const last = await s.appendBatch([{ doc: 'a', update: bytes(4) }]);
			expect(await s.load('a')).toEqual({
				snapshot: bytes(9, 9),
				updates: [bytes(3), bytes(4)],
				lastSeq: last
			});
			expect(later).toBeLessThan(last);
		});

		it('compaction is atomic: a failing compaction keeps the log', async () => {
			const s = await open();
			const seq = await s.appendBatch([
				{ doc: 'a', update: bytes(1) },
				{ doc: 'a', update: bytes(2) }
			]);
			await expect(s.compact('a', null as unknown as Uint8Array, seq)).rejects.toThrow();
			expect(await s.load('a')).toEqual({
				snapshot: null,
				updates: [bytes(1), bytes(2)],
				lastSeq: seq
			});
		});

		it('compaction only touches its own document', async () => {
			const s = await open();
			const seq = await s.appendBatch([
				{ doc: 'a', update: bytes(1) },
				{ doc: 'b', update: bytes(2) }
			]);
			await s.compact('a', bytes(7), seq);
			expect((await s.load('b')).updates).toEqual([bytes(2)]);
			expect(await s.load('a')).toEqual({ snapshot: bytes(7), updates: [], lastSeq: seq });
			expect(await s.docNames()).toEqual(['a', 'b']);
		});

		it('a snapshot of merged Yjs updates loads to the same document', async () => {
			const s = await open();
			const u1 = updateSetting('x', '1');
			const u2 = updateSetting('y', '2');
			const seq = await s.appendBatch([
				{ doc: 'a', update: u1 },
				{ doc: 'a', update: u2 }
			]);
			await s.compact('a', Y.mergeUpdates([u1, u2]), seq);
			const loaded = await s.load('a');
			const doc = new Y.Doc();
			Y.applyUpdate(doc, loaded.snapshot!);
			for (const u of loaded.updates) Y.applyUpdate(doc, u);
			expect(doc.getMap('m').toJSON()).toEqual({ x: '1', y: '2' });
		});

		it('attribution: each author with its updates, inserted ids and deleted ids', async () => {
			const s = await open();
			const { updates } = timelineHistory();
			await s.appendBatch(updates.map((entry) => ({ doc: 'a', ...entry })));
			await s.appendBatch([{ doc: 'b', update: updates[0]!.update, author: 'm-carol' }]);
			expect(readable(await s.attribution('a'))).toEqual([
				{
					author: null,
					updates: 1,
					inserted: [{ client: 33, clock: 0, len: 1 }],
					deleted: []
				},
				{
					author: 'm-alice',
					updates: 3,
					inserted: [{ client: 11, clock: 0, len: 3 }],
					deleted: []
				},
				{
					author: 'm-bob',
					updates: 2,
					inserted: [{ client: 22, clock: 0, len: 1 }],
					deleted: [{ client: 11, clock: 1, len: 1 }]
				}
			]);
			expect(readable(await s.attribution('b'))).toEqual([
				{ author: 'm-carol', updates: 1, inserted: [{ client: 11, clock: 0, len: 1 }], deleted: [] }
			]);
			expect(await s.attribution('unknown')).toEqual([]);
		});

		it('attribution survives compaction, in steps, and says which member deleted which ids', async () => {
			const s = await open();
			const { updates } = timelineHistory();
			const [first, ...rest] = updates;
			const seq1 = await s.appendBatch([{ doc: 'a', ...first! }]);
			await s.appendBatch(rest.map((entry) => ({ doc: 'a', ...entry })));
			const before = readable(await s.attribution('a'));
			const all = Y.mergeUpdates(updates.map((u) => u.update));
			await s.compact('a', Y.mergeUpdates([first!.update]), seq1);
			expect(readable(await s.attribution('a'))).toEqual(before);
			await s.compact('a', all, (await s.load('a')).lastSeq);
			expect((await s.load('a')).updates).toEqual([]);
			expect(readable(await s.attribution('a'))).toEqual(before);
			// The record of deletions is a Yjs update: it names Bob's deletion and replays it.
			const bob = (await s.attribution('a')).find((r) => r.author === 'm-bob')!;
			const ds = Y.decodeUpdate(bob.deleted).ds;
			expect([...ds.clients.keys()]).toEqual([11]);
			const replay = new Y.Doc();
			Y.applyUpdate(replay, Y.mergeUpdates(updates.slice(0, 4).map((u) => u.update)));
			expect(replay.getArray('timeline').toArray()).toEqual(['报告', '评论 1', '评论 2', '回复']);
			Y.applyUpdate(replay, bob.deleted);
			expect(replay.getArray('timeline').toArray()).toEqual(['报告', '评论 2', '回复']);
			// Updates after the compaction join the same records.
			await s.appendBatch([{ doc: 'a', update: updates[4]!.update, author: 'm-bob' }]);
			expect(readable(await s.attribution('a')).find((r) => r.author === 'm-bob')?.updates).toBe(3);
		});

		it('a failing compaction keeps the attribution as it was', async () => {
			const s = await open();
			const { updates } = timelineHistory();
			const seq = await s.appendBatch(updates.map((entry) => ({ doc: 'a', ...entry })));
			const before = readable(await s.attribution('a'));
			await expect(s.compact('a', null as unknown as Uint8Array, seq)).rejects.toThrow();
			expect(readable(await s.attribution('a'))).toEqual(before);
			expect((await s.load('a')).updates).toHaveLength(updates.length);
		});

		it('appendBatch refuses a bad author and stores nothing of the batch', async () => {
			const s = await open();
			await expect(
				s.appendBatch([
					{ doc: 'a', update: bytes(1), author: 'm-alice' },
					{ doc: 'a', update: bytes(2), author: '' }
				])
			).rejects.toThrow();
			expect(await s.hasDoc('a')).toBe(false);
		});

		if (factory.durable) {
			it('attribution survives closing and reopening', async () => {
				const s = await open();
				const { updates } = timelineHistory();
				const seq = await s.appendBatch(updates.map((entry) => ({ doc: 'a', ...entry })));
				const before = readable(await s.attribution('a'));
				await s.compact('a', Y.mergeUpdates(updates.map((u) => u.update)), seq);
				const again = await reopen();
				expect(readable(await again.attribution('a'))).toEqual(before);
			});

			it('committed data survives closing and reopening', async () => {
				const s = await open();
				const seq = await s.appendBatch([{ doc: 'a', update: bytes(1) }]);
				await s.compact('a', bytes(8), seq);
				await s.appendBatch([{ doc: 'a', update: bytes(2) }]);
				const again = await reopen();
				expect((await again.load('a')).snapshot).toEqual(bytes(8));
				expect((await again.load('a')).updates).toEqual([bytes(2)]);
				// Sequence numbers keep growing after a reopen.
				expect(await again.appendBatch([{ doc: 'a', update: bytes(3) }])).toBeGreaterThan(seq + 1);
			});
		}
	});
}

/** A fresh directory per test for the SQLite store. */
const directory = async (open: (dir: string) => AsyncDocStore): Promise<Place> => {
	const dir = makeTempDir('gridboard-store-');
	return { open: async () => open(dir), remove: async () => removeDir(dir) };
};

let postgres: TestPostgres | undefined;
beforeAll(async () => {
	postgres = await startTestPostgres();
}, 60_000);
afterAll(async () => {
	await postgres?.close();
});

runDocStoreContract({
	name: 'memory',
	place: async () => {
		const memory = asAsync(new MemoryStore());
		return { open: async () => memory, remove: async () => {} };
	},
	durable: false
});
runDocStoreContract({
	name: 'sqlite',
	place: () => directory((dir) => asAsync(new SqliteStore(dir))),
	durable: true
});
runDocStoreContract({
	name: 'postgres',
	place: async () => {
		// A fresh database per test on the file's server; the server's close removes them all.
		const url = await postgres!.createDatabase();
		return { open: () => PostgresStore.open(url), remove: async () => {} };
	},
	durable: true
});

/** What only the synchronous stores have: `sync` and `syncNow`. */
for (const factory of [
	{ name: 'memory', open: (): DocStore => new MemoryStore() },
	{ name: 'sqlite', open: (dir: string): DocStore => new SqliteStore(dir) }
]) {
	it(`${factory.name}: sync calls back without an error after a commit, and syncNow returns`, async () => {
		const dir = makeTempDir('gridboard-store-');
		const s = factory.open(dir);
		try {
			s.appendBatch([{ doc: 'c/x/tasks', update: updateSetting('a', '巡查') }]);
			const error = await new Promise((resolve) => s.sync(resolve));
			expect(error).toBeNull();
			s.syncNow();
			expect(s.load('c/x/tasks').updates).toHaveLength(1);
		} finally {
			s.close();
			removeDir(dir);
		}
	});
}

describe('asAsync', () => {
	it('appendBatch resolves only after a sync that started after the commit, and rejects when it fails', async () => {
		/** A store whose syncs wait until the test finishes them. */
		class HeldSyncs extends MemoryStore {
			pending: ((error: Error | null) => void)[] = [];
			committedBeforeSync: boolean[] = [];
			override sync(done: (error: Error | null) => void): void {
				this.committedBeforeSync.push(this.load('a').updates.length > 0);
				this.pending.push(done);
			}
		}
		const held = new HeldSyncs();
		const s = asAsync(held);
		let resolved = false;
		const append = s.appendBatch([{ doc: 'a', update: bytes(1) }]).then((seq) => {
			resolved = true;
			return seq;
		});
		await new Promise((resolve) => setImmediate(resolve));
		expect(held.committedBeforeSync).toEqual([true]);
		expect(resolved).toBe(false);
		held.pending.shift()!(null);
		expect(await append).toBe(1);
		const failing = s.appendBatch([{ doc: 'a', update: bytes(2) }]);
		await new Promise((resolve) => setImmediate(resolve));
		held.pending.shift()!(new Error('disk trouble'));
		await expect(failing).rejects.toThrow(/disk trouble/);
	});
});
