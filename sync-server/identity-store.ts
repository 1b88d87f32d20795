/**
 * Identity storage: communities, members, device credentials and invites.
 *
 * Invariants every implementation keeps (one contract suite runs on both):
 * - Secrets are never stored: credentials and invites hold SHA-256 hashes only.
 * - `updateMember` bumps the member's `ver`; `removeMember` sets `removedAt` and revokes all of
 *   the member's credentials in the same step; a removed member is never changed again.
 * - `redeemInvite` checks the invite (known, not revoked, not expired, uses left), counts the
 *   use and creates the member and its credential all at once.
 * - Reads are never cached: another process (the admin CLI) may write the same database.
 * The SQL stores (identity-sqlite.ts, identity-postgres.ts) share the invites' columns and the
 * row readers below; only their drivers' encodings differ (`RowCodec`).
 */
import type { Role } from '../src/lib/wire/index.ts';

export type Community = { id: string; name: string; createdAt: number };

export type MemberRecord = {
	id: string;
	communityId: string;
	displayName: string;
	role: Role;
	grids: string[];
	ver: number;
	createdAt: number;
	removedAt: number | null;
};

export type CredentialRecord = {
	communityId: string;
	memberId: string;
	deviceId: string;
	secretHash: string;
	createdAt: number;
	revokedAt: number | null;
};

export type InviteRecord = {
	id: string;
	communityId: string;
	codeHash: string;
	role: Role;
	grids: string[];
	expiresAt: number;
	maxUses: number;
	uses: number;
	createdAt: number;
	createdBy: string;
	revokedAt: number | null;
};

/**
 * Every identity row of a store, each table in a fixed order (communities by created_at and id,
 * members and invites by community, created_at and id, credentials by member and device), for
 * a move between stores (cluster/migrate.ts). Credentials and invites carry hashes only.
 */
export type IdentityRows = {
	communities: Community[];
	members: MemberRecord[];
	credentials: CredentialRecord[];
	invites: InviteRecord[];
};

export type NewMember = {
	memberId: string;
	displayName: string;
	deviceId: string;
	secretHash: string;
};

export type InviteRefusal =
	'invite_unknown' | 'invite_expired' | 'invite_used_up' | 'invite_revoked';

export type RedeemResult =
	{ ok: true; member: MemberRecord; community: Community } | { ok: false; reason: InviteRefusal };

export interface IdentityStore {
	/** Throws if the id is taken. */
	createCommunity(community: Community): void;
	getCommunity(id: string): Community | null;
	listCommunities(): Community[];
	getMember(communityId: string, memberId: string): MemberRecord | null;
	listMembers(communityId: string): MemberRecord[];
	/** Changes role and/or grids and bumps `ver`; null for an unknown or removed member. */
	updateMember(
		communityId: string,
		memberId: string,
		patch: { role?: Role; grids?: string[] }
	): MemberRecord | null;
	/** Marks the member removed and revokes its credentials; false if unknown or removed. */
	removeMember(communityId: string, memberId: string, now: number): boolean;
	getCredential(communityId: string, memberId: string, deviceId: string): CredentialRecord | null;
	createInvite(invite: InviteRecord): void;
	listInvites(communityId: string): InviteRecord[];
	revokeInvite(communityId: string, inviteId: string, now: number): boolean;
	redeemInvite(codeHash: string, now: number, member: NewMember): RedeemResult;
	close(): void;
}

/** A row of the identity tables as an SQL driver returns it. */
export type IdentityRow = Record<string, unknown>;

/**
 * How a store's driver returns what differs between the SQL stores: grids (JSON text in
 * SQLite, JSONB parsed by `pg`) and numbers (BIGINT arrives as a string from `pg`).
 */
export type RowCodec = { grids(value: unknown): string[]; num(value: unknown): number };

