/**
 * Tiers: who holds a case, in the order of China's tiered grid governance: the grid discovers
 * the problem → the community collects what a grid cannot settle → the street "blows the
 * whistle" → the departments dispose of it together (docs/ledger.md). `escalate` moves one tier
 * up, `hand_back` one tier down; both need a reason, and only an open case moves.
 *
 * Invariant: pure; the tier order is `TIERS`' order and nothing else.
 */
import { isOpenStatus, type CaseStatus } from './case-status';
import { TIERS, type Tier } from './case-options';
import { err, ok, type Result } from './result';

export const TIER_ACTIONS = ['escalate', 'hand_back'] as const;
export type TierAction = (typeof TIER_ACTIONS)[number];

export const TIER_REASON_MAX = 500;

export type TierMoveReason =
	| 'reason_required'
	| 'reason_too_long'
	| 'already_top_tier'
	| 'already_bottom_tier'
	| 'case_not_open';

export function isTierAction(value: unknown): value is TierAction {
	return (TIER_ACTIONS as readonly unknown[]).includes(value);
}

/** The tier above `tier`, or null at the top (departments). */
export function nextTier(tier: Tier): Tier | null {
	return TIERS[TIERS.indexOf(tier) + 1] ?? null;
}

/** The tier below `tier`, or null at the bottom (the grid). */
export function previousTier(tier: Tier): Tier | null {
	const index = TIERS.indexOf(tier);
	return index > 0 ? (TIERS[index - 1] ?? null) : null;
}

/** Where `action` takes a case held at `tier` with `status`, given the (trimmed) reason. */
export function moveTier(
	tier: Tier,
	status: CaseStatus,
	action: TierAction,
	reason: string
): Result<Tier, TierMoveReason> {
	const trimmed = reason.trim();
	if (trimmed === '') return err('reason_required');
	if ([...trimmed].length > TIER_REASON_MAX) return err('reason_too_long');
	if (!isOpenStatus(status)) return err('case_not_open');
	const to = action === 'escalate' ? nextTier(tier) : previousTier(tier);
	if (to === null) return err(action === 'escalate' ? 'already_top_tier' : 'already_bottom_tier');
	return ok(to);
}
