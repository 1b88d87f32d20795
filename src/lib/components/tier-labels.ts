/**
 * Tier values → translated labels.
 *
 * Invariant: the map is keyed by the Tier union, so a new tier fails type-checking until it has a
 * label; only a stored value that is no tier (an older or damaged document) shows as stored.
 */
import { m } from '$lib/paraglide/messages.js';
import { isTier, type Tier } from '$lib/domain/case-options';

const TIER_LABELS: Record<Tier, () => string> = {
	grid: m.board_tier_grid,
	community: m.board_tier_community,
	street: m.board_tier_street,
	department: m.board_tier_department
};

export const tierLabel = (tier: string): string => (isTier(tier) ? TIER_LABELS[tier]() : tier);
