/**
 * PostgreSQL identity storage for the scale-out relay (issue 22): the tables of
 * SqliteIdentityStore (identity-sqlite.ts), communities, members, device credentials and
 * invites, in the database every relay shares (grids as JSONB instead of JSON text), and the
 * relays' token-signing keys (`relay_keys`, keys.json in embedded mode), which every relay of a
 * cluster needs to check every token; `importAll` writes a migrated relay's (cluster/migrate.ts).
 *
 * Invariants (those of IdentityStore, identity-store.ts): every multi-row change (a removal
 * with its credential revocations, an invite redemption) is one transaction; a member update is
 * one statement, so two relays never lose each other's `ver` bump. `redeemInvite` locks the
 * invite's row (SELECT … FOR UPDATE) before it checks it, so redemptions of one invite on any
 * number of relays run one after another and never exceed `maxUses`. Nothing is cached.
 */
import type pg from 'pg';
import type { Role } from '../src/lib/wire/index.ts';
import type { AsyncIdentityStore } from './identity-async.ts';
import {
	type IdentityRow,
	type RowCodec,
	inviteRefusal,
	type Community,
	type CredentialRecord,
	type IdentityRows,
	INVITE_COLUMNS,
	inviteValues,
	rowReaders,
	type InviteRecord,
	type MemberRecord,
	type NewMember,
	type RedeemResult
} from './identity-store.ts';
import { migrate, openPool, transaction, type Migration } from './storage/postgres.ts';
import type { SigningKey } from './tokens.ts';

const IDENTITY_MIGRATIONS: Migration[] = [
	{
		version: 1,
		sql: `
CREATE TABLE communities (
	id TEXT COLLATE "C" PRIMARY KEY,
	name TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE TABLE members (
	id TEXT COLLATE "C" PRIMARY KEY,
	community_id TEXT COLLATE "C" NOT NULL REFERENCES communities (id),
	display_name TEXT NOT NULL,
	role TEXT NOT NULL,
	grids JSONB NOT NULL,
	ver INTEGER NOT NULL,
	created_at BIGINT NOT NULL,
	removed_at BIGINT
);
CREATE INDEX members_by_community ON members (community_id, created_at);
CREATE TABLE credentials (
	member_id TEXT COLLATE "C" NOT NULL REFERENCES members (id),
	device_id TEXT COLLATE "C" NOT NULL,
	community_id TEXT COLLATE "C" NOT NULL,
	secret_hash TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	revoked_at BIGINT,
	PRIMARY KEY (member_id, device_id)
);
CREATE TABLE invites (
	id TEXT COLLATE "C" PRIMARY KEY,
	community_id TEXT COLLATE "C" NOT NULL REFERENCES communities (id),
	code_hash TEXT NOT NULL UNIQUE,
	role TEXT NOT NULL,
	grids JSONB NOT NULL,
	expires_at BIGINT NOT NULL,
	max_uses INTEGER NOT NULL,
	uses INTEGER NOT NULL,
	created_at BIGINT NOT NULL,
	created_by TEXT NOT NULL,
	revoked_at BIGINT
);
CREATE INDEX invites_by_community ON invites (community_id, created_at);
`
	},
	{
		// The relays' token-signing keys (keys.json in embedded mode, tokens.ts): every relay of a
		// cluster checks every token, so they all read one list. `position` keeps the file's
		// order: the last key signs.
		version: 2,
		sql: `
CREATE TABLE relay_keys (
	kid TEXT COLLATE "C" PRIMARY KEY,
	secret TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	position INTEGER NOT NULL UNIQUE
);
`
	}
];

type Row = IdentityRow;

/** BIGINT columns arrive as strings (they may exceed 2^53; ours are ms timestamps). */
const num = (value: unknown): number => Number(value);

/** Grids are JSONB, parsed by `pg`. */
const CODEC: RowCodec = { grids: (value) => value as string[], num };
const { toCommunity, toMember, toCredential, toInvite } = rowReaders(CODEC);

