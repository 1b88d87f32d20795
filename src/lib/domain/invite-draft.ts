/**
 * Invite draft: what the secretary's "new invite" form holds, and the request it turns into.
 *
 * Invariants:
 * - Every new invite starts from `emptyInviteDraft()`: nothing of the previous invite (its role,
 *   its grids) carries over, so a second invite can never grant the first one's grids.
 * - Only a grid member's invite names grids, and only grids the community has (each once).
 */
import type { Role } from '../wire/index.ts';

export type InviteDraft = {
	role: Role;
	grids: string[];
	days: number;
	maxUses: number;
};

export const INVITE_EXPIRY_DAYS = [1, 7, 30] as const;

/** The least-privileged start: a volunteer, no grids, valid a week, one use. */
export function emptyInviteDraft(): InviteDraft {
	return { role: 'volunteer', grids: [], days: 7, maxUses: 1 };
}

export type InviteRequest = Readonly<{
	role: Role;
	grids: readonly string[];
	expiresInHours: number;
	maxUses: number;
}>;

/** The API request for a draft; `knownGrids` are the ids of the community's grids. */
export function inviteRequest(draft: InviteDraft, knownGrids: readonly string[]): InviteRequest {
	const grids =
		draft.role === 'grid-member'
			? knownGrids.filter(
					(id, index) => draft.grids.includes(id) && knownGrids.indexOf(id) === index
				)
			: [];
	return {
		role: draft.role,
		grids,
		expiresInHours: draft.days * 24,
		maxUses: Math.min(100, Math.max(1, Math.floor(draft.maxUses) || 1))
	};
}
