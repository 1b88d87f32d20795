import { describe, expect, it } from 'vitest';
import {
	applyBoardQuery,
	EMPTY_BOARD_QUERY,
	facetCounts,
	formatBoardQuery,
	groupByStatus,
	isFiltered,
	matchesSearch,
	normalizeSearch,
	parseBoardQuery,
	sortBoard,
	type BoardCase,
	type BoardQuery
} from './board-query';

const DAY = 86_400_000;

function item(id: string, extra: Partial<BoardCase> = {}): BoardCase {
	return {
		id,
		title: `case ${id}`,
		category: 'other',
		location: '',
		status: 'reported',
		createdAt: 0,
		updatedAt: 0,
		...extra
	};
}

const query = (extra: Partial<BoardQuery>): BoardQuery => ({ ...EMPTY_BOARD_QUERY, ...extra });
const ids = (items: readonly BoardCase[]) => items.map((i) => i.id);

describe('search', () => {
	const lift = item('a', {
		title: '3号楼电梯维修报价有争议',
		location: '锦绣花园 B2 单元',
		description: '业委会与物业对 Elevator 报价意见不一'
	});

	it.each([
		['电梯', true],
		['维修报价', true],
		['锦绣花园', true],
		['b2', true],
		['B2', true],
		['elevator', true],
		['ELEVATOR', true],
		['业委会', true],
		['  电梯  ', true],
		['燃气', false],
		['楼 电', false]
	])('%j matches: %s', (text, expected) => {
		expect(matchesSearch(lift, normalizeSearch(text))).toBe(expected);
	});

	it('an empty search matches everything, a case without description still matches by title', () => {
		expect(matchesSearch(item('b'), '')).toBe(true);
		expect(matchesSearch(item('b', { title: '路灯不亮' }), '路灯')).toBe(true);
	});
});

describe('filters', () => {
	const cases = [
		item('a', { status: 'reported', category: 'noise', tier: 'grid', gridId: 'g1' }),
		item('b', {
			status: 'in_progress',
			category: 'parking',
			tier: 'community',
			gridId: 'g2',
			assignees: ['m1', 'm2']
		}),
		item('c', { status: 'resolved', category: 'noise', tier: 'street', gridId: 'g1' }),
		item('d', { status: 'reported', category: 'fire_safety' })
	];

	it.each<[string, Partial<BoardQuery>, string[]]>([
		['no filter', {}, ['d', 'c', 'b', 'a']],
		['one status', { statuses: ['reported'] }, ['d', 'a']],
		['two statuses', { statuses: ['reported', 'resolved'] }, ['d', 'c', 'a']],
		['category', { categories: ['noise'] }, ['c', 'a']],
		['tier (cases without a tier never match)', { tiers: ['community', 'street'] }, ['c', 'b']],
		['grid', { grids: ['g1'] }, ['c', 'a']],
		['assignee', { assignee: 'm2' }, ['b']],
		['status and category together', { statuses: ['reported'], categories: ['noise'] }, ['a']],
		['search and filter together', { search: 'case c', categories: ['noise'] }, ['c']]
	])('%s', (_, extra, expected) => {
		expect(ids(applyBoardQuery(cases, query(extra)))).toEqual(expected);
	});

	it('the overdue filter asks the given rule, and matches nothing without one', () => {
		const isOverdue = (c: BoardCase) => c.id === 'b' || c.id === 'd';
		expect(ids(applyBoardQuery(cases, query({ overdue: true }), { isOverdue }))).toEqual([
			'd',
			'b'
		]);
		expect(applyBoardQuery(cases, query({ overdue: true }))).toEqual([]);
	});

	it('"has conflicts" keeps only cases with a conflict waiting', () => {
		const withConflict = [
			...cases,
			item('e', { hasConflict: true }),
			item('f', { hasConflict: false })
		];
		expect(ids(applyBoardQuery(withConflict, query({ conflicts: true })))).toEqual(['e']);
		expect(ids(applyBoardQuery(withConflict, query({})))).toHaveLength(6);
	});

	it('the assignee filter matches a member by id or by name, and a plain (old) name', () => {
		const assigned = [
			item('p', { assignees: ['王秀英#m1a2b3c4d5e6f7a8b'] }),
			item('q', { assignees: ['刘师傅'] }),
			item('r', { assignees: ['王秀英'] })
		];
		expect(ids(applyBoardQuery(assigned, query({ assignee: 'm1a2b3c4d5e6f7a8b' })))).toEqual(['p']);
		expect(ids(applyBoardQuery(assigned, query({ assignee: '王秀英' })))).toEqual(['r', 'p']);
		expect(ids(applyBoardQuery(assigned, query({ assignee: '刘师傅' })))).toEqual(['q']);
	});
});

