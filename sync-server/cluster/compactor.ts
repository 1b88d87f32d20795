/**
 * The compaction worker of the scale-out relay (issue 22): folds the entries of the document
 * streams (doc-streams.ts) that are older than a minimum lifetime into PostgreSQL, trims them
 * from Redis, and compacts the document's PostgreSQL log into a snapshot.
 *
 * Invariants:
 * - Nothing is lost: an entry is trimmed only after the PostgreSQL transaction that appended
 *   it committed (`appendFromStream`, which records the folded stream position in that same
 *   transaction).
 * - Nothing is counted twice: a worker that dies between that commit and the trim leaves the
 *   entries in the stream; the next fold of the document finds them at or before the recorded
 *   position and skips them, so attribution and history count each entry once.
 * - Entries stay in the stream for at least `minLifetimeMs` (Redis's clock, the clock of the
 *   stream ids), so a relay whose tail was cut off for less than that reads on without a gap.
 * - One worker folds a document at a time: a lease per document (SET NX PX). The lease only
 *   saves work; correctness does not depend on it (the fold runs under the document's
 *   PostgreSQL lock and checks the position; a compaction never replaces a newer snapshot).
 */
import * as Y from 'yjs';
import type { DocStreams } from './doc-streams.ts';

export type CompactorOptions = {
	/** Entries younger than this stay unfolded (ms; default 60 s). */
	minLifetimeMs?: number;
	/** How long a worker holds a document's lease (ms; default 30 s). */
	leaseMs?: number;
	/** Most entries folded per document per round (default 1000). */
	batch?: number;
	/** Runs after the PostgreSQL commit and before the trim (tests inject a crash here). */
	afterFold?: (doc: string) => void | Promise<void>;
};

/** What one fold of a document did: entries appended to PostgreSQL, entries left in Redis. */
export type FoldResult = { doc: string; folded: number; left: number };

export class Compactor {
	#streams: DocStreams;
	#options: CompactorOptions;

	constructor(streams: DocStreams, options: CompactorOptions = {}) {
		this.#streams = streams;
		this.#options = options;
	}

	/** One round over every document with a stream; documents leased by others are skipped. */
	async runOnce(): Promise<FoldResult[]> {
		const results: FoldResult[] = [];
		for (const doc of await this.#streams.docs()) {
			const result = await this.compactDoc(doc);
			if (result) results.push(result);
		}
		return results;
	}

	/** Folds, trims and compacts one document; null if another worker holds its lease. */
	async compactDoc(doc: string): Promise<FoldResult | null> {
		const streams = this.#streams;
		const release = await streams.lease(doc, this.#options.leaseMs ?? 30_000);
		if (!release) return null;
		try {
			const cutoff = (await streams.redisTime()) - (this.#options.minLifetimeMs ?? 60_000);
			const entries = await streams.range(doc, null, String(cutoff), this.#options.batch ?? 1000);
			const last = entries.at(-1);
			if (!last) return { doc, folded: 0, left: await streams.trim(doc, '0-0') };
			const folded = await streams.store.appendFromStream(doc, entries);
			await this.#options.afterFold?.(doc);
			const left = await streams.trim(doc, last.id);
			await this.#compactLog(doc);
			return { doc, folded, left };
		} finally {
			await release();
		}
	}

	/** Replaces the document's PostgreSQL log with one snapshot of everything it holds. */
	async #compactLog(doc: string): Promise<void> {
		const store = this.#streams.store;
		const stored = await store.load(doc);
		if (stored.updates.length === 0) return;
		const ydoc = new Y.Doc();
		try {
			Y.transact(ydoc, () => {
				if (stored.snapshot) Y.applyUpdate(ydoc, stored.snapshot);
				for (const update of stored.updates) Y.applyUpdate(ydoc, update);
			});
			await store.compact(doc, Y.encodeStateAsUpdate(ydoc), stored.lastSeq);
		} finally {
			ydoc.destroy();
		}
	}
}
