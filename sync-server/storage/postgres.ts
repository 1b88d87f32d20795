/**
 * PostgreSQL storage for the scale-out relay (issue 22): the tables of SqliteStore (sqlite.ts)
 * in one PostgreSQL database shared by every relay: a snapshot per document and an append-only
 * update log numbered by one global sequence (BIGSERIAL), attribution records and hourly
 * history rows beside them. One connection pool per store; parameterised queries only; updates
 * are `bytea`.
 *
 * Invariants (those of AsyncDocStore, async-types.ts):
 * - Durable = committed: every connection runs with `synchronous_commit = on` (set on connect,
 *   whatever the server's default), so a COMMIT returns once its WAL is flushed, and
 *   `appendBatch` resolves only after its COMMIT returned.
 * - `appendBatch` and `compact` are one transaction each and roll back on any error.
 * - Per document, sequence order is commit order: both take a transaction-scoped advisory lock
 *   per document (in name order, so two batches never deadlock) before they take numbers. So
 *   once a row of a document is visible, so is every lower-numbered row of it, and a snapshot
 *   up to a seq another relay just loaded never covers a row that commits later (without the
 *   lock, two relays appending to one document could commit seq 6 before seq 5, and a
 *   compaction up to 6 would hide 5 for ever).
 * - Reads that take several rows see one state of the database: one statement each, or one
 *   REPEATABLE READ transaction (`attribution`), so a compaction by another relay never folds
 *   rows between two reads.
 * - Compaction folds rows into attribution (attribution.ts) and hourly history (history.ts)
 *   with the same functions as SqliteStore, so both stores say the same. A compaction up to a
 *   lower seq than the stored snapshot's (two workers racing) keeps the stored snapshot.
 * - Scale-out: `stream_positions` holds, per document, the id of the last Redis stream entry
 *   folded into the log; `appendFromStream` moves it in the transaction that appends the
 *   entries, so a retry of a fold never appends an entry twice.
 * - The schema is created and changed by numbered steps recorded in `schema_migrations`, run
 *   under an advisory lock, so relays starting together migrate once.
 */
import pg from 'pg';
import { foldAttribution, type Attribution, type AuthoredRow } from './attribution.ts';
import type { AsyncDocStore } from './async-types.ts';
import { foldHour, HOUR_MS, hourOf, splitByHour, type TimedRow } from './history.ts';
import type { StoreOptions } from './sqlite.ts';
import {
	assertAuthor,
	assertBytes,
	type DocRows,
	type StoredDoc,
	type UpdateEntry
} from './types.ts';

/** One step of a component's schema; steps run once each, in version order. */
export type Migration = { version: number; sql: string };

const DOC_MIGRATIONS: Migration[] = [
	{
		version: 1,
		sql: `
CREATE TABLE snapshots (
	doc TEXT COLLATE "C" PRIMARY KEY,
	upto_seq BIGINT NOT NULL,
	data BYTEA NOT NULL
);
CREATE TABLE updates (
	seq BIGSERIAL PRIMARY KEY,
	doc TEXT COLLATE "C" NOT NULL,
	data BYTEA NOT NULL,
	author TEXT,
	at BIGINT NOT NULL
);
CREATE INDEX updates_by_doc ON updates (doc, seq);
CREATE TABLE attribution (
	doc TEXT COLLATE "C" NOT NULL,
	author TEXT COLLATE "C" NOT NULL,
	updates INTEGER NOT NULL,
	inserted BYTEA NOT NULL,
	deleted BYTEA NOT NULL,
	PRIMARY KEY (doc, author)
);
CREATE TABLE history (
	doc TEXT COLLATE "C" NOT NULL,
	hour BIGINT NOT NULL,
	seq BIGINT NOT NULL,
	data BYTEA NOT NULL,
	PRIMARY KEY (doc, seq)
);
CREATE INDEX history_by_hour ON history (doc, hour, seq);
`
	},
	{
		// Scale-out: how far each document's Redis stream is folded into the log (appendFromStream).
		version: 2,
		sql: `
CREATE TABLE stream_positions (
	doc TEXT COLLATE "C" PRIMARY KEY,
	last_id TEXT NOT NULL
);
`
	}
];

/** A Redis stream entry id, `<ms>-<seq>`, as a pair of numbers to compare. */
function streamIdParts(id: string): [bigint, bigint] {
	const match = /^(\d+)-(\d+)$/.exec(id);
	if (!match) throw new TypeError(`bad stream id: ${id}`);
	return [BigInt(match[1]!), BigInt(match[2]!)];
}

