/**
 * Local store: keeps one Y.Doc in IndexedDB, with a completion signal for every write.
 *
 * Why not y-indexeddb: it writes each update without listening for the transaction's completion
 * or error, so the app could never know when an edit is really on disk, and a full quota
 * (QuotaExceededError) would drop updates silently. Promise 1 of RELIABILITY.md ("nothing typed is
 * lost") needs both signals, so we keep our own small store.
 *
 *   database `gridboard:<docName>` (version 1)
 *   ┌──────────────────────────────────────┐  ┌──────────────────────────┐
 *   │ updates  autoIncrement → Uint8Array  │  │ meta   string → unknown  │
 *   │ 1: update   2: update   3: ...       │  │ sync bookkeeping         │
 *   └──────────────────────────────────────┘  └──────────────────────────┘
 *
 * Invariants:
 * - status is `saved` only when every update the doc emitted has been committed by an IndexedDB
 *   transaction whose `complete` event fired. Until then it is `saving`, or `error` after a failed
 *   transaction.
 * - an update is never dropped: a failed write keeps it in memory and it rides along with the next
 *   write (or `retry()`), until a transaction containing it commits.
 * - meta changes made while handling one doc transaction are committed in the same IndexedDB
 *   transaction as that doc update (so a change and its "not yet on the server" record can never
 *   be stored one without the other). Compaction stores the whole doc, including updates whose
 *   own write has not committed (or failed): it writes every meta change not yet committed in
 *   the same transaction, so this holds for it too.
 * - transactions carrying updates (and compaction) ask for `durability: 'strict'`: the browser's
 *   default ("relaxed" in Chromium) reports `complete` before the data is flushed to disk, and
 *   "saved on this device" must survive a power cut.
 * - nothing here throws into the caller; failures become `status: 'error'` with a reason.
 */
import * as Y from 'yjs';
import type { MetaStore } from './meta-store.ts';

export const ORIGIN_LOCAL_STORE = Symbol('gridboard.local-store');

export const DB_PREFIX = 'gridboard:';

/** The Origin Private File System directory of the offline basemap (map/basemap-store.ts). */
export const BASEMAP_DIRECTORY = 'gridboard-basemaps';

type OpfsRoot = { removeEntry(name: string, options?: { recursive?: boolean }): Promise<void> };

/** Deletes the basemap's OPFS directory; true when it is gone (or there is no OPFS). */
async function clearBasemapFiles(
	storage: { getDirectory?: () => Promise<unknown> } | undefined
): Promise<boolean> {
	if (typeof storage?.getDirectory !== 'function') return true;
	try {
		const root = (await storage.getDirectory()) as OpfsRoot;
		await root.removeEntry(BASEMAP_DIRECTORY, { recursive: true });
		return true;
	} catch (error) {
		return error instanceof DOMException && error.name === 'NotFoundError';
	}
}
const DB_VERSION = 1;
const UPDATES = 'updates';
const META = 'meta';
export const DEFAULT_COMPACT_AFTER = 200;

export type LocalStatus = 'loading' | 'saving' | 'saved' | 'error';
export type LocalError = 'quota_exceeded' | 'write_failed' | 'unavailable';

export type LocalStoreState = Readonly<{
	status: LocalStatus;
	error: LocalError | null;
	/** The stored updates were read and applied (or reading failed and we carry on in memory). */
	loaded: boolean;
	/** IndexedDB write transactions started and not yet completed or failed. */
	pendingWrites: number;
	/** Updates the doc emitted that no committed transaction holds yet. */
	unsavedUpdates: number;
	/** Rows in `updates` as far as this instance knows (drives compaction). */
	storedUpdates: number;
}>;

export type ClearResult =
	{ ok: true } | { ok: false; reason: 'blocked' | 'failed' | 'unavailable' };

export interface LocalStore extends MetaStore {
	readonly docName: string;
	/** Resolves once stored updates are applied to the doc; never rejects. */
	readonly whenLoaded: Promise<void>;
	getState(): LocalStoreState;
	subscribe(listener: (state: LocalStoreState) => void): () => void;
	/** Writes what failed before (and reopens the database if opening failed). */
	retry(): void;
	/** Replaces all stored updates by one merged update now (also runs automatically). */
	compact(): void;
	/** Deletes this document's database. The store is unusable afterwards. */
	clearData(): Promise<ClearResult>;
	/** Stops listening and closes the database; in-flight transactions still finish. */
	destroy(): void;
}

export type LocalStoreOptions = {
	indexedDB?: IDBFactory;
	/** Compact once this many update rows are stored. */
	compactAfter?: number;
};

export function databaseName(docName: string): string {
	return DB_PREFIX + docName;
}

