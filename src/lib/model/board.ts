/**
 * Board: the public face of one grid's problem ledger (`c/{communityId}/board/{gridId}`).
 * Commands live in case-commands.ts, readers in case-readers.ts, the Yjs layout in
 * case-schema.ts; pages import from here.
 *
 * Invariant: this module adds no behaviour of its own.
 */

export {
	applyCaseStatusAction,
	createCase,
	editCase,
	editCaseField,
	resolveCaseFieldConflict,
	type CaseStatusActionReason,
	type CaseChanges,
	type Changed,
	type FieldChange,
	type CreateCaseReason,
	type EditCaseFieldReason,
	type ResolveConflictReason
} from './case-commands';
export {
	countCasesByStatus,
	filterCasesByStatus,
	listCases,
	readCase,
	type CaseFieldStates,
	type CaseSnapshot,
	type CaseSummary
} from './case-readers';
export type { TimelineEntry } from '../domain/case-timeline';
export type { CaseField, EditableCaseField, NewCaseInput } from '../domain/case-input';
export type { FieldConflict, FieldState } from './field-log';