/** How one column is read, checked by the compiler against the record field it fills. */
type ColumnKind<V> = [V] extends [string[]]
	? 'grids'
	: [V] extends [number]
		? 'num'
		: [V] extends [string]
			? 'text'
			: [V] extends [number | null]
				? 'numOrNull'
				: never;

/**
 * A record's fields in column order, each with how its column is read; a field `fooBar` is
 * read from the column `foo_bar`.
 */
type RowTable<T> = { readonly [K in keyof T]-?: ColumnKind<T[K]> };

const column = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function readColumn(kind: string, value: unknown, codec: RowCodec): unknown {
	if (kind === 'grids') return codec.grids(value);
	if (kind === 'num') return codec.num(value);
	if (kind === 'numOrNull') return value === null || value === undefined ? null : codec.num(value);
	return value;
}

/** The one row reader: each field of `table` from its column, through the driver's codec. */
function fromRow<T>(table: RowTable<T>, r: IdentityRow, codec: RowCodec): T {
	const record: Record<string, unknown> = {};
	for (const [field, kind] of Object.entries(table) as [string, string][]) {
		record[field] = readColumn(kind, r[column(field)], codec);
	}
	return record as T;
}

const COMMUNITY_ROW: RowTable<Community> = { id: 'text', name: 'text', createdAt: 'num' };

const MEMBER_ROW: RowTable<MemberRecord> = {
	id: 'text',
	communityId: 'text',
	displayName: 'text',
	role: 'text',
	grids: 'grids',
	ver: 'num',
	createdAt: 'num',
	removedAt: 'numOrNull'
};

const CREDENTIAL_ROW: RowTable<CredentialRecord> = {
	communityId: 'text',
	memberId: 'text',
	deviceId: 'text',
	secretHash: 'text',
	createdAt: 'num',
	revokedAt: 'numOrNull'
};

const INVITE_ROW: RowTable<InviteRecord> = {
	id: 'text',
	communityId: 'text',
	codeHash: 'text',
	role: 'text',
	grids: 'grids',
	expiresAt: 'num',
	maxUses: 'num',
	uses: 'num',
	createdAt: 'num',
	createdBy: 'text',
	revokedAt: 'numOrNull'
};

/**
 * The invites table's columns (the same in SQLite, PostgreSQL and the archive's restore), in the
 * order `inviteValues` gives an invite's values for them.
 */
export const INVITE_COLUMNS = Object.keys(INVITE_ROW).map(column).join(', ');

export function inviteValues(invite: InviteRecord): (string | number | null)[] {
	return (Object.keys(INVITE_ROW) as (keyof InviteRecord)[]).map((field) =>
		field === 'grids' ? JSON.stringify(invite.grids) : (invite[field] as string | number | null)
	);
}

/** The row readers of a store whose driver returns rows as `codec` says. */
export function rowReaders(codec: RowCodec) {
	return {
		toCommunity: (r: IdentityRow): Community => fromRow(COMMUNITY_ROW, r, codec),
		toMember: (r: IdentityRow): MemberRecord => fromRow(MEMBER_ROW, r, codec),
		toCredential: (r: IdentityRow): CredentialRecord => fromRow(CREDENTIAL_ROW, r, codec),
		toInvite: (r: IdentityRow): InviteRecord => fromRow(INVITE_ROW, r, codec)
	};
}

export function inviteRefusal(invite: InviteRecord | null, now: number): InviteRefusal | null {
	if (!invite) return 'invite_unknown';
	if (invite.revokedAt !== null) return 'invite_revoked';
	if (invite.expiresAt <= now) return 'invite_expired';
	if (invite.uses >= invite.maxUses) return 'invite_used_up';
	return null;
}

const copy = <T extends object>(value: T): T => structuredClone(value);

/** In-memory twin of SqliteIdentityStore, for tests. */
export class MemoryIdentityStore implements IdentityStore {
	#communities = new Map<string, Community>();
	#members = new Map<string, MemberRecord>();
	#credentials = new Map<string, CredentialRecord>();
	#invites = new Map<string, InviteRecord>();
	#closed = false;

