/**
 * The storage interface of the relay: a snapshot plus an append-only update log per document.
 *
 * Invariants every implementation keeps:
 * - `appendBatch` is one transaction: after it returns every entry is committed (visible to
 *   `load`, kept across a crash of the process), after it throws none is.
 * - Committed is not yet durable against a power loss: that takes `sync` (or `syncNow`), which
 *   makes everything committed before the call durable. The relay confirms an update to its
 *   sender only after a sync that started after its commit finished.
 * - `compact` is one transaction: the snapshot replaces the log rows up to `upToSeq` atomically,
 *   so a crash leaves either the old rows or the new snapshot, never neither. The rows' authors
 *   and what each inserted and deleted are folded, in that same transaction, into the
 *   document's attribution records (attribution.ts): `attribution` says the same before and
 *   after a compaction.
 * - `load` returns the latest snapshot and every log row after it, in commit order.
 * - Sequence numbers grow across the whole store and are never reused.
 * - History (history.ts): every stored row keeps the time the relay received it; `compact`
 *   moves the rows it folds, in that same transaction, into the document's history (one merged
 *   row per hour), so `historyBefore` returns, before and after any compaction, the updates
 *   received before a time: nothing folded is ever dropped.
 * Reads and commits are synchronous because node:sqlite's DatabaseSync is; only the wait for the
 * disk (`sync`) happens off the event loop, where a slow disk (fsyncs of 50–500 ms were seen on
 * the benchmark VM) stalls no room's live traffic.
 */

import type { Attribution } from './attribution.ts';

export type StoredDoc = {
	snapshot: Uint8Array | null;
	updates: Uint8Array[];
	/** Highest sequence number covered by the snapshot or the log; 0 for an unknown document. */
	lastSeq: number;
};

/**
 * One update to store, with the member the relay authenticated for it (`author`: a member id,
 * RELAY_MEMBER for the relay's own attestations, null for a service writer or a test).
 */
export type UpdateEntry = { doc: string; update: Uint8Array; author?: string | null };

/**
 * One document's rows exactly as a store holds them, for a move between stores (the migration
 * to PostgreSQL, cluster/migrate.ts): the snapshot and the number it covers, every log row with
 * its number, receive time and author, the compacted attribution records (without the log rows
 * folded in) and the hourly history rows.
 */
export type DocRows = {
	snapshot: { uptoSeq: number; data: Uint8Array } | null;
	log: { seq: number; at: number; author: string | null; data: Uint8Array }[];
	attribution: Attribution[];
	history: { hour: number; seq: number; data: Uint8Array }[];
};

export interface DocStore {
	load(doc: string): StoredDoc;
	/** Appends all entries in one transaction; returns the highest sequence number assigned. */
	appendBatch(entries: readonly UpdateEntry[]): number;
	/**
	 * Stores `snapshot` and deletes the document's log rows with seq <= upToSeq, atomically,
	 * folding the deleted rows into the document's attribution records.
	 */
	compact(doc: string, snapshot: Uint8Array, upToSeq: number): void;
	/**
	 * Who wrote what in a document: one record per author (attribution.ts), the compacted
	 * records with the log rows still held folded in. Empty for an unknown document.
	 */
	attribution(doc: string): Attribution[];
	/**
	 * Makes everything committed before the call durable, off the event loop, then calls `done`
	 * (with an error if the disk failed). `done` may run before `sync` returns.
	 */
	sync(done: (error: Error | null) => void): void;
	/** `sync`, blocking: for shutdown and for code that must not return before durability. */
	syncNow(): void;
	/**
	 * The document's updates received before `before` (ms since the epoch): its history rows of
	 * the hours that ended by then, then its log rows received before it, in commit order.
	 * Applied to an empty Y.Doc they give the document as it was then (for `before` on a whole
	 * hour; history.ts rounds down to one).
	 */
	historyBefore(doc: string, before: number): Uint8Array[];
	/** The start (ms) of every hour in which the document received an update, ascending. */
	historyHours(doc: string): number[];
	hasDoc(doc: string): boolean;
	docNames(): string[];
	close(): void;
}

export function assertBytes(value: unknown, what: string): asserts value is Uint8Array {
	if (!(value instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
}

export function assertAuthor(value: unknown): asserts value is string | null | undefined {
	if (value !== undefined && value !== null && (typeof value !== 'string' || value === '')) {
		throw new TypeError('author must be a member id or null');
	}
}
