/**
 * SQLite storage (node:sqlite) in DATA_DIR/gridboard.db: a snapshot table and an append-only
 * update log with an autoincrement sequence.
 *
 * Invariants: WAL journal with `synchronous = NORMAL`: a returned commit is in the WAL file and
 * survives `kill -9`; `sync` fdatasyncs the WAL file (and the database file) on libuv's thread
 * pool, after which every commit before it also survives a power loss (SQLite syncs the WAL
 * itself before a checkpoint copies it into the database, and the database after).
 * `synchronous = FULL` would do that fsync inside every COMMIT, on the event loop. `appendBatch` and `compact` each run in one
 * BEGIN IMMEDIATE…COMMIT and roll back on any error, so the store is never torn.
 *
 * Attribution: each log row keeps its `author` (NULL: a service writer, or a row stored before
 * the column existed); `compact` folds the rows it deletes into `attribution`, one row per
 * (doc, author) ('' stands for NULL there, as a key), in the same transaction.
 *
 * History (history.ts): each log row keeps its receive time (`at`, ms); `compact` moves the rows
 * it deletes into `history`, one merged row per (doc, hour) keyed by its highest folded seq, in
 * the same transaction. The first open of a database from before history writes each snapshot
 * as a baseline history row at that time, and gives the log rows held then that time.
 *
 * Schema changes are additive steps in `migrate`, each checking what the file holds, so a
 * database of any earlier version opens (the identity store shares the file: no user_version).
 * The stores beside the documents in that file (identity-sqlite.ts, notices/sqlite.ts) open it
 * with `openBesideDocuments`; every store's transactions are `immediateTransaction`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { foldAttribution, type Attribution, type AuthoredRow } from './attribution.ts';
import {
	foldHour,
	HOUR_MS,
	hourOf,
	splitByHour,
	type HistoryRow,
	type TimedRow
} from './history.ts';
import {
	assertAuthor,
	assertBytes,
	type DocRows,
	type DocStore,
	type StoredDoc,
	type UpdateEntry
} from './types.ts';

export const DB_FILE_NAME = 'gridboard.db';

/** Runs `fn` in one BEGIN IMMEDIATE…COMMIT; any error rolls it back and is thrown again. */
export function immediateTransaction<T>(db: DatabaseSync, fn: () => T): T {
	db.exec('BEGIN IMMEDIATE');
	try {
		const result = fn();
		db.exec('COMMIT');
		return result;
	} catch (error) {
		if (db.isTransaction) db.exec('ROLLBACK');
		throw error;
	}
}

/**
 * Opens DATA_DIR/gridboard.db for a store beside the documents (identity, notices), whose rare
 * writes are durable when they return (`synchronous = FULL`), and creates its tables (`schema`).
 */
