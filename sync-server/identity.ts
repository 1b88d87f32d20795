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
 * - Each write has one body shared by its synchronous form (embedded stores) and its `…Async`
 *   form (AsyncIdentityStore, cluster mode): the records are built once, then stored.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
	CLOSE,
	ID_SEGMENT,
	MEMBER_REMOVED,
	type Claims,
	type Role
} from '../src/lib/wire/index.ts';
import type { AsyncIdentityStore } from './identity-async.ts';
import type {
	Community,
	CredentialRecord,
	IdentityStore,
	InviteRecord,
	InviteRefusal,
	MemberRecord,
	NewMember,
	RedeemResult
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

/** A new invite's record and its code (shown once); not yet stored. */
function newInvite(input: NewInvite, now: number): { invite: InviteRecord; code: string } {
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
	return { invite, code };
}

export function createInvite(
	store: IdentityStore,
	input: NewInvite,
	now = Date.now()
): { invite: InviteRecord; code: string } {
	const created = newInvite(input, now);
	store.createInvite(created.invite);
	return created;
}

/** `createInvite` over an asynchronous store (cluster mode). */
export async function createInviteAsync(
	store: AsyncIdentityStore,
	input: NewInvite,
	now = Date.now()
): Promise<{ invite: InviteRecord; code: string }> {
	const created = newInvite(input, now);
	await store.createInvite(created.invite);
	return created;
}

type NewCommunity = { community: Community; code: string; invite: InviteRecord };

/** A new community's record and its secretary invite; checks the name and id; not yet stored. */
function newCommunity(name: string, id: string, now: number): NewCommunity {
	if (!ID_SEGMENT.test(id)) throw new Error(`community id must match ${ID_SEGMENT}`);
	const trimmed = name.trim();
	if (trimmed.length === 0 || trimmed.length > 100)
		throw new Error('name must be 1–100 characters');
	const community: Community = { id, name: trimmed, createdAt: now };
	const { invite, code } = newInvite(
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

/** Creates a community and its one-time secretary invite (1 use, 7 days). */
export function createCommunity(
	store: IdentityStore,
	name: string,
	id: string = newId('c').slice(0, 11),
	now = Date.now()
): NewCommunity {
	const created = newCommunity(name, id, now);
	store.createCommunity(created.community);
	store.createInvite(created.invite);
	return created;
}

/** `createCommunity` over an asynchronous store (cluster mode). */
export async function createCommunityAsync(
	store: AsyncIdentityStore,
	name: string,
	id: string = newId('c').slice(0, 11),
	now = Date.now()
): Promise<NewCommunity> {
	const created = newCommunity(name, id, now);
	await store.createCommunity(created.community);
	await store.createInvite(created.invite);
	return created;
}

export type JoinResult =
	| { ok: true; credential: Credential; member: MemberRecord; community: Community }
	| { ok: false; reason: InviteRefusal };

/** A joining device's new member id and secret, and what the store records of them. */
function newJoiner(displayName: string, deviceId: string) {
	const secret = newSecret(32);
	const member: NewMember = {
		memberId: newId('m'),
		displayName,
		deviceId,
		secretHash: sha256(secret)
	};
	return { secret, member };
}

function joined(result: RedeemResult, joiner: ReturnType<typeof newJoiner>): JoinResult {
	if (!result.ok) return result;
	const { memberId, deviceId } = joiner.member;
	return {
		ok: true,
		credential: { communityId: result.community.id, memberId, deviceId, secret: joiner.secret },
		member: result.member,
		community: result.community
	};
}

export function redeem(
	store: IdentityStore,
	code: string,
	displayName: string,
	deviceId: string,
	now = Date.now()
): JoinResult {
	const joiner = newJoiner(displayName, deviceId);
	return joined(store.redeemInvite(sha256(code), now, joiner.member), joiner);
}

/** `redeem` over an asynchronous store (cluster mode; atomic across relays). */
export async function redeemAsync(
	store: AsyncIdentityStore,
	code: string,
	displayName: string,
	deviceId: string,
	now = Date.now()
): Promise<JoinResult> {
	const joiner = newJoiner(displayName, deviceId);
	return joined(await store.redeemInvite(sha256(code), now, joiner.member), joiner);
}

export type IssueResult =
	| { ok: true; token: string; expiresAt: number; member: MemberRecord; community: Community }
	| { ok: false; reason: 'credential_unknown' | 'credential_revoked' | typeof MEMBER_REMOVED };

type IssueRows = {
	record: CredentialRecord | null;
	member: MemberRecord | null;
	community: Community | null;
};

/** The token for `credential`, from the rows the store holds for it. */
function issueFrom(
	keys: KeyRing,
	credential: Credential,
	{ record, member, community }: IssueRows,
	ttlSeconds: number,
	now: number
): IssueResult {
	if (!record) return { ok: false, reason: 'credential_unknown' };
	const given = Buffer.from(sha256(credential.secret));
	const stored = Buffer.from(record.secretHash);
	if (given.length !== stored.length || !timingSafeEqual(given, stored)) {
		return { ok: false, reason: 'credential_unknown' };
	}
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

/** Exchanges a device credential for a relay token. */
export function issueToken(
	store: IdentityStore,
	keys: KeyRing,
	credential: Credential,
	ttlSeconds: number,
	now = Date.now()
): IssueResult {
	const { communityId, memberId, deviceId } = credential;
	const record = store.getCredential(communityId, memberId, deviceId);
	const rows = record
		? {
				record,
				member: store.getMember(communityId, memberId),
				community: store.getCommunity(communityId)
			}
		: { record, member: null, community: null };
	return issueFrom(keys, credential, rows, ttlSeconds, now);
}

/** `issueToken` over an asynchronous store (cluster mode). */
export async function issueTokenAsync(
	store: AsyncIdentityStore,
	keys: KeyRing,
	credential: Credential,
	ttlSeconds: number,
	now = Date.now()
): Promise<IssueResult> {
	const { communityId, memberId, deviceId } = credential;
	const record = await store.getCredential(communityId, memberId, deviceId);
	const [member, community] = record
		? await Promise.all([store.getMember(communityId, memberId), store.getCommunity(communityId)])
		: [null, null];
	return issueFrom(keys, credential, { record, member, community }, ttlSeconds, now);
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

/**
 * What token checks read of the members: the store itself in embedded mode (a fresh read), the
 * relay's mirror of PostgreSQL in cluster mode (cluster/cluster-identity.ts).
 */
export type MemberDirectory = Pick<IdentityStore, 'getMember' | 'listMembers'>;

/**
 * Re-reads one member into a directory that may lag behind the shared store (cluster mode), so
 * a token for a member this relay has not heard of yet, or newer than what it holds, is checked
 * against the store before it is refused.
 */
export type MemberReread = (communityId: string, memberId: string) => Promise<void>;

/** Whether `claims` name a member the directory lacks or holds at an older `ver`. */
export function mayLag(directory: MemberDirectory, claims: Claims): boolean {
	if (claims.svc === true) return false;
	const member = directory.getMember(claims.cid, claims.sub);
	return member === null || (member.removedAt === null && member.ver < claims.ver);
}

/** Verifies a token and checks its member against the store (fresh read). */
export function authenticate(
	store: MemberDirectory,
	keys: KeyRing,
	token: string | null | undefined,
	now = Date.now(),
	clockSkewSeconds?: number
): AuthResult {
	const verified = verifyToken(keys, token, now, clockSkewSeconds);
	if (!verified.ok) return { ok: false, code: CLOSE.unauthorized, reason: verified.reason };
	return checkMember(store, verified.claims);
}

/**
 * `authenticate` where the directory may lag behind the shared store (cluster mode): a token
 * whose member the directory lacks or holds at an older `ver` (`mayLag`) is checked once
 * `reread` has fetched that member; any other token is answered at once, synchronously.
 */
export function authenticateLagging(
	directory: MemberDirectory,
	keys: KeyRing,
	token: string | null | undefined,
	reread: MemberReread | undefined,
	now = Date.now(),
	clockSkewSeconds?: number
): AuthResult | Promise<AuthResult> {
	const verified = verifyToken(keys, token, now, clockSkewSeconds);
	if (!verified.ok) return { ok: false, code: CLOSE.unauthorized, reason: verified.reason };
	const { claims } = verified;
	if (!reread || !mayLag(directory, claims)) return checkMember(directory, claims);
	return reread(claims.cid, claims.sub).then(() => checkMember(directory, claims));
}

/** The live part of authentication: the member behind non-service claims is still current. */
export function checkMember(store: MemberDirectory, claims: Claims): AuthResult {
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
