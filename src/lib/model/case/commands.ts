/**
 * Case commands: every write to a grid's problem ledger. Each takes one context (who acts, their
 * authority on this board, and when; model/command-context.ts) as its last parameter, checks the
 * author's role against case-permissions.ts and validates first, then runs one
 * `doc.transact(fn, ORIGIN_LOCAL_EDIT)` that appends field edits and timeline entries.
 *
 * Invariant: a refused command writes nothing; an accepted one appends one timeline entry per
 * change it makes (creation appends one `created` entry), sharing its id with the field edit it
 * records. Nothing is ever removed or rewritten.
 */

import * as Y from 'yjs';
import type { Actor } from '../../domain/actor';
import {
	CASE_FIELDS,
	EDITABLE_CASE_FIELDS,
	isValidDeadline,
	splitAssignees,
	validateAssignees,
	validateCaseField,
	validateCaseInput,
	validateComment,
	type AssigneesReason,
	type CaseField,
	type CaseFieldValues,
	type CaseInputReason,
	type CommentReason,
	type EditableCaseField,
	type NewCaseInput
} from '../../domain/case-input';
import { isSatisfaction, type Satisfaction, type Tier } from '../../domain/case-options';
import { mayOperate, mayResolveConflict, type CaseOperation } from '../../domain/case-permissions';
import {
	applyCaseAction,
	type CaseAction,
	type CaseActionReason,
	type CaseStatus
} from '../../domain/case-status';
import { moveTier, type TierAction, type TierMoveReason } from '../../domain/case-tier';
import { CASE_COMMENT_MAX } from '../../domain/case-input';
import { isValidIdSegment, newCaseId, newEditId, type CaseId, type EditId } from '../../domain/ids';
import { err, ok, type Result } from '../../domain/result';
import { sameHeads, type FieldConflict } from '../field-log';
import {
	appendCaseFieldEdit,
	casesMap,
	FIELD_FALLBACK,
	findCase,
	readCaseField,
	recordTimelineEntry,
	type CaseRecord,
	type InitialValues
} from './schema';
import { ORIGIN_LOCAL_EDIT } from '../origins';
import { commandTime, type Authority, type CommandContext } from '../command-context';

/** Who is asking, for the role checks of case-permissions.ts: the member and the case's board. */
export type CaseAuthority = Authority & Readonly<{ gridId: string }>;
export type CaseCommandContext = CommandContext<CaseAuthority>;
/** The field's heads as shown to the person acting; without it, the heads there now. */
export type SeenOption = Readonly<{ seen?: readonly EditId[] }>;

export type CreateCaseReason = CaseInputReason | AssigneesReason | 'not_permitted';
export type EditCaseFieldReason = CaseInputReason | 'case_not_found' | 'not_permitted';
export type CaseStatusActionReason =
	| CaseActionReason
	| 'case_not_found'
	| 'not_permitted'
	| 'satisfaction_required'
	| 'note_too_long'
	| 'duplicate_of_required'
	| 'duplicate_of_self';
export type MoveCaseTierReason = TierMoveReason | 'case_not_found' | 'not_permitted';
export type AssignCaseReason = AssigneesReason | 'case_not_found' | 'not_permitted';
export type SetDeadlineReason =
	'deadline_invalid' | 'deadline_in_past' | 'case_not_found' | 'not_permitted';
export type AddCommentReason = CommentReason | 'case_not_found' | 'not_permitted';
export type ResolveConflictReason =
	'case_not_found' | 'no_conflict' | 'value_not_in_conflict' | 'not_permitted';

export type Changed = Readonly<{ changed: boolean }>;
const CHANGED: Changed = Object.freeze({ changed: true });
const UNCHANGED: Changed = Object.freeze({ changed: false });

function caseState(record: CaseRecord) {
	return {
		status: readCaseField(record, 'status').value,
		tier: readCaseField(record, 'tier').value
	};
}

function permitted(
	authority: CaseAuthority,
	operation: CaseOperation,
	record: CaseRecord
): boolean {
	return mayOperate(authority.claims, authority.gridId, operation, caseState(record));
}

