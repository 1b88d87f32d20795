/**
 * The storage interface of the scale-out relay (issue 22): the operations of `DocStore`
 * (types.ts), asynchronous, for stores behind a network (PostgreSQL, postgres.ts).
 *
 * Invariants: every invariant of `DocStore` holds, except that there is no separate `sync`:
 * `appendBatch` resolves only once its entries are committed AND durable (the relay may confirm
 * them to their senders then), and rejects with none of them stored. A rejected append stores
 * nothing; a rejected compaction leaves the log and the attribution as they were.
 *
 * `asAsync` gives the embedded stores this interface (appendBatch = appendBatch, then a sync
 * started after the commit), so one contract suite (contract.test.ts) runs over every store.
 */
import type { Attribution } from './attribution.ts';
import type { DocStore, StoredDoc, UpdateEntry } from './types.ts';

export interface AsyncDocStore {
	load(doc: string): Promise<StoredDoc>;
	/** Appends all entries in one transaction, durably; resolves to the highest seq assigned. */
	appendBatch(entries: readonly UpdateEntry[]): Promise<number>;
	/** `DocStore.compact`: snapshot in, log rows up to `upToSeq` folded out, atomically. */
	compact(doc: string, snapshot: Uint8Array, upToSeq: number): Promise<void>;
	attribution(doc: string): Promise<Attribution[]>;
	historyBefore(doc: string, before: number): Promise<Uint8Array[]>;
	historyHours(doc: string): Promise<number[]>;
	hasDoc(doc: string): Promise<boolean>;
	docNames(): Promise<string[]>;
	close(): Promise<void>;
}

/** `store` behind the async interface; a synchronous throw becomes a rejection. */
export function asAsync(store: DocStore): AsyncDocStore {
	return {
		load: async (doc) => store.load(doc),
		appendBatch: async (entries) => {
			const seq = store.appendBatch(entries);
			await new Promise<void>((resolve, reject) =>
				store.sync((error) => (error ? reject(error) : resolve()))
			);
			return seq;
		},
		compact: async (doc, snapshot, upToSeq) => store.compact(doc, snapshot, upToSeq),
		attribution: async (doc) => store.attribution(doc),
		historyBefore: async (doc, before) => store.historyBefore(doc, before),
		historyHours: async (doc) => store.historyHours(doc),
		hasDoc: async (doc) => store.hasDoc(doc),
		docNames: async () => store.docNames(),
		close: async () => store.close()
	};
}
