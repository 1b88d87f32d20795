/**
 * Identity operations shared by the relay, its HTTP API and the admin CLI: communities, invites,
 * redemption, token issue and token authentication against the member table.
 *
 * Invariants:
 * - Codes and secrets are random (≥ 144 bits), shown once, stored only as SHA-256 hashes.
 * - `authenticate` accepts a token only if it verifies (tokens.ts) and, unless it is a service
 *   token (`svc: true`, minted with the signing key by the CLI or a test), its member still
 *   exists, is not removed and has the token's `ver`. Failures map to 4401 (get a new token) or
 *   4403 (stop); a removed member's is 4403 with the reason `member_removed` (MEMBER_REMOVED).
 * - `issueToken` answers `member_removed` only once the credential's secret matched.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
	CLOSE,
	ID_SEGMENT,
	MEMBER_REMOVED,
	type Claims,
	type Role
} from '../src/lib/wire/index.ts';
import type {
	Community,
	IdentityStore,
	InviteRecord,
	InviteRefusal,
	MemberRecord
} from './identity-store.ts';
import { SERVICE_SUBJECT, signToken, verifyToken, type KeyRing } from './tokens.ts';

export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;
export const SECRETARY_INVITE_HOURS = 7 * 24;

export function sha256(value: string): string {
	return createHash('sha256').update(value).digest('hex');
}

export function newId(prefix: string): string {
	return `${prefix}${randomBytes(8).toString('hex')}`;
}

export function newSecret(bytes = 24): string {
	return randomBytes(bytes).toString('base64url');
}

/** The public shape of a member (docs/access.md). */
export type Member = {
	id: string;
	communityId: string;
	displayName: string;
	role: Role;
	grids: string[];
	createdAt: number;
	removedAt: number | null;
};

export type Invite = {
	id: string;
	role: Role;
	grids: string[];
	expiresAt: number;
	maxUses: number;
	uses: number;
	createdAt: number;
	createdBy: string;
	revokedAt: number | null;
};

export type Credential = {
	communityId: string;
	memberId: string;
	deviceId: string;
	secret: string;
};

export function publicMember(m: MemberRecord): Member {
	return {
		id: m.id,
		communityId: m.communityId,
		displayName: m.displayName,
		role: m.role,
		grids: m.grids,
		createdAt: m.createdAt,
		removedAt: m.removedAt
	};
}

export function publicInvite(i: InviteRecord): Invite {
	return {
		id: i.id,
		role: i.role,
		grids: i.grids,
		expiresAt: i.expiresAt,
		maxUses: i.maxUses,
		uses: i.uses,
		createdAt: i.createdAt,
		createdBy: i.createdBy,
		revokedAt: i.revokedAt
	};
}

export function publicCommunity(c: Community): { id: string; name: string } {
	return { id: c.id, name: c.name };
}

export function inviteUrl(origin: string, code: string): string {
	return `${origin.replace(/\/+$/, '')}/join#${code}`;
}

export type NewInvite = {
	communityId: string;
	role: Role;
	grids: string[];
	expiresAt: number;
	maxUses: number;
	createdBy: string;
};

export function createInvite(
	store: IdentityStore,
	input: NewInvite,
	now = Date.now()
): { invite: InviteRecord; code: string } {
	const code = newSecret(18);
	const invite: InviteRecord = {
		id: newId('i'),
		communityId: input.communityId,
		codeHash: sha256(code),
		role: input.role,
		grids: [...input.grids],
		expiresAt: input.expiresAt,
		maxUses: input.maxUses,
		uses: 0,
		createdAt: now,
		createdBy: input.createdBy,
		revokedAt: null
	};
	store.createInvite(invite);
	return { invite, code };
}

/** Creates a community and its one-time secretary invite (1 use, 7 days). */
export function createCommunity(
	store: IdentityStore,
	name: string,
	id: string = newId('c').slice(0, 11),
	now = Date.now()
): { community: Community; code: string; invite: InviteRecord } {
	if (!ID_SEGMENT.test(id)) throw new Error(`community id must match ${ID_SEGMENT}`);
	const trimmed = name.trim();
	if (trimmed.length === 0 || trimmed.length > 100)
		throw new Error('name must be 1–100 characters');
	const community: Community = { id, name: trimmed, createdAt: now };
	store.createCommunity(community);
	const { invite, code } = createInvite(
		store,
		{
			communityId: id,
			role: 'secretary',
			grids: [],
			expiresAt: now + SECRETARY_INVITE_HOURS * 3600_000,
			maxUses: 1,
			createdBy: SERVICE_SUBJECT
		},
		now
	);
	return { community, code, invite };
}