describe('facet counts (issue 15: the status chips follow the search text)', () => {
	const cases = [
		item('a', { title: '电梯异响', status: 'reported', category: 'noise' }),
		item('b', { title: '电梯停运', status: 'in_progress', hasConflict: true }),
		item('c', { title: '路灯不亮', status: 'reported', hasConflict: true }),
		item('d', { title: '电梯按钮坏了', status: 'resolved', category: 'noise' })
	];
	const counts = (extra: Partial<BoardQuery>) => {
		const facets = facetCounts(cases, query(extra));
		return {
			statuses: Object.fromEntries(facets.statuses),
			total: facets.total,
			conflicts: facets.conflicts
		};
	};

	it('without a query they count every case', () => {
		expect(counts({})).toEqual({
			statuses: { reported: 2, in_progress: 1, resolved: 1 },
			total: 4,
			conflicts: 2
		});
	});

	it('follow the search text', () => {
		expect(counts({ search: '电梯' })).toEqual({
			statuses: { reported: 1, in_progress: 1, resolved: 1 },
			total: 3,
			conflicts: 1
		});
		expect(counts({ search: '燃气' })).toEqual({ statuses: {}, total: 0, conflicts: 0 });
	});

	it('follow the other filters but not the status picked, so a chip counts what tapping it shows', () => {
		expect(counts({ categories: ['noise'], statuses: ['reported'] })).toEqual({
			statuses: { reported: 1, resolved: 1 },
			total: 2,
			conflicts: 0
		});
		for (const status of ['reported', 'in_progress', 'resolved']) {
			const q = query({ search: '电梯', statuses: [status] });
			expect(facetCounts(cases, query({ search: '电梯' })).statuses.get(status) ?? 0).toBe(
				applyBoardQuery(cases, q).length
			);
		}
	});

	it('the conflicts count follows the status picked; the chips follow "has conflicts"', () => {
		expect(counts({ statuses: ['reported'] }).conflicts).toBe(1);
		expect(counts({ conflicts: true })).toEqual({
			statuses: { reported: 1, in_progress: 1 },
			total: 2,
			conflicts: 2
		});
	});
});

describe('sorting', () => {
	const cases = [
		item('a', { createdAt: 1 * DAY, updatedAt: 5 * DAY, deadline: 9 * DAY, priority: 'low' }),
		item('b', { createdAt: 3 * DAY, updatedAt: 3 * DAY, deadline: null, priority: 'urgent' }),
		item('c', { createdAt: 2 * DAY, updatedAt: 7 * DAY, deadline: 4 * DAY, priority: 'high' }),
		item('d', { createdAt: 2 * DAY, updatedAt: 2 * DAY }),
		item('e', { createdAt: 4 * DAY, updatedAt: 4 * DAY, deadline: 4 * DAY, priority: 'high' })
	];

	it.each<[BoardQuery['sort'], string[]]>([
		['newest', ['e', 'b', 'd', 'c', 'a']],
		['oldest', ['a', 'c', 'd', 'b', 'e']],
		['updated', ['c', 'a', 'e', 'b', 'd']],
		// Equal deadlines: newest first; no deadline last.
		['deadline', ['e', 'c', 'a', 'b', 'd']],
		// Unknown or missing priority ranks lowest.
		['priority', ['b', 'e', 'c', 'a', 'd']]
	])('%s', (sort, expected) => {
		expect(ids(sortBoard(cases, sort))).toEqual(expected);
	});

	it('is a total order: any input order gives the same result', () => {
		const same = [item('x'), item('y'), item('z')];
		for (const sort of ['newest', 'oldest', 'deadline', 'updated', 'priority'] as const) {
			expect(ids(sortBoard(same, sort))).toEqual(ids(sortBoard([...same].reverse(), sort)));
		}
	});

	it('does not change its input', () => {
		const input = [...cases];
		sortBoard(input, 'oldest');
		expect(input).toEqual(cases);
	});
});

describe('URL round trip', () => {
	it('writes only what differs from the default and reads it back', () => {
		const q = query({
			statuses: ['resolved', 'reported'],
			tiers: ['community'],
			categories: ['noise'],
			grids: ['g-1'],
			assignee: 'm-7',
			overdue: true,
			conflicts: true,
			search: '电梯 B2',
			sort: 'deadline',
			view: 'columns'
		});
		const text = formatBoardQuery(q);
		expect(parseBoardQuery(new URLSearchParams(text))).toEqual({
			...q,
			statuses: ['reported', 'resolved']
		});
		expect(text).toContain('status=reported,resolved');
		expect(formatBoardQuery(EMPTY_BOARD_QUERY)).toBe('');
	});

	it('a comma typed into the search survives the round trip', () => {
		const q = query({ search: '3号楼,2单元' });
		expect(parseBoardQuery(new URLSearchParams(formatBoardQuery(q))).search).toBe('3号楼,2单元');
	});

	it('ignores unknown values and malformed input', () => {
		const parsed = parseBoardQuery(
			new URLSearchParams('status=reported,bogus,,reported&sort=sideways&view=grid&overdue=yes'),
			{ statuses: ['reported', 'resolved'] }
		);
		expect(parsed).toEqual(query({ statuses: ['reported'] }));
	});

	it('caps the search text (by code points)', () => {
		const parsed = parseBoardQuery(new URLSearchParams({ q: '电'.repeat(500) }));
		expect([...parsed.search]).toHaveLength(100);
	});

	it('isFiltered is false for sort and view alone', () => {
		expect(isFiltered(query({ sort: 'oldest', view: 'columns' }))).toBe(false);
		expect(isFiltered(query({ search: '  ' }))).toBe(false);
		expect(isFiltered(query({ overdue: true }))).toBe(true);
		expect(isFiltered(query({ conflicts: true }))).toBe(true);
	});
});

describe('helpers', () => {
	it('groupByStatus keeps every column', () => {
		const cases = [
			item('a', { status: 'reported', tier: 'grid' }),
			item('b', { status: 'reported' }),
			item('c', { status: 'resolved' })
		];
		const columns = groupByStatus(cases, ['reported', 'in_progress', 'resolved']);
		expect([...columns.keys()]).toEqual(['reported', 'in_progress', 'resolved']);
		expect(ids(columns.get('reported') ?? [])).toEqual(['a', 'b']);
		expect(columns.get('in_progress')).toEqual([]);
	});
});
