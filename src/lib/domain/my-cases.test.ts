import { describe, expect, it } from 'vitest';
import { DAY_MS } from './case-deadline';
import type { CaseStatus } from './case-status';
import { caseUrgency, DUE_SOON_MS, listMyCases, type MyCaseInput } from './my-cases';

const NOW = 100 * DAY_MS;
const ME = { memberId: 'm1a2b3c4d5e6f7a8b', name: '王秀英' };
const MINE = `王秀英#${ME.memberId}`;

function item(id: string, extra: Partial<MyCaseInput> = {}): MyCaseInput {
	return {
		id,
		gridId: 'g1',
		status: 'in_progress' as CaseStatus,
		tier: 'grid',
		tierSince: NOW - DAY_MS,
		category: 'general',
		deadline: null,
		assignees: [MINE],
		...extra
	};
}

const ids = (items: readonly { item: { id: string } }[]) => items.map((c) => c.item.id);

describe('urgency', () => {
	it.each<[number, string]>([
		[NOW - 1, 'overdue'],
		[NOW, 'due_soon'],
		[NOW + DUE_SOON_MS, 'due_soon'],
		[NOW + DUE_SOON_MS + 1, 'later']
	])('due %d', (due, expected) => {
		expect(caseUrgency(due, NOW)).toBe(expected);
	});
});

describe('my cases (issue 15: overdue first, then due soon, then the rest)', () => {
	const cases = [
		item('later-far', { deadline: NOW + 20 * DAY_MS }),
		item('soon-2', { deadline: NOW + 2 * DAY_MS - 1 }),
		item('overdue-yesterday', { deadline: NOW - DAY_MS }),
		item('later-near', { deadline: NOW + 5 * DAY_MS }),
		item('soon-1', { deadline: NOW + 3_600_000 }),
		item('overdue-last-week', { deadline: NOW - 7 * DAY_MS }),
		// No explicit deadline: the tier's default (general at the grid: 7 days from tierSince).
		item('default-overdue', { tierSince: NOW - 8 * DAY_MS }),
		item('default-later', { tierSince: NOW - DAY_MS }),
		// Not mine, or not open.
		item('someone-else', { assignees: ['刘师傅'], deadline: NOW - DAY_MS }),
		item('resolved', { status: 'resolved', deadline: NOW - DAY_MS }),
		item('closed', { status: 'closed', deadline: NOW - DAY_MS })
	];

	it('lists only my open cases, most urgent first', () => {
		const mine = listMyCases(cases, ME, NOW);
		expect(ids(mine)).toEqual([
			'overdue-last-week',
			'default-overdue',
			'overdue-yesterday',
			'soon-1',
			'soon-2',
			'later-near',
			'default-later',
			'later-far'
		]);
		expect(mine.map((c) => c.urgency)).toEqual([
			'overdue',
			'overdue',
			'overdue',
			'due_soon',
			'due_soon',
			'later',
			'later',
			'later'
		]);
	});

	it('matches an old plain name by my display name, never another member of my name', () => {
		const named = [
			item('plain', { assignees: ['王秀英'] }),
			item('twin', { assignees: ['王秀英#m0000000000000000'] })
		];
		expect(ids(listMyCases(named, ME, NOW))).toEqual(['plain']);
	});

	it('uses the community’s deadline rules', () => {
		const rules = { general: { grid: 1 } };
		expect(listMyCases([item('a')], ME, NOW, rules)[0]?.urgency).toBe('due_soon');
		expect(listMyCases([item('a')], ME, NOW)[0]?.urgency).toBe('later');
	});

	it('is a total order: any input order gives the same list', () => {
		const same = [
			item('b', { gridId: 'g2', deadline: NOW + DAY_MS }),
			item('a', { gridId: 'g2', deadline: NOW + DAY_MS }),
			item('c', { gridId: 'g1', deadline: NOW + DAY_MS })
		];
		expect(ids(listMyCases(same, ME, NOW))).toEqual(['c', 'a', 'b']);
		expect(ids(listMyCases([...same].reverse(), ME, NOW))).toEqual(['c', 'a', 'b']);
	});
});
