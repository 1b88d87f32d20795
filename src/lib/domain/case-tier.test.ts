import { describe, expect, it } from 'vitest';
import { CASE_STATUSES } from './case-status';
import { TIERS } from './case-options';
import { moveTier, nextTier, previousTier, TIER_REASON_MAX } from './case-tier';

describe('tiers', () => {
	it('climb grid → community → street → department', () => {
		expect(TIERS.map(nextTier)).toEqual(['community', 'street', 'department', null]);
		expect(TIERS.map(previousTier)).toEqual([null, 'grid', 'community', 'street']);
	});

	it.each([
		['grid', 'escalate', { ok: true, value: 'community' }],
		['community', 'escalate', { ok: true, value: 'street' }],
		['street', 'escalate', { ok: true, value: 'department' }],
		['department', 'escalate', { ok: false, reason: 'already_top_tier' }],
		['grid', 'hand_back', { ok: false, reason: 'already_bottom_tier' }],
		['community', 'hand_back', { ok: true, value: 'grid' }],
		['street', 'hand_back', { ok: true, value: 'community' }],
		['department', 'hand_back', { ok: true, value: 'street' }]
	] as const)('%s --%s--> %j', (tier, action, expected) => {
		expect(moveTier(tier, 'accepted', action, '需要街道协调')).toEqual(expected);
	});

	it('a reason is required and limited', () => {
		expect(moveTier('grid', 'reported', 'escalate', '  ')).toEqual({
			ok: false,
			reason: 'reason_required'
		});
		expect(moveTier('grid', 'reported', 'escalate', '因'.repeat(TIER_REASON_MAX)).ok).toBe(true);
		expect(moveTier('grid', 'reported', 'escalate', '因'.repeat(TIER_REASON_MAX + 1))).toEqual({
			ok: false,
			reason: 'reason_too_long'
		});
	});

	it.each(CASE_STATUSES)('only open cases move (%s)', (status) => {
		const open = ['reported', 'accepted', 'in_progress'].includes(status);
		expect(moveTier('community', status, 'escalate', '跨部门').ok).toBe(open);
		expect(moveTier('community', status, 'hand_back', '网格可处理').ok).toBe(open);
	});
});
