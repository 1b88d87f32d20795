/**
 * PostgreSQL storage of the public notice boards, for cluster mode (issue 22): the tables of
 * SqliteNoticeStore (sqlite.ts) in the cluster's database, so a notice published through one
 * relay is listed, served and withdrawn through any other.
 *
 * Invariants (those of NoticeStore, store.ts): every write is one statement or one transaction,
 * committed with `synchronous_commit = on` (openPool) before the relay answers; a publish takes
 * a transaction-scoped advisory lock on its grid, so two relays publishing one grid at once
 * keep one live notice (the unique index `notices_live` would refuse the second otherwise);
 * nothing is cached.
 */
import type pg from 'pg';
import type { NoticeSnapshot, PublishedNotice } from '../../src/lib/wire/notice.ts';
import { migrate, transaction, type Migration } from '../storage/postgres.ts';
import type { AsyncNoticeStore, NoticeLookup } from './store.ts';

const NOTICE_MIGRATIONS: Migration[] = [
	{
		version: 1,
		sql: `
CREATE TABLE notices (
	token TEXT COLLATE "C" PRIMARY KEY,
	community_id TEXT COLLATE "C" NOT NULL,
	grid_id TEXT COLLATE "C" NOT NULL,
	snapshot TEXT,
	published_at BIGINT NOT NULL,
	withdrawn_at BIGINT
);
CREATE UNIQUE INDEX notices_live ON notices (community_id, grid_id) WHERE withdrawn_at IS NULL;
CREATE TABLE notice_phones (
	community_id TEXT COLLATE "C" NOT NULL,
	member_id TEXT COLLATE "C" NOT NULL,
	phone TEXT NOT NULL,
	agreed_at BIGINT NOT NULL,
	PRIMARY KEY (community_id, member_id)
);
`
	}
];

/** A notice as stored (the rows `admin migrate` copies from SQLite; times in ms). */
export type NoticeRow = {
	token: string;
	communityId: string;
	gridId: string;
	snapshot: string | null;
	publishedAt: number;
	withdrawnAt: number | null;
};

/** A member's consent as stored. */
export type NoticePhoneRow = {
	communityId: string;
	memberId: string;
	phone: string;
	agreedAt: number;
};

type Row = {
	token: string;
	community_id: string;
	grid_id: string;
	snapshot: string | null;
	published_at: string;
	withdrawn_at: string | null;
};

const toLive = (row: Row): PublishedNotice => ({
	gridId: row.grid_id,
	token: row.token,
	publishedAt: Number(row.published_at),
	snapshot: JSON.parse(row.snapshot!) as NoticeSnapshot
});

export class PostgresNoticeStore implements AsyncNoticeStore {
	#pool: pg.Pool;

	private constructor(pool: pg.Pool) {
		this.#pool = pool;
	}

	/** Runs the tables' schema steps on `pool` (which the caller owns and closes). */
	static async open(pool: pg.Pool): Promise<PostgresNoticeStore> {
		await migrate(pool, 'notices', NOTICE_MIGRATIONS);
		return new PostgresNoticeStore(pool);
	}

