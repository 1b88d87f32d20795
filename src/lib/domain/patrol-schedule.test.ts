import { describe, expect, it } from 'vitest';
import {
	canPatrol,
	nextPatrolDay,
	validatePatrolRoute,
	untickedCount,
	type PatrolAction
} from './patrol-schedule';
import { dayKeyOf, monthKeyOf, weekdayOf, type Weekday } from './due-date';

const WED_SUN: Weekday[] = [3, 0];

describe('nextPatrolDay: every Wednesday and Sunday', () => {
	// 2025-03-03 is a Monday.
	const rows: [string, string][] = [
		['2025-03-03', '2025-03-05'], // Monday → Wednesday
		['2025-03-05', '2025-03-05'], // Wednesday → today
		['2025-03-06', '2025-03-09'], // Thursday → Sunday
		['2025-03-09', '2025-03-09'], // Sunday → today
		['2025-03-10', '2025-03-12'], // next Monday → Wednesday
		['2025-12-29', '2025-12-31'], // across a year end
		['2024-02-26', '2024-02-28'] // leap February
	];
	for (const [from, expected] of rows) {
		it(`from ${from} → ${expected}`, () => {
			expect(nextPatrolDay(WED_SUN, from)).toBe(expected);
			expect([0, 3]).toContain(weekdayOf(expected));
		});
	}
	it('no weekdays, no next day', () => expect(nextPatrolDay([], '2025-03-03')).toBeNull());
});

describe('days and months are China Standard Time', () => {
	it('23:30 UTC on the 4th is the 5th in Beijing; month keys follow', () => {
		const at = Date.parse('2025-03-04T23:30:00Z');
		expect(dayKeyOf(at)).toBe('2025-03-05');
		expect(monthKeyOf(Date.parse('2025-03-31T16:30:00Z'))).toBe('2025-04');
	});
});

describe('validatePatrolRoute', () => {
	const base = {
		name: '啄木鸟巡查队 东片',
		area: '幸福里小区',
		gridId: 'g1',
		checklist: ['消防通道畅通', '无飞线充电', '门前三包', '垃圾'],
		weekdays: [0, 3],
		hoursPerRun: 2
	};
	const rows: [string, Partial<typeof base>, string][] = [
		['valid', {}, 'ok'],
		['no name', { name: ' ' }, 'name_required'],
		['no grid', { gridId: '' }, 'grid_required'],
		['empty checklist', { checklist: [' ', ''] }, 'checklist_required'],
		['long item', { checklist: ['字'.repeat(61)] }, 'checklist_item_too_long'],
		[
			'too many items',
			{ checklist: Array.from({ length: 21 }, (_, i) => `${i}`) },
			'checklist_too_long'
		],
		['no weekdays', { weekdays: [] }, 'weekdays_required'],
		['weekday 7', { weekdays: [7] }, 'weekdays_invalid'],
		['zero hours', { hoursPerRun: 0 }, 'hours_invalid']
	];
	for (const [name, change, expected] of rows) {
		it(name, () => {
			const result = validatePatrolRoute({ ...base, ...change });
			expect(result.ok ? 'ok' : result.reason).toBe(expected);
		});
	}
	it('sorts and de-duplicates weekdays, drops blank checklist items', () => {
		const result = validatePatrolRoute({
			...base,
			weekdays: [3, 0, 3],
			checklist: ['a', ' ', 'b ']
		});
		expect(result.ok && result.value.weekdays).toEqual([0, 3]);
		expect(result.ok && result.value.checklist).toEqual(['a', 'b']);
	});
});

describe('canPatrol', () => {
	const rows: [string, PatrolAction, boolean, boolean][] = [
		['secretary', 'create_route', true, true],
		['grid-member', 'delete_route', true, true],
		['volunteer', 'create_route', true, false],
		['volunteer', 'start', true, true],
		['volunteer', 'run', true, true],
		['volunteer', 'run', false, false],
		['grid-member', 'run', false, true],
		['observer', 'start', true, false],
		['observer', 'run', true, false]
	];
	for (const [role, action, own, expected] of rows) {
		it(`${role} ${action}${own ? '' : ' (someone else’s run)'} → ${expected}`, () =>
			expect(canPatrol(role, action, own)).toBe(expected));
	}
});

describe('untickedCount', () => {
	it('counts the checklist items left unticked (finishing with any asks first)', () => {
		expect(untickedCount([true, false, false])).toBe(2);
		expect(untickedCount([true, true])).toBe(0);
		expect(untickedCount([])).toBe(0);
	});
});