	#check(): void {
		if (this.#closed) throw new Error('store is closed');
	}

	createCommunity(community: Community): void {
		this.#check();
		if (this.#communities.has(community.id)) throw new Error('community exists');
		this.#communities.set(community.id, copy(community));
	}

	getCommunity(id: string): Community | null {
		this.#check();
		const found = this.#communities.get(id);
		return found ? copy(found) : null;
	}

	listCommunities(): Community[] {
		this.#check();
		return [...this.#communities.values()]
			.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
			.map(copy);
	}

	getMember(communityId: string, memberId: string): MemberRecord | null {
		this.#check();
		const found = this.#members.get(memberId);
		return found && found.communityId === communityId ? copy(found) : null;
	}

	listMembers(communityId: string): MemberRecord[] {
		this.#check();
		return [...this.#members.values()]
			.filter((m) => m.communityId === communityId)
			.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
			.map(copy);
	}

	updateMember(
		communityId: string,
		memberId: string,
		patch: { role?: Role; grids?: string[] }
	): MemberRecord | null {
		this.#check();
		const found = this.#members.get(memberId);
		if (!found || found.communityId !== communityId || found.removedAt !== null) return null;
		if (patch.role !== undefined) found.role = patch.role;
		if (patch.grids !== undefined) found.grids = [...patch.grids];
		found.ver++;
		return copy(found);
	}

	removeMember(communityId: string, memberId: string, now: number): boolean {
		this.#check();
		const found = this.#members.get(memberId);
		if (!found || found.communityId !== communityId || found.removedAt !== null) return false;
		found.removedAt = now;
		found.ver++;
		for (const credential of this.#credentials.values()) {
			if (credential.memberId === memberId && credential.revokedAt === null) {
				credential.revokedAt = now;
			}
		}
		return true;
	}

	getCredential(communityId: string, memberId: string, deviceId: string): CredentialRecord | null {
		this.#check();
		const found = this.#credentials.get(`${memberId}\n${deviceId}`);
		return found && found.communityId === communityId ? copy(found) : null;
	}

	createInvite(invite: InviteRecord): void {
		this.#check();
		if (this.#invites.has(invite.id)) throw new Error('invite exists');
		this.#invites.set(invite.id, copy(invite));
	}

	listInvites(communityId: string): InviteRecord[] {
		this.#check();
		return [...this.#invites.values()]
			.filter((i) => i.communityId === communityId)
			.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
			.map(copy);
	}

	revokeInvite(communityId: string, inviteId: string, now: number): boolean {
		this.#check();
		const found = this.#invites.get(inviteId);
		if (!found || found.communityId !== communityId || found.revokedAt !== null) return false;
		found.revokedAt = now;
		return true;
	}

	redeemInvite(codeHash: string, now: number, member: NewMember): RedeemResult {
		this.#check();
		const invite = [...this.#invites.values()].find((i) => i.codeHash === codeHash) ?? null;
		const refusal = inviteRefusal(invite, now);
		if (refusal || !invite) return { ok: false, reason: refusal ?? 'invite_unknown' };
		const community = this.#communities.get(invite.communityId);
		if (!community) return { ok: false, reason: 'invite_unknown' };
		invite.uses++;
		const record: MemberRecord = {
			id: member.memberId,
			communityId: invite.communityId,
			displayName: member.displayName,
			role: invite.role,
			grids: [...invite.grids],
			ver: 1,
			createdAt: now,
			removedAt: null
		};
		this.#members.set(record.id, record);
		this.#credentials.set(`${member.memberId}\n${member.deviceId}`, {
			communityId: invite.communityId,
			memberId: member.memberId,
			deviceId: member.deviceId,
			secretHash: member.secretHash,
			createdAt: now,
			revokedAt: null
		});
		return { ok: true, member: copy(record), community: copy(community) };
	}

	close(): void {
		this.#closed = true;
	}
}
