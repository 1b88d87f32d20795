/**
 * Credential store: this device's membership of one community, kept in localStorage
 * (`gridboard:credential`, docs/access.md) beside the last relay token it was given.
 *
 * Also the device's removal record (`gridboard:removed`): the relay said this member was removed
 * (the wire's MEMBER_REMOVED signal). Written before anything is wiped, so a reload still shows
 * what had not been sent and still wipes; after the wipe it stays, marked `wiped`, so the welcome
 * page can say why, until the next sign-in.
 *
 * Invariant: what is read back is either a complete, well-formed record or null; a damaged entry
 * is treated as "not signed in", never thrown into the UI.
 */
import type { Role } from '../wire/index.ts';

export type MemberRole = Role;

/** The long-lived, revocable device credential issued by `POST /api/join`. */
export type DeviceCredential = Readonly<{
	communityId: string;
	memberId: string;
	deviceId: string;
	secret: string;
}>;

export type MemberInfo = Readonly<{
	id: string;
	communityId: string;
	displayName: string;
	role: MemberRole;
	grids: readonly string[];
	createdAt?: number | string;
	removedAt?: number | string | null;
}>;

export type CommunityInfo = Readonly<{ id: string; name: string }>;

export type StoredCredential = Readonly<{
	credential: DeviceCredential;
	member: MemberInfo;
	community: CommunityInfo;
}>;

export type CachedToken = Readonly<{ token: string; expiresAt: number }>;

export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export const CREDENTIAL_KEY = 'gridboard:credential';
export const TOKEN_KEY = 'gridboard:token';
export const REMOVED_KEY = 'gridboard:removed';
/** roster-cache.ts's key; cleared here so a sign-out forgets the members list too. */
export const ROSTER_KEY = 'gridboard:roster';

const isString = (value: unknown): value is string => typeof value === 'string' && value !== '';

function parse(raw: string | null): unknown {
	if (raw === null) return null;
	try {
		return JSON.parse(raw);
	} catch {
		return null;
	}
}

export function isStoredCredential(value: unknown): value is StoredCredential {
	if (typeof value !== 'object' || value === null) return false;
	const { credential, member, community } = value as Record<string, Record<string, unknown>>;
	return (
		typeof credential === 'object' &&
		credential !== null &&
		isString(credential.communityId) &&
		isString(credential.memberId) &&
		isString(credential.deviceId) &&
		isString(credential.secret) &&
		typeof member === 'object' &&
		member !== null &&
		isString(member.id) &&
		isString(member.role) &&
		Array.isArray(member.grids) &&
		typeof community === 'object' &&
		community !== null &&
		isString(community.id)
	);
}

export function readCredential(store: KeyValueStore): StoredCredential | null {
	const value = parse(store.getItem(CREDENTIAL_KEY));
	return isStoredCredential(value) ? value : null;
}

export function writeCredential(store: KeyValueStore, value: StoredCredential): void {
	store.setItem(CREDENTIAL_KEY, JSON.stringify(value));
}

export function readCachedToken(store: KeyValueStore): CachedToken | null {
	const value = parse(store.getItem(TOKEN_KEY)) as Partial<CachedToken> | null;
	if (!value || !isString(value.token) || typeof value.expiresAt !== 'number') return null;
	return { token: value.token, expiresAt: value.expiresAt };
}

export function writeCachedToken(store: KeyValueStore, value: CachedToken): void {
	store.setItem(TOKEN_KEY, JSON.stringify(value));
}

/** Sign-out: forgets the credential and the token (the device id stays: it names the device). */
export function clearCredential(store: KeyValueStore): void {
	store.removeItem(CREDENTIAL_KEY);
	store.removeItem(TOKEN_KEY);
	// The members list cached for picking assignees (roster-cache.ts) belongs to the membership.
	store.removeItem(ROSTER_KEY);
}

/** The relay said this device's member was removed from `communityId`; `wiped` once forgotten. */
export type RemovalRecord = Readonly<{
	communityId: string;
	communityName: string;
	at: number;
	wiped: boolean;
}>;

export function readRemoval(store: KeyValueStore): RemovalRecord | null {
	const value = parse(store.getItem(REMOVED_KEY)) as Record<string, unknown> | null;
	if (
		typeof value !== 'object' ||
		value === null ||
		!isString(value.communityId) ||
		typeof value.communityName !== 'string' ||
		typeof value.at !== 'number' ||
		typeof value.wiped !== 'boolean'
	) {
		return null;
	}
	return {
		communityId: value.communityId,
		communityName: value.communityName,
		at: value.at,
		wiped: value.wiped
	};
}

export function writeRemoval(store: KeyValueStore, value: RemovalRecord): void {
	store.setItem(REMOVED_KEY, JSON.stringify(value));
}

export function clearRemoval(store: KeyValueStore): void {
	store.removeItem(REMOVED_KEY);
}
