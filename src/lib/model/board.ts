/**
 * Board: the public face of one grid's problem ledger (`c/{communityId}/board/{gridId}`).
 * Commands live in case-commands.ts, readers in case-readers.ts, receipts in case-receipts.ts,
 * the Yjs layout in case-schema.ts; pages import from here.
 *
 * Invariant: this module adds no behaviour of its own.
 */

export {
	addCaseComment,
	applyCaseStatusAction,
	assignCase,
	createCase,
	editCase,
	editCaseField,
	escalateCase,
	handBackCase,
	moveCaseTier,
	resolveCaseFieldConflict,
	setCaseDeadline,
	type AddCommentReason,
	type AssignCaseReason,
	type CaseAuthority,
	type CaseStatusActionReason,
	type CaseChanges,
	type Changed,
	type FieldChange,
	type CreateCaseReason,
	type EditCaseFieldReason,
	type MoveCaseTierReason,
	type ResolveConflictReason,
	type SetDeadlineReason,
	type StatusActionDetails
} from './case-commands';
export {
	countCasesByStatus,
	filterCasesByStatus,
	listCases,
	readCase,
	type CaseFieldStates,
	type CaseSnapshot,
	type CaseSummary,
	type ReturnVisit
} from './case-readers';
export { recordServerReceipts } from './case-receipts';
export { recordTimelineEntry, timelineEntry } from './case-schema';
export type { TimelineEntry } from '../domain/case-timeline';
export type { CaseField, EditableCaseField, NewCaseInput } from '../domain/case-input';
export type { FieldConflict, FieldState } from './field-log';