export type JoinResult =
	| { ok: true; credential: Credential; member: MemberRecord; community: Community }
	| { ok: false; reason: InviteRefusal };

export function redeem(
	store: IdentityStore,
	code: string,
	displayName: string,
	deviceId: string,
	now = Date.now()
): JoinResult {
	const secret = newSecret(32);
	const memberId = newId('m');
	const result = store.redeemInvite(sha256(code), now, {
		memberId,
		displayName,
		deviceId,
		secretHash: sha256(secret)
	});
	if (!result.ok) return result;
	return {
		ok: true,
		credential: { communityId: result.community.id, memberId, deviceId, secret },
		member: result.member,
		community: result.community
	};
}

export type IssueResult =
	| { ok: true; token: string; expiresAt: number; member: MemberRecord; community: Community }
	| { ok: false; reason: 'credential_unknown' | 'credential_revoked' | typeof MEMBER_REMOVED };

/** Exchanges a device credential for a relay token. */
export function issueToken(
	store: IdentityStore,
	keys: KeyRing,
	credential: Credential,
	ttlSeconds: number,
	now = Date.now()
): IssueResult {
	const record = store.getCredential(
		credential.communityId,
		credential.memberId,
		credential.deviceId
	);
	if (!record) return { ok: false, reason: 'credential_unknown' };
	const given = Buffer.from(sha256(credential.secret));
	const stored = Buffer.from(record.secretHash);
	if (given.length !== stored.length || !timingSafeEqual(given, stored)) {
		return { ok: false, reason: 'credential_unknown' };
	}
	const member = store.getMember(credential.communityId, credential.memberId);
	const community = store.getCommunity(credential.communityId);
	// The secret matched: saying "removed" tells its holder only what concerns them.
	if (member && member.removedAt !== null) return { ok: false, reason: MEMBER_REMOVED };
	if (record.revokedAt !== null || !member || !community) {
		return { ok: false, reason: 'credential_revoked' };
	}
	const token = signToken(
		keys,
		{
			sub: member.id,
			cid: member.communityId,
			role: member.role,
			grids: member.grids,
			name: member.displayName,
			ver: member.ver,
			ttlSeconds
		},
		now
	);
	const iat = Math.floor(now / 1000);
	return { ok: true, token, expiresAt: (iat + ttlSeconds) * 1000, member, community };
}

export type ServiceTokenInput = {
	communityId: string;
	role: Role;
	grids?: string[];
	memberId?: string;
	ttlSeconds: number;
	name?: string;
};

/** A service token (`svc: true`): valid without a member row, pinned to one community. */
export function mintServiceToken(
	keys: KeyRing,
	input: ServiceTokenInput,
	now = Date.now()
): string {
	if (!ID_SEGMENT.test(input.communityId)) throw new Error('bad community id');
	return signToken(
		keys,
		{
			sub: input.memberId ?? SERVICE_SUBJECT,
			cid: input.communityId,
			role: input.role,
			grids: input.grids ?? [],
			name: input.name ?? SERVICE_SUBJECT,
			ver: 0,
			svc: true,
			ttlSeconds: input.ttlSeconds
		},
		now
	);
}

export type AuthResult =
	| { ok: true; claims: Claims }
	| { ok: false; code: typeof CLOSE.unauthorized | typeof CLOSE.forbidden; reason: string };

/** Verifies a token and checks its member against the store (fresh read). */
export function authenticate(
	store: IdentityStore,
	keys: KeyRing,
	token: string | null | undefined,
	now = Date.now(),
	clockSkewSeconds?: number
): AuthResult {
	const verified = verifyToken(keys, token, now, clockSkewSeconds);
	if (!verified.ok) return { ok: false, code: CLOSE.unauthorized, reason: verified.reason };
	return checkMember(store, verified.claims);
}

/** The live part of authentication: the member behind non-service claims is still current. */
export function checkMember(store: IdentityStore, claims: Claims): AuthResult {
	if (claims.svc === true) return { ok: true, claims };
	const member = store.getMember(claims.cid, claims.sub);
	if (!member) return { ok: false, code: CLOSE.forbidden, reason: 'member-unknown' };
	if (member.removedAt !== null) {
		return { ok: false, code: CLOSE.forbidden, reason: MEMBER_REMOVED };
	}
	if (member.ver !== claims.ver) {
		return { ok: false, code: CLOSE.unauthorized, reason: 'outdated' };
	}
	return { ok: true, claims };
}
