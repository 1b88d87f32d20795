/**
 * The storage interface of the relay: a snapshot plus an append-only update log per document.
 *
 * Invariants every implementation keeps:
 * - `appendBatch` is one transaction: after it returns every entry is durable, after it throws
 *   none is.
 * - `compact` is one transaction: the snapshot replaces the log rows up to `upToSeq` atomically,
 *   so a crash leaves either the old rows or the new snapshot, never neither.
 * - `load` returns the latest snapshot and every log row after it, in commit order.
 * - Sequence numbers grow across the whole store and are never reused.
 * The interface is synchronous because node:sqlite's DatabaseSync is; a commit that returned is
 * on disk, which is what lets the relay confirm it to clients right away.
 */

export type StoredDoc = {
	snapshot: Uint8Array | null;
	updates: Uint8Array[];
	/** Highest sequence number covered by the snapshot or the log; 0 for an unknown document. */
	lastSeq: number;
};

export type UpdateEntry = { doc: string; update: Uint8Array };

export interface DocStore {
	load(doc: string): StoredDoc;
	/** Appends all entries in one transaction; returns the highest sequence number assigned. */
	appendBatch(entries: readonly UpdateEntry[]): number;
	/** Stores `snapshot` and deletes the document's log rows with seq <= upToSeq, atomically. */
	compact(doc: string, snapshot: Uint8Array, upToSeq: number): void;
	hasDoc(doc: string): boolean;
	docNames(): string[];
	close(): void;
}

export function assertBytes(value: unknown, what: string): asserts value is Uint8Array {
	if (!(value instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
}
