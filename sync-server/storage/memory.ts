/**
 * In-memory twin of the SQLite store, for tests.
 *
 * Invariant: behaves like `SqliteStore` for every rule in `DocStore` (one global sequence,
 * all-or-nothing batches, atomic compaction), so the same contract suite passes on both.
 */
import { foldAttribution, type Attribution } from './attribution.ts';
import { foldHour, HOUR_MS, hourOf, splitByHour } from './history.ts';
import {
	assertAuthor,
	assertBytes,
	type DocStore,
	type StoredDoc,
	type UpdateEntry
} from './types.ts';

type Row = { seq: number; data: Uint8Array; author: string | null; at: number };
type HourRow = { hour: number; seq: number; data: Uint8Array };
type Snapshot = { uptoSeq: number; data: Uint8Array };

export class MemoryStore implements DocStore {
	#seq = 0;
	#logs = new Map<string, Row[]>();
	#snapshots = new Map<string, Snapshot>();
	#attribution = new Map<string, Attribution[]>();
	#history = new Map<string, HourRow[]>();
	#closed = false;
	#now: () => number;

	/** `now`: the clock that stamps each row's receive time (tests inject one). */
	constructor(options: { now?: () => number } = {}) {
		this.#now = options.now ?? Date.now;
	}

	#check(): void {
		if (this.#closed) throw new Error('store is closed');
	}

	load(doc: string): StoredDoc {
		this.#check();
		const snapshot = this.#snapshots.get(doc) ?? null;
		const rows = (this.#logs.get(doc) ?? []).filter((row) => row.seq > (snapshot?.uptoSeq ?? 0));
		const lastSeq = Math.max(snapshot?.uptoSeq ?? 0, rows.at(-1)?.seq ?? 0);
		return {
			snapshot: snapshot ? snapshot.data.slice() : null,
			updates: rows.map((row) => row.data.slice()),
			lastSeq
		};
	}

	appendBatch(entries: readonly UpdateEntry[]): number {
		this.#check();
		// Validate everything first so a bad entry leaves the store untouched, as a rollback would.
		for (const entry of entries) {
			if (typeof entry.doc !== 'string' || entry.doc === '') throw new TypeError('bad doc name');
			assertBytes(entry.update, 'update');
			assertAuthor(entry.author);
		}
		const at = this.#now();
		for (const entry of entries) {
			const rows = this.#logs.get(entry.doc) ?? [];
			const author = entry.author ?? null;
			rows.push({ seq: ++this.#seq, data: entry.update.slice(), author, at });
			this.#logs.set(entry.doc, rows);
		}
		return this.#seq;
	}

	/** Nothing to wait for in memory: calls back at once. */
	sync(done: (error: Error | null) => void): void {
		done(this.#closed ? new Error('store is closed') : null);
	}

	syncNow(): void {
		this.#check();
	}

	compact(doc: string, snapshot: Uint8Array, upToSeq: number): void {
		this.#check();
		assertBytes(snapshot, 'snapshot');
		// Everything that can throw first, so a failure leaves the store untouched.
		const log = this.#logs.get(doc) ?? [];
		const folded = log.filter((row) => row.seq <= upToSeq);
		const attribution =
			folded.length > 0
				? foldAttribution(this.#attribution.get(doc) ?? [], folded.map(authored))
				: null;
		const history = [...(this.#history.get(doc) ?? [])];
		for (const [hour, group] of splitByHour(folded)) {
			const last = history.filter((row) => row.hour === hour).at(-1);
			const { replaces, rows: folded } = foldHour(last, group);
			if (replaces !== null) history.splice(history.indexOf(last!), 1);
			for (const row of folded) history.push({ hour, ...row });
		}
		history.sort((a, b) => a.seq - b.seq);
		this.#history.set(doc, history);
		const previous = this.#snapshots.get(doc);
		this.#snapshots.set(doc, {
			uptoSeq: Math.max(previous?.uptoSeq ?? 0, upToSeq),
			data: snapshot.slice()
		});
		if (attribution) this.#attribution.set(doc, attribution);
		const rows = log.filter((row) => row.seq > upToSeq);
		if (rows.length > 0) this.#logs.set(doc, rows);
		else this.#logs.delete(doc);
	}

	attribution(doc: string): Attribution[] {
		this.#check();
		return foldAttribution(
			this.#attribution.get(doc) ?? [],
			(this.#logs.get(doc) ?? []).map(authored)
		);
	}

	historyBefore(doc: string, before: number): Uint8Array[] {
		this.#check();
		const folded = (this.#history.get(doc) ?? []).filter((row) => row.hour < hourOf(before));
		const log = (this.#logs.get(doc) ?? []).filter((row) => row.at < before);
		return [...folded, ...log].map((row) => row.data.slice());
	}

	historyHours(doc: string): number[] {
		this.#check();
		const hours = new Set([
			...(this.#history.get(doc) ?? []).map((row) => row.hour),
			...(this.#logs.get(doc) ?? []).map((row) => hourOf(row.at))
		]);
		return [...hours].sort((a, b) => a - b).map((hour) => hour * HOUR_MS);
	}

	hasDoc(doc: string): boolean {
		this.#check();
		return this.#snapshots.has(doc) || this.#logs.has(doc);
	}

	docNames(): string[] {
		this.#check();
		return [...new Set([...this.#snapshots.keys(), ...this.#logs.keys()])].sort();
	}

	/** Number of log rows held for a document (tests use it to observe compaction). */
	logLength(doc: string): number {
		return this.#logs.get(doc)?.length ?? 0;
	}

	close(): void {
		this.#closed = true;
	}
}

const authored = (row: Row) => ({ author: row.author, update: row.data });
