/**
 * SQLite storage of the public notice boards, in the relay's database file
 * (DATA_DIR/gridboard.db) beside the identity and document tables, in tables of their own:
 * `notices` (one row per public token) and `notice_phones` (members' consents).
 *
 * Invariants: `synchronous = FULL` (a publish, withdrawal or consent is on disk when the relay
 * answers it; these are rare writes); a publish is one BEGIN IMMEDIATE…COMMIT; nothing cached.
 */
import { DatabaseSync } from 'node:sqlite';
import type { NoticeSnapshot, PublishedNotice } from '../../src/lib/wire/notice.ts';
import { immediateTransaction, openBesideDocuments } from '../storage/sqlite.ts';
import type { NoticeLookup, NoticeStore } from './store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS notices (
	token TEXT PRIMARY KEY,
	community_id TEXT NOT NULL,
	grid_id TEXT NOT NULL,
	snapshot TEXT,
	published_at INTEGER NOT NULL,
	withdrawn_at INTEGER
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS notices_live
	ON notices (community_id, grid_id) WHERE withdrawn_at IS NULL;
CREATE TABLE IF NOT EXISTS notice_phones (
	community_id TEXT NOT NULL,
	member_id TEXT NOT NULL,
	phone TEXT NOT NULL,
	agreed_at INTEGER NOT NULL,
	PRIMARY KEY (community_id, member_id)
) STRICT;
`;

type Row = Record<string, unknown>;

const toLive = (row: Row): PublishedNotice => ({
	gridId: row.grid_id as string,
	token: row.token as string,
	publishedAt: row.published_at as number,
	snapshot: JSON.parse(row.snapshot as string) as NoticeSnapshot
});

export class SqliteNoticeStore implements NoticeStore {
	#db: DatabaseSync;

	constructor(dataDir: string) {
		this.#db = openBesideDocuments(dataDir, SCHEMA);
	}

	#get(sql: string, ...params: (string | number | null)[]): Row | undefined {
		return this.#db.prepare(sql).get(...params) as Row | undefined;
	}

	publish(
		communityId: string,
		gridId: string,
		snapshot: NoticeSnapshot,
		now: number,
		newToken: string
	): PublishedNotice {
		const json = JSON.stringify(snapshot);
		return immediateTransaction(this.#db, () => {
			const current = this.#get(
				'SELECT token FROM notices WHERE community_id = ? AND grid_id = ? AND withdrawn_at IS NULL',
				communityId,
				gridId
			);
			const token = (current?.token as string | undefined) ?? newToken;
			if (current) {
				this.#db
					.prepare('UPDATE notices SET snapshot = ?, published_at = ? WHERE token = ?')
					.run(json, now, token);
			} else {
				this.#db
					.prepare(
						'INSERT INTO notices (token, community_id, grid_id, snapshot, published_at) VALUES (?, ?, ?, ?, ?)'
					)
					.run(token, communityId, gridId, json, now);
			}
			return { gridId, token, publishedAt: now, snapshot: JSON.parse(json) as NoticeSnapshot };
		});
	}

	withdraw(communityId: string, gridId: string, now: number): boolean {
		const changed = this.#db
			.prepare(
				'UPDATE notices SET withdrawn_at = ?, snapshot = NULL WHERE community_id = ? AND grid_id = ? AND withdrawn_at IS NULL'
			)
			.run(now, communityId, gridId).changes;
		return Number(changed) > 0;
	}

	listLive(communityId: string): PublishedNotice[] {
		const rows = this.#db
			.prepare(
				'SELECT * FROM notices WHERE community_id = ? AND withdrawn_at IS NULL ORDER BY grid_id'
			)
			.all(communityId) as Row[];
		return rows.map(toLive);
	}

	byToken(token: string): NoticeLookup {
		const row = this.#get('SELECT * FROM notices WHERE token = ?', token);
		if (!row) return { state: 'unknown' };
		const communityId = row.community_id as string;
		if (row.withdrawn_at !== null) {
			return {
				state: 'withdrawn',
				communityId,
				gridId: row.grid_id as string,
				withdrawnAt: row.withdrawn_at as number
			};
		}
		return { state: 'live', communityId, notice: toLive(row) };
	}

	setPhone(communityId: string, memberId: string, phone: string | null, now: number): void {
		if (phone === null) {
			this.#db
				.prepare('DELETE FROM notice_phones WHERE community_id = ? AND member_id = ?')
				.run(communityId, memberId);
			return;
		}
		this.#db
			.prepare(
				`INSERT INTO notice_phones (community_id, member_id, phone, agreed_at) VALUES (?, ?, ?, ?)
				 ON CONFLICT (community_id, member_id) DO UPDATE SET phone = excluded.phone, agreed_at = excluded.agreed_at`
			)
			.run(communityId, memberId, phone, now);
	}

	phones(communityId: string): Map<string, string> {
		const rows = this.#db
			.prepare('SELECT member_id, phone FROM notice_phones WHERE community_id = ?')
			.all(communityId) as Row[];
		return new Map(rows.map((row) => [row.member_id as string, row.phone as string]));
	}

	close(): void {
		if (this.#db.isOpen) this.#db.close();
	}
}
