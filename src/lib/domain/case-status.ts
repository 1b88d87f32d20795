/**
 * Case status flow:
 *
 *   reported → accepted → in_progress → resolved → reviewed → closed
 *       └──────────┴──────────┴→ resolved   (put right at once / finished)
 *   reported | accepted | in_progress → duplicate   (mark_duplicate, of another case)
 *   resolved | reviewed | closed → in_progress      (reopen)
 *   duplicate → reported                            (reopen: it was not a duplicate after all)
 *
 * `review` is the return visit: it carries the resident's satisfaction (`SATISFACTIONS`,
 * case-options.ts) and a note, which the case command `applyCaseStatusAction` requires. Who may
 * take each action is case-permissions.ts.
 *
 * Invariant: `applyCaseAction` is the only definition of which action is allowed from which
 * status; `availableActions` is derived from the same table, so the two never disagree.
 */
import { err, ok, type Result } from './result';

export const CASE_STATUSES = [
	'reported',
	'accepted',
	'in_progress',
	'resolved',
	'reviewed',
	'closed',
	'duplicate'
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const CASE_ACTIONS = [
	'accept',
	'start',
	'resolve',
	'review',
	'close',
	'reopen',
	'mark_duplicate'
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

export type CaseActionReason = 'not_allowed_from_status';

/** Statuses in which a case is still being handled: it can be overdue, escalated, handed back. */
export const OPEN_STATUSES = [
	'reported',
	'accepted',
	'in_progress'
] as const satisfies readonly CaseStatus[];

const TRANSITIONS: Readonly<Record<CaseAction, Readonly<Partial<Record<CaseStatus, CaseStatus>>>>> =
	{
		accept: { reported: 'accepted' },
		start: { reported: 'in_progress', accepted: 'in_progress' },
		// reported → resolved is the corridor light fixed in ten minutes: put right at once.
		resolve: { reported: 'resolved', accepted: 'resolved', in_progress: 'resolved' },
		review: { resolved: 'reviewed' },
		close: { reviewed: 'closed' },
		reopen: {
			resolved: 'in_progress',
			reviewed: 'in_progress',
			closed: 'in_progress',
			duplicate: 'reported'
		},
		mark_duplicate: { reported: 'duplicate', accepted: 'duplicate', in_progress: 'duplicate' }
	};

export function isCaseStatus(value: unknown): value is CaseStatus {
	return (CASE_STATUSES as readonly unknown[]).includes(value);
}

export function isCaseAction(value: unknown): value is CaseAction {
	return (CASE_ACTIONS as readonly unknown[]).includes(value);
}

export function isOpenStatus(status: CaseStatus): boolean {
	return (OPEN_STATUSES as readonly CaseStatus[]).includes(status);
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
