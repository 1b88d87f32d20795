import { describe, expect, it } from 'vitest';
import {
	applyCaseAction,
	availableActions,
	CASE_ACTIONS,
	CASE_STATUSES,
	type CaseAction,
	type CaseStatus
} from './case-status';

// Every (status, action) pair: the target status, or null when the action is not allowed.
const TABLE: Record<CaseStatus, Record<CaseAction, CaseStatus | null>> = {
	reported: { start: 'in_progress', resolve: 'resolved', review: null, reopen: null },
	in_progress: { start: null, resolve: 'resolved', review: null, reopen: null },
	resolved: { start: null, resolve: null, review: 'reviewed', reopen: 'in_progress' },
	reviewed: { start: null, resolve: null, review: null, reopen: 'in_progress' }
};

const PAIRS = CASE_STATUSES.flatMap((status) =>
	CASE_ACTIONS.map((action) => [status, action, TABLE[status][action]] as const)
);

describe('case status flow', () => {
	it('covers all 16 pairs', () => {
		expect(PAIRS).toHaveLength(16);
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
