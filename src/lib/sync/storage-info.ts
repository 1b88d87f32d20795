/**
 * Storage info: asks the browser to keep this site's data (persistent storage) and reports how
 * much room there is.
 *
 * Without persistence, a browser under storage pressure may evict IndexedDB, and with it edits
 * not yet on the relay. `persist()` may show a permission prompt (Firefox), so it is asked once
 * and the answer remembered in localStorage; the settings page can ask again with `force`.
 *
 * Invariant: nothing here throws or rejects; what cannot be known is `null`.
 */

export const PERSIST_ANSWER_KEY = 'gridboard:persist-answer';

export type StorageInfo = Readonly<{
	/** The browser promised not to evict our data; null when it cannot tell. */
	persisted: boolean | null;
	usage: number | null;
	quota: number | null;
}>;

type StorageLike = Pick<StorageManager, 'persist' | 'persisted' | 'estimate'>;
type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

export type StorageInfoOptions = {
	storage?: StorageLike | null;
	localStorage?: KeyValueStore | null;
};

function defaultStorage(): StorageLike | null {
	return typeof navigator !== 'undefined' ? (navigator.storage ?? null) : null;
}

function defaultLocalStorage(): KeyValueStore | null {
	try {
		return typeof localStorage !== 'undefined' ? localStorage : null;
	} catch {
		// Reading `localStorage` throws when site data is blocked.
		return null;
	}
}

function readAnswer(store: KeyValueStore | null): boolean | null {
	try {
		const answer = store?.getItem(PERSIST_ANSWER_KEY);
		return answer === 'granted' ? true : answer === 'denied' ? false : null;
	} catch {
		return null;
	}
}

function writeAnswer(store: KeyValueStore | null, granted: boolean): void {
	try {
		store?.setItem(PERSIST_ANSWER_KEY, granted ? 'granted' : 'denied');
	} catch {
		// not remembered: we may ask once more next time, which is harmless
	}
}

/**
 * Asks for persistent storage unless already asked (or `force`). Resolves with whether storage is
 * persistent, or null when the browser has no such API.
 */
export async function requestPersistentStorage(
	options: StorageInfoOptions & { force?: boolean } = {}
): Promise<boolean | null> {
	const storage = options.storage === undefined ? defaultStorage() : options.storage;
	const store = options.localStorage === undefined ? defaultLocalStorage() : options.localStorage;
	if (!storage || typeof storage.persist !== 'function') return null;
	try {
		if (typeof storage.persisted === 'function' && (await storage.persisted())) {
			writeAnswer(store, true);
			return true;
		}
		const remembered = readAnswer(store);
		if (remembered !== null && !options.force) return false;
		const granted = await storage.persist();
		writeAnswer(store, granted);
		return granted;
	} catch {
		return null;
	}
}

export async function readStorageInfo(options: StorageInfoOptions = {}): Promise<StorageInfo> {
	const storage = options.storage === undefined ? defaultStorage() : options.storage;
	let persisted: boolean | null = null;
	let usage: number | null = null;
	let quota: number | null = null;
	if (storage) {
		try {
			if (typeof storage.persisted === 'function') persisted = await storage.persisted();
		} catch {
			persisted = null;
		}
		try {
			if (typeof storage.estimate === 'function') {
				const estimate = await storage.estimate();
				usage = estimate.usage ?? null;
				quota = estimate.quota ?? null;
			}
		} catch {
			usage = null;
			quota = null;
		}
	}
	return Object.freeze({ persisted, usage, quota });
}
