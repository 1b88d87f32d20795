/** Tier values → translated labels; an unknown tier shows as stored. */
import { m } from '$lib/paraglide/messages.js';

const TIER_LABELS: Record<string, () => string> = {
	grid: m.board_tier_grid,
	community: m.board_tier_community,
	street: m.board_tier_street,
	department: m.board_tier_department
};

export const tierLabel = (tier: string): string => TIER_LABELS[tier]?.() ?? tier;