export function openBesideDocuments(dataDir: string, schema: string): DatabaseSync {
	fs.mkdirSync(dataDir, { recursive: true });
	const db = new DatabaseSync(path.join(dataDir, DB_FILE_NAME));
	db.exec('PRAGMA busy_timeout = 5000');
	db.exec('PRAGMA journal_mode = WAL');
	db.exec('PRAGMA synchronous = FULL');
	db.exec(schema);
	return db;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS snapshots (
	doc TEXT PRIMARY KEY,
	upto_seq INTEGER NOT NULL,
	data BLOB NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS updates (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	doc TEXT NOT NULL,
	data BLOB NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS updates_by_doc ON updates (doc, seq);
CREATE TABLE IF NOT EXISTS attribution (
	doc TEXT NOT NULL,
	author TEXT NOT NULL,
	updates INTEGER NOT NULL,
	inserted BLOB NOT NULL,
	deleted BLOB NOT NULL,
	PRIMARY KEY (doc, author)
) STRICT;
CREATE TABLE IF NOT EXISTS history (
	doc TEXT NOT NULL,
	hour INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	data BLOB NOT NULL,
	PRIMARY KEY (doc, seq)
) STRICT;
CREATE INDEX IF NOT EXISTS history_by_hour ON history (doc, hour, seq);
`;

export type StoreOptions = {
	/** The clock that stamps each stored row's receive time (tests inject one). */
	now?: () => number;
};

/**
 * Writes `data` (a whole document) as the baseline of its history at `at`: what the document
 * held before its history began. For writers of snapshots outside `compact` (an import).
 */
export function insertHistoryBaseline(
	db: DatabaseSync,
	doc: string,
	data: Uint8Array,
	at: number
): void {
	db.prepare('INSERT INTO history (doc, hour, seq, data) VALUES (?, ?, 0, ?)').run(
		doc,
		hourOf(at),
		data
	);
}

/** Brings a database created by any earlier version up to SCHEMA. */
function migrate(db: DatabaseSync, now: number): void {
	immediateTransaction(db, () => {
		const hadHistory =
			db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'history'").get() !==
			undefined;
		db.exec(SCHEMA);
		const columns = db.prepare('PRAGMA table_info(updates)').all() as { name: string }[];
		// Added with attribution (issue 20): the rows stored before have no author (NULL).
		if (!columns.some((column) => column.name === 'author')) {
			db.exec('ALTER TABLE updates ADD COLUMN author TEXT');
		}
		// Added with history (issue 21): what was stored before is history's baseline, now.
		if (!columns.some((column) => column.name === 'at')) {
			db.exec('ALTER TABLE updates ADD COLUMN at INTEGER');
			db.prepare('UPDATE updates SET at = ?').run(now);
		}
		if (!hadHistory) {
			const snapshots = db.prepare('SELECT doc, data FROM snapshots').all() as {
				doc: string;
				data: Uint8Array;
			}[];
			for (const { doc, data } of snapshots) insertHistoryBaseline(db, doc, data, now);
		}
	});
}

type AttributionRow = {
	author: string;
	updates: number;
	inserted: Uint8Array;
	deleted: Uint8Array;
};

export class SqliteStore implements DocStore {
	readonly file: string;
	#db: DatabaseSync;
	#selectSnapshot: StatementSync;
	#selectUpdates: StatementSync;
	#insertUpdate: StatementSync;
	#upsertSnapshot: StatementSync;
	#deleteUpdates: StatementSync;
	#hasDoc: StatementSync;
	#docNames: StatementSync;
	#selectAuthored: StatementSync;
	#selectAttribution: StatementSync;
	#upsertAttribution: StatementSync;
	#selectTimed: StatementSync;
	#lastOfHour: StatementSync;
	#deleteHistory: StatementSync;
	#insertHistory: StatementSync;
	#historyBefore: StatementSync;
	#logBefore: StatementSync;
	#historyHours: StatementSync;
	#now: () => number;
	/**
	 * The WAL and the database file, each opened twice: for `sync` and for `syncNow`. Linux
	 * reports a write-back error to every descriptor open when it happened, so the blocking sync
	 * sees an error that a running `sync` on the other descriptors is about to report. SQLite
	 * keeps both files (same inodes) while a connection is open.
	 */
	#syncFds: number[];
	#syncNowFds: number[];
	#syncsRunning = 0;

	constructor(dataDir: string, options: StoreOptions = {}) {
		this.#now = options.now ?? Date.now;
		fs.mkdirSync(dataDir, { recursive: true });
		this.file = path.join(dataDir, DB_FILE_NAME);
		this.#db = new DatabaseSync(this.file);
		this.#db.exec('PRAGMA journal_mode = WAL');
		this.#db.exec('PRAGMA synchronous = NORMAL');
		this.#db.exec('PRAGMA busy_timeout = 5000');
		migrate(this.#db, this.#now());
		const open = () => [fs.openSync(`${this.file}-wal`, 'r'), fs.openSync(this.file, 'r')];
		this.#syncFds = open();
		this.#syncNowFds = open();
		// A previous process may have committed without syncing before it died: what this one
		// loads (and may confirm to clients) must be durable first, and so must the directory
		// entries of the files (a clean shutdown deletes the WAL; this open created it again).
		this.syncNow();
		const dir = fs.openSync(dataDir, 'r');
		try {
			fs.fsyncSync(dir);
		} finally {
			fs.closeSync(dir);
		}
		this.#selectSnapshot = this.#db.prepare('SELECT upto_seq, data FROM snapshots WHERE doc = ?');
		this.#selectUpdates = this.#db.prepare(
			'SELECT seq, data FROM updates WHERE doc = ? AND seq > ? ORDER BY seq'
		);
		this.#insertUpdate = this.#db.prepare(
			'INSERT INTO updates (doc, data, author, at) VALUES (?, ?, ?, ?)'
		);
		this.#selectTimed = this.#db.prepare(
			'SELECT seq, at, data FROM updates WHERE doc = ? AND seq <= ? ORDER BY seq'
		);
		this.#lastOfHour = this.#db.prepare(
			'SELECT seq, data FROM history WHERE doc = ? AND hour = ? ORDER BY seq DESC LIMIT 1'
		);
		this.#deleteHistory = this.#db.prepare('DELETE FROM history WHERE doc = ? AND seq = ?');
		this.#insertHistory = this.#db.prepare(
			'INSERT INTO history (doc, hour, seq, data) VALUES (?, ?, ?, ?)'
		);
		this.#historyBefore = this.#db.prepare(
			'SELECT data FROM history WHERE doc = ? AND hour < ? ORDER BY seq'
		);
		this.#logBefore = this.#db.prepare(
			'SELECT data FROM updates WHERE doc = ? AND at < ? ORDER BY seq'
		);
		this.#historyHours = this.#db.prepare(
			`SELECT hour FROM history WHERE doc = ?
			 UNION SELECT at / ${HOUR_MS} AS hour FROM updates WHERE doc = ? ORDER BY hour`
		);
		this.#selectAuthored = this.#db.prepare(
			'SELECT author, data AS "update" FROM updates WHERE doc = ? AND seq <= ? ORDER BY seq'
		);
		this.#selectAttribution = this.#db.prepare(
			'SELECT author, updates, inserted, deleted FROM attribution WHERE doc = ? ORDER BY author'
		);
		this.#upsertAttribution = this.#db.prepare(
			`INSERT INTO attribution (doc, author, updates, inserted, deleted) VALUES (?, ?, ?, ?, ?)
			 ON CONFLICT (doc, author) DO UPDATE SET
			   updates = excluded.updates, inserted = excluded.inserted, deleted = excluded.deleted`
		);
		this.#upsertSnapshot = this.#db.prepare(
			`INSERT INTO snapshots (doc, upto_seq, data) VALUES (?, ?, ?)
			 ON CONFLICT (doc) DO UPDATE SET
			   upto_seq = max(upto_seq, excluded.upto_seq), data = excluded.data`
		);
		this.#deleteUpdates = this.#db.prepare('DELETE FROM updates WHERE doc = ? AND seq <= ?');
		this.#hasDoc = this.#db.prepare(
			`SELECT EXISTS (SELECT 1 FROM snapshots WHERE doc = ?)
			     OR EXISTS (SELECT 1 FROM updates WHERE doc = ?) AS found`
		);
		this.#docNames = this.#db.prepare(
			'SELECT doc FROM snapshots UNION SELECT doc FROM updates ORDER BY doc'
		);
	}

	#transaction<T>(fn: () => T): T {
		return immediateTransaction(this.#db, fn);
	}

	load(doc: string): StoredDoc {
		const snapshotRow = this.#selectSnapshot.get(doc) as
			{ upto_seq: number; data: Uint8Array } | undefined;
		const uptoSeq = snapshotRow?.upto_seq ?? 0;
		const rows = this.#selectUpdates.all(doc, uptoSeq) as { seq: number; data: Uint8Array }[];
		return {
			snapshot: snapshotRow?.data ?? null,
			updates: rows.map((row) => row.data),
			lastSeq: Math.max(uptoSeq, rows.at(-1)?.seq ?? 0)
		};
	}

	appendBatch(entries: readonly UpdateEntry[]): number {
		const at = this.#now();
		return this.#transaction(() => {
			let last = 0;
			for (const entry of entries) {
				if (typeof entry.doc !== 'string' || entry.doc === '') throw new TypeError('bad doc name');
				assertBytes(entry.update, 'update');
				assertAuthor(entry.author);
				last = Number(
					this.#insertUpdate.run(entry.doc, entry.update, entry.author ?? null, at).lastInsertRowid
				);
			}
			return last;
		});
	}

	compact(doc: string, snapshot: Uint8Array, upToSeq: number): void {
		this.#transaction(() => {
			assertBytes(snapshot, 'snapshot');
			const rows = this.#selectAuthored.all(doc, upToSeq) as AuthoredRow[];
			if (rows.length > 0) {
				for (const record of foldAttribution(this.#records(doc), rows)) {
					const { author, updates, inserted, deleted } = record;
					this.#upsertAttribution.run(doc, author ?? '', updates, inserted, deleted);
				}
			}
			this.#foldIntoHistory(doc, this.#selectTimed.all(doc, upToSeq) as TimedRow[]);
			this.#upsertSnapshot.run(doc, upToSeq, snapshot);
			this.#deleteUpdates.run(doc, upToSeq);
		});
	}

	/** Inside `compact`'s transaction: `rows` join their hours' history rows. */
	#foldIntoHistory(doc: string, rows: TimedRow[]): void {
		for (const [hour, group] of splitByHour(rows)) {
			const last = this.#lastOfHour.get(doc, hour) as HistoryRow | undefined;
			const { replaces, rows: folded } = foldHour(last, group);
			if (replaces !== null) this.#deleteHistory.run(doc, replaces);
			for (const row of folded) this.#insertHistory.run(doc, hour, row.seq, row.data);
		}
	}

	/** Both reads in one read transaction, like `attribution`. */
	historyBefore(doc: string, before: number): Uint8Array[] {
		return this.consistentRead(() => {
			const folded = this.#historyBefore.all(doc, hourOf(before)) as { data: Uint8Array }[];
			const log = this.#logBefore.all(doc, before) as { data: Uint8Array }[];
			return [...folded, ...log].map((row) => row.data);
		});
	}

	historyHours(doc: string): number[] {
		const rows = this.#historyHours.all(doc, doc) as { hour: number }[];
		return rows.map((row) => row.hour * HOUR_MS);
	}

	#records(doc: string): Attribution[] {
		const rows = this.#selectAttribution.all(doc) as AttributionRow[];
		return rows.map((row) => ({ ...row, author: row.author === '' ? null : row.author }));
	}

	/**
	 * Both reads in one read transaction (a snapshot of the file: another process's compaction
	 * cannot fold rows between them), which takes no write lock.
	 */
	attribution(doc: string): Attribution[] {
		this.#db.exec('BEGIN');
		let records: Attribution[];
		let rows: AuthoredRow[];
		try {
			records = this.#records(doc);
			rows = this.#selectAuthored.all(doc, Number.MAX_SAFE_INTEGER) as AuthoredRow[];
		} finally {
			this.#db.exec('COMMIT');
		}
		return foldAttribution(records, rows);
	}

	/**
	 * Runs `fn` inside one read transaction: every read it makes sees the same state of the
	 * file (exports and backups take a consistent picture while the relay keeps committing;
	 * a WAL reader takes no write lock).
	 */
	consistentRead<T>(fn: () => T): T {
		this.#db.exec('BEGIN');
		try {
			return fn();
		} finally {
			this.#db.exec('COMMIT');
		}
	}

	/**
	 * The WAL holds the commits. The database file changes only in checkpoints, which SQLite
	 * runs by itself without reporting a failed fsync; syncing it here too makes such a
	 * write-back error fail a sync instead of passing unseen (a clean file syncs at once).
	 */
	sync(done: (error: Error | null) => void): void {
		if (!this.#db.isOpen) throw new Error('store is closed');
		this.#syncsRunning++;
		const [wal, db] = this.#syncFds as [number, number];
		const finish = (error: Error | null): void => {
			this.#syncsRunning--;
			if (!this.#db.isOpen && this.#syncsRunning === 0) closeAll(this.#syncFds);
			done(error);
		};
		fs.fdatasync(wal, (error) => (error ? finish(error) : fs.fdatasync(db, finish)));
	}

	syncNow(): void {
		if (!this.#db.isOpen) throw new Error('store is closed');
		for (const fd of this.#syncNowFds) fs.fdatasyncSync(fd);
	}

	hasDoc(doc: string): boolean {
		const row = this.#hasDoc.get(doc, doc) as { found: number } | undefined;
		return row?.found === 1;
	}

	docNames(): string[] {
		return (this.#docNames.all() as { doc: string }[]).map((row) => row.doc);
	}

	/**
	 * Every document with any row in any table (docNames, plus a document that only has history
	 * or attribution left), for a move between stores that must leave nothing behind.
	 */
	storedDocNames(): string[] {
		const rows = this.#db
			.prepare(
				`SELECT doc FROM snapshots UNION SELECT doc FROM updates
				 UNION SELECT doc FROM attribution UNION SELECT doc FROM history ORDER BY doc`
			)
			.all() as { doc: string }[];
		return rows.map((row) => row.doc);
	}

	/** The document's rows exactly as stored, from one read transaction (types.ts DocRows). */
	exportDoc(doc: string): DocRows {
		return this.consistentRead(() => {
			const snapshot = this.#selectSnapshot.get(doc) as
				{ upto_seq: number; data: Uint8Array } | undefined;
			const log = this.#db
				.prepare('SELECT seq, at, author, data FROM updates WHERE doc = ? ORDER BY seq')
				.all(doc) as DocRows['log'];
			const history = this.#db
				.prepare('SELECT hour, seq, data FROM history WHERE doc = ? ORDER BY seq')
				.all(doc) as DocRows['history'];
			return {
				snapshot: snapshot ? { uptoSeq: snapshot.upto_seq, data: snapshot.data } : null,
				log: log.map((row) => ({ ...row, author: row.author ?? null })),
				attribution: this.#records(doc),
				history: history.map((row) => ({ ...row }))
			};
		});
	}

	/** Number of log rows held for a document (tests use it to observe compaction). */
	logLength(doc: string): number {
		return this.#selectUpdates.all(doc, 0).length;
	}

	close(): void {
		if (!this.#db.isOpen) return;
		this.#db.close();
		closeAll(this.#syncNowFds);
		// A sync still running closes them when it finishes: their numbers must not be reused
		// before.
		if (this.#syncsRunning === 0) closeAll(this.#syncFds);
	}
}

function closeAll(fds: number[]): void {
	for (const fd of fds) fs.closeSync(fd);
}
