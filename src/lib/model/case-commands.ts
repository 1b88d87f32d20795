/**
 * Case commands: every write to a grid's problem ledger. Each validates first, then runs one
 * `doc.transact(fn, ORIGIN_LOCAL_EDIT)` that appends a field edit and a timeline entry.
 *
 * Invariant: a refused command writes nothing; an accepted one appends exactly one timeline
 * entry per field it changes (creation appends one `created` entry), sharing its id with the
 * field edit it records. Nothing is ever removed or rewritten.
 */

import * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import {
	CASE_FIELDS,
	EDITABLE_CASE_FIELDS,
	validateCaseField,
	validateCaseInput,
	type CaseField,
	type CaseFieldValues,
	type CaseInputReason,
	type EditableCaseField,
	type NewCaseInput
} from '../domain/case-input';
import {
	applyCaseAction,
	type CaseAction,
	type CaseActionReason,
	type CaseStatus
} from '../domain/case-status';
import { newCaseId, newEditId, type CaseId, type EditId } from '../domain/ids';
import { err, ok, type Result } from '../domain/result';
import { appendFieldEdit, createFieldLog, sameHeads, type FieldConflict } from './field-log';
import {
	appendTimelineEntry,
	casesMap,
	FIELD_IS_VALUE,
	findCase,
	readCaseField,
	type CaseRecord
} from './case-schema';
import { ORIGIN_LOCAL_EDIT } from './origins';

export type CreateCaseReason = CaseInputReason;
export type EditCaseFieldReason = CaseInputReason | 'case_not_found';
export type CaseStatusActionReason = CaseActionReason | 'case_not_found';
export type ResolveConflictReason = 'case_not_found' | 'no_conflict' | 'value_not_in_conflict';

export type Changed = Readonly<{ changed: boolean }>;
const CHANGED: Changed = Object.freeze({ changed: true });
const UNCHANGED: Changed = Object.freeze({ changed: false });

export function createCase(
	doc: Y.Doc,
	input: NewCaseInput,
	actor: Actor,
	at: number = Date.now()
): Result<CaseId, CreateCaseReason> {
	const valid = validateCaseInput(input);
	if (!valid.ok) return valid;
	const values: CaseFieldValues = { ...valid.value, status: 'reported' };
	const id = newCaseId();
	doc.transact(() => {
		const map = new Y.Map<unknown>();
		casesMap(doc).set(id, map);
		map.set('id', id);
		map.set('createdAt', at);
		map.set('createdBy', actor.name);
		map.set('createdByDevice', actor.deviceId);
		const fields = new Y.Map<unknown>();
		map.set('fields', fields);
		for (const field of CASE_FIELDS) fields.set(field, createFieldLog(values[field], actor, at));
		const timeline = new Y.Array<unknown>();
		map.set('timeline', timeline);
		timeline.push([
			{
				id: newEditId(),
				kind: 'created',
				at,
				by: actor.name,
				deviceId: actor.deviceId,
				title: values.title,
				category: values.category,
				status: values.status
			}
		]);
	}, ORIGIN_LOCAL_EDIT);
	return ok(id);
}

function otherValues<T>(conflict: FieldConflict<T & string> | null, chosen: T): string[] {
	return (conflict?.values ?? []).filter((c) => c.value !== chosen).map((c) => c.value);
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
		appendFieldEdit(record.logs[field], value, FIELD_IS_VALUE[field], actor, at, id, seen);
		appendTimelineEntry(record, {
			id,
			kind: 'conflict_resolved',
			at,
			by: actor.name,
			deviceId: actor.deviceId,
			field,
			to: value,
			discarded: otherValues(conflict, value)
		});
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
	actor: Actor,
	at: number = Date.now()
): Result<Changed, EditCaseFieldReason> {
	const valid = validateCaseField(field, value);
	if (!valid.ok) return valid;
	const record = findCase(doc, caseId);
	if (!record) return err('case_not_found');
	const current = readCaseField(record, field);
	if (current.value === valid.value) {
		if (current.conflict === null) return ok(UNCHANGED);
		settleConflict(doc, record, field, valid.value, current.conflict, actor, at);
		return ok(CHANGED);
	}
	const id = newEditId();
	doc.transact(() => {
		appendFieldEdit(record.logs[field], valid.value, FIELD_IS_VALUE[field], actor, at, id);
		appendTimelineEntry(record, {
			id,
			kind: 'edited',
			at,
			by: actor.name,
			deviceId: actor.deviceId,
			field,
			from: current.value,
			to: valid.value
		});
	}, ORIGIN_LOCAL_EDIT);
	return ok(CHANGED);
}

/**
 * Moves a case along the status flow, checked against the status this replica shows. When
 * the status is in conflict, acting on the shown one also settles the conflict (every
 * concurrent status change stays in the timeline).
 */
export function applyCaseStatusAction(
	doc: Y.Doc,
	caseId: CaseId,
	action: CaseAction,
	actor: Actor,
	at: number = Date.now()
): Result<CaseStatus, CaseStatusActionReason> {
	const record = findCase(doc, caseId);
	if (!record) return err('case_not_found');
	const from = readCaseField(record, 'status').value;
	const next = applyCaseAction(from, action);
	if (!next.ok) return next;
	const id = newEditId();
	doc.transact(() => {
		appendFieldEdit(record.logs.status, next.value, FIELD_IS_VALUE.status, actor, at, id);
		appendTimelineEntry(record, {
			id,
			kind: 'status',
			at,
			by: actor.name,
			deviceId: actor.deviceId,
			action,
			from,
			to: next.value
		});
	}, ORIGIN_LOCAL_EDIT);
	return next;
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
	actor: Actor,
	at: number = Date.now(),
	seen?: readonly EditId[]
): Result<Changed, ResolveConflictReason> {
	const record = findCase(doc, caseId);
	if (!record) return err('case_not_found');
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
	actor: Actor,
	at: number = Date.now()
): Result<Changed, EditCaseFieldReason> {
	const record = findCase(doc, caseId);
	if (!record) return err('case_not_found');
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
			appendFieldEdit(record.logs[field], value, FIELD_IS_VALUE[field], actor, at, id, seen);
			appendTimelineEntry(record, {
				id,
				kind: 'edited',
				at,
				by: actor.name,
				deviceId: actor.deviceId,
				field,
				from,
				to: value
			});
		}
	}, ORIGIN_LOCAL_EDIT);
	return ok(CHANGED);
}
