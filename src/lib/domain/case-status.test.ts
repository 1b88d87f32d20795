import { describe, expect, it } from 'vitest';
import {
	applyCaseAction,
	availableActions,
	CASE_ACTIONS,
	CASE_STATUSES,
	isOpenStatus,
	type CaseAction,
	type CaseStatus
} from './case-status';

// Every (status, action) pair: the target status, or null when the action is not allowed.
const TABLE: Record<CaseStatus, Record<CaseAction, CaseStatus | null>> = {
	// prettier-ignore
	reported: { accept: 'accepted', start: 'in_progress', resolve: 'resolved', review: null, close: null, reopen: null, mark_duplicate: 'duplicate' },
	// prettier-ignore
	accepted: { accept: null, start: 'in_progress', resolve: 'resolved', review: null, close: null, reopen: null, mark_duplicate: 'duplicate' },
	// prettier-ignore
	in_progress: { accept: null, start: null, resolve: 'resolved', review: null, close: null, reopen: null, mark_duplicate: 'duplicate' },
	// prettier-ignore
	resolved: { accept: null, start: null, resolve: null, review: 'reviewed', close: null, reopen: 'in_progress', mark_duplicate: null },
	// prettier-ignore
	reviewed: { accept: null, start: null, resolve: null, review: null, close: 'closed', reopen: 'in_progress', mark_duplicate: null },
	// prettier-ignore
	closed: { accept: null, start: null, resolve: null, review: null, close: null, reopen: 'in_progress', mark_duplicate: null },
	// prettier-ignore
	duplicate: { accept: null, start: null, resolve: null, review: null, close: null, reopen: 'reported', mark_duplicate: null }
};

const PAIRS = CASE_STATUSES.flatMap((status) =>
	CASE_ACTIONS.map((action) => [status, action, TABLE[status][action]] as const)
);

describe('case status flow', () => {
	it('covers all 49 pairs', () => {
		expect(PAIRS).toHaveLength(49);
	});

	it.each(PAIRS)('%s --%s--> %s', (status, action, expected) => {
		const result = applyCaseAction(status, action);
		expect(result).toEqual(
			expected === null
				? { ok: false, reason: 'not_allowed_from_status' }
				: { ok: true, value: expected }
		);
	});

	it.each(CASE_STATUSES)('availableActions(%s) lists exactly the allowed actions', (status) => {
		const allowed = CASE_ACTIONS.filter((action) => TABLE[status][action] !== null);
		expect(availableActions(status)).toEqual(allowed);
		expect(Object.isFrozen(availableActions(status))).toBe(true);
	});
});

describe('open statuses', () => {
	it.each([
		['reported', true],
		['accepted', true],
		['in_progress', true],
		['resolved', false],
		['reviewed', false],
		['closed', false],
		['duplicate', false]
	] as const)('isOpenStatus(%s) is %s', (status, open) => {
		expect(isOpenStatus(status)).toBe(open);
	});
});
