/**
 * Stored summaries: the summaries many documents keep on this device (doc-session.ts, meta key
 * `summary`), read at once without loading their Yjs updates — the community home's counts, the
 * community board's first rows, a dashboard offline.
 *
 * Each document's database (`gridboard:<docName>`, local-store.ts) is opened read-only and only
 * three meta keys are read: `summary`, `heard/at` and `confirm/at`. `asOf` is the later of the two
 * stamps: the last time this device heard the relay's state of that document (a sync step 2, or a
 * persisted confirmation), or null when it never has. A document never stored on this device is
 * absent from the result: opening never creates its database (the upgrade is aborted).
 *
 * Invariants: never throws and never rejects (an unreadable database is simply absent); reads
 * only the meta store, so the cost does not grow with a document's size; the values are as
 * stored — the caller checks the format (domain/summaries.ts `isCurrentSummary`).
 */
import { databaseName } from './local-store.ts';
import { META_HEARD_AT, META_SUMMARY } from './doc-session.ts';
import { META_CONFIRMED_AT } from './server-confirmations.ts';

export type StoredSummary = Readonly<{ docName: string; summary: unknown; asOf: number | null }>;

const stamp = (value: unknown) =>
	typeof value === 'number' && Number.isFinite(value) ? value : null;

function readOne(factory: IDBFactory, docName: string): Promise<StoredSummary | null> {
	return new Promise((resolve) => {
		let request: IDBOpenDBRequest;
		try {
			request = factory.open(databaseName(docName));
		} catch {
			resolve(null);
			return;
		}
		let created = false;
		request.onupgradeneeded = () => {
			// Not on this device: leave no empty database behind.
			created = true;
			request.transaction?.abort();
		};
		request.onerror = () => resolve(null);
		request.onblocked = () => resolve(null);
		request.onsuccess = () => {
			const db = request.result;
			if (created || !db.objectStoreNames.contains('meta')) {
				db.close();
				resolve(null);
				return;
			}
			try {
				const tx = db.transaction('meta', 'readonly');
				const store = tx.objectStore('meta');
				const summary = store.get(META_SUMMARY);
				const heard = store.get(META_HEARD_AT);
				const confirmed = store.get(META_CONFIRMED_AT);
				tx.oncomplete = () => {
					db.close();
					const stamps = [stamp(heard.result), stamp(confirmed.result)].filter((s) => s !== null);
					resolve(
						Object.freeze({
							docName,
							summary: summary.result ?? null,
							asOf: stamps.length > 0 ? Math.max(...stamps) : null
						})
					);
				};
				tx.onabort = () => (db.close(), resolve(null));
			} catch {
				db.close();
				resolve(null);
			}
		};
	});
}

/** The stored summaries of `docNames` on this device, in that order, the absent left out. */
export async function readStoredSummaries(
	docNames: readonly string[],
	factory: IDBFactory | undefined = globalThis.indexedDB
): Promise<readonly StoredSummary[]> {
	if (!factory) return [];
	const read = await Promise.all(docNames.map((docName) => readOne(factory, docName)));
	return read.filter((entry) => entry !== null);
}
