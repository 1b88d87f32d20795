/**
 * The community's offline basemap on this device: one PMTiles archive downloaded from the relay
 * (`GET /api/communities/:cid/basemap`, sync-server/basemap/serve.ts), kept whole in device
 * storage and read by the map through a pmtiles `Source` over the stored Blob (`blobSource`).
 *
 * Where: the Origin Private File System (`navigator.storage.getDirectory()`, directory
 * `BASEMAP_DIRECTORY`) when the browser has it with writable files, else IndexedDB (database
 * `gridboard:basemaps`). Sign-out and member removal delete both (sync/local-store.ts
 * `clearAllLocalData`). The Cache API is not used: it cannot store range responses.
 *
 * Invariants:
 * - A shelf holds files named `{cid}-{tag}.pmtiles` (tag: the start of the archive's sha-256
 *   ETag) and one index `{cid}.json` that names the complete archive and the one being
 *   downloaded. `basemapFile` returns only a complete archive whose size is what the relay
 *   said, never a partial one.
 * - A download is resumable: what arrived is appended to the partial file at least every
 *   `FLUSH_BYTES` and when the body breaks off; the next attempt asks for the rest (`Range`)
 *   under `If-Range` with the partial's ETag, so a rebuilt archive on the relay restarts the
 *   download instead of mixing two archives. A finished download is checked against its
 *   sha-256 before it counts.
 * - A newer archive replaces the old one only once it is whole and checked: until then the old
 *   one stays the complete archive and the map keeps working.
 */
import type { Source } from 'pmtiles';
import type { ApiFailure } from '../sync/auth-api.ts';
import { BASEMAP_DIRECTORY, DB_PREFIX } from '../sync/local-store.ts';
import { sha256Hex } from '../sync/sha256.ts';
import type { TokenGetter } from '../sync/photo-outbox.ts';
import { isApiReason } from '../wire/index.ts';

/** Appended to storage at least this often during a download. */
export const FLUSH_BYTES = 1024 * 1024;

/** A named-file store: OPFS or IndexedDB. */
export interface Shelf {
	readonly kind: 'opfs' | 'indexeddb' | 'memory';
	read(name: string): Promise<Blob | null>;
	/** Replaces the file. */
	write(name: string, data: Blob): Promise<void>;
	/** Adds to the end of the file, creating it. */
	append(name: string, data: Blob): Promise<void>;
	remove(name: string): Promise<void>;
	list(): Promise<string[]>;
}

export type StoredBasemap = Readonly<{ etag: string; size: number; savedAt: number }>;
type PartialDownload = Readonly<{ etag: string; total: number }>;
type Index = { complete: StoredBasemap | null; partial: PartialDownload | null };

/**
 * Why a basemap call failed: the relay's reason (`no_basemap` when none was built), `offline`,
 * `storage_full`, `interrupted` (the body broke off; what arrived is kept), `corrupt` (the
 * whole file did not match its ETag; it was dropped), `storage_failed`.
 */
export type BasemapFailure =
	ApiFailure | 'storage_full' | 'storage_failed' | 'interrupted' | 'corrupt';

export type Progress = Readonly<{ done: number; total: number }>;
export type Remote = Readonly<{ etag: string; size: number }>;

export type DownloadResult =
	| { ok: true; stored: StoredBasemap; fresh: boolean }
	| { ok: false; reason: BasemapFailure; progress: Progress | null };

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type BasemapStoreOptions = {
	communityId: string;
	tokens: TokenGetter | null;
	shelf?: Shelf;
	baseUrl?: string;
	fetch?: FetchLike;
	isOnline?: () => boolean;
	now?: () => number;
};

const indexName = (communityId: string) => `${communityId}.json`;
const tagOf = (etag: string) => etag.replace(/[^0-9a-f]/gi, '').slice(0, 16) || 'archive';
const fileName = (communityId: string, etag: string) => `${communityId}-${tagOf(etag)}.pmtiles`;