	async publish(
		communityId: string,
		gridId: string,
		snapshot: NoticeSnapshot,
		now: number,
		newToken: string
	): Promise<PublishedNotice> {
		const json = JSON.stringify(snapshot);
		const token = await transaction(this.#pool, async (client) => {
			await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 1))', [
				`notice ${communityId} ${gridId}`
			]);
			const updated = await client.query<{ token: string }>(
				`UPDATE notices SET snapshot = $3, published_at = $4
				 WHERE community_id = $1 AND grid_id = $2 AND withdrawn_at IS NULL RETURNING token`,
				[communityId, gridId, json, now]
			);
			if (updated.rows[0]) return updated.rows[0].token;
			await client.query(
				`INSERT INTO notices (token, community_id, grid_id, snapshot, published_at)
				 VALUES ($1, $2, $3, $4, $5)`,
				[newToken, communityId, gridId, json, now]
			);
			return newToken;
		});
		return { gridId, token, publishedAt: now, snapshot: JSON.parse(json) as NoticeSnapshot };
	}

	/**
	 * Copies notices and consents moved from an embedded relay (cluster/migrate.ts) as they
	 * were, in one transaction; rows it holds already (a resumed migration) are left alone.
	 */
	async importRows(
		notices: readonly NoticeRow[],
		phones: readonly NoticePhoneRow[]
	): Promise<void> {
		await transaction(this.#pool, async (client) => {
			for (const row of notices) {
				await client.query(
					`INSERT INTO notices (token, community_id, grid_id, snapshot, published_at, withdrawn_at)
					 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (token) DO NOTHING`,
					[row.token, row.communityId, row.gridId, row.snapshot, row.publishedAt, row.withdrawnAt]
				);
			}
			for (const row of phones) {
				await client.query(
					`INSERT INTO notice_phones (community_id, member_id, phone, agreed_at)
					 VALUES ($1, $2, $3, $4) ON CONFLICT (community_id, member_id) DO NOTHING`,
					[row.communityId, row.memberId, row.phone, row.agreedAt]
				);
			}
		});
	}

	/** Every notice and consent, in token and member order (to verify a migration). */
	async exportRows(): Promise<{ notices: NoticeRow[]; phones: NoticePhoneRow[] }> {
		const notices = await this.#pool.query<Row>('SELECT * FROM notices ORDER BY token');
		const phones = await this.#pool.query<{
			community_id: string;
			member_id: string;
			phone: string;
			agreed_at: string;
		}>('SELECT * FROM notice_phones ORDER BY community_id, member_id');
		return {
			notices: notices.rows.map((row) => ({
				token: row.token,
				communityId: row.community_id,
				gridId: row.grid_id,
				snapshot: row.snapshot,
				publishedAt: Number(row.published_at),
				withdrawnAt: row.withdrawn_at === null ? null : Number(row.withdrawn_at)
			})),
			phones: phones.rows.map((row) => ({
				communityId: row.community_id,
				memberId: row.member_id,
				phone: row.phone,
				agreedAt: Number(row.agreed_at)
			}))
		};
	}

	async withdraw(communityId: string, gridId: string, now: number): Promise<boolean> {
		const { rowCount } = await this.#pool.query(
			`UPDATE notices SET withdrawn_at = $3, snapshot = NULL
			 WHERE community_id = $1 AND grid_id = $2 AND withdrawn_at IS NULL`,
			[communityId, gridId, now]
		);
		return (rowCount ?? 0) > 0;
	}

	async listLive(communityId: string): Promise<PublishedNotice[]> {
		const { rows } = await this.#pool.query<Row>(
			'SELECT * FROM notices WHERE community_id = $1 AND withdrawn_at IS NULL ORDER BY grid_id',
			[communityId]
		);
		return rows.map(toLive);
	}

	async byToken(token: string): Promise<NoticeLookup> {
		const { rows } = await this.#pool.query<Row>('SELECT * FROM notices WHERE token = $1', [token]);
		const row = rows[0];
		if (!row) return { state: 'unknown' };
		if (row.withdrawn_at !== null) {
			return {
				state: 'withdrawn',
				communityId: row.community_id,
				gridId: row.grid_id,
				withdrawnAt: Number(row.withdrawn_at)
			};
		}
		return { state: 'live', communityId: row.community_id, notice: toLive(row) };
	}

	async setPhone(
		communityId: string,
		memberId: string,
		phone: string | null,
		now: number
	): Promise<void> {
		if (phone === null) {
			await this.#pool.query(
				'DELETE FROM notice_phones WHERE community_id = $1 AND member_id = $2',
				[communityId, memberId]
			);
			return;
		}
		await this.#pool.query(
			`INSERT INTO notice_phones (community_id, member_id, phone, agreed_at) VALUES ($1, $2, $3, $4)
			 ON CONFLICT (community_id, member_id) DO UPDATE SET
			   phone = excluded.phone, agreed_at = excluded.agreed_at`,
			[communityId, memberId, phone, now]
		);
	}

	async phones(communityId: string): Promise<Map<string, string>> {
		const { rows } = await this.#pool.query<{ member_id: string; phone: string }>(
			'SELECT member_id, phone FROM notice_phones WHERE community_id = $1',
			[communityId]
		);
		return new Map(rows.map((row) => [row.member_id, row.phone]));
	}
}
