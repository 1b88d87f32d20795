import { describe, expect, it } from 'vitest';
import {
	canTaskAction,
	checkTaskAction,
	deriveTaskStatus,
	dueState,
	rankClaims,
	TASK_ACTIONS,
	validateTaskInput,
	type Claim,
	type TaskAction,
	type TaskFacts
} from './task-rules';

const claim = (id: string, memberId: string, at: number, clientId = 1): Claim => ({
	id,
	memberId,
	name: memberId,
	deviceId: `d-${memberId}`,
	at,
	clientId
});

describe('canTaskAction: the role table', () => {
	const table: Record<string, readonly TaskAction[]> = {
		secretary: TASK_ACTIONS,
		'grid-member': TASK_ACTIONS,
		volunteer: ['claim', 'unclaim', 'complete'],
		observer: [],
		none: []
	};
	for (const [role, allowed] of Object.entries(table)) {
		for (const action of TASK_ACTIONS) {
			it(`${role} ${allowed.includes(action) ? 'may' : 'may not'} ${action}`, () => {
				expect(canTaskAction(role, action)).toBe(allowed.includes(action));
			});
		}
	}
});

describe('rankClaims', () => {
	it('orders by (at, clientId, id), whatever the arrival order, and flags claims beyond the slots', () => {
		const claims = [claim('c', 'zhao', 5, 3), claim('a', 'li', 5, 2), claim('b', 'wang', 4, 9)];
		const ranked = rankClaims(claims, new Set(), 2);
		expect(ranked.map((c) => [c.id, c.standing])).toEqual([
			['b', 'in_slot'],
			['a', 'in_slot'],
			['c', 'over_claimed']
		]);
		expect(rankClaims([...claims].reverse(), new Set(), 2)).toEqual(ranked);
	});
	it('a released claim frees its slot for the next one in order', () => {
		const claims = [claim('a', 'li', 1), claim('b', 'wang', 2)];
		expect(rankClaims(claims, new Set(['a']), 1).map((c) => [c.id, c.standing])).toEqual([
			['b', 'in_slot']
		]);
	});
	it("a member's second claim (another phone) is a duplicate and takes no slot", () => {
		const claims = [claim('a', 'li', 1), claim('b', 'li', 2), claim('c', 'wang', 3)];
		expect(rankClaims(claims, new Set(), 2).map((c) => c.standing)).toEqual([
			'in_slot',
			'duplicate',
			'in_slot'
		]);
	});
});

describe('deriveTaskStatus', () => {
	const ranked = (n: number) =>
		rankClaims(
			Array.from({ length: n }, (_, i) => claim(`c${i}`, `m${i}`, i)),
			new Set(),
			2
		);
	const rows: [string, TaskFacts, string][] = [
		['no claims', { needed: 2, claims: ranked(0), completed: false, confirmed: false }, 'open'],
		[
			'one of two slots',
			{ needed: 2, claims: ranked(1), completed: false, confirmed: false },
			'open'
		],
		['both slots', { needed: 2, claims: ranked(2), completed: false, confirmed: false }, 'claimed'],
		[
			'over-claimed',
			{ needed: 2, claims: ranked(3), completed: false, confirmed: false },
			'claimed'
		],
		['completed', { needed: 2, claims: ranked(2), completed: true, confirmed: false }, 'done'],
		['confirmed', { needed: 2, claims: ranked(2), completed: true, confirmed: true }, 'confirmed']
	];
	for (const [name, facts, status] of rows) {
		it(`${name} → ${status}`, () => expect(deriveTaskStatus(facts)).toBe(status));
	}
});