/** A pmtiles `Source` over a Blob in memory or on disk: each read is one slice. */
export function blobSource(blob: Blob, key: string): Source {
	return {
		getKey: () => key,
		getBytes: async (offset, length) => ({
			data: await blob.slice(offset, offset + length).arrayBuffer()
		})
	};
}

const isQuota = (error: unknown): boolean =>
	error instanceof DOMException &&
	(error.name === 'QuotaExceededError' || error.name === 'NS_ERROR_DOM_QUOTA_REACHED');

async function readIndex(shelf: Shelf, communityId: string): Promise<Index> {
	const blob = await shelf.read(indexName(communityId));
	if (!blob) return { complete: null, partial: null };
	try {
		const value = JSON.parse(await blob.text()) as Partial<Index>;
		return { complete: value.complete ?? null, partial: value.partial ?? null };
	} catch {
		return { complete: null, partial: null };
	}
}

async function writeIndex(shelf: Shelf, communityId: string, index: Index): Promise<void> {
	await shelf.write(
		indexName(communityId),
		new Blob([JSON.stringify(index)], { type: 'application/json' })
	);
}

/** The complete archive in a shelf, checked against its recorded size. */
async function completeFile(shelf: Shelf, communityId: string): Promise<Blob | null> {
	const { complete } = await readIndex(shelf, communityId);
	if (!complete) return null;
	const blob = await shelf.read(fileName(communityId, complete.etag));
	return blob && blob.size === complete.size ? blob : null;
}

// --- Shelves -----------------------------------------------------------------------------------

type OpfsFile = {
	getFile(): Promise<File>;
	createWritable(options?: { keepExistingData?: boolean }): Promise<{
		seek(position: number): Promise<void>;
		write(data: Blob): Promise<void>;
		close(): Promise<void>;
	}>;
};
type OpfsDirectory = {
	getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<OpfsDirectory>;
	getFileHandle(name: string, options?: { create?: boolean }): Promise<OpfsFile>;
	removeEntry(name: string): Promise<void>;
	keys(): AsyncIterable<string>;
};

const notFound = (error: unknown) =>
	error instanceof DOMException && error.name === 'NotFoundError';

/** OPFS files in `BASEMAP_DIRECTORY` (writable files: Chromium, Firefox, Safari 26). */
export function opfsShelf(root: () => Promise<unknown>): Shelf {
	let dir: Promise<OpfsDirectory> | null = null;
	const directory = () =>
		(dir ??= root().then((handle) =>
			(handle as OpfsDirectory).getDirectoryHandle(BASEMAP_DIRECTORY, { create: true })
		));
	const put = async (name: string, data: Blob, keep: boolean) => {
		const file = await (await directory()).getFileHandle(name, { create: true });
		const writable = await file.createWritable({ keepExistingData: keep });
		if (keep) await writable.seek((await file.getFile()).size);
		await writable.write(data);
		await writable.close();
	};
	return {
		kind: 'opfs',
		async read(name) {
			try {
				const handle = await (await directory()).getFileHandle(name);
				return await handle.getFile();
			} catch (error) {
				if (notFound(error)) return null;
				throw error;
			}
		},
		write: (name, data) => put(name, data, false),
		append: (name, data) => put(name, data, true),
		async remove(name) {
			try {
				await (await directory()).removeEntry(name);
			} catch (error) {
				if (!notFound(error)) throw error;
			}
		},
		async list() {
			const names: string[] = [];
			for await (const name of (await directory()).keys()) names.push(name);
			return names;
		}
	};
}

export const BASEMAP_DB = `${DB_PREFIX}basemaps`;
const FILES = 'files';