/** Orders Redis stream ids: negative if `a` comes before `b`, 0 if equal, positive after. */
export function compareStreamIds(a: string, b: string): number {
	const [aMs, aSeq] = streamIdParts(a);
	const [bMs, bSeq] = streamIdParts(b);
	if (aMs !== bMs) return aMs < bMs ? -1 : 1;
	return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

/** One entry of a document's Redis stream, to fold into the log (`appendFromStream`). */
export type StreamRow = {
	id: string;
	update: Uint8Array;
	author: string | null;
	/** When the relay received it (ms since the epoch): the log row's time. */
	at: number;
};

/**
 * A pool for `url`. Every connection commits durably (`synchronous_commit = on`) and a server
 * that does not answer fails a query after 10 s instead of holding it for ever.
 */
export function openPool(url: string): pg.Pool {
	const pool = new pg.Pool({
		connectionString: url,
		max: 10,
		connectionTimeoutMillis: 10_000,
		options: '-c synchronous_commit=on'
	});
	// An idle connection whose server went away (a restart) errors here; the pool drops it and
	// the next query opens a new one. Without a listener the error would end the process.
	pool.on('error', () => {});
	return pool;
}

/** Runs `fn` in one transaction on one connection; rolls back if it throws. */
export async function transaction<T>(
	pool: pg.Pool,
	fn: (client: pg.PoolClient) => Promise<T>,
	begin = 'BEGIN'
): Promise<T> {
	const client = await pool.connect();
	let broken: Error | undefined;
	try {
		await client.query(begin);
		const result = await fn(client);
		await client.query('COMMIT');
		return result;
	} catch (error) {
		await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
		throw error;
	} finally {
		// A connection that could not roll back is closed, not reused.
		client.release(broken);
	}
}

/** Brings `component`'s tables up to its last step, once, whichever relay gets here first. */
export async function migrate(
	pool: pg.Pool,
	component: string,
	steps: readonly Migration[]
): Promise<void> {
	await transaction(pool, async (client) => {
		await client.query("SELECT pg_advisory_xact_lock(hashtext('gridboard schema'))");
		await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
			component TEXT NOT NULL,
			version INTEGER NOT NULL,
			applied_at BIGINT NOT NULL,
			PRIMARY KEY (component, version)
		)`);
		const done = await client.query<{ version: number }>(
			'SELECT version FROM schema_migrations WHERE component = $1',
			[component]
		);
		const applied = new Set(done.rows.map((row) => row.version));
		for (const step of [...steps].sort((a, b) => a.version - b.version)) {
			if (applied.has(step.version)) continue;
			await client.query(step.sql);
			await client.query(
				'INSERT INTO schema_migrations (component, version, applied_at) VALUES ($1, $2, $3)',
				[component, step.version, Date.now()]
			);
		}
	});
}

/** Locks each document for the rest of the transaction, in name order. */
async function lockDocs(client: pg.PoolClient, docs: Iterable<string>): Promise<void> {
	for (const doc of [...new Set(docs)].sort()) {
		await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [doc]);
	}
}

/** A fresh Uint8Array of a `bytea` value (pg returns a Buffer, possibly of a shared pool). */
const bytesOf = (value: Buffer): Uint8Array => new Uint8Array(value);

type LogRow = { seq: string; at: string; author: string | null; data: Buffer };

export class PostgresStore implements AsyncDocStore {
	#pool: pg.Pool;
	#now: () => number;
	#closed = false;

	private constructor(pool: pg.Pool, now: () => number) {
		this.#pool = pool;
		this.#now = now;
	}

	/** Connects to the database at `url` and creates or updates its tables. */
	static async open(url: string, options: StoreOptions = {}): Promise<PostgresStore> {
		const pool = openPool(url);
		try {
			await migrate(pool, 'docs', DOC_MIGRATIONS);
		} catch (error) {
			await pool.end();
			throw error;
		}
		return new PostgresStore(pool, options.now ?? Date.now);
	}

	/** Resolves once PostgreSQL answered a trivial query (the relay's health check). */
	async ping(): Promise<void> {
		await this.#pool.query('SELECT 1');
	}

	/** One statement: the snapshot and the rows after it, as of one moment. */
	async load(doc: string): Promise<StoredDoc> {
		return loadDoc(this.#pool, doc);
	}

	async appendBatch(entries: readonly UpdateEntry[]): Promise<number> {
		// Everything that can be refused is refused before the transaction.
		for (const entry of entries) {
			if (typeof entry.doc !== 'string' || entry.doc === '') throw new TypeError('bad doc name');
			assertBytes(entry.update, 'update');
			assertAuthor(entry.author);
		}
		if (entries.length === 0) return 0;
		const at = this.#now();
		return transaction(this.#pool, async (client) => {
			await lockDocs(
				client,
				entries.map((entry) => entry.doc)
			);
			return insertRows(
				client,
				entries.map((entry) => ({ ...entry, author: entry.author ?? null, at }))
			);
		});
	}

	/**
	 * Folds entries of `doc`'s Redis stream (in stream order) into its log, in one transaction
	 * under the document's lock: the entries after the document's recorded stream position are
	 * appended with their authors and times, and the position moves to the last entry's id. A
	 * retry after a crash between this commit and the stream's trim skips what was folded, so
	 * attribution and history never count an entry twice. Resolves to the number appended.
	 */
	async appendFromStream(doc: string, entries: readonly StreamRow[]): Promise<number> {
		for (const entry of entries) {
			streamIdParts(entry.id);
			assertBytes(entry.update, 'update');
			assertAuthor(entry.author);
		}
		const last = entries.at(-1);
		if (!last) return 0;
		return transaction(this.#pool, async (client) => {
			await lockDocs(client, [doc]);
			const { rows } = await client.query<{ last_id: string }>(
				'SELECT last_id FROM stream_positions WHERE doc = $1',
				[doc]
			);
			const folded = rows[0]?.last_id;
			const fresh = folded
				? entries.filter((entry) => compareStreamIds(entry.id, folded) > 0)
				: entries;
			if (fresh.length === 0) return 0;
			await insertRows(
				client,
				fresh.map((entry) => ({ ...entry, doc }))
			);
			await client.query(
				`INSERT INTO stream_positions (doc, last_id) VALUES ($1, $2)
				 ON CONFLICT (doc) DO UPDATE SET last_id = excluded.last_id`,
				[doc, fresh.at(-1)!.id]
			);
			return fresh.length;
		});
	}

	/**
	 * `load`, plus the id of the last stream entry folded into what it returns (null if none
	 * was), read in one REPEATABLE READ transaction so both describe one moment.
	 */
	async loadFolded(doc: string): Promise<StoredDoc & { streamId: string | null }> {
		return transaction(
			this.#pool,
			async (client) => {
				const stored = await loadDoc(client, doc);
				const { rows } = await client.query<{ last_id: string }>(
					'SELECT last_id FROM stream_positions WHERE doc = $1',
					[doc]
				);
				return { ...stored, streamId: rows[0]?.last_id ?? null };
			},
			'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'
		);
	}

	async compact(doc: string, snapshot: Uint8Array, upToSeq: number): Promise<void> {
		assertBytes(snapshot, 'snapshot');
		await transaction(this.#pool, async (client) => {
			await lockDocs(client, [doc]);
			const { rows } = await client.query<LogRow>(
				'SELECT seq, at, author, data FROM updates WHERE doc = $1 AND seq <= $2 ORDER BY seq',
				[doc, upToSeq]
			);
			if (rows.length > 0) {
				const authored: AuthoredRow[] = rows.map((row) => ({
					author: row.author,
					update: bytesOf(row.data)
				}));
				for (const record of foldAttribution(await records(client, doc), authored)) {
					await client.query(
						`INSERT INTO attribution (doc, author, updates, inserted, deleted)
						 VALUES ($1, $2, $3, $4, $5)
						 ON CONFLICT (doc, author) DO UPDATE SET
						   updates = excluded.updates, inserted = excluded.inserted, deleted = excluded.deleted`,
						[doc, record.author ?? '', record.updates, record.inserted, record.deleted]
					);
				}
			}
			const timed: TimedRow[] = rows.map((row) => ({
				seq: Number(row.seq),
				at: Number(row.at),
				data: bytesOf(row.data)
			}));
			for (const [hour, group] of splitByHour(timed)) {
				const last = await client.query<{ seq: string; data: Buffer }>(
					'SELECT seq, data FROM history WHERE doc = $1 AND hour = $2 ORDER BY seq DESC LIMIT 1',
					[doc, hour]
				);
				const found = last.rows[0];
				const { replaces, rows: folded } = foldHour(
					found ? { seq: Number(found.seq), data: bytesOf(found.data) } : undefined,
					group
				);
				if (replaces !== null) {
					await client.query('DELETE FROM history WHERE doc = $1 AND seq = $2', [doc, replaces]);
				}
				for (const row of folded) {
					await client.query('INSERT INTO history (doc, hour, seq, data) VALUES ($1, $2, $3, $4)', [
						doc,
						hour,
						row.seq,
						row.data
					]);
				}
			}
			await client.query(
				`INSERT INTO snapshots (doc, upto_seq, data) VALUES ($1, $2, $3)
				 ON CONFLICT (doc) DO UPDATE SET
				   upto_seq = GREATEST(snapshots.upto_seq, excluded.upto_seq),
				   -- Two compactions racing: the one built from an older load keeps the newer snapshot.
				   data = CASE WHEN excluded.upto_seq >= snapshots.upto_seq
				          THEN excluded.data ELSE snapshots.data END`,
				[doc, upToSeq, snapshot]
			);
			await client.query('DELETE FROM updates WHERE doc = $1 AND seq <= $2', [doc, upToSeq]);
		});
	}

	/**
	 * Writes a document moved from another store (cluster/migrate.ts) with its own numbers,
	 * receive times, authors, attribution records and history rows, in one transaction; refuses
	 * a document this store holds any row of. The global sequence is moved past every number
	 * imported, so later appends never reuse one. Only for a database no relay serves yet.
	 */
	async importDoc(doc: string, rows: DocRows): Promise<void> {
		if (typeof doc !== 'string' || doc === '') throw new TypeError('bad doc name');
		await transaction(this.#pool, (client) => insertDocRows(client, doc, rows));
	}

	/** The records and the rows still held, in one REPEATABLE READ transaction. */
	async attribution(doc: string): Promise<Attribution[]> {
		return transaction(
			this.#pool,
			async (client) => {
				const held = await client.query<{ author: string | null; data: Buffer }>(
					'SELECT author, data FROM updates WHERE doc = $1 ORDER BY seq',
					[doc]
				);
				const rows = held.rows.map((row) => ({ author: row.author, update: bytesOf(row.data) }));
				return foldAttribution(await records(client, doc), rows);
			},
			'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'
		);
	}

	/** One statement: the hours folded before `before`'s hour, then the log rows before it. */
	async historyBefore(doc: string, before: number): Promise<Uint8Array[]> {
		const { rows } = await this.#pool.query<{ data: Buffer }>(
			`SELECT data FROM (
			   SELECT 0 AS part, seq, data FROM history WHERE doc = $1 AND hour < $2
			   UNION ALL
			   SELECT 1, seq, data FROM updates WHERE doc = $1 AND at < $3
			 ) AS t ORDER BY part, seq`,
			[doc, hourOf(before), before]
		);
		return rows.map((row) => bytesOf(row.data));
	}

	async historyHours(doc: string): Promise<number[]> {
		const { rows } = await this.#pool.query<{ hour: string }>(
			`SELECT hour FROM history WHERE doc = $1
			 UNION SELECT at / $2::bigint FROM updates WHERE doc = $1 ORDER BY hour`,
			[doc, HOUR_MS]
		);
		return rows.map((row) => Number(row.hour) * HOUR_MS);
	}

	async hasDoc(doc: string): Promise<boolean> {
		const { rows } = await this.#pool.query<{ found: boolean }>(
			`SELECT EXISTS (SELECT 1 FROM snapshots WHERE doc = $1)
			     OR EXISTS (SELECT 1 FROM updates WHERE doc = $1) AS found`,
			[doc]
		);
		return rows[0]!.found;
	}

	async docNames(): Promise<string[]> {
		const { rows } = await this.#pool.query<{ doc: string }>(
			'SELECT doc FROM snapshots UNION SELECT doc FROM updates ORDER BY doc'
		);
		return rows.map((row) => row.doc);
	}

	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		await this.#pool.end();
	}
}

/** The document's compacted attribution records ('' in the table stands for a null author). */
async function records(client: pg.PoolClient, doc: string): Promise<Attribution[]> {
	const { rows } = await client.query<{
		author: string;
		updates: number;
		inserted: Buffer;
		deleted: Buffer;
	}>('SELECT author, updates, inserted, deleted FROM attribution WHERE doc = $1 ORDER BY author', [
		doc
	]);
	return rows.map((row) => ({
		author: row.author === '' ? null : row.author,
		updates: row.updates,
		inserted: bytesOf(row.inserted),
		deleted: bytesOf(row.deleted)
	}));
}

/** One statement: the document's snapshot and the log rows after it, as of one moment. */
async function loadDoc(db: pg.Pool | pg.PoolClient, doc: string): Promise<StoredDoc> {
	const { rows } = await db.query<{ kind: number; seq: string; data: Buffer }>(
		`WITH s AS (SELECT upto_seq, data FROM snapshots WHERE doc = $1)
		 SELECT 0 AS kind, upto_seq AS seq, data FROM s
		 UNION ALL
		 SELECT 1, seq, data FROM updates
		 WHERE doc = $1 AND seq > COALESCE((SELECT upto_seq FROM s), 0)
		 ORDER BY kind, seq`,
		[doc]
	);
	const snapshot = rows[0]?.kind === 0 ? rows[0] : null;
	const log = snapshot ? rows.slice(1) : rows;
	return {
		snapshot: snapshot ? bytesOf(snapshot.data) : null,
		updates: log.map((row) => bytesOf(row.data)),
		lastSeq: Math.max(Number(snapshot?.seq ?? 0), Number(log.at(-1)?.seq ?? 0))
	};
}

/**
 * Inserts log rows in one statement, numbered in the rows' order (the caller holds their
 * documents' locks); returns the highest number taken.
 */
async function insertRows(
	client: pg.PoolClient,
	rows: readonly { doc: string; update: Uint8Array; author: string | null; at: number }[]
): Promise<number> {
	const { rows: result } = await client.query<{ last: string }>(
		`WITH inserted AS (
		   INSERT INTO updates (doc, data, author, at)
		   SELECT doc, data, author, at FROM unnest($1::text[], $2::bytea[], $3::text[], $4::bigint[])
		     WITH ORDINALITY AS e (doc, data, author, at, n)
		   ORDER BY n
		   RETURNING seq)
		 SELECT max(seq) AS last FROM inserted`,
		[
			rows.map((row) => row.doc),
			rows.map((row) => row.update),
			rows.map((row) => row.author),
			rows.map((row) => row.at)
		]
	);
	return Number(result[0]!.last);
}

/**
 * Writes a document's rows with their own numbers (`importDoc`, and an archive import's one
 * transaction, cluster/archive-cluster.ts) on `client`, inside the caller's transaction;
 * refuses a document the database holds any row of. The global sequence is moved past every
 * number written, so later appends never reuse one.
 */
export async function insertDocRows(
	client: pg.PoolClient,
	doc: string,
	rows: DocRows
): Promise<void> {
	await lockDocs(client, [doc]);
	const held = await client.query<{ found: boolean }>(
		`SELECT EXISTS (SELECT 1 FROM snapshots WHERE doc = $1)
			     OR EXISTS (SELECT 1 FROM updates WHERE doc = $1)
			     OR EXISTS (SELECT 1 FROM attribution WHERE doc = $1)
			     OR EXISTS (SELECT 1 FROM history WHERE doc = $1) AS found`,
		[doc]
	);
	if (held.rows[0]!.found) throw new Error(`${doc} is already in the database`);
	if (rows.snapshot) {
		await client.query('INSERT INTO snapshots (doc, upto_seq, data) VALUES ($1, $2, $3)', [
			doc,
			rows.snapshot.uptoSeq,
			rows.snapshot.data
		]);
	}
	await client.query(
		`INSERT INTO updates (seq, doc, data, author, at)
			 SELECT seq, $1, data, author, at
			 FROM unnest($2::bigint[], $3::bytea[], $4::text[], $5::bigint[]) AS r (seq, data, author, at)`,
		[
			doc,
			rows.log.map((row) => row.seq),
			rows.log.map((row) => row.data),
			rows.log.map((row) => row.author),
			rows.log.map((row) => row.at)
		]
	);
	await client.query(
		`INSERT INTO attribution (doc, author, updates, inserted, deleted)
			 SELECT $1, author, updates, inserted, deleted
			 FROM unnest($2::text[], $3::int[], $4::bytea[], $5::bytea[])
			   AS r (author, updates, inserted, deleted)`,
		[
			doc,
			rows.attribution.map((record) => record.author ?? ''),
			rows.attribution.map((record) => record.updates),
			rows.attribution.map((record) => record.inserted),
			rows.attribution.map((record) => record.deleted)
		]
	);
	await client.query(
		`INSERT INTO history (doc, hour, seq, data)
			 SELECT $1, hour, seq, data FROM unnest($2::bigint[], $3::bigint[], $4::bytea[]) AS r (hour, seq, data)`,
		[
			doc,
			rows.history.map((row) => row.hour),
			rows.history.map((row) => row.seq),
			rows.history.map((row) => row.data)
		]
	);
	const highest = [...rows.log, ...rows.history].reduce(
		(max, row) => Math.max(max, row.seq),
		rows.snapshot?.uptoSeq ?? 0
	);
	if (highest > 0) {
		// Never lowers the sequence below a number it handed out already.
		await client.query(
			`SELECT setval('updates_seq_seq', GREATEST($1::bigint,
				   (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM updates_seq_seq)))`,
			[highest]
		);
	}
}
