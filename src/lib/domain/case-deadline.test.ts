import { describe, expect, it } from 'vitest';
import { CASE_CATEGORIES } from './case-category';
import { CASE_STATUSES } from './case-status';
import { TIERS } from './case-options';
import {
	DAY_MS,
	deadlineDays,
	deadlineTable,
	defaultDeadline,
	effectiveDeadline,
	isOverdue,
	suggestEscalation,
	type DeadlineCase
} from './case-deadline';

const T0 = 1_700_000_000_000;

describe('deadline defaults', () => {
	it.each([
		['fire_safety', [1, 2, 3, 5]],
		['gas_safety', [1, 2, 3, 5]],
		['flying_wire', [2, 3, 5, 7]],
		['public_facilities', [3, 5, 7, 15]],
		['noise', [7, 10, 15, 30]],
		['other', [7, 10, 15, 30]],
		['cat-abcd1234', [7, 10, 15, 30]],
		['neighbour_dispute', [7, 15, 30, 30]]
	] as const)('%s: grid, community, street, department = %j days', (category, days) => {
		expect(TIERS.map((tier) => deadlineDays(category, tier))).toEqual(days);
	});

	it('every built-in category has a deadline at every tier, growing or equal upward', () => {
		for (const category of CASE_CATEGORIES) {
			const days = TIERS.map((tier) => deadlineDays(category, tier));
			expect(days.every((d, i) => d >= 1 && (i === 0 || d >= (days[i - 1] ?? 0)))).toBe(true);
		}
	});

	it('a community rule overrides one cell; invalid or foreign keys are ignored', () => {
		const rules = { noise: { grid: 3 }, fire_safety: { grid: 0 }, toString: { grid: 2 } };
		expect(deadlineDays('noise', 'grid', rules)).toBe(3);
		expect(deadlineDays('noise', 'community', rules)).toBe(10);
		expect(deadlineDays('fire_safety', 'grid', rules)).toBe(1);
		expect(deadlineDays('toString', 'grid', {})).toBe(7);
		expect(deadlineTable('noise', rules)).toEqual({
			grid: 3,
			community: 10,
			street: 15,
			department: 30
		});
		expect(defaultDeadline('fire_safety', 'grid', T0)).toBe(T0 + DAY_MS);
	});
});

describe('isOverdue and suggestEscalation', () => {
	const fire: DeadlineCase = {
		status: 'reported',
		tier: 'grid',
		tierSince: T0,
		category: 'fire_safety',
		deadline: null
	};

	it('uses the tier default from tierSince when there is no explicit deadline', () => {
		expect(effectiveDeadline(fire)).toBe(T0 + DAY_MS);
		expect(isOverdue(fire, T0 + DAY_MS)).toBe(false);
		expect(isOverdue(fire, T0 + DAY_MS + 1)).toBe(true);
		expect(isOverdue(fire, T0 + DAY_MS + 1, { fire_safety: { grid: 2 } })).toBe(false);
	});

	it('an explicit deadline wins over the rules', () => {
		const item = { ...fire, deadline: T0 + 10 * DAY_MS };
		expect(isOverdue(item, T0 + 5 * DAY_MS)).toBe(false);
		expect(isOverdue(item, T0 + 10 * DAY_MS + 1)).toBe(true);
	});

	it.each(CASE_STATUSES)('status %s: overdue only while open', (status) => {
		const open = ['reported', 'accepted', 'in_progress'].includes(status);
		expect(isOverdue({ ...fire, status }, T0 + 30 * DAY_MS)).toBe(open);
	});

	it.each([
		['grid', 'community'],
		['community', 'street'],
		['street', 'department'],
		['department', null]
	] as const)('an overdue case held by %s suggests %s', (tier, expected) => {
		expect(suggestEscalation({ ...fire, tier }, T0 + 60 * DAY_MS)).toBe(expected);
		expect(suggestEscalation({ ...fire, tier }, T0)).toBeNull();
	});
});
