/**
 * One contract suite, run against every DocStore implementation (tldraw sync-core style).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { makeTempDir, removeDir } from '../test-helpers.ts';
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

		if (factory.durable) {
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
