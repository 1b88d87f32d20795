/**
 * Who may do what to a case, by role (the roles of access.ts). The relay decides who may write a
 * board document at all; this decides, inside a writable board, which commands a role may use.
 * Commands check it and the case page hides what a viewer may not do, from this one table.
 *
 *   operation                      secretary   grid-member (own grid)   volunteer   observer
 *   report, edit fields, comment,  yes         yes                      yes         no
 *   attach a photo
 *   accept, start, resolve,        yes         yes                      no          no
 *   review, close, mark_duplicate
 *   reopen                         yes         yes, except a closed     no          no
 *                                              case (the community
 *                                              reopens what it closed)
 *   assign, set deadline           yes         yes                      no          no
 *   escalate                       any tier    from the grid tier only  no          no
 *   hand_back                      yes         no                       no          no
 *   delete (and restore)           yes         no                       no          no
 *
 * A grid member on another grid's board, like an observer, may do nothing (read-only board).
 * Volunteers report and comment ("volunteers may only report"); they may also correct the text of
 * a case (title, description, location…), which the concurrent-edit rules keep visible.
 *
 * Invariant: deny by default; an unknown role or operation is refused.
 */
import { canWriteBoard, type AccessClaims } from '../wire/index.ts';
import type { CaseAction, CaseStatus } from './case-status';
import type { CaseChannel, Tier } from './case-options';
import type { TierAction } from './case-tier';
import type { CaseField } from './case-input';

export const CASE_OPERATIONS = [
	'report',
	'edit',
	'comment',
	'attach_photo',
	'accept',
	'start',
	'resolve',
	'review',
	'close',
	'reopen',
	'mark_duplicate',
	'assign',
	'set_deadline',
	'escalate',
	'hand_back',
	'delete'
] as const;
export type CaseOperation = (typeof CASE_OPERATIONS)[number];

/** Every status action and tier move is an operation of this table (or this fails to compile). */
const _everyActionIsAnOperation = (action: CaseAction | TierAction): CaseOperation => action;

/** What the check needs to know about the case; omitted parts are not checked. */
export type CaseContext = Readonly<{ status?: CaseStatus; tier?: Tier }>;

const EVERY_WRITER: ReadonlySet<CaseOperation> = new Set([
	'report',
	'edit',
	'comment',
	'attach_photo'
]);

/** Whether the claims' holder may perform `operation` on a case of board `gridId`. */
export function mayOperate(
	claims: AccessClaims,
	gridId: string,
	operation: CaseOperation,
	context: CaseContext = {}
): boolean {
	if (!canWriteBoard(claims, gridId)) return false;
	switch (claims.role) {
		case 'secretary':
			return true;
		case 'grid-member':
			// canWriteBoard already limited grid members to their own grids.
			if (operation === 'hand_back' || operation === 'delete') return false;
			if (operation === 'escalate') return context.tier === undefined || context.tier === 'grid';
			if (operation === 'reopen') return context.status !== 'closed';
			return true;
		case 'volunteer':
			return EVERY_WRITER.has(operation);
		default:
			return false;
	}
}

/**
 * Who may settle a conflict on a field: whoever may make that field's own change (the status
 * flow for the status and the duplicate link, a tier move for the tier, assigning, setting the
 * deadline, editing for the rest).
 */
export function mayResolveConflict(
	claims: AccessClaims,
	gridId: string,
	field: CaseField,
	context: CaseContext = {}
): boolean {
	const may = (operation: CaseOperation) => mayOperate(claims, gridId, operation, context);
	switch (field) {
		case 'status':
		case 'duplicateOf':
			return may('start');
		case 'tier':
			return may('escalate') || may('hand_back');
		case 'assignees':
			return may('assign');
		case 'deadline':
			return may('set_deadline');
		default:
			return may('edit');
	}
}

/**
 * The report form a role sees. Handling type and priority are the staff's triage, so a
 * volunteer's form leaves them out (the case gets the defaults; staff set them later); a
 * volunteer reports what they found on their rounds, so their channel starts at "patrol".
 */
export type ReportForm = Readonly<{ staffFields: boolean; defaultChannel: CaseChannel }>;

export function reportFormFor(role: string): ReportForm {
	return role === 'volunteer'
		? { staffFields: false, defaultChannel: 'patrol' }
		: { staffFields: true, defaultChannel: 'door_to_door' };
}
