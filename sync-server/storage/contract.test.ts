/**
 * One contract suite, run against every DocStore implementation (tldraw sync-core style).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { makeTempDir, removeDir } from '../test-helpers.ts';
import { idRanges, type Attribution } from './attribution.ts';
import { MemoryStore } from './memory.ts';
import { SqliteStore } from './sqlite.ts';
import type { DocStore } from './types.ts';

type Factory = { name: string; open(dir: string): DocStore; durable: boolean };

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

export function runDocStoreContract(factory: Factory): void {
	describe(`DocStore contract: ${factory.name}`, () => {
		let dir = '';
		let store: DocStore;
		afterEach(() => {
			store.close();
			removeDir(dir);
		});
		const open = (): DocStore => {
			dir = makeTempDir('gridboard-store-');
			store = factory.open(dir);
			return store;
		};

		it('sync calls back without an error after a commit, and syncNow returns', async () => {
			const s = open();
			s.appendBatch([{ doc: 'c/x/tasks', update: updateSetting('a', '巡查') }]);
			const error = await new Promise((resolve) => s.sync(resolve));
			expect(error).toBeNull();
			s.syncNow();
			expect(s.load('c/x/tasks').updates).toHaveLength(1);
		});

		it('an unknown document loads empty and is not listed', () => {
			const s = open();
			expect(s.load('c/x/tasks')).toEqual({ snapshot: null, updates: [], lastSeq: 0 });
			expect(s.hasDoc('c/x/tasks')).toBe(false);
			expect(s.docNames()).toEqual([]);
		});

		it('appendBatch stores entries of several docs in order with growing sequence numbers', () => {
			const s = open();
			const first = s.appendBatch([
				{ doc: 'a', update: bytes(1) },
				{ doc: 'b', update: bytes(2) },
				{ doc: 'a', update: bytes(3) }
			]);
			const second = s.appendBatch([{ doc: 'a', update: bytes(4) }]);
			expect(second).toBeGreaterThan(first);
			expect(s.load('a')).toEqual({
				snapshot: null,
				updates: [bytes(1), bytes(3), bytes(4)],
				lastSeq: second
			});
			expect(s.load('b').updates).toEqual([bytes(2)]);
			expect(s.docNames()).toEqual(['a', 'b']);
			expect(s.hasDoc('a')).toBe(true);
		});

		it('appendBatch is one transaction: a bad entry stores nothing', () => {
			const s = open();
			s.appendBatch([{ doc: 'a', update: bytes(1) }]);
			expect(() =>
				s.appendBatch([
					{ doc: 'a', update: bytes(2) },
					{ doc: 'b', update: bytes(3) },
					{ doc: 'a', update: 'not bytes' as unknown as Uint8Array }
				])
			).toThrow();
			expect(s.load('a').updates).toEqual([bytes(1)]);
			expect(s.hasDoc('b')).toBe(false);
			// The store still works after the rollback.
			s.appendBatch([{ doc: 'b', update: bytes(5) }]);
			expect(s.load('b').updates).toEqual([bytes(5)]);
		});

		it('load returns the snapshot plus the updates stored after it', () => {
			const s = open();
			s.appendBatch([{ doc: 'a', update: bytes(1) }]);
			const upTo = s.appendBatch([{ doc: 'a', update: bytes(2) }]);
			const later = s.appendBatch([{ doc: 'a', update: bytes(3) }]);
			s.compact('a', bytes(9, 9), upTo);
			const last = s.appendBatch([{ doc: 'a', update: bytes(4) }]);
			expect(s.load('a')).toEqual({
				snapshot: bytes(9, 9),
				updates: [bytes(3), bytes(4)],
				lastSeq: last
			});
			expect(later).toBeLessThan(last);
		});

		it('compaction is atomic: a failing compaction keeps the log', () => {
			const s = open();
			const seq = s.appendBatch([
				{ doc: 'a', update: bytes(1) },
				{ doc: 'a', update: bytes(2) }
			]);
			expect(() => s.compact('a', null as unknown as Uint8Array, seq)).toThrow();
			expect(s.load('a')).toEqual({ snapshot: null, updates: [bytes(1), bytes(2)], lastSeq: seq });
		});

		it('compaction only touches its own document', () => {
			const s = open();
			const seq = s.appendBatch([
				{ doc: 'a', update: bytes(1) },
				{ doc: 'b', update: bytes(2) }
			]);
			s.compact('a', bytes(7), seq);
			expect(s.load('b').updates).toEqual([bytes(2)]);
			expect(s.load('a')).toEqual({ snapshot: bytes(7), updates: [], lastSeq: seq });
			expect(s.docNames()).toEqual(['a', 'b']);
		});

		it('a snapshot of merged Yjs updates loads to the same document', () => {
			const s = open();
			const u1 = updateSetting('x', '1');
			const u2 = updateSetting('y', '2');
			const seq = s.appendBatch([
				{ doc: 'a', update: u1 },
				{ doc: 'a', update: u2 }
			]);
			s.compact('a', Y.mergeUpdates([u1, u2]), seq);
			const loaded = s.load('a');
			const doc = new Y.Doc();
			Y.applyUpdate(doc, loaded.snapshot!);
			for (const u of loaded.updates) Y.applyUpdate(doc, u);
			expect(doc.getMap('m').toJSON()).toEqual({ x: '1', y: '2' });
		});

		it('attribution: each author with its updates, inserted ids and deleted ids', () => {
			const s = open();
			const { updates } = timelineHistory();
			s.appendBatch(updates.map((entry) => ({ doc: 'a', ...entry })));
			s.appendBatch([{ doc: 'b', update: updates[0]!.update, author: 'm-carol' }]);
			expect(readable(s.attribution('a'))).toEqual([
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
			expect(readable(s.attribution('b'))).toEqual([
				{ author: 'm-carol', updates: 1, inserted: [{ client: 11, clock: 0, len: 1 }], deleted: [] }
			]);
			expect(s.attribution('unknown')).toEqual([]);
		});

		it('attribution survives compaction, in steps, and says which member deleted which ids', () => {
			const s = open();
			const { updates } = timelineHistory();
			const [first, ...rest] = updates;
			const seq1 = s.appendBatch([{ doc: 'a', ...first! }]);
			s.appendBatch(rest.map((entry) => ({ doc: 'a', ...entry })));
			const before = readable(s.attribution('a'));
			const all = Y.mergeUpdates(updates.map((u) => u.update));
			s.compact('a', Y.mergeUpdates([first!.update]), seq1);
			expect(readable(s.attribution('a'))).toEqual(before);
			s.compact('a', all, s.load('a').lastSeq);
			expect(s.load('a').updates).toEqual([]);
			expect(readable(s.attribution('a'))).toEqual(before);
			// The record of deletions is a Yjs update: it names Bob's deletion and replays it.
			const bob = s.attribution('a').find((r) => r.author === 'm-bob')!;
			const ds = Y.decodeUpdate(bob.deleted).ds;
			expect([...ds.clients.keys()]).toEqual([11]);
			const replay = new Y.Doc();
			Y.applyUpdate(replay, Y.mergeUpdates(updates.slice(0, 4).map((u) => u.update)));
			expect(replay.getArray('timeline').toArray()).toEqual(['报告', '评论 1', '评论 2', '回复']);
			Y.applyUpdate(replay, bob.deleted);
			expect(replay.getArray('timeline').toArray()).toEqual(['报告', '评论 2', '回复']);
			// Updates after the compaction join the same records.
			s.appendBatch([{ doc: 'a', update: updates[4]!.update, author: 'm-bob' }]);
			expect(readable(s.attribution('a')).find((r) => r.author === 'm-bob')?.updates).toBe(3);
		});

		it('a failing compaction keeps the attribution as it was', () => {
			const s = open();
			const { updates } = timelineHistory();
			const seq = s.appendBatch(updates.map((entry) => ({ doc: 'a', ...entry })));
			const before = readable(s.attribution('a'));
			expect(() => s.compact('a', null as unknown as Uint8Array, seq)).toThrow();
			expect(readable(s.attribution('a'))).toEqual(before);
			expect(s.load('a').updates).toHaveLength(updates.length);
		});

		it('appendBatch refuses a bad author and stores nothing of the batch', () => {
			const s = open();
			expect(() =>
				s.appendBatch([
					{ doc: 'a', update: bytes(1), author: 'm-alice' },
					{ doc: 'a', update: bytes(2), author: '' }
				])
			).toThrow();
			expect(s.hasDoc('a')).toBe(false);
		});

		if (factory.durable) {
			it('attribution survives closing and reopening', () => {
				const s = open();
				const { updates } = timelineHistory();
				const seq = s.appendBatch(updates.map((entry) => ({ doc: 'a', ...entry })));
				const before = readable(s.attribution('a'));
				s.compact('a', Y.mergeUpdates(updates.map((u) => u.update)), seq);
				s.close();
				store = factory.open(dir);
				expect(readable(store.attribution('a'))).toEqual(before);
			});

			it('committed data survives closing and reopening', () => {
				const s = open();
				const seq = s.appendBatch([{ doc: 'a', update: bytes(1) }]);
				s.compact('a', bytes(8), seq);
				s.appendBatch([{ doc: 'a', update: bytes(2) }]);
				s.close();
				store = factory.open(dir);
				expect(store.load('a').snapshot).toEqual(bytes(8));
				expect(store.load('a').updates).toEqual([bytes(2)]);
				// Sequence numbers keep growing after a reopen.
				expect(store.appendBatch([{ doc: 'a', update: bytes(3) }])).toBeGreaterThan(seq + 1);
			});
		}
	});
}

runDocStoreContract({ name: 'memory', open: () => new MemoryStore(), durable: false });
runDocStoreContract({ name: 'sqlite', open: (dir) => new SqliteStore(dir), durable: true });
