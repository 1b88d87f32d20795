import { afterEach, describe, expect, it } from 'vitest';
import { IDBDatabase as FakeIDBDatabase, IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import * as Y from 'yjs';
import {
	BASEMAP_DIRECTORY,
	clearAllLocalData,
	databaseName,
	openLocalStore,
	type LocalStatus,
	type LocalStore
} from './local-store.ts';
import { waitFor } from './wait-for.ts';

const DOC = 'c/demo/board/g01';
const open: LocalStore[] = [];

function openStore(factory: IDBFactory, doc = new Y.Doc(), compactAfter?: number) {
	const store = openLocalStore(DOC, doc, { indexedDB: factory, compactAfter });
	open.push(store);
	return { doc, store };
}

afterEach(() => {
	for (const store of open.splice(0)) store.destroy();
});

function statuses(store: LocalStore): LocalStatus[] {
	const seen: LocalStatus[] = [];
	store.subscribe((state) => seen.push(state.status));
	return seen;
}

async function countRows(factory: IDBFactory): Promise<number> {
	const db = await new Promise<IDBDatabase>((resolve, reject) => {
		const request = factory.open(databaseName(DOC));
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error);
	});
	const count = await new Promise<number>((resolve, reject) => {
		const request = db.transaction('updates').objectStore('updates').count();
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error);
	});
	db.close();
	return count;
}

/** Makes every `add` on fake-indexeddb object stores fail the way `mode` says until restored. */
function breakAdd(mode: 'quota-throw' | 'constraint-async') {
	const original = IDBObjectStore.prototype.add;
	IDBObjectStore.prototype.add = function (this: IDBObjectStore, value: unknown) {
		if (mode === 'quota-throw') {
			throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
		}
		// Key 1 already exists: the request fails later and aborts the transaction.
		return original.call(this, value, 1);
	} as typeof original;
	return () => {
		IDBObjectStore.prototype.add = original;
	};
}