export function createCase(
	doc: Y.Doc,
	input: NewCaseInput,
	context: CaseCommandContext
): Result<CaseId, CreateCaseReason> {
	const { actor, authority } = context;
	const at = commandTime(context);
	if (!mayOperate(authority.claims, authority.gridId, 'report')) return err('not_permitted');
	const valid = validateCaseInput(input);
	if (!valid.ok) return valid;
	const values: CaseFieldValues = {
		...valid.value,
		status: FIELD_FALLBACK.status,
		tier: input.tier ?? FIELD_FALLBACK.tier,
		duplicateOf: FIELD_FALLBACK.duplicateOf
	};
	const id = newCaseId();
	doc.transact(() => {
		const map = new Y.Map<unknown>();
		casesMap(doc).set(id, map);
		// Who created it and when are in `initial`; receipts get a map when the first one is written.
		const createdId = newEditId();
		const initial: InitialValues = {
			id: createdId,
			by: actor.name,
			deviceId: actor.deviceId,
			at,
			values: initialValues(values)
		};
		map.set('initial', initial);
		map.set('fields', new Y.Map<unknown>());
		map.set('timeline', new Y.Array<unknown>());
		const record = findCase(doc, id);
		if (!record) return;
		recordTimelineEntry(
			record,
			actor,
			at,
			{ kind: 'created', title: values.title, category: values.category, status: values.status },
			createdId
		);
	}, ORIGIN_LOCAL_EDIT);
	return ok(id);
}

/** The values `initial` stores: every field whose value is not its fallback (model/case/schema.ts). */
function initialValues(values: CaseFieldValues): Partial<CaseFieldValues> {
	return Object.fromEntries(
		CASE_FIELDS.filter((field) => values[field] !== FIELD_FALLBACK[field]).map((field) => [
			field,
			values[field]
		])
	) as Partial<CaseFieldValues>;
}

/** A value as the timeline and conflict entries show it (deadlines as epoch-ms text). */
function asText(value: CaseFieldValues[CaseField]): string {
	return value === null ? '' : String(value);
}

function otherValues<T extends CaseFieldValues[CaseField]>(
	conflict: FieldConflict<T> | null,
	chosen: T
): string[] {
	return (conflict?.values ?? []).filter((c) => c.value !== chosen).map((c) => asText(c.value));
}

/** Writes `value` over every current head of `field` and records that a conflict was settled. */
function settleConflict<F extends CaseField>(
	doc: Y.Doc,
	record: CaseRecord,
	field: F,
	value: CaseFieldValues[F],
	conflict: FieldConflict<CaseFieldValues[F]>,
	actor: Actor,
	at: number,
	seen?: readonly EditId[]
): void {
	const id = newEditId();
	doc.transact(() => {
		appendCaseFieldEdit(record, field, value, actor, at, id, seen);
		recordTimelineEntry(
			record,
			actor,
			at,
			{
				kind: 'conflict_resolved',
				field,
				to: asText(value),
				discarded: otherValues(conflict, value)
			},
			id
		);
	}, ORIGIN_LOCAL_EDIT);
}

/**
 * Sets one editable field. The same value as shown writes nothing, unless the field is in
 * conflict: then writing the shown value is choosing it, and is recorded as a resolution.
 */
export function editCaseField<F extends EditableCaseField>(
	doc: Y.Doc,
	caseId: CaseId,
	field: F,
	value: string,
	context: CaseCommandContext
): Result<Changed, EditCaseFieldReason> {
	const { actor } = context;
	const at = commandTime(context);
	const valid = validateCaseField(field, value);
	if (!valid.ok) return valid;
	const record = findCase(doc, caseId);
	if (!record) return err('case_not_found');
	if (!permitted(context.authority, 'edit', record)) return err('not_permitted');
	const current = readCaseField(record, field);
	if (current.value === valid.value) {
		if (current.conflict === null) return ok(UNCHANGED);
		settleConflict(doc, record, field, valid.value, current.conflict, actor, at);
		return ok(CHANGED);
	}
	const id = newEditId();
	doc.transact(() => {
		appendCaseFieldEdit(record, field, valid.value, actor, at, id, current.heads);
		recordTimelineEntry(
			record,
			actor,
			at,
			{ kind: 'edited', field, from: current.value, to: valid.value },
			id
		);
	}, ORIGIN_LOCAL_EDIT);
	return ok(CHANGED);
}

