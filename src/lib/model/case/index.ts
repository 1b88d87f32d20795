/**
 * The case aggregate's public face: one grid's problem ledger (`c/{communityId}/board/{gridId}`).
 * Commands live in commands.ts, readers in readers.ts, receipts in receipts.ts, photos in photos.ts,
 * the Yjs layout in schema.ts; everything outside model/ imports from here.
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
	type CaseCommandContext,
	type SeenOption,
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
} from './commands';
export {
	countCasesByStatus,
	filterCasesByStatus,
	listCases,
	readCase,
	readCaseDescriptions,
	listDeletedCases,
	type CaseFieldStates,
	type DeletedCase,
	type CaseSnapshot,
	type CaseSummary,
	type ReturnVisit
} from './readers';
export { recordServerReceipts } from './receipts';
export { deleteCase, restoreCase, type DeleteCaseReason, type RestoreCaseReason } from './deletion';
export type { CaseDeletion } from '../../domain/case-deletion';
export {
	casesMap,
	parseCaseRecord,
	readCaseField,
	recordTimelineEntry,
	timelineEntry
} from './schema';
export type { TimelineEntry } from '../../domain/case-timeline';
export type { Authorship, AuthorshipById } from '../attestation';
export type { CaseField, EditableCaseField, NewCaseInput } from '../../domain/case-input';
export type { FieldConflict, FieldState } from '../field-log';
export * from './photos';