/** IndexedDB: one object store of Blobs by name, in a `gridboard:` database. */
export function indexedDbShelf(factory: IDBFactory): Shelf {
	let db: Promise<IDBDatabase> | null = null;
	const open = () =>
		(db ??= new Promise<IDBDatabase>((resolve, reject) => {
			const request = factory.open(BASEMAP_DB, 1);
			request.onupgradeneeded = () => request.result.createObjectStore(FILES);
			request.onsuccess = () => {
				const opened = request.result;
				// Sign-out deletes the database: let it go when asked.
				opened.onversionchange = () => {
					opened.close();
					db = null;
				};
				resolve(opened);
			};
			request.onerror = () => reject(request.error);
		}));
	const run = async <T>(
		mode: IDBTransactionMode,
		body: (store: IDBObjectStore, done: (value: T) => void) => void
	): Promise<T> => {
		const handle = await open();
		return new Promise<T>((resolve, reject) => {
			const tx = handle.transaction(FILES, mode);
			let result: T;
			body(tx.objectStore(FILES), (value) => (result = value));
			tx.oncomplete = () => resolve(result);
			tx.onerror = () => reject(tx.error);
			tx.onabort = () => reject(tx.error);
		});
	};
	return {
		kind: 'indexeddb',
		read: (name) =>
			run<Blob | null>('readonly', (store, done) => {
				const request = store.get(name);
				request.onsuccess = () => done(request.result instanceof Blob ? request.result : null);
			}),
		write: (name, data) => run<void>('readwrite', (store) => store.put(data, name)),
		append: (name, data) =>
			run<void>('readwrite', (store) => {
				const request = store.get(name);
				request.onsuccess = () => {
					const old = request.result instanceof Blob ? request.result : null;
					store.put(old ? new Blob([old, data]) : data, name);
				};
			}),
		remove: (name) => run<void>('readwrite', (store) => store.delete(name)),
		list: () =>
			run<string[]>('readonly', (store, done) => {
				const request = store.getAllKeys();
				request.onsuccess = () => done(request.result.map(String));
			})
	};
}

type StorageEnvironment = {
	storage?: { getDirectory?: () => Promise<unknown> };
	indexedDB?: IDBFactory;
	writableFiles?: boolean;
};

/** OPFS when this browser has it with writable files, else IndexedDB; null with neither. */
export function defaultShelf(env: StorageEnvironment = browserEnvironment()): Shelf | null {
	const getDirectory = env.storage?.getDirectory;
	if (typeof getDirectory === 'function' && env.writableFiles) {
		return opfsShelf(() => getDirectory.call(env.storage));
	}
	return env.indexedDB ? indexedDbShelf(env.indexedDB) : null;
}

function browserEnvironment(): StorageEnvironment {
	const handle = (globalThis as { FileSystemFileHandle?: { prototype: object } })
		.FileSystemFileHandle;
	return {
		storage: globalThis.navigator?.storage,
		indexedDB: globalThis.indexedDB,
		writableFiles: handle !== undefined && 'createWritable' in handle.prototype
	};
}

let shared: Shelf | null | undefined;
const sharedShelf = (): Shelf | null => (shared === undefined ? (shared = defaultShelf()) : shared);

/** The community's downloaded archive on this device (whole), or null. */
export async function basemapFile(communityId: string): Promise<Blob | null> {
	const shelf = sharedShelf();
	if (!shelf) return null;
	try {
		return await completeFile(shelf, communityId);
	} catch {
		return null;
	}
}

// --- The store ---------------------------------------------------------------------------------

function parseContentRange(header: string | null): { start: number; total: number } | null {
	const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header ?? '');
	return match ? { start: Number(match[1]), total: Number(match[3]) } : null;
}

async function failureOf(response: Response): Promise<ApiFailure> {
	try {
		const body = (await response.json()) as { error?: unknown };
		if (isApiReason(body.error)) return body.error;
	} catch {
		// not JSON
	}
	return 'unreadable';
}

export type BasemapStore = {
	/** What this device holds (null: nothing yet). */
	stored(): Promise<StoredBasemap | null>;
	/** Bytes of an interrupted download kept for resuming. */
	partial(): Promise<Progress | null>;
	file(): Promise<Blob | null>;
	/** `HEAD`: the relay's archive (its ETag and size), to offer an update. */
	remote(): Promise<{ ok: true; remote: Remote } | { ok: false; reason: BasemapFailure }>;
	/** Downloads (or resumes) the relay's archive; `fresh` false when the stored one is current. */
	download(onProgress?: (progress: Progress) => void): Promise<DownloadResult>;
};