function classify(error: unknown): LocalError {
	const name = (error as { name?: unknown } | null)?.name;
	return name === 'QuotaExceededError' ? 'quota_exceeded' : 'write_failed';
}

type MetaChange = { value: unknown } | { deleted: true };

export function openLocalStore(
	docName: string,
	doc: Y.Doc,
	options: LocalStoreOptions = {}
): LocalStore {
	const factory: IDBFactory | undefined = options.indexedDB ?? globalThis.indexedDB;
	const compactAfter = Math.max(2, options.compactAfter ?? DEFAULT_COMPACT_AFTER);
	const name = databaseName(docName);

	let db: IDBDatabase | null = null;
	let opening = false;
	let destroyed = false;
	let loaded = false;
	let error: LocalError | null = null;
	let pendingWrites = 0;
	/** Of those, the ones carrying doc updates (meta-only writes do not show as "saving"). */
	let pendingUpdateWrites = 0;
	let storedUpdates = 0;
	let compacting = false;
	let nextCompactionAt = compactAfter;
	/** Updates not yet in any committed transaction, oldest first. */
	let unsaved: Uint8Array[] = [];
	const meta = new Map<string, unknown>();
	/** Meta changes not yet in any committed transaction. */
	const dirtyMeta = new Map<string, MetaChange>();
	/** Meta batches of write transactions not yet settled (compaction writes them too). */
	const inFlightMeta = new Set<Map<string, MetaChange>>();
	const listeners = new Set<(state: LocalStoreState) => void>();
	let state = computeState();
	let flushScheduled = false;

	let resolveLoaded: () => void = () => {};
	const whenLoaded = new Promise<void>((resolve) => (resolveLoaded = resolve));

	function computeState(): LocalStoreState {
		let status: LocalStatus;
		if (!loaded) status = 'loading';
		else if (error !== null) status = 'error';
		else if (pendingUpdateWrites > 0 || unsaved.length > 0) status = 'saving';
		else status = 'saved';
		return Object.freeze({
			status,
			error,
			loaded,
			pendingWrites,
			unsavedUpdates: unsaved.length,
			storedUpdates
		});
	}

	function emit() {
		const next = computeState();
		const prev = state;
		if (
			prev.status === next.status &&
			prev.error === next.error &&
			prev.loaded === next.loaded &&
			prev.pendingWrites === next.pendingWrites &&
			prev.unsavedUpdates === next.unsavedUpdates &&
			prev.storedUpdates === next.storedUpdates
		) {
			return;
		}
		state = next;
		for (const listener of listeners) listener(state);
	}

	function finishLoading(failure: LocalError | null) {
		if (failure !== null) error = failure;
		if (!loaded) {
			loaded = true;
			resolveLoaded();
		}
		emit();
	}

	function open() {
		if (destroyed || opening || db !== null) return;
		if (!factory) {
			finishLoading('unavailable');
			return;
		}
		opening = true;
		let request: IDBOpenDBRequest;
		try {
			request = factory.open(name, DB_VERSION);
		} catch {
			opening = false;
			finishLoading('unavailable');
			return;
		}
		request.onupgradeneeded = () => {
			const upgrading = request.result;
			if (!upgrading.objectStoreNames.contains(UPDATES)) {
				upgrading.createObjectStore(UPDATES, { autoIncrement: true });
			}
			if (!upgrading.objectStoreNames.contains(META)) upgrading.createObjectStore(META);
		};
		request.onerror = () => {
			opening = false;
			finishLoading('unavailable');
		};
		request.onsuccess = () => {
			opening = false;
			const opened = request.result;
			if (destroyed) {
				opened.close();
				return;
			}
			// Another tab deletes (sign-out) or upgrades the database: let it, and say so.
			opened.onversionchange = () => {
				opened.close();
				if (db === opened) {
					db = null;
					error = 'unavailable';
					emit();
				}
			};
			opened.onclose = () => {
				if (db === opened) {
					db = null;
					error = 'unavailable';
					emit();
				}
			};
			readAll(opened);
		};
	}

	function readAll(opened: IDBDatabase) {
		let tx: IDBTransaction;
		try {
			tx = opened.transaction([UPDATES, META], 'readonly');
		} catch {
			opened.close();
			finishLoading('unavailable');
			return;
		}
		const updates = tx.objectStore(UPDATES).getAll();
		const metaKeys = tx.objectStore(META).getAllKeys();
		const metaValues = tx.objectStore(META).getAll();
		tx.oncomplete = () => {
			if (destroyed) {
				opened.close();
				return;
			}
			db = opened;
			// Meta first: whoever handles the stored updates' transaction (the doc session's
			// summary) reads the meta values as stored, e.g. to leave an unchanged one unwritten.
			const keys = metaKeys.result;
			const values = metaValues.result as unknown[];
			keys.forEach((key, i) => {
				// Changes made before loading finished are newer than what is stored.
				if (typeof key === 'string' && !dirtyMeta.has(key)) meta.set(key, values[i]);
			});
			const rows = updates.result as unknown[];
			applyRows(rows);
			listen();
			storedUpdates = rows.length;
			if (error === 'unavailable') error = null;
			finishLoading(null);
			flush();
			maybeCompact();
		};
		tx.onabort = () => {
			opened.close();
			finishLoading('unavailable');
		};
	}

	function applyRows(rows: unknown[]) {
		doc.transact(() => {
			for (const row of rows) {
				if (!(row instanceof Uint8Array)) continue;
				try {
					Y.applyUpdate(doc, row, ORIGIN_LOCAL_STORE);
				} catch (cause) {
					// A corrupt row must not block the rest of the document from loading.
					console.error(`[local-store] skipped an unreadable update in ${name}`, cause);
				}
			}
		}, ORIGIN_LOCAL_STORE);
	}

	function scheduleFlush() {
		if (flushScheduled) return;
		flushScheduled = true;
		queueMicrotask(() => {
			flushScheduled = false;
			flush();
		});
	}

	/** Starts one readwrite transaction holding every unsaved update and meta change. */
	function flush() {
		if (destroyed || db === null || (unsaved.length === 0 && dirtyMeta.size === 0)) return;
		const batch = unsaved;
		const metaBatch = new Map(dirtyMeta);
		unsaved = [];
		dirtyMeta.clear();
		const carriesUpdates = batch.length > 0;
		pendingWrites++;
		if (carriesUpdates) pendingUpdateWrites++;
		let settled = false;
		inFlightMeta.add(metaBatch);
		const settle = () => {
			settled = true;
			inFlightMeta.delete(metaBatch);
			pendingWrites--;
			if (carriesUpdates) pendingUpdateWrites--;
		};
		const fail = (cause: unknown) => {
			if (settled) return;
			settle();
			unsaved = batch.concat(unsaved);
			for (const [key, change] of metaBatch) {
				if (!dirtyMeta.has(key)) dirtyMeta.set(key, change);
			}
			error = classify(cause);
			emit();
		};
		let tx: IDBTransaction;
		try {
			tx = db.transaction(
				[UPDATES, META],
				'readwrite',
				carriesUpdates ? { durability: 'strict' } : undefined
			);
		} catch (cause) {
			fail(cause);
			return;
		}
		let firstError: unknown = null;
		tx.oncomplete = () => {
			if (settled) return;
			settle();
			if (carriesUpdates) storedUpdates++;
			if (unsaved.length === 0) error = null;
			emit();
			maybeCompact();
		};
		tx.onerror = (event) => {
			firstError ??= (event.target as IDBRequest | null)?.error ?? tx.error;
		};
		tx.onabort = () => fail(tx.error ?? firstError);
		try {
			if (batch.length > 0) {
				const row = batch.length === 1 ? batch[0] : Y.mergeUpdates(batch);
				tx.objectStore(UPDATES).add(row);
			}
			const metaStore = tx.objectStore(META);
			for (const [key, change] of metaBatch) {
				if ('deleted' in change) metaStore.delete(key);
				else metaStore.put(change.value, key);
			}
		} catch (cause) {
			firstError ??= cause;
			try {
				tx.abort();
			} catch {
				// already finished: onabort has run or will run
			}
			fail(cause);
			return;
		}
		emit();
	}

	function maybeCompact() {
		if (storedUpdates >= nextCompactionAt) compact();
	}

	/**
	 * One transaction: re-read every row (rows another tab wrote are merged into the doc, so they
	 * are never deleted unseen), then delete them all and store the merged doc state. That state
	 * also holds updates whose own write is still pending or failed, so every meta change not yet
	 * committed (their "not yet on the server" records) is written in this transaction as well.
	 */
	function compact() {
		if (destroyed || db === null || compacting) return;
		compacting = true;
		const done = (ok: boolean) => {
			compacting = false;
			nextCompactionAt = storedUpdates + compactAfter;
			if (ok) emit();
		};
		let tx: IDBTransaction;
		try {
			tx = db.transaction([UPDATES, META], 'readwrite', { durability: 'strict' });
		} catch {
			done(false);
			return;
		}
		const store = tx.objectStore(UPDATES);
		const metaStore = tx.objectStore(META);
		const rows = store.getAll();
		const keys = store.getAllKeys();
		let removed = 0;
		keys.onsuccess = () => {
			const lastKey = keys.result.at(-1);
			if (lastKey === undefined) return;
			applyRows(rows.result as unknown[]);
			removed = keys.result.length;
			// Delete by key (not by IDBKeyRange) so the store works with any injected factory.
			for (const key of keys.result) store.delete(key);
			store.add(Y.encodeStateAsUpdate(doc));
			// Same instant as the snapshot: the meta values as they are in memory now.
			const uncommitted = new Set(dirtyMeta.keys());
			for (const batch of inFlightMeta) for (const key of batch.keys()) uncommitted.add(key);
			for (const key of uncommitted) {
				if (meta.has(key)) metaStore.put(meta.get(key), key);
				else metaStore.delete(key);
			}
		};
		tx.oncomplete = () => {
			if (removed > 0) storedUpdates = Math.max(1, storedUpdates - removed + 1);
			done(true);
		};
		// A failed compaction rolls back as a whole: the rows are still there, nothing is lost.
		tx.onabort = () => done(false);
	}

	const onUpdate = (update: Uint8Array, origin: unknown) => {
		if (origin === ORIGIN_LOCAL_STORE) return;
		unsaved.push(update);
		if (db === null) {
			emit();
			return;
		}
		flush();
	};
	/*
	 * Yjs encodes every transaction's update only while the doc has an 'update' listener. The
	 * stored rows are applied in one transaction that this store would ignore anyway, and
	 * encoding it again costs as much as decoding it (a 23 MB board: over a second). So the
	 * listener is attached after that transaction, or at the start of the first other
	 * transaction if one comes first (an edit made while loading is saved as always).
	 */
	let listening = false;
	function listen() {
		if (listening || destroyed) return;
		listening = true;
		doc.off('beforeTransaction', onBeforeTransaction);
		doc.on('update', onUpdate);
	}
	function onBeforeTransaction(transaction: Y.Transaction) {
		if (transaction.origin !== ORIGIN_LOCAL_STORE) listen();
	}
	doc.on('beforeTransaction', onBeforeTransaction);

	function stop() {
		if (destroyed) return;
		destroyed = true;
		doc.off('beforeTransaction', onBeforeTransaction);
		doc.off('update', onUpdate);
		listeners.clear();
		db?.close();
		db = null;
	}

	open();

	return {
		docName,
		whenLoaded,
		getState: () => state,
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		get: (key) => meta.get(key),
		keys: (prefix = '') => [...meta.keys()].filter((key) => key.startsWith(prefix)),
		set(key, value) {
			meta.set(key, value);
			dirtyMeta.set(key, { value });
			scheduleFlush();
		},
		delete(key) {
			meta.delete(key);
			dirtyMeta.set(key, { deleted: true });
			scheduleFlush();
		},
		retry() {
			if (db === null) open();
			else flush();
		},
		compact,
		clearData() {
			stop();
			return deleteDatabase(factory, name);
		},
		destroy: stop
	};
}

