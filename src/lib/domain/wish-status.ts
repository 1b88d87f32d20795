/**
 * Micro-wishes (微心愿): a resident's small wish, recorded by staff, published to volunteers,
 * claimed by one, fulfilled with a note, and thanked. Status flow:
 * `recorded → published → claimed → fulfilled → thanked`.
 *
 * A wish is claimed through the same ranked claim records as a task with one slot
 * (task-rules.ts), so two volunteers claiming it offline both stay visible: one holds it, the
 * other is over-claimed until one of them withdraws or staff release one.
 *
 * Invariant: pure functions; status is derived from facts that are only ever added.
 */

import { err, ok, type Result } from './result';
import {
	claimToRelease,
	codePoints,
	isStaff,
	isValidHours,
	ownClaim,
	type RankedClaim,
	type WorkMember
} from './task-rules';

export const WISH_STATUSES = ['recorded', 'published', 'claimed', 'fulfilled', 'thanked'] as const;
export type WishStatus = (typeof WISH_STATUSES)[number];

export const WISH_ACTIONS = ['publish', 'claim', 'unclaim', 'fulfil', 'thank', 'release'] as const;
export type WishAction = (typeof WISH_ACTIONS)[number];

export type WishFacts = Readonly<{
	published: boolean;
	claims: readonly RankedClaim[];
	fulfilled: boolean;
	thanked: boolean;
}>;

export function deriveWishStatus(facts: WishFacts): WishStatus {
	if (facts.thanked) return 'thanked';
	if (facts.fulfilled) return 'fulfilled';
	if (facts.claims.some((claim) => claim.standing === 'in_slot')) return 'claimed';
	return facts.published ? 'published' : 'recorded';
}

const STAFF_ONLY: readonly WishAction[] = ['publish', 'thank', 'release'];

export function canWishAction(role: string, action: WishAction): boolean {
	if (isStaff(role)) return true;
	return role === 'volunteer' && !STAFF_ONLY.includes(action);
}

export type WishActionReason =
	| 'not_allowed'
	| 'not_published'
	| 'already_published'
	| 'wish_taken'
	| 'already_claimed'
	| 'not_claimed'
	| 'over_claimed'
	| 'wish_closed'
	| 'not_fulfilled'
	| 'claim_not_found';

export function checkWishAction(
	facts: WishFacts,
	action: WishAction,
	who: WorkMember,
	claimId?: string
): Result<RankedClaim | null, WishActionReason> {
	if (!canWishAction(who.role, action)) return err('not_allowed');
	const status = deriveWishStatus(facts);
	const closed = status === 'fulfilled' || status === 'thanked';
	const own = ownClaim(facts.claims, who.memberId);
	switch (action) {
		case 'publish':
			return status === 'recorded' ? ok(null) : err('already_published');
		case 'claim':
			if (status === 'recorded') return err('not_published');
			if (closed) return err('wish_closed');
			if (own) return err('already_claimed');
			return status === 'claimed' ? err('wish_taken') : ok(null);
		case 'unclaim':
			if (closed) return err('wish_closed');
			return own ? ok(own) : err('not_claimed');
		case 'fulfil':
			if (closed) return err('wish_closed');
			if (!own) return err('not_claimed');
			return own.standing === 'in_slot' ? ok(own) : err('over_claimed');
		case 'thank':
			if (status === 'thanked') return err('wish_closed');
			return status === 'fulfilled' ? ok(null) : err('not_fulfilled');
		case 'release':
			return closed ? err('wish_closed') : claimToRelease(facts.claims, claimId);
	}
}

export const WISH_WHO_MAX = 60;
export const WISH_WHAT_MAX = 500;

export type WishInput = Readonly<{ who: string; what: string; gridId: string; hours: number }>;
export type WishInputReason =
	'who_required' | 'who_too_long' | 'what_required' | 'what_too_long' | 'hours_invalid';

export function validateWishInput(input: WishInput): Result<WishInput, WishInputReason> {
	const who = input.who.trim();
	if (who.length === 0) return err('who_required');
	if (codePoints(who) > WISH_WHO_MAX) return err('who_too_long');
	const what = input.what.trim();
	if (what.length === 0) return err('what_required');
	if (codePoints(what) > WISH_WHAT_MAX) return err('what_too_long');
	if (!isValidHours(input.hours)) return err('hours_invalid');
	return ok(Object.freeze({ ...input, who, what }));
}
