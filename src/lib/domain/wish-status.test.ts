import { describe, expect, it } from 'vitest';
import { rankClaims, type Claim } from './task-rules';
import {
	canWishAction,
	checkWishAction,
	deriveWishStatus,
	validateWishInput,
	WISH_ACTIONS,
	type WishAction,
	type WishFacts
} from './wish-status';

const claim = (id: string, memberId: string, at: number): Claim => ({
	id,
	memberId,
	name: memberId,
	deviceId: 'd',
	at,
	clientId: 1
});
const facts = (
	published: boolean,
	claims: Claim[] = [],
	fulfilled = false,
	thanked = false
): WishFacts => ({ published, claims: rankClaims(claims, new Set(), 1), fulfilled, thanked });

describe('wish roles', () => {
	const table: Record<string, readonly WishAction[]> = {
		secretary: WISH_ACTIONS,
		'grid-member': WISH_ACTIONS,
		volunteer: ['claim', 'unclaim', 'fulfil'],
		observer: []
	};
	for (const [role, allowed] of Object.entries(table)) {
		for (const action of WISH_ACTIONS) {
			it(`${role} ${allowed.includes(action) ? 'may' : 'may not'} ${action}`, () =>
				expect(canWishAction(role, action)).toBe(allowed.includes(action)));
		}
	}
});

describe('wish lifecycle: recorded → published → claimed → fulfilled → thanked', () => {
	const li = claim('a', 'li', 1);
	const statusRows: [string, WishFacts, string][] = [
		['recorded', facts(false), 'recorded'],
		['published', facts(true), 'published'],
		['claimed', facts(true, [li]), 'claimed'],
		['fulfilled', facts(true, [li], true), 'fulfilled'],
		['thanked', facts(true, [li], true, true), 'thanked']
	];
	for (const [name, f, status] of statusRows) {
		it(`${name} shows ${status}`, () => expect(deriveWishStatus(f)).toBe(status));
	}

	const vol = (memberId: string) => ({ memberId, role: 'volunteer' });
	const staff = { memberId: 's', role: 'secretary' };
	const rows: [string, WishFacts, WishAction, { memberId: string; role: string }, string][] = [
		['publish a recorded wish', facts(false), 'publish', staff, 'ok'],
		['publish twice', facts(true), 'publish', staff, 'already_published'],
		['claim before publishing', facts(false), 'claim', vol('li'), 'not_published'],
		['claim a published wish', facts(true), 'claim', vol('li'), 'ok'],
		['claim a taken wish', facts(true, [li]), 'claim', vol('wang'), 'wish_taken'],
		['fulfil own', facts(true, [li]), 'fulfil', vol('li'), 'ok'],
		['fulfil another’s', facts(true, [li]), 'fulfil', vol('wang'), 'not_claimed'],
		[
			'over-claimed fulfils',
			facts(true, [li, claim('b', 'wang', 2)]),
			'fulfil',
			vol('wang'),
			'over_claimed'
		],
		['thank before fulfilled', facts(true, [li]), 'thank', staff, 'not_fulfilled'],
		['thank', facts(true, [li], true), 'thank', staff, 'ok'],
		['thank twice', facts(true, [li], true, true), 'thank', staff, 'wish_closed'],
		['volunteer thanks', facts(true, [li], true), 'thank', vol('li'), 'not_allowed']
	];
	for (const [name, f, action, who, expected] of rows) {
		it(name, () => {
			const result = checkWishAction(f, action, who);
			expect(result.ok ? 'ok' : result.reason).toBe(expected);
		});
	}
});

describe('validateWishInput', () => {
	const base = { who: '张奶奶', what: '想要一副老花镜', gridId: 'g1', hours: 1 };
	const rows: [Partial<typeof base>, string][] = [
		[{}, 'ok'],
		[{ who: '' }, 'who_required'],
		[{ what: ' ' }, 'what_required'],
		[{ what: '字'.repeat(501) }, 'what_too_long'],
		[{ hours: 0 }, 'hours_invalid']
	];
	for (const [change, expected] of rows) {
		it(JSON.stringify(change), () => {
			const result = validateWishInput({ ...base, ...change });
			expect(result.ok ? 'ok' : result.reason).toBe(expected);
		});
	}
});
