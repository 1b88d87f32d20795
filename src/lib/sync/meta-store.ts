/**
 * Meta store: the small key → value side table kept beside a document's updates.
 *
 * Owns the `MetaStore` interface that sync modules use to persist bookkeeping (the relay's last
 * confirmed state vector, the list of local changes not yet on the relay) and its in-memory twin
 * for tests. `local-store.ts` is the IndexedDB implementation.
 *
 * Invariant: reads are synchronous from memory; `set`/`delete` never throw. Values must be
 * structured-cloneable (IndexedDB stores them as they are).
 */

export interface MetaStore {
	get(key: string): unknown;
	/** Every key currently held, optionally only those starting with `prefix`. */
	keys(prefix?: string): string[];
	set(key: string, value: unknown): void;
	delete(key: string): void;
}

export function createMemoryMetaStore(initial: Iterable<[string, unknown]> = []): MetaStore {
	const entries = new Map<string, unknown>(initial);
	return {
		get: (key) => entries.get(key),
		keys: (prefix = '') => [...entries.keys()].filter((key) => key.startsWith(prefix)),
		set: (key, value) => void entries.set(key, value),
		delete: (key) => void entries.delete(key)
	};
}
