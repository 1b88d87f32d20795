/**
 * The identity storage interface of the scale-out relay (issue 22): the operations of
 * `IdentityStore` (identity-store.ts), asynchronous, for stores behind a network (PostgreSQL,
 * identity-postgres.ts).
 *
 * Invariants: every invariant of `IdentityStore` holds; a rejected call changed nothing.
 * `asAsyncIdentity` gives the embedded stores this interface, so one contract suite
 * (identity-store.test.ts) runs over every identity store.
 */
import type { Role } from '../src/lib/wire/index.ts';
import type {
	Community,
	CredentialRecord,
	IdentityStore,
	InviteRecord,
	MemberRecord,
	NewMember,
	RedeemResult
} from './identity-store.ts';

export interface AsyncIdentityStore {
	/** Rejects if the id is taken. */
	createCommunity(community: Community): Promise<void>;
	getCommunity(id: string): Promise<Community | null>;
	listCommunities(): Promise<Community[]>;
	getMember(communityId: string, memberId: string): Promise<MemberRecord | null>;
	listMembers(communityId: string): Promise<MemberRecord[]>;
	updateMember(
		communityId: string,
		memberId: string,
		patch: { role?: Role; grids?: string[] }
	): Promise<MemberRecord | null>;
	removeMember(communityId: string, memberId: string, now: number): Promise<boolean>;
	getCredential(
		communityId: string,
		memberId: string,
		deviceId: string
	): Promise<CredentialRecord | null>;
	createInvite(invite: InviteRecord): Promise<void>;
	listInvites(communityId: string): Promise<InviteRecord[]>;
	revokeInvite(communityId: string, inviteId: string, now: number): Promise<boolean>;
	/** Atomic, also against other relays redeeming the same invite at the same moment. */
	redeemInvite(codeHash: string, now: number, member: NewMember): Promise<RedeemResult>;
	close(): Promise<void>;
}

/** `store` behind the async interface; a synchronous throw becomes a rejection. */
export function asAsyncIdentity(store: IdentityStore): AsyncIdentityStore {
	return {
		createCommunity: async (community) => store.createCommunity(community),
		getCommunity: async (id) => store.getCommunity(id),
		listCommunities: async () => store.listCommunities(),
		getMember: async (communityId, memberId) => store.getMember(communityId, memberId),
		listMembers: async (communityId) => store.listMembers(communityId),
		updateMember: async (communityId, memberId, patch) =>
			store.updateMember(communityId, memberId, patch),
		removeMember: async (communityId, memberId, now) =>
			store.removeMember(communityId, memberId, now),
		getCredential: async (communityId, memberId, deviceId) =>
			store.getCredential(communityId, memberId, deviceId),
		createInvite: async (invite) => store.createInvite(invite),
		listInvites: async (communityId) => store.listInvites(communityId),
		revokeInvite: async (communityId, inviteId, now) =>
			store.revokeInvite(communityId, inviteId, now),
		redeemInvite: async (codeHash, now, member) => store.redeemInvite(codeHash, now, member),
		close: async () => store.close()
	};
}
