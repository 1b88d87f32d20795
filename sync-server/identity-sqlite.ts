/**
 * SQLite identity storage in the relay's database file (DATA_DIR/gridboard.db), beside the
 * document tables. The admin CLI opens the same file from another process.
 *
 * Invariants: every multi-row change (removal with its credential revocations, invite
 * redemption) is one BEGIN IMMEDIATE…COMMIT; nothing is cached, every read goes to the file.
 */
import { DatabaseSync } from 'node:sqlite';
import type { Role } from '../src/lib/wire/index.ts';
import {
	type IdentityRow,
	type RowCodec,
	inviteRefusal,
	type Community,
	type CredentialRecord,
	type IdentityRows,
	type IdentityStore,
	INVITE_COLUMNS,
	inviteValues,
	rowReaders,
	type InviteRecord,
	type MemberRecord,
	type NewMember,
	type RedeemResult
} from './identity-store.ts';
import { immediateTransaction, openBesideDocuments } from './storage/sqlite.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS communities (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS members (
	id TEXT PRIMARY KEY,
	community_id TEXT NOT NULL REFERENCES communities (id),
	display_name TEXT NOT NULL,
	role TEXT NOT NULL,
	grids TEXT NOT NULL,
	ver INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	removed_at INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS members_by_community ON members (community_id, created_at);
