/**
 * Photo blobs in PostgreSQL, for cluster mode (issue 22): one row per community and SHA-256,
 * the bytes in a `bytea` column every relay reads, so a photo uploaded through one relay is
 * served by all of them with no shared filesystem, and one `pg_dump` backs up documents,
 * members and photos together (the decision and its measurements: ARCHITECTURE.md, "Scale-out").
 *
 * Invariants (those of BlobStore, blob-store.ts):
 * - An upload is one INSERT, committed with `synchronous_commit = on` (openPool), so a blob is
 *   durable when `commit` resolves; nothing of an aborted upload is ever written (chunks are
 *   held in memory until then: at most MAX_BLOB_BYTES, which blobs.ts checks while reading).
 * - The same hash uploaded again only moves `stored_at` forward (the sweep's age).
 * - The sweep's DELETE rechecks `stored_at` in its own statement, so an upload that refreshed
 *   a blob after the sweep read the documents keeps it.
 * - `data` is stored EXTERNAL: out of line, never compressed (photos are compressed already).
 */
import { Readable } from 'node:stream';
import type pg from 'pg';
import { migrate, type Migration } from './storage/postgres.ts';
import type { BlobStore, BlobWriter, StoredBlob, SweepResult } from './blob-store.ts';

const BLOB_MIGRATIONS: Migration[] = [
	{
		version: 1,
		sql: `
CREATE TABLE blobs (
	community TEXT COLLATE "C" NOT NULL,
	hash TEXT COLLATE "C" NOT NULL,
	size INTEGER NOT NULL,
	stored_at BIGINT NOT NULL,
	data BYTEA NOT NULL,
	PRIMARY KEY (community, hash)
);
ALTER TABLE blobs ALTER COLUMN data SET STORAGE EXTERNAL;
`
	}
];

/**
 * Stores a blob (or moves its age forward) in one statement, on the pool or on a transaction's
 * client (an archive import's, cluster/archive-cluster.ts).
 */
export async function insertBlob(
	db: pg.Pool | pg.PoolClient,
	communityId: string,
	hash: string,
	data: Uint8Array,
	now: number
): Promise<void> {
	await db.query(
		`INSERT INTO blobs (community, hash, size, stored_at, data) VALUES ($1, $2, $3, $4, $5)
		 ON CONFLICT (community, hash) DO UPDATE SET
		   stored_at = GREATEST(blobs.stored_at, excluded.stored_at)`,
		[communityId, hash, data.length, now, data]
	);
}

export class PostgresBlobStore implements BlobStore {
	#pool: pg.Pool;

	private constructor(pool: pg.Pool) {
		this.#pool = pool;
	}

	/** Runs the table's schema steps on `pool` (which the caller owns and closes). */
	static async open(pool: pg.Pool): Promise<PostgresBlobStore> {
		await migrate(pool, 'blobs', BLOB_MIGRATIONS);
		return new PostgresBlobStore(pool);
	}

	async touch(communityId: string, hash: string, now: number): Promise<boolean> {
		const { rowCount } = await this.#pool.query(
			'UPDATE blobs SET stored_at = GREATEST(stored_at, $3) WHERE community = $1 AND hash = $2',
			[communityId, hash, now]
		);
		return (rowCount ?? 0) > 0;
	}

	async writer(communityId: string, hash: string, now: number): Promise<BlobWriter> {
		let chunks: Buffer[] = [];
		return {
			write: async (chunk) => {
				chunks.push(chunk);
			},
			commit: async () => {
				const data = Buffer.concat(chunks);
				chunks = [];
				await insertBlob(this.#pool, communityId, hash, data, now);
			},
			abort: async () => {
				chunks = [];
			}
		};
	}

	async open(communityId: string, hash: string): Promise<StoredBlob | null> {
		const { rows } = await this.#pool.query<{ data: Buffer }>(
			'SELECT data FROM blobs WHERE community = $1 AND hash = $2',
			[communityId, hash]
		);
		const data = rows[0]?.data;
		if (!data) return null;
		return {
			size: data.length,
			head: data.subarray(0, 16),
			body: () => Readable.from([data]),
			close: async () => {}
		};
	}

	/** The hashes of the community's blobs, in order (an archive export). */
	async hashes(communityId: string): Promise<string[]> {
		const { rows } = await this.#pool.query<{ hash: string }>(
			'SELECT hash FROM blobs WHERE community = $1 ORDER BY hash',
			[communityId]
		);
		return rows.map((row) => row.hash);
	}

	async communities(): Promise<string[]> {
		const { rows } = await this.#pool.query<{ community: string }>(
			'SELECT DISTINCT community FROM blobs ORDER BY community'
		);
		return rows.map((row) => row.community);
	}

	async removeUnreferenced(
		communityId: string,
		keep: ReadonlySet<string>,
		now: number,
		graceMs: number
	): Promise<SweepResult> {
		const referenced = [...keep];
		const deleted = await this.#pool.query(
			`DELETE FROM blobs WHERE community = $1 AND stored_at < $2 AND NOT (hash = ANY($3::text[]))`,
			[communityId, now - graceMs, referenced]
		);
		const { rows } = await this.#pool.query<{ referenced: string; kept: string }>(
			`SELECT count(*) FILTER (WHERE hash = ANY($2::text[])) AS referenced,
			        count(*) FILTER (WHERE NOT (hash = ANY($2::text[]))) AS kept
			 FROM blobs WHERE community = $1`,
			[communityId, referenced]
		);
		return {
			deleted: deleted.rowCount ?? 0,
			kept: Number(rows[0]!.kept),
			referenced: Number(rows[0]!.referenced)
		};
	}

	async close(): Promise<void> {}
}