const INSERT_INVITE = `INSERT INTO invites (${INVITE_COLUMNS})
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

const toKey = (r: Row): SigningKey => ({
	kid: r.kid as string,
	secret: r.secret as string,
	createdAt: num(r.created_at)
});

/**
 * Writes a new community and its invite on `client`, inside the caller's transaction (an
 * archive import's, cluster/archive-cluster.ts); fails if the id exists (primary key).
 */
export async function insertCommunity(
	client: pg.PoolClient,
	community: Community,
	invite: InviteRecord
): Promise<void> {
	await client.query('INSERT INTO communities (id, name, created_at) VALUES ($1, $2, $3)', [
		community.id,
		community.name,
		community.createdAt
	]);
	await client.query(INSERT_INVITE, inviteValues(invite));
}

export class PostgresIdentityStore implements AsyncIdentityStore {
	#pool: pg.Pool;
	#closed = false;

	private constructor(pool: pg.Pool) {
		this.#pool = pool;
	}

	/** Connects to the database at `url` and creates or updates the identity tables. */
	static async open(url: string): Promise<PostgresIdentityStore> {
		const pool = openPool(url);
		try {
			await migrate(pool, 'identity', IDENTITY_MIGRATIONS);
		} catch (error) {
			await pool.end();
			throw error;
		}
		return new PostgresIdentityStore(pool);
	}

	async #rows(sql: string, params: unknown[] = []): Promise<Row[]> {
		return (await this.#pool.query<Row>(sql, params)).rows;
	}

	async createCommunity(community: Community): Promise<void> {
		await this.#rows('INSERT INTO communities (id, name, created_at) VALUES ($1, $2, $3)', [
			community.id,
			community.name,
			community.createdAt
		]);
	}

	async getCommunity(id: string): Promise<Community | null> {
		const [row] = await this.#rows('SELECT * FROM communities WHERE id = $1', [id]);
		return row ? toCommunity(row) : null;
	}

	async listCommunities(): Promise<Community[]> {
		return (await this.#rows('SELECT * FROM communities ORDER BY created_at, id')).map(toCommunity);
	}

	async getMember(communityId: string, memberId: string): Promise<MemberRecord | null> {
		const [row] = await this.#rows('SELECT * FROM members WHERE id = $1 AND community_id = $2', [
			memberId,
			communityId
		]);
		return row ? toMember(row) : null;
	}

	async listMembers(communityId: string): Promise<MemberRecord[]> {
		const rows = await this.#rows(
			'SELECT * FROM members WHERE community_id = $1 ORDER BY created_at, id',
			[communityId]
		);
		return rows.map(toMember);
	}

	async updateMember(
		communityId: string,
		memberId: string,
		patch: { role?: Role; grids?: string[] }
	): Promise<MemberRecord | null> {
		const [row] = await this.#rows(
			`UPDATE members SET role = COALESCE($3, role), grids = COALESCE($4::jsonb, grids), ver = ver + 1
			 WHERE id = $1 AND community_id = $2 AND removed_at IS NULL RETURNING *`,
			[
				memberId,
				communityId,
				patch.role ?? null,
				patch.grids === undefined ? null : JSON.stringify(patch.grids)
			]
		);
		return row ? toMember(row) : null;
	}

	async removeMember(communityId: string, memberId: string, now: number): Promise<boolean> {
		return transaction(this.#pool, async (client) => {
			const removed = await client.query(
				`UPDATE members SET removed_at = $1, ver = ver + 1
				 WHERE id = $2 AND community_id = $3 AND removed_at IS NULL`,
				[now, memberId, communityId]
			);
			if (removed.rowCount === 0) return false;
			await client.query(
				'UPDATE credentials SET revoked_at = $1 WHERE member_id = $2 AND revoked_at IS NULL',
				[now, memberId]
			);
			return true;
		});
	}

	async getCredential(
		communityId: string,
		memberId: string,
		deviceId: string
	): Promise<CredentialRecord | null> {
		const [row] = await this.#rows(
			'SELECT * FROM credentials WHERE member_id = $1 AND device_id = $2 AND community_id = $3',
			[memberId, deviceId, communityId]
		);
		return row ? toCredential(row) : null;
	}

	async createInvite(invite: InviteRecord): Promise<void> {
		await this.#rows(INSERT_INVITE, inviteValues(invite));
	}

	async listInvites(communityId: string): Promise<InviteRecord[]> {
		const rows = await this.#rows(
			'SELECT * FROM invites WHERE community_id = $1 ORDER BY created_at, id',
			[communityId]
		);
		return rows.map(toInvite);
	}

	async revokeInvite(communityId: string, inviteId: string, now: number): Promise<boolean> {
		const result = await this.#pool.query(
			`UPDATE invites SET revoked_at = $1
			 WHERE id = $2 AND community_id = $3 AND revoked_at IS NULL`,
			[now, inviteId, communityId]
		);
		return (result.rowCount ?? 0) > 0;
	}

	async redeemInvite(codeHash: string, now: number, member: NewMember): Promise<RedeemResult> {
		return transaction(this.#pool, async (client): Promise<RedeemResult> => {
			// The row lock makes a concurrent redemption wait here, then read the counted use.
			const found = await client.query<Row>(
				'SELECT * FROM invites WHERE code_hash = $1 FOR UPDATE',
				[codeHash]
			);
			const invite = found.rows[0] ? toInvite(found.rows[0]) : null;
			const refusal = inviteRefusal(invite, now);
			if (refusal || !invite) return { ok: false, reason: refusal ?? 'invite_unknown' };
			const communityRow = await client.query<Row>('SELECT * FROM communities WHERE id = $1', [
				invite.communityId
			]);
			if (!communityRow.rows[0]) return { ok: false, reason: 'invite_unknown' };
			await client.query('UPDATE invites SET uses = uses + 1 WHERE id = $1', [invite.id]);
			const inserted = await client.query<Row>(
				`INSERT INTO members (id, community_id, display_name, role, grids, ver, created_at, removed_at)
				 VALUES ($1, $2, $3, $4, $5, 1, $6, NULL) RETURNING *`,
				[
					member.memberId,
					invite.communityId,
					member.displayName,
					invite.role,
					JSON.stringify(invite.grids),
					now
				]
			);
			await client.query(
				`INSERT INTO credentials (member_id, device_id, community_id, secret_hash, created_at, revoked_at)
				 VALUES ($1, $2, $3, $4, $5, NULL)`,
				[member.memberId, member.deviceId, invite.communityId, member.secretHash, now]
			);
			return {
				ok: true,
				member: toMember(inserted.rows[0]!),
				community: toCommunity(communityRow.rows[0])
			};
		});
	}

	/**
	 * Writes the identity rows and signing keys of another store (cluster/migrate.ts) as they
	 * are (ids, versions, use counts, hashes), in one transaction; refuses a database that holds
	 * any community or key already.
	 */
	async importAll(rows: IdentityRows, keys: readonly SigningKey[]): Promise<void> {
		await transaction(this.#pool, async (client) => {
			const held = await client.query<{ found: boolean }>(
				`SELECT EXISTS (SELECT 1 FROM communities) OR EXISTS (SELECT 1 FROM relay_keys) AS found`
			);
			if (held.rows[0]!.found) throw new Error('the database holds communities or keys already');
			for (const c of rows.communities) {
				await client.query('INSERT INTO communities (id, name, created_at) VALUES ($1, $2, $3)', [
					c.id,
					c.name,
					c.createdAt
				]);
			}
			for (const m of rows.members) {
				await client.query(
					`INSERT INTO members (id, community_id, display_name, role, grids, ver, created_at, removed_at)
					 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
					[
						m.id,
						m.communityId,
						m.displayName,
						m.role,
						JSON.stringify(m.grids),
						m.ver,
						m.createdAt,
						m.removedAt
					]
				);
			}
			for (const c of rows.credentials) {
				await client.query(
					`INSERT INTO credentials (member_id, device_id, community_id, secret_hash, created_at, revoked_at)
					 VALUES ($1, $2, $3, $4, $5, $6)`,
					[c.memberId, c.deviceId, c.communityId, c.secretHash, c.createdAt, c.revokedAt]
				);
			}
			for (const i of rows.invites) {
				await client.query(INSERT_INVITE, inviteValues(i));
			}
			for (const [position, key] of keys.entries()) {
				await client.query(
					'INSERT INTO relay_keys (kid, secret, created_at, position) VALUES ($1, $2, $3, $4)',
					[key.kid, key.secret, key.createdAt, position]
				);
			}
		});
	}

	/** Every identity row, in IdentityRows' order, from one REPEATABLE READ transaction. */
	async exportAll(): Promise<IdentityRows> {
		return transaction(
			this.#pool,
			async (client) => {
				const all = async (sql: string) => (await client.query<Row>(sql)).rows;
				return {
					communities: (await all('SELECT * FROM communities ORDER BY created_at, id')).map(
						toCommunity
					),
					members: (await all('SELECT * FROM members ORDER BY community_id, created_at, id')).map(
						toMember
					),
					credentials: (await all('SELECT * FROM credentials ORDER BY member_id, device_id')).map(
						toCredential
					),
					invites: (await all('SELECT * FROM invites ORDER BY community_id, created_at, id')).map(
						toInvite
					)
				};
			},
			'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'
		);
	}

	/** The relays' token-signing keys, oldest first (the last one signs). */
	async signingKeys(): Promise<SigningKey[]> {
		const rows = await this.#rows(
			'SELECT kid, secret, created_at FROM relay_keys ORDER BY position'
		);
		return rows.map(toKey);
	}

	/**
	 * Stores `keys` as the relays' signing keys if the table holds none (the first relay of a
	 * cluster brings its keys.json), in one transaction that locks the table, so two relays
	 * starting together agree on one list; resolves to the list stored.
	 */
	async seedSigningKeys(keys: readonly SigningKey[]): Promise<SigningKey[]> {
		await this.#changeKeys((held) => (held.length > 0 ? null : keys));
		return this.signingKeys();
	}

	/**
	 * Replaces the signing keys with `change(current list)` (`admin rotate-key` in cluster mode)
	 * in one transaction that locks the table; resolves to what `change` returned.
	 */
	async rotateSigningKeys<T extends { keys: readonly SigningKey[] }>(
		change: (held: SigningKey[]) => T
	): Promise<T> {
		let result: T | undefined;
		await this.#changeKeys((held) => {
			result = change(held);
			return result.keys;
		});
		return result!;
	}

	/** Under a table lock: the list `change` gives for the held one replaces it (null: kept). */
	async #changeKeys(change: (held: SigningKey[]) => readonly SigningKey[] | null): Promise<void> {
		await transaction(this.#pool, async (client) => {
			await client.query('LOCK TABLE relay_keys IN EXCLUSIVE MODE');
			const held = await client.query<Row>(
				'SELECT kid, secret, created_at FROM relay_keys ORDER BY position'
			);
			const next = change(held.rows.map(toKey));
			if (next === null) return;
			if (next.length === 0) throw new Error('no signing key to keep');
			await client.query('DELETE FROM relay_keys');
			for (const [position, key] of next.entries()) {
				await client.query(
					'INSERT INTO relay_keys (kid, secret, created_at, position) VALUES ($1, $2, $3, $4)',
					[key.kid, key.secret, key.createdAt, position]
				);
			}
		});
	}

	/** Every member of every community (a relay's mirror, cluster/cluster-identity.ts). */
	async allMembers(): Promise<MemberRecord[]> {
		return (await this.#rows('SELECT * FROM members ORDER BY created_at, id')).map(toMember);
	}

	/** The members of `ids` (any community) that exist. */
	async membersById(ids: readonly string[]): Promise<MemberRecord[]> {
		if (ids.length === 0) return [];
		return (await this.#rows('SELECT * FROM members WHERE id = ANY($1)', [ids])).map(toMember);
	}

	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		await this.#pool.end();
	}
}
