import { describe, expect, it } from 'vitest';
import {
	assigneeFromTyped,
	assigneeOfMember,
	assigneeNames,
	distinctAssignees,
	formatAssignee,
	isAssignedTo,
	isOutsider,
	isPlainNameAllowed,
	parseAssignee,
	pickableMembers,
	parseAssigneesValue
} from './assignees';
import { validateAssignees } from './case-input';

const WANG = 'm1a2b3c4d5e6f7a8b';
const roster = [
	{ id: WANG, displayName: '王秀英' },
	{ id: 'm9f8e7d6c5b4a3921', displayName: '李建国' }
];

describe('stored entries', () => {
	it('a member entry round-trips; a plain name stays a name', () => {
		const member = { name: '王秀英', memberId: WANG };
		expect(formatAssignee(member)).toBe(`王秀英#${WANG}`);
		expect(parseAssignee(formatAssignee(member))).toEqual(member);
		expect(parseAssignee('刘师傅')).toEqual({ name: '刘师傅', memberId: null });
	});

	it.each(['3#楼长', '老王#2', '#m1a2b3c4', 'A#B#c'])(
		'an old plain name %j reads as before',
		(name) => {
			expect(parseAssignee(name)).toEqual({ name, memberId: null });
			expect(isPlainNameAllowed(name)).toBe(true);
		}
	);

	it('a typed name shaped like a member entry is refused', () => {
		expect(isPlainNameAllowed(`冒充#${WANG}`)).toBe(false);
	});

	it('an old value of plain names parses as names; names read without ids', () => {
		expect(parseAssigneesValue('刘师傅,王网格员')).toEqual([
			{ name: '刘师傅', memberId: null },
			{ name: '王网格员', memberId: null }
		]);
		expect(parseAssigneesValue('')).toEqual([]);
		expect(assigneeNames(['刘师傅', `王秀英#${WANG}`])).toEqual(['刘师傅', '王秀英']);
	});

	it('validation keeps one entry per member and measures the name, not the id', () => {
		const long = '长'.repeat(40);
		expect(validateAssignees([`${long}#${WANG}`, '刘师傅'])).toEqual({
			ok: true,
			value: `刘师傅,${long}#${WANG}`
		});
		expect(validateAssignees([`王秀英#${WANG}`, `王姐#${WANG}`])).toEqual({
			ok: true,
			value: `王秀英#${WANG}`
		});
		expect(validateAssignees([`#${WANG}`]).ok).toBe(true); // a plain name "#m…" (no name part)
		expect(validateAssignees([`王 #${WANG}`])).toEqual({ ok: false, reason: 'assignee_invalid' });
		expect(validateAssignees(['王,李'])).toEqual({ ok: false, reason: 'assignee_invalid' });
	});
});

describe('a picked member', () => {
	it('always gives a valid entry, whatever the display name', () => {
		const long = { id: WANG, displayName: `${'长'.repeat(55)}` };
		const comma = { id: WANG, displayName: '王,秀英' };
		for (const member of [long, comma, roster[0]!]) {
			const entry = formatAssignee(assigneeOfMember(member));
			expect(validateAssignees([entry]).ok).toBe(true);
			expect(parseAssignee(entry).memberId).toBe(WANG);
		}
		expect(assigneeOfMember(comma).name).toBe('王，秀英');
		expect([...assigneeOfMember(long).name]).toHaveLength(40);
	});
});

describe('assigned to me (member id first, name as the fallback)', () => {
	const me = { memberId: WANG, name: '王秀英' };

	it.each<[string, string[], boolean]>([
		['my member entry', [`王秀英#${WANG}`], true],
		['my member entry under an older name', [`王姐#${WANG}`], true],
		['an old plain name equal to mine', ['刘师傅', '王秀英'], true],
		['another member who has my name', ['王秀英#m0000000000000000'], false],
		['someone else', ['刘师傅'], false],
		['nobody', [], false]
	])('%s', (_, entries, expected) => {
		expect(isAssignedTo(entries, me)).toBe(expected);
	});

	it('an empty display name matches no plain name', () => {
		expect(isAssignedTo([''], { memberId: WANG, name: '' })).toBe(false);
	});
});

describe('outside the community', () => {
	it('a plain name no member carries is outside; unknown without a members list', () => {
		expect(isOutsider({ name: '刘师傅', memberId: null }, roster)).toBe(true);
		expect(isOutsider({ name: '李建国', memberId: null }, roster)).toBe(false);
		expect(isOutsider({ name: '王秀英', memberId: WANG }, roster)).toBe(false);
		expect(isOutsider({ name: '刘师傅', memberId: null }, null)).toBeNull();
	});

	it('a typed name of exactly one member becomes that member; otherwise stays a name', () => {
		expect(assigneeFromTyped(' 李建国 ', roster)).toEqual({
			name: '李建国',
			memberId: 'm9f8e7d6c5b4a3921'
		});
		expect(assigneeFromTyped('刘师傅', roster)).toEqual({ name: '刘师傅', memberId: null });
		const twins = [...roster, { id: 'm5555555555555555', displayName: '李建国' }];
		expect(assigneeFromTyped('李建国', twins)).toEqual({ name: '李建国', memberId: null });
		expect(assigneeFromTyped('李建国', null)).toEqual({ name: '李建国', memberId: null });
	});
});

describe('a member picker', () => {
	it('offers members not yet chosen, those of the grid first, then by name', () => {
		const members = [
			{ id: 'm1111111111111111', displayName: '赵六', grids: ['g2'] },
			{ id: 'm2222222222222222', displayName: '李四', grids: [] },
			{ id: 'm3333333333333333', displayName: '王五', grids: ['g1'] },
			{ id: 'm4444444444444444', displayName: '张三', grids: ['g1'] }
		];
		expect(pickableMembers(members, 'g1', ['m3333333333333333']).map((m) => m.displayName)).toEqual(
			['张三', '李四', '赵六']
		);
		expect(pickableMembers(members, '').map((m) => m.displayName)).toEqual([
			'李四',
			'王五',
			'张三',
			'赵六'
		]);
	});
});

describe("the board's assignee filter options", () => {
	it('one option per person: members by id with their name, plain names by name', () => {
		expect(
			distinctAssignees([`王秀英#${WANG}`, '刘师傅', `王姐#${WANG}`, '刘师傅', '王秀英'])
		).toEqual([
			{ value: '刘师傅', label: '刘师傅' },
			{ value: WANG, label: '王秀英' },
			{ value: '王秀英', label: '王秀英' }
		]);
	});
});