/** What some status actions carry: the return visit (`review`), the original (`mark_duplicate`). */
export type StatusActionDetails = Readonly<{
	satisfaction?: Satisfaction;
	note?: string;
	duplicateOf?: CaseId;
}>;

export const REVIEW_NOTE_MAX = CASE_COMMENT_MAX;

function checkDetails(
	doc: Y.Doc,
	caseId: CaseId,
	action: CaseAction,
	details: StatusActionDetails
): Result<StatusActionDetails, CaseStatusActionReason> {
	if (action === 'review') {
		if (!isSatisfaction(details.satisfaction)) return err('satisfaction_required');
		const note = (details.note ?? '').trim();
		if ([...note].length > REVIEW_NOTE_MAX) return err('note_too_long');
		return ok({ satisfaction: details.satisfaction, note });
	}
	if (action === 'mark_duplicate') {
		const original = details.duplicateOf;
		if (!isValidIdSegment(original) || !findCase(doc, original as CaseId)) {
			return err('duplicate_of_required');
		}
		if (original === caseId) return err('duplicate_of_self');
		return ok({ duplicateOf: original });
	}
	return ok({});
}

/**
 * Moves a case along the status flow, checked against the status this replica shows and the
 * author's role. When the status is in conflict, acting on the shown one also settles the
 * conflict (every concurrent status change stays in the timeline). `review` needs the return
 * visit's satisfaction (and takes a note); `mark_duplicate` needs the original, a case of the
 * same board, and records it in `duplicateOf`; reopening a duplicate clears it.
 */
export function applyCaseStatusAction(
	doc: Y.Doc,
	caseId: CaseId,
	action: CaseAction,
	details: StatusActionDetails,
	context: CaseCommandContext
): Result<CaseStatus, CaseStatusActionReason> {
	const { actor, authority } = context;
	const at = commandTime(context);
	const record = findCase(doc, caseId);
	if (!record) return err('case_not_found');
	if (!permitted(authority, action, record)) return err('not_permitted');
	const status = readCaseField(record, 'status');
	const next = applyCaseAction(status.value, action);
	if (!next.ok) return next;
	const extra = checkDetails(doc, caseId, action, details);
	if (!extra.ok) return extra;
	const duplicate = readCaseField(record, 'duplicateOf');
	const id = newEditId();
	doc.transact(() => {
		appendCaseFieldEdit(record, 'status', next.value, actor, at, id, status.heads);
		if (extra.value.duplicateOf !== undefined || (action === 'reopen' && duplicate.value !== '')) {
			const to = extra.value.duplicateOf ?? '';
			appendCaseFieldEdit(record, 'duplicateOf', to, actor, at, newEditId(), duplicate.heads);
		}
		recordTimelineEntry(
			record,
			actor,
			at,
			{ kind: 'status', action, from: status.value, to: next.value, ...extra.value },
			id
		);
	}, ORIGIN_LOCAL_EDIT);
	return next;
}

/**
 * Escalates a case one tier up or hands it back one tier down, with a reason (required). The
 * new tier's clock starts now: an explicit deadline is cleared (recorded in the timeline), so
 * the new holder gets its own tier's deadline from the rules (case-deadline.ts).
 */