describe('checkTaskAction', () => {
	const facts = (claims: Claim[], needed = 1, completed = false, confirmed = false): TaskFacts => ({
		needed,
		claims: rankClaims(claims, new Set(), needed),
		completed,
		confirmed
	});
	const vol = (memberId: string) => ({ memberId, role: 'volunteer' });
	const staff = { memberId: 'sec', role: 'secretary' };
	const liClaim = claim('a', 'li', 1);
	const rows: [
		string,
		TaskFacts,
		Exclude<TaskAction, 'create'>,
		{ memberId: string; role: string },
		string
	][] = [
		['volunteer claims an open task', facts([]), 'claim', vol('li'), 'ok'],
		[
			'observer cannot claim',
			facts([]),
			'claim',
			{ memberId: 'o', role: 'observer' },
			'not_allowed'
		],
		['claim a full task', facts([liClaim]), 'claim', vol('wang'), 'task_full'],
		['claim twice', facts([liClaim], 2), 'claim', vol('li'), 'already_claimed'],
		['claim a done task', facts([liClaim], 1, true), 'claim', vol('wang'), 'task_closed'],
		['unclaim own', facts([liClaim]), 'unclaim', vol('li'), 'ok'],
		['unclaim without a claim', facts([liClaim]), 'unclaim', vol('wang'), 'not_claimed'],
		['unclaim after done', facts([liClaim], 1, true), 'unclaim', vol('li'), 'task_closed'],
		['complete own claim', facts([liClaim]), 'complete', vol('li'), 'ok'],
		['complete unclaimed', facts([liClaim]), 'complete', vol('wang'), 'not_claimed'],
		['complete with nobody', facts([]), 'complete', staff, 'no_volunteer'],
		[
			'over-claimed volunteer completes',
			facts([liClaim, claim('b', 'wang', 2)]),
			'complete',
			vol('wang'),
			'over_claimed'
		],
		['staff completes for the team', facts([liClaim]), 'complete', staff, 'ok'],
		['volunteer confirms', facts([liClaim], 1, true), 'confirm', vol('li'), 'not_allowed'],
		['staff confirms a claimed task', facts([liClaim]), 'confirm', staff, 'not_done'],
		['staff confirms a done task', facts([liClaim], 1, true), 'confirm', staff, 'ok'],
		['confirm twice', facts([liClaim], 1, true, true), 'confirm', staff, 'task_closed'],
		['volunteer releases', facts([liClaim]), 'release', vol('li'), 'not_allowed']
	];
	for (const [name, f, action, who, expected] of rows) {
		it(name, () => {
			const result = checkTaskAction(f, action, who);
			expect(result.ok ? 'ok' : result.reason).toBe(expected);
		});
	}
	it('staff release a named claim; an unknown one is refused', () => {
		const f = facts([liClaim, claim('b', 'wang', 2)]);
		expect(checkTaskAction(f, 'release', staff, 'b').ok).toBe(true);
		expect(checkTaskAction(f, 'release', staff, 'zz')).toEqual({
			ok: false,
			reason: 'claim_not_found'
		});
	});
});

describe('validateTaskInput', () => {
	const base = {
		title: ' 帮独居老人买菜 ',
		details: '',
		place: '3号楼',
		gridId: 'g1',
		due: '2025-03-05',
		volunteersNeeded: 2,
		hours: 1.5
	};
	const rows: [string, Partial<typeof base>, string][] = [
		['valid, trimmed', {}, 'ok'],
		['empty title', { title: '  ' }, 'title_required'],
		['long title', { title: '字'.repeat(121) }, 'title_too_long'],
		['120 Chinese characters', { title: '字'.repeat(120) }, 'ok'],
		['no due date', { due: '' }, 'ok'],
		['bad due date', { due: '2025-3-5' }, 'due_invalid'],
		['zero volunteers', { volunteersNeeded: 0 }, 'volunteers_invalid'],
		['fractional volunteers', { volunteersNeeded: 1.5 }, 'volunteers_invalid'],
		['quarter hours', { hours: 0.25 }, 'hours_invalid'],
		['too many hours', { hours: 25 }, 'hours_invalid']
	];
	for (const [name, change, expected] of rows) {
		it(name, () => {
			const result = validateTaskInput({ ...base, ...change });
			expect(result.ok ? 'ok' : result.reason).toBe(expected);
		});
	}
	it('trims the title', () => {
		const result = validateTaskInput(base);
		expect(result.ok && result.value.title).toBe('帮独居老人买菜');
	});
	it.each([
		['2025-03-04', 'due_in_past'],
		['2025-03-05', 'ok'],
		['2025-03-06', 'ok'],
		['', 'ok']
	])('on 2025-03-05 (the community calendar), due %s → %s', (due, expected) => {
		const result = validateTaskInput({ ...base, due }, '2025-03-05');
		expect(result.ok ? 'ok' : result.reason).toBe(expected);
	});
});

describe('dueState', () => {
	const rows: [string, string, string][] = [
		['', '2025-03-05', 'none'],
		['2025-03-04', '2025-03-05', 'overdue'],
		['2025-03-05', '2025-03-05', 'today'],
		['2025-03-08', '2025-03-05', 'soon'],
		['2025-03-09', '2025-03-05', 'later'],
		['2025-04-01', '2025-03-30', 'soon']
	];
	for (const [due, today, expected] of rows) {
		it(`due ${due || '(none)'} on ${today} → ${expected}`, () =>
			expect(dueState(due, today)).toBe(expected));
	}
});