CREATE TABLE IF NOT EXISTS credentials (
	member_id TEXT NOT NULL REFERENCES members (id),
	device_id TEXT NOT NULL,
	community_id TEXT NOT NULL,
	secret_hash TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER,
	PRIMARY KEY (member_id, device_id)
) STRICT;
CREATE TABLE IF NOT EXISTS invites (
	id TEXT PRIMARY KEY,
	community_id TEXT NOT NULL REFERENCES communities (id),
	code_hash TEXT NOT NULL UNIQUE,
	role TEXT NOT NULL,
	grids TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	max_uses INTEGER NOT NULL,
	uses INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	revoked_at INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS invites_by_community ON invites (community_id, created_at);
`;

type Row = IdentityRow;

/** Grids are JSON text; numbers are numbers. */
const CODEC: RowCodec = {
	grids: (value) => JSON.parse(value as string) as string[],
	num: (value) => value as number
};
const { toCommunity, toMember, toCredential, toInvite } = rowReaders(CODEC);

export class SqliteIdentityStore implements IdentityStore {
	#db: DatabaseSync;

	constructor(dataDir: string) {
		this.#db = openBesideDocuments(dataDir, SCHEMA);
	}

	#transaction<T>(fn: () => T): T {
		return immediateTransaction(this.#db, fn);
	}

	#get(sql: string, ...params: (string | number | null)[]): Row | undefined {
		return this.#db.prepare(sql).get(...params) as Row | undefined;
	}

	#all(sql: string, ...params: (string | number | null)[]): Row[] {
		return this.#db.prepare(sql).all(...params) as Row[];
	}

	#run(sql: string, ...params: (string | number | null)[]): number {
		return Number(this.#db.prepare(sql).run(...params).changes);
	}

	createCommunity(community: Community): void {
		this.#run(
			'INSERT INTO communities (id, name, created_at) VALUES (?, ?, ?)',
			community.id,
			community.name,
			community.createdAt
		);
	}

	getCommunity(id: string): Community | null {
		const row = this.#get('SELECT * FROM communities WHERE id = ?', id);
		return row ? toCommunity(row) : null;
	}

	listCommunities(): Community[] {
		return this.#all('SELECT * FROM communities ORDER BY created_at, id').map(toCommunity);
	}

	getMember(communityId: string, memberId: string): MemberRecord | null {
		const row = this.#get(
			'SELECT * FROM members WHERE id = ? AND community_id = ?',
			memberId,
			communityId
		);
		return row ? toMember(row) : null;
	}

	listMembers(communityId: string): MemberRecord[] {
		return this.#all(
			'SELECT * FROM members WHERE community_id = ? ORDER BY created_at, id',
			communityId
		).map(toMember);
	}

	updateMember(
		communityId: string,
		memberId: string,
		patch: { role?: Role; grids?: string[] }
	): MemberRecord | null {
		return this.#transaction(() => {
			const current = this.getMember(communityId, memberId);
			if (!current || current.removedAt !== null) return null;
			this.#run(
				'UPDATE members SET role = ?, grids = ?, ver = ver + 1 WHERE id = ?',
				patch.role ?? current.role,
				JSON.stringify(patch.grids ?? current.grids),
				memberId
			);
			return this.getMember(communityId, memberId);
		});
	}

	removeMember(communityId: string, memberId: string, now: number): boolean {
		return this.#transaction(() => {
			const changed = this.#run(
				`UPDATE members SET removed_at = ?, ver = ver + 1
				 WHERE id = ? AND community_id = ? AND removed_at IS NULL`,
				now,
				memberId,
				communityId
			);
			if (changed === 0) return false;
			this.#run(
				'UPDATE credentials SET revoked_at = ? WHERE member_id = ? AND revoked_at IS NULL',
				now,
				memberId
			);
			return true;
		});
	}

	getCredential(communityId: string, memberId: string, deviceId: string): CredentialRecord | null {
		const row = this.#get(
			'SELECT * FROM credentials WHERE member_id = ? AND device_id = ? AND community_id = ?',
			memberId,
			deviceId,
			communityId
		);
		return row ? toCredential(row) : null;
	}

	createInvite(invite: InviteRecord): void {
		this.#run(
			`INSERT INTO invites (${INVITE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			...inviteValues(invite)
		);
	}

	listInvites(communityId: string): InviteRecord[] {
		return this.#all(
			'SELECT * FROM invites WHERE community_id = ? ORDER BY created_at, id',
			communityId
		).map(toInvite);
	}

	revokeInvite(communityId: string, inviteId: string, now: number): boolean {
		return (
			this.#run(
				'UPDATE invites SET revoked_at = ? WHERE id = ? AND community_id = ? AND revoked_at IS NULL',
				now,
				inviteId,
				communityId
			) > 0
		);
	}

	redeemInvite(codeHash: string, now: number, member: NewMember): RedeemResult {
		return this.#transaction((): RedeemResult => {
			const row = this.#get('SELECT * FROM invites WHERE code_hash = ?', codeHash);
			const invite = row ? toInvite(row) : null;
			const refusal = inviteRefusal(invite, now);
			if (refusal || !invite) return { ok: false, reason: refusal ?? 'invite_unknown' };
			const community = this.getCommunity(invite.communityId);
			if (!community) return { ok: false, reason: 'invite_unknown' };
			this.#run('UPDATE invites SET uses = uses + 1 WHERE id = ?', invite.id);
			this.#run(
				`INSERT INTO members (id, community_id, display_name, role, grids, ver, created_at, removed_at)
				 VALUES (?, ?, ?, ?, ?, 1, ?, NULL)`,
				member.memberId,
				invite.communityId,
				member.displayName,
				invite.role,
				JSON.stringify(invite.grids),
				now
			);
			this.#run(
				`INSERT INTO credentials (member_id, device_id, community_id, secret_hash, created_at, revoked_at)
				 VALUES (?, ?, ?, ?, ?, NULL)`,
				member.memberId,
				member.deviceId,
				invite.communityId,
				member.secretHash,
				now
			);
			return { ok: true, member: this.getMember(invite.communityId, member.memberId)!, community };
		});
	}

	/** Every row, in IdentityRows' order, from one read transaction. */
	exportAll(): IdentityRows {
		this.#db.exec('BEGIN');
		try {
			return {
				communities: this.#all('SELECT * FROM communities ORDER BY created_at, id').map(
					toCommunity
				),
				members: this.#all('SELECT * FROM members ORDER BY community_id, created_at, id').map(
					toMember
				),
				credentials: this.#all('SELECT * FROM credentials ORDER BY member_id, device_id').map(
					toCredential
				),
				invites: this.#all('SELECT * FROM invites ORDER BY community_id, created_at, id').map(
					toInvite
				)
			};
		} finally {
			this.#db.exec('COMMIT');
		}
	}

	close(): void {
		if (this.#db.isOpen) this.#db.close();
	}
}