export function moveCaseTier(
	doc: Y.Doc,
	caseId: CaseId,
	action: TierAction,
	reason: string,
	context: CaseCommandContext
): Result<Tier, MoveCaseTierReason> {
	const { actor, authority } = context;
	const at = commandTime(context);
	const record = findCase(doc, caseId);
	if (!record) return err('case_not_found');
	const tier = readCaseField(record, 'tier');
	const status = readCaseField(record, 'status').value;
	const moved = moveTier(tier.value, status, action, reason);
	if (!moved.ok) return moved;
	if (!permitted(authority, action, record)) return err('not_permitted');
	const deadline = readCaseField(record, 'deadline');
	const id = newEditId();
	doc.transact(() => {
		appendCaseFieldEdit(record, 'tier', moved.value, actor, at, id, tier.heads);
		recordTimelineEntry(
			record,
			actor,
			at,
			{ kind: 'tier', action, from: tier.value, to: moved.value, reason: reason.trim() },
			id
		);
		if (deadline.value !== null) {
			const clear = newEditId();
			appendCaseFieldEdit(record, 'deadline', null, actor, at, clear, deadline.heads);
			recordTimelineEntry(
				record,
				actor,
				at,
				{ kind: 'deadline', from: deadline.value, to: null },
				clear
			);
		}
	}, ORIGIN_LOCAL_EDIT);
	return moved;
}

export const escalateCase = (
	doc: Y.Doc,
	caseId: CaseId,
	reason: string,
	context: CaseCommandContext
) => moveCaseTier(doc, caseId, 'escalate', reason, context);

export const handBackCase = (
	doc: Y.Doc,
	caseId: CaseId,
	reason: string,
	context: CaseCommandContext
) => moveCaseTier(doc, caseId, 'hand_back', reason, context);

/**
 * Sets who handles a case (names, see case-input.ts). `seen` is the assignees' heads when the
 * picker opened; the same list over the same heads writes nothing.
 */
export function assignCase(
	doc: Y.Doc,
	caseId: CaseId,
	names: readonly string[],
	{ seen }: SeenOption,
	context: CaseCommandContext
): Result<Changed, AssignCaseReason> {
	const { actor, authority } = context;
	const at = commandTime(context);
	const valid = validateAssignees(names);
	if (!valid.ok) return valid;
	const record = findCase(doc, caseId);
	if (!record) return err('case_not_found');
	if (!permitted(authority, 'assign', record)) return err('not_permitted');
	const current = readCaseField(record, 'assignees');
	const bases = seen ?? current.heads;
	if (current.value === valid.value && sameHeads(bases, current.heads) && !current.conflict) {
		return ok(UNCHANGED);
	}
	const id = newEditId();
	doc.transact(() => {
		appendCaseFieldEdit(record, 'assignees', valid.value, actor, at, id, bases);
		recordTimelineEntry(
			record,
			actor,
			at,
			{ kind: 'assigned', from: splitAssignees(current.value), to: splitAssignees(valid.value) },
			id
		);
	}, ORIGIN_LOCAL_EDIT);
	return ok(CHANGED);
}

/**
 * Sets the case's deadline (epoch ms; the end of the chosen day in the community's zone,
 * domain/due-date.ts), or null for its tier's default from the rules. A deadline already past
 * at `at` is refused: a new deadline nobody can meet is a typing slip.
 */
export function setCaseDeadline(
	doc: Y.Doc,
	caseId: CaseId,
	deadline: number | null,
	{ seen }: SeenOption,
	context: CaseCommandContext
): Result<Changed, SetDeadlineReason> {
	const { actor, authority } = context;
	const at = commandTime(context);
	if (!isValidDeadline(deadline)) return err('deadline_invalid');
	if (deadline !== null && deadline < at) return err('deadline_in_past');
	const record = findCase(doc, caseId);
	if (!record) return err('case_not_found');
	if (!permitted(authority, 'set_deadline', record)) return err('not_permitted');
	const current = readCaseField(record, 'deadline');
	const bases = seen ?? current.heads;
	if (current.value === deadline && sameHeads(bases, current.heads) && !current.conflict) {
		return ok(UNCHANGED);
	}
	const id = newEditId();
	doc.transact(() => {
		appendCaseFieldEdit(record, 'deadline', deadline, actor, at, id, bases);
		recordTimelineEntry(
			record,
			actor,
			at,
			{ kind: 'deadline', from: current.value, to: deadline },
			id
		);
	}, ORIGIN_LOCAL_EDIT);
	return ok(CHANGED);
}

