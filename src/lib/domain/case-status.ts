/**
 * Case status flow: reported → in progress → resolved → reviewed, and reopening.
 *
 * Invariant: `applyCaseAction` is the only definition of which action is allowed from which
 * status; `availableActions` is derived from the same table, so the two never disagree.
 */

import { err, ok, type Result } from './result';

export const CASE_STATUSES = ['reported', 'in_progress', 'resolved', 'reviewed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const CASE_ACTIONS = ['start', 'resolve', 'review', 'reopen'] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

export type CaseActionReason = 'not_allowed_from_status';

const TRANSITIONS: Readonly<Record<CaseAction, Readonly<Partial<Record<CaseStatus, CaseStatus>>>>> =
	{
		start: { reported: 'in_progress' },
		// reported → resolved is the corridor light fixed in ten minutes: put right at once.
		resolve: { reported: 'resolved', in_progress: 'resolved' },
		review: { resolved: 'reviewed' },
		reopen: { resolved: 'in_progress', reviewed: 'in_progress' }
	};

export function isCaseStatus(value: unknown): value is CaseStatus {
	return (CASE_STATUSES as readonly unknown[]).includes(value);
}

export function isCaseAction(value: unknown): value is CaseAction {
	return (CASE_ACTIONS as readonly unknown[]).includes(value);
}

export function applyCaseAction(
	status: CaseStatus,
	action: CaseAction
): Result<CaseStatus, CaseActionReason> {
	const next = TRANSITIONS[action][status];
	return next === undefined ? err('not_allowed_from_status') : ok(next);
}

const AVAILABLE: Readonly<Record<CaseStatus, readonly CaseAction[]>> = Object.freeze(
	Object.fromEntries(
		CASE_STATUSES.map((status) => [
			status,
			Object.freeze(CASE_ACTIONS.filter((action) => TRANSITIONS[action][status] !== undefined))
		])
	) as Record<CaseStatus, readonly CaseAction[]>
);

/** The actions allowed from `status`, in `CASE_ACTIONS` order. */
export function availableActions(status: CaseStatus): readonly CaseAction[] {
	return AVAILABLE[status];
}
