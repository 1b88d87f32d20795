/**
 * Pending index: the device-level list of documents that hold changes the relay has not
 * confirmed yet, so the app can open them at start without a page asking for them.
 *
 * Why: a document's "not yet on the server" records live in its own database
 * (`gridboard:<docName>`, see server-confirmations.ts), which nobody reads until a session opens
 * it. Without this list, a board edited offline and not opened after a reload would neither be
 * counted in the status bar nor sent to the relay.
 *
 *   database `gridboard:index` (version 1)
 *   ┌────────────────────────────────────────────────────────────┐
 *   │ pending   docName → { communityId, since }                 │
 *   └────────────────────────────────────────────────────────────┘
 *
 * Invariants: an entry is written (strict durability) when a document's unconfirmed count grows,
 * and the document's "saved on this device" waits for that write (doc-session.ts); it is deleted
 * only once the document has nothing unconfirmed and everything is written locally. A stale entry
 * costs one session opening that finds nothing; a missing one would hide changes, so errors lean
 * towards keeping entries. The name starts with `gridboard:`, so sign-out (`clearAllLocalData`)
 * deletes it with the documents; the connection closes itself when another tab deletes or
 * upgrades the database. Nothing here throws into the caller.
 */
import { parseDocName } from '../wire/index.ts';
import { DB_PREFIX } from './local-store.ts';

export const INDEX_DB_NAME = `${DB_PREFIX}index`;
const INDEX_VERSION = 1;
const PENDING = 'pending';

export type PendingEntry = { communityId: string; since: number };

export interface PendingIndex {
	/** Records that `docName` has unconfirmed changes; resolves true once committed. */
	mark(docName: string): Promise<boolean>;
	/** Forgets `docName`; resolves true once committed. */
	clear(docName: string): Promise<boolean>;
	/** The documents of `communityId` with unconfirmed changes (empty when unreadable). */
	list(communityId: string): Promise<string[]>;
	/** Closes the database (sign-out deletes it next); later calls reopen it. */
	close(): void;
}

export type PendingIndexOptions = { indexedDB?: IDBFactory; now?: () => number };

/** `c/{communityId}/…` → communityId (src/lib/wire/doc-names.ts); '' for a malformed name. */
export function communityOf(docName: string): string {
	const parsed = parseDocName(docName);
	return parsed.ok ? parsed.value.communityId : '';
}

export function openPendingIndex(options: PendingIndexOptions = {}): PendingIndex {
	const factory: IDBFactory | undefined = options.indexedDB ?? globalThis.indexedDB;
	const now = options.now ?? Date.now;
	let opening: Promise<IDBDatabase | null> | null = null;
	let current: IDBDatabase | null = null;

	function database(): Promise<IDBDatabase | null> {
		opening ??= new Promise((resolve) => {
			if (!factory) {
				resolve(null);
				return;
			}
			let request: IDBOpenDBRequest;
			try {
				request = factory.open(INDEX_DB_NAME, INDEX_VERSION);
			} catch {
				resolve(null);
				return;
			}
			request.onupgradeneeded = () => {
				const db = request.result;
				if (!db.objectStoreNames.contains(PENDING)) db.createObjectStore(PENDING);
			};
			request.onsuccess = () => {
				const db = request.result;
				const forget = () => {
					db.close();
					if (current === db) {
						current = null;
						opening = null;
					}
				};
				// Sign-out in another tab (deleteDatabase) must not be blocked by us.
				db.onversionchange = forget;
				db.onclose = forget;
				current = db;
				resolve(db);
			};
			request.onerror = () => {
				opening = null;
				resolve(null);
			};
			request.onblocked = () => {
				opening = null;
				resolve(null);
			};
		});
		return opening;
	}

	async function write(apply: (store: IDBObjectStore) => void): Promise<boolean> {
		const db = await database();
		if (!db) return false;
		return new Promise((resolve) => {
			try {
				const tx = db.transaction([PENDING], 'readwrite', { durability: 'strict' });
				tx.oncomplete = () => resolve(true);
				tx.onabort = () => resolve(false);
				apply(tx.objectStore(PENDING));
			} catch {
				resolve(false);
			}
		});
	}

	return {
		mark: (docName) =>
			write((store) => {
				const entry: PendingEntry = { communityId: communityOf(docName), since: now() };
				store.put(entry, docName);
			}),
		clear: (docName) => write((store) => store.delete(docName)),
		async list(communityId) {
			const db = await database();
			if (!db) return [];
			return new Promise((resolve) => {
				try {
					const tx = db.transaction([PENDING], 'readonly');
					const keys = tx.objectStore(PENDING).getAllKeys();
					const values = tx.objectStore(PENDING).getAll();
					tx.oncomplete = () => {
						const entries = values.result as (PendingEntry | undefined)[];
						resolve(
							keys.result
								.filter(
									(key, i): key is string =>
										typeof key === 'string' && entries[i]?.communityId === communityId
								)
								.sort()
						);
					};
					tx.onabort = () => resolve([]);
				} catch {
					resolve([]);
				}
			});
		},
		close() {
			current?.close();
			current = null;
			opening = null;
		}
	};
}