describe('local-store', () => {
	it('edits survive a reload', async () => {
		const factory = new IDBFactory();
		const first = openStore(factory);
		await first.store.whenLoaded;
		first.doc.getMap('case').set('title', 'Leaking roof');
		first.doc.getText('note').insert(0, 'Basement flat 3');
		await waitFor(() => first.store.getState().status === 'saved', 'saved');
		first.store.destroy();
		first.doc.destroy();

		const second = openStore(factory);
		expect(second.store.getState().status).toBe('loading');
		await second.store.whenLoaded;
		expect(second.doc.getMap('case').get('title')).toBe('Leaking roof');
		expect(second.doc.getText('note').toString()).toBe('Basement flat 3');
		expect(second.store.getState()).toMatchObject({ status: 'saved', loaded: true });
	});

	it('edits made before loading finished are written too', async () => {
		const factory = new IDBFactory();
		const first = openStore(factory);
		first.doc.getMap('case').set('early', true);
		await first.store.whenLoaded;
		await waitFor(() => first.store.getState().status === 'saved', 'saved');
		first.store.destroy();

		const second = openStore(factory);
		await second.store.whenLoaded;
		expect(second.doc.getMap('case').get('early')).toBe(true);
	});

	it('goes saving → saved only after the IndexedDB transaction completed', async () => {
		const factory = new IDBFactory();
		let completed = 0;
		const originalTransaction = FakeIDBDatabase.prototype.transaction;
		FakeIDBDatabase.prototype.transaction = function (
			this: IDBDatabase,
			...args: Parameters<IDBDatabase['transaction']>
		) {
			const tx = originalTransaction.apply(this, args);
			if (args[1] === 'readwrite') tx.addEventListener('complete', () => completed++);
			return tx;
		} as typeof originalTransaction;
		try {
			const { doc, store } = openStore(factory);
			await store.whenLoaded;
			const savedAfterCompletions: number[] = [];
			store.subscribe((state) => {
				if (state.status === 'saved') savedAfterCompletions.push(completed);
			});
			doc.getMap('case').set('title', 'x');
			expect(store.getState()).toMatchObject({ status: 'saving', pendingWrites: 1 });
			await waitFor(() => store.getState().status === 'saved', 'saved');
			expect(savedAfterCompletions).toEqual([1]);
		} finally {
			FakeIDBDatabase.prototype.transaction = originalTransaction;
		}
	});

	it('a write failing with QuotaExceededError shows error/quota_exceeded, never saved, and is written after retry()', async () => {
		const factory = new IDBFactory();
		const { doc, store } = openStore(factory);
		await store.whenLoaded;
		const seen = statuses(store);
		const restore = breakAdd('quota-throw');
		try {
			doc.getMap('case').set('title', 'typed while the disk is full');
			await waitFor(() => store.getState().status === 'error', 'error');
			doc.getMap('case').set('phone', '555-0100');
			await waitFor(() => store.getState().pendingWrites === 0, 'no pending writes');
			expect(store.getState()).toMatchObject({ status: 'error', error: 'quota_exceeded' });
			expect(store.getState().unsavedUpdates).toBeGreaterThan(0);
		} finally {
			restore();
		}
		expect(seen).not.toContain('saved');
		store.retry();
		await waitFor(() => store.getState().status === 'saved', 'saved after retry');
		expect(store.getState()).toMatchObject({ error: null, unsavedUpdates: 0 });
		store.destroy();

		const reloaded = openStore(factory);
		await reloaded.store.whenLoaded;
		expect(reloaded.doc.getMap('case').toJSON()).toEqual({
			title: 'typed while the disk is full',
			phone: '555-0100'
		});
	});

	it('a transaction that aborts later shows error/write_failed and the next edit carries the lost update', async () => {
		const factory = new IDBFactory();
		const { doc, store } = openStore(factory);
		await store.whenLoaded;
		doc.getMap('case').set('a', 1);
		await waitFor(() => store.getState().status === 'saved', 'first saved');
		const seen = statuses(store);
		const restore = breakAdd('constraint-async');
		try {
			doc.getMap('case').set('b', 2);
			expect(store.getState().status).toBe('saving');
			await waitFor(() => store.getState().status === 'error', 'error');
			expect(store.getState().error).toBe('write_failed');
		} finally {
			restore();
		}
		doc.getMap('case').set('c', 3);
		await waitFor(() => store.getState().status === 'saved', 'saved');
		expect(seen.indexOf('saved')).toBeGreaterThan(seen.indexOf('error'));
		store.destroy();

		const reloaded = openStore(factory);
		await reloaded.store.whenLoaded;
		expect(reloaded.doc.getMap('case').toJSON()).toEqual({ a: 1, b: 2, c: 3 });
	});

	it('compaction keeps the content identical and bounds the row count', async () => {
		const factory = new IDBFactory();
		const { doc, store } = openStore(factory, new Y.Doc(), 10);
		await store.whenLoaded;
		const text = doc.getText('note');
		for (let i = 0; i < 45; i++) {
			text.insert(text.length, `line ${i}\n`);
			if (i % 7 === 0) doc.getMap('case').set(`k${i}`, i);
			if (i % 3 === 0) await waitFor(() => store.getState().status === 'saved', 'saved');
		}
		if (text.length > 10) text.delete(0, 5);
		await waitFor(
			() => store.getState().status === 'saved' && store.getState().storedUpdates < 10,
			'saved and compacted'
		);
		const rows = await countRows(factory);
		expect(rows).toBeLessThan(10);
		const expected = { note: text.toString(), case: doc.getMap('case').toJSON() };
		store.destroy();

		const reloaded = openStore(factory);
		await reloaded.store.whenLoaded;
		expect({
			note: reloaded.doc.getText('note').toString(),
			case: reloaded.doc.getMap('case').toJSON()
		}).toEqual(expected);
	});

	it('transactions carrying updates, and compaction, ask for strict durability', async () => {
		const factory = new IDBFactory();
		const options: (IDBTransactionOptions | undefined)[] = [];
		const originalTransaction = FakeIDBDatabase.prototype.transaction;
		FakeIDBDatabase.prototype.transaction = function (
			this: IDBDatabase,
			...args: Parameters<IDBDatabase['transaction']>
		) {
			if (args[1] === 'readwrite') options.push(args[2]);
			return originalTransaction.apply(this, args);
		} as typeof originalTransaction;
		try {
			const { doc, store } = openStore(factory, new Y.Doc(), 1000);
			await store.whenLoaded;
			doc.getMap('case').set('a', 1);
			await waitFor(() => store.getState().status === 'saved', 'first saved');
			doc.getMap('case').set('b', 2);
			await waitFor(() => store.getState().storedUpdates === 2, 'second saved');
			store.compact();
			await waitFor(() => store.getState().storedUpdates === 1, 'compacted');
			// Two writes carrying updates and one compaction, each strict.
			expect(options).toEqual([
				{ durability: 'strict' },
				{ durability: 'strict' },
				{ durability: 'strict' }
			]);
		} finally {
			FakeIDBDatabase.prototype.transaction = originalTransaction;
		}
	});

	it('compaction after a failed write stores the unsaved change together with its meta record', async () => {
		const factory = new IDBFactory();
		const { doc, store } = openStore(factory, new Y.Doc(), 1000);
		await store.whenLoaded;
		doc.getMap('case').set('a', 1);
		await waitFor(() => store.getState().status === 'saved', 'first saved');
		const original = IDBObjectStore.prototype.add;
		let refused = 0;
		IDBObjectStore.prototype.add = function () {
			refused++;
			throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
		} as typeof original;
		try {
			// What server-confirmations.ts does: the pending record, then the change itself.
			store.set('pending/7/0', [7, 1]);
			doc.getMap('case').set('b', 2);
			expect(store.getState().error).toBe('quota_exceeded');
			// The meta change's own (scheduled) write fails too.
			await waitFor(() => refused >= 2, 'the second write refused');
		} finally {
			IDBObjectStore.prototype.add = original;
		}
		store.compact();
		await waitFor(() => store.getState().storedUpdates === 1, 'compacted');
		store.destroy();

		const reloaded = openStore(factory);
		await reloaded.store.whenLoaded;
		// The snapshot holds the change, so it must hold its "not yet on the server" record too.
		expect(reloaded.doc.getMap('case').get('b')).toBe(2);
		expect(reloaded.store.get('pending/7/0')).toEqual([7, 1]);
	});

	it('compaction racing a write that fails later stores that change with its meta record', async () => {
		const factory = new IDBFactory();
		const { doc, store } = openStore(factory, new Y.Doc(), 1000);
		await store.whenLoaded;
		doc.getMap('case').set('a', 1);
		await waitFor(() => store.getState().status === 'saved', 'first saved');
		// The compaction transaction is queued first; its snapshot is taken once it runs, after
		// the edit below. The edit's own transaction runs next and aborts.
		store.compact();
		const original = IDBObjectStore.prototype.add;
		let armed = true;
		IDBObjectStore.prototype.add = function (
			this: IDBObjectStore,
			...args: [unknown, IDBValidKey?]
		) {
			const request = original.apply(this, args);
			if (armed) {
				armed = false;
				const tx = this.transaction;
				request.addEventListener('success', () => tx.abort());
			}
			return request;
		} as typeof original;
		try {
			store.set('pending/7/0', [7, 1]);
			doc.getMap('case').set('b', 2);
			await waitFor(() => store.getState().status === 'error', 'the write failed');
		} finally {
			IDBObjectStore.prototype.add = original;
		}
		store.destroy();

		const reloaded = openStore(factory);
		await reloaded.store.whenLoaded;
		expect(reloaded.doc.getMap('case').get('b')).toBe(2);
		expect(reloaded.store.get('pending/7/0')).toEqual([7, 1]);
	});

	it('meta values persist, and survive a reload', async () => {
		const factory = new IDBFactory();
		const { store } = openStore(factory);
		store.set('server/sv', new Uint8Array([1, 2, 3]));
		store.set('gone', 1);
		store.delete('gone');
		await store.whenLoaded;
		// Meta-only writes are bookkeeping: they never show the document as "saving".
		expect(store.getState()).toMatchObject({ status: 'saved', pendingWrites: 1 });
		await waitFor(() => store.getState().pendingWrites === 0, 'meta written');
		store.destroy();

		const reloaded = openStore(factory);
		await reloaded.store.whenLoaded;
		expect(reloaded.store.get('server/sv')).toEqual(new Uint8Array([1, 2, 3]));
		expect(reloaded.store.keys()).toEqual(['server/sv']);
	});

	it('clearData() deletes the stored document', async () => {
		const factory = new IDBFactory();
		const { doc, store } = openStore(factory);
		await store.whenLoaded;
		doc.getMap('case').set('name', 'resident');
		await waitFor(() => store.getState().status === 'saved', 'saved');
		expect(await store.clearData()).toEqual({ ok: true });

		const reloaded = openStore(factory);
		await reloaded.store.whenLoaded;
		expect(reloaded.doc.getMap('case').size).toBe(0);
	});

	it('clearAllLocalData() deletes every gridboard database', async () => {
		const factory = new IDBFactory();
		const { doc, store } = openStore(factory);
		await store.whenLoaded;
		doc.getMap('case').set('name', 'resident');
		await waitFor(() => store.getState().status === 'saved', 'saved');
		store.destroy();
		expect(await clearAllLocalData(factory)).toEqual({ ok: true });
		expect((await factory.databases()).map((info) => info.name)).toEqual([]);
	});

	it('clearAllLocalData() deletes the offline basemap files (OPFS) too, and says when it could not', async () => {
		const removed: [string, unknown][] = [];
		const opfs = (fail: DOMException | null) => ({
			getDirectory: async () => ({
				removeEntry: async (name: string, options: unknown) => {
					if (fail) throw fail;
					removed.push([name, options]);
				}
			})
		});
		expect(await clearAllLocalData(new IDBFactory(), opfs(null))).toEqual({ ok: true });
		expect(removed).toEqual([[BASEMAP_DIRECTORY, { recursive: true }]]);
		// Never downloaded: nothing to delete is fine.
		const none = new DOMException('none', 'NotFoundError');
		expect(await clearAllLocalData(new IDBFactory(), opfs(none))).toEqual({ ok: true });
		const held = new DOMException('in use', 'NoModificationAllowedError');
		expect(await clearAllLocalData(new IDBFactory(), opfs(held))).toEqual({
			ok: false,
			reason: 'failed'
		});
	});

	it('without IndexedDB the store reports unavailable and keeps the edits in memory', async () => {
		const broken = {
			open() {
				throw new DOMException('denied', 'SecurityError');
			}
		} as unknown as IDBFactory;
		const doc = new Y.Doc();
		const store = openLocalStore(DOC, doc, { indexedDB: broken });
		open.push(store);
		await store.whenLoaded;
		doc.getMap('case').set('x', 1);
		expect(store.getState()).toMatchObject({
			status: 'error',
			error: 'unavailable',
			unsavedUpdates: 1
		});
	});
});