function deleteDatabase(factory: IDBFactory | undefined, name: string): Promise<ClearResult> {
	return new Promise((resolve) => {
		if (!factory) {
			resolve({ ok: false, reason: 'unavailable' });
			return;
		}
		let request: IDBOpenDBRequest;
		try {
			request = factory.deleteDatabase(name);
		} catch {
			resolve({ ok: false, reason: 'failed' });
			return;
		}
		request.onsuccess = () => resolve({ ok: true });
		request.onerror = () => resolve({ ok: false, reason: 'failed' });
		// Another tab still holds it open; the deletion goes through once that tab lets go.
		request.onblocked = () => resolve({ ok: false, reason: 'blocked' });
	});
}

/** Deletes one document's database on this device (a document no session holds open). */
export function clearDocumentData(
	docName: string,
	factory: IDBFactory | undefined = globalThis.indexedDB
): Promise<ClearResult> {
	return deleteDatabase(factory, databaseName(docName));
}

/** Deletes every Gridboard document database and the offline basemap files on this device (sign-out). */
export async function clearAllLocalData(
	factory: IDBFactory | undefined = globalThis.indexedDB,
	storage: { getDirectory?: () => Promise<unknown> } | undefined = globalThis.navigator?.storage
): Promise<ClearResult> {
	// The offline basemap's files (OPFS) go with the community's documents.
	const basemapCleared = await clearBasemapFiles(storage);
	if (!factory || typeof factory.databases !== 'function') {
		return { ok: false, reason: 'unavailable' };
	}
	let names: string[];
	try {
		names = (await factory.databases())
			.map((info) => info.name)
			.filter((dbName): dbName is string => dbName?.startsWith(DB_PREFIX) ?? false);
	} catch {
		return { ok: false, reason: 'failed' };
	}
	const results = await Promise.all(names.map((dbName) => deleteDatabase(factory, dbName)));
	if (!basemapCleared) results.push({ ok: false, reason: 'failed' });
	return results.find((result) => !result.ok) ?? { ok: true };
}