/** Adds a comment to the case's timeline. Any board writer may comment. */
export function addCaseComment(
	doc: Y.Doc,
	caseId: CaseId,
	text: string,
	context: CaseCommandContext
): Result<EditId, AddCommentReason> {
	const { actor } = context;
	const at = commandTime(context);
	const valid = validateComment(text);
	if (!valid.ok) return valid;
	const record = findCase(doc, caseId);
	if (!record) return err('case_not_found');
	if (!permitted(context.authority, 'comment', record)) return err('not_permitted');
	const id = newEditId();
	doc.transact(() => {
		recordTimelineEntry(record, actor, at, { kind: 'comment', text: valid.value }, id);
	}, ORIGIN_LOCAL_EDIT);
	return ok(id);
}

/**
 * Picks one of a field's concurrent values; the others stay in the timeline entry. `seen` is the
 * field's heads as shown to the person choosing (`FieldState.heads`): a value that arrived after
 * the choice was shown is not discarded unseen but stays in conflict.
 */
export function resolveCaseFieldConflict<F extends CaseField>(
	doc: Y.Doc,
	caseId: CaseId,
	field: F,
	chosen: CaseFieldValues[F],
	{ seen }: SeenOption,
	context: CaseCommandContext
): Result<Changed, ResolveConflictReason> {
	const { actor, authority } = context;
	const at = commandTime(context);
	const record = findCase(doc, caseId);
	if (!record) return err('case_not_found');
	if (!mayResolveConflict(authority.claims, authority.gridId, field, caseState(record))) {
		return err('not_permitted');
	}
	const { conflict } = readCaseField(record, field);
	if (conflict === null) return err('no_conflict');
	if (!conflict.values.some((candidate) => candidate.value === chosen)) {
		return err('value_not_in_conflict');
	}
	settleConflict(doc, record, field, chosen, conflict, actor, at, seen);
	return ok(CHANGED);
}

/** One field of an edit form: the value to write and the field's heads when the form opened. */
export type FieldChange = Readonly<{ value: string; seen: readonly EditId[] }>;
export type CaseChanges = Readonly<{ [F in EditableCaseField]?: FieldChange }>;

/**
 * Saves an edit form: every changed field in one transaction, all or nothing. Each field's edit
 * supersedes only the heads the form was opened with, so a concurrent edit that arrived while
 * the form was open stays visible as a conflict. A field whose value and heads are unchanged is
 * not written; pass only the fields the person actually changed.
 */
export function editCase(
	doc: Y.Doc,
	caseId: CaseId,
	changes: CaseChanges,
	context: CaseCommandContext
): Result<Changed, EditCaseFieldReason> {
	const { actor } = context;
	const at = commandTime(context);
	const record = findCase(doc, caseId);
	if (!record) return err('case_not_found');
	if (!permitted(context.authority, 'edit', record)) return err('not_permitted');
	const writes: {
		field: EditableCaseField;
		value: string;
		seen: readonly EditId[];
		from: string;
	}[] = [];
	for (const field of EDITABLE_CASE_FIELDS) {
		const change = changes[field];
		if (change === undefined) continue;
		const valid = validateCaseField(field, change.value);
		if (!valid.ok) return valid;
		const current = readCaseField(record, field);
		// Nothing new to say: the same value over exactly the heads that are there.
		if (current.value === valid.value && sameHeads(change.seen, current.heads)) continue;
		writes.push({ field, value: valid.value, seen: change.seen, from: current.value });
	}
	if (writes.length === 0) return ok(UNCHANGED);
	doc.transact(() => {
		for (const { field, value, seen, from } of writes) {
			const id = newEditId();
			appendCaseFieldEdit(record, field, value as never, actor, at, id, seen);
			recordTimelineEntry(record, actor, at, { kind: 'edited', field, from, to: value }, id);
		}
	}, ORIGIN_LOCAL_EDIT);
	return ok(CHANGED);
}