export function createBasemapStore(options: BasemapStoreOptions): BasemapStore {
	const { communityId } = options;
	const baseUrl = options.baseUrl ?? '';
	const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
	const isOnline = options.isOnline ?? (() => globalThis.navigator?.onLine ?? true);
	const now = options.now ?? Date.now;
	const url = `${baseUrl}/api/communities/${encodeURIComponent(communityId)}/basemap`;
	const shelfOrNull = options.shelf ?? sharedShelf();

	/** A fetch with the bearer token, asking for a fresh one once after a 401. */
	const authorized = async (
		method: string,
		headers: Record<string, string>
	): Promise<Response | { failure: BasemapFailure }> => {
		if (!options.tokens) return { failure: 'signed_out' };
		if (!isOnline()) return { failure: 'offline' };
		let token = await options.tokens.get();
		for (let attempt = 0; ; attempt++) {
			if (!token.ok) return { failure: token.reason };
			let response: Response;
			try {
				response = await doFetch(url, {
					method,
					headers: { ...headers, Authorization: `Bearer ${token.token}` },
					cache: 'no-store'
				});
			} catch {
				return { failure: 'offline' };
			}
			if (response.status !== 401 || attempt > 0) return response;
			await response.body?.cancel().catch(() => {});
			token = await options.tokens.fresh();
		}
	};

	const partialProgress = async (shelf: Shelf, index: Index): Promise<Progress | null> => {
		if (!index.partial) return null;
		const blob = await shelf.read(fileName(communityId, index.partial.etag));
		return { done: blob?.size ?? 0, total: index.partial.total };
	};

	/** Files of this community no index entry names: leftovers of a crash or a replaced archive. */
	const sweep = async (shelf: Shelf, index: Index): Promise<void> => {
		const keep = new Set([indexName(communityId)]);
		if (index.complete) keep.add(fileName(communityId, index.complete.etag));
		if (index.partial) keep.add(fileName(communityId, index.partial.etag));
		for (const name of await shelf.list()) {
			if (name.startsWith(`${communityId}-`) && !keep.has(name)) await shelf.remove(name);
		}
	};

	const attempt = async (
		shelf: Shelf,
		onProgress: (progress: Progress) => void,
		restart: boolean
	): Promise<DownloadResult | 'restart'> => {
		const index = await readIndex(shelf, communityId);
		if (restart && index.partial) {
			await shelf.remove(fileName(communityId, index.partial.etag));
			index.partial = null;
			await writeIndex(shelf, communityId, index);
		}
		const have = (await partialProgress(shelf, index))?.done ?? 0;
		const headers: Record<string, string> = {};
		if (index.partial && have > 0) {
			headers.Range = `bytes=${have}-`;
			headers['If-Range'] = index.partial.etag;
		} else if (index.complete) {
			headers['If-None-Match'] = index.complete.etag;
		}
		const response = await authorized('GET', headers);
		if ('failure' in response) {
			return { ok: false, reason: response.failure, progress: await partialProgress(shelf, index) };
		}
		if (response.status === 304 && index.complete) {
			return { ok: true, stored: index.complete, fresh: false };
		}
		if (response.status === 416) {
			await response.body?.cancel().catch(() => {});
			return 'restart';
		}
		if (response.status !== 200 && response.status !== 206) {
			return { ok: false, reason: await failureOf(response), progress: null };
		}
		const etag = response.headers.get('ETag') ?? '';
		let done: number;
		let total: number;
		if (response.status === 206) {
			const range = parseContentRange(response.headers.get('Content-Range'));
			if (!index.partial || !range || range.start !== have || etag !== index.partial.etag) {
				await response.body?.cancel().catch(() => {});
				return 'restart';
			}
			done = have;
			total = range.total;
		} else {
			total = Number(response.headers.get('Content-Length'));
			if (!etag || !Number.isSafeInteger(total)) {
				await response.body?.cancel().catch(() => {});
				return { ok: false, reason: 'unreadable', progress: null };
			}
			if (index.complete?.etag === etag && index.complete.size === total) {
				// The stored archive is already this one (the relay ignored If-None-Match).
				await response.body?.cancel().catch(() => {});
				return { ok: true, stored: index.complete, fresh: false };
			}
			if (index.partial) await shelf.remove(fileName(communityId, index.partial.etag));
			index.partial = { etag, total };
			await shelf.write(fileName(communityId, etag), new Blob([]));
			await writeIndex(shelf, communityId, index);
			await sweep(shelf, index);
			done = 0;
		}
		const name = fileName(communityId, etag);
		onProgress({ done, total });
		let pending: Uint8Array<ArrayBuffer>[] = [];
		let pendingBytes = 0;
		const flush = async () => {
			if (pendingBytes === 0) return;
			const chunk = new Blob(pending);
			pending = [];
			pendingBytes = 0;
			await shelf.append(name, chunk);
		};
		const reader = response.body?.getReader();
		let broken = false;
		while (reader) {
			let chunk: ReadableStreamReadResult<Uint8Array>;
			try {
				chunk = await reader.read();
			} catch {
				// The network broke off: keep what arrived (storage errors are not caught here).
				broken = true;
				break;
			}
			if (chunk.done) break;
			pending.push(chunk.value as Uint8Array<ArrayBuffer>);
			pendingBytes += chunk.value.byteLength;
			done += chunk.value.byteLength;
			if (pendingBytes >= FLUSH_BYTES) await flush();
			onProgress({ done, total });
		}
		await flush();
		const stored = await shelf.read(name);
		const size = stored?.size ?? 0;
		if (broken || size < total) {
			return { ok: false, reason: 'interrupted', progress: { done: size, total } };
		}
		const hash = await sha256Hex(await stored!.arrayBuffer());
		if (size !== total || `"${hash}"` !== etag) {
			await shelf.remove(name);
			index.partial = null;
			await writeIndex(shelf, communityId, index);
			return { ok: false, reason: 'corrupt', progress: null };
		}
		const complete: StoredBasemap = { etag, size, savedAt: now() };
		const previous = index.complete;
		await writeIndex(shelf, communityId, { complete, partial: null });
		if (previous && fileName(communityId, previous.etag) !== name) {
			await shelf.remove(fileName(communityId, previous.etag));
		}
		return { ok: true, stored: complete, fresh: true };
	};

	return {
		async stored() {
			if (!shelfOrNull) return null;
			return (await readIndex(shelfOrNull, communityId)).complete;
		},
		async partial() {
			if (!shelfOrNull) return null;
			return partialProgress(shelfOrNull, await readIndex(shelfOrNull, communityId));
		},
		file: () => (shelfOrNull ? completeFile(shelfOrNull, communityId) : Promise.resolve(null)),
		async remote() {
			const response = await authorized('HEAD', {});
			if ('failure' in response) return { ok: false, reason: response.failure };
			if (response.status !== 200) {
				const byStatus: Record<number, BasemapFailure> = {
					403: 'forbidden',
					404: 'no_basemap'
				};
				return { ok: false, reason: byStatus[response.status] ?? 'unreadable' };
			}
			const etag = response.headers.get('ETag') ?? '';
			const size = Number(response.headers.get('Content-Length'));
			if (!etag || !Number.isSafeInteger(size)) return { ok: false, reason: 'unreadable' };
			return { ok: true, remote: { etag, size } };
		},
		async download(onProgress = () => {}) {
			const shelf = shelfOrNull;
			if (!shelf) return { ok: false, reason: 'storage_failed', progress: null };
			try {
				const first = await attempt(shelf, onProgress, false);
				if (first !== 'restart') return first;
				const second = await attempt(shelf, onProgress, true);
				return second === 'restart' ? { ok: false, reason: 'unreadable', progress: null } : second;
			} catch (error) {
				return {
					ok: false,
					reason: isQuota(error) ? 'storage_full' : 'storage_failed',
					progress: null
				};
			}
		}
	};
}
