/**
 * Case schema: how one grid's problem ledger is laid out in its board Y.Doc
 * (`c/{communityId}/board/{gridId}`), and typed access to it for commands and readers.
 *
 *   doc.getMap('cases'): caseId → Y.Map {
 *     initial:  { id, by, deviceId, at, values: { <field> → value } }   (plain object, see below)
 *     fields:   Y.Map { <field>~<clientID> → Y.Array (field log, see below) },
 *     timeline: Y.Array<TimelineEntry>          (append-only plain objects)
 *     receipts~<clientID>: Y.Map<entryId, confirmedAt>   (written once per entry)
 *     photos:   Y.Array<PhotoRef>              (model/case/photos.ts)
 *   }
 *
 * Fields: title, description, category, channel, location, mapPoint, reporterName,
 * residentContact, handlingType, priority, assignees, deadline, status, tier, duplicateOf.
 *
 * Initial values: a case is created with every field set, and most fields of most cases are
 * never edited again, so the creation is one plain object, read as the first edit (bases: none)
 * of every field it names, with the id of the case's `created` timeline entry. It names only
 * the fields whose value differs from `FIELD_FALLBACK` (most optional fields start empty); a
 * field it leaves out reads as its fallback with no edit, like a field an older case lacks.
 * Later edits go into field logs. This keeps a 10,000-case board small enough to open in a second: one field log
 * per field from the start made every case 15 Y.Arrays and about 2.3 KB (docs/benchmarks.md).
 *
 * Migration without rewriting: cases created before `initial` existed hold `id`, `createdAt`,
 * `createdBy`, `createdByDevice`, a `receipts` map and a field log under `<field>` from their
 * creation; readers take both forms. A case created by the first schema has only the original five
 * field logs and no receipts map. Readers show defaults for what is missing. A command that must
 * write a missing log does not create `<field>` (two replicas creating it concurrently would make
 * Yjs keep one Y.Array and drop the other with its edits); it writes to `<field>~<clientID>`, a
 * key only this replica session ever creates. Readers take the union of every log of a field,
 * so edit ids, heads and conflicts work across them exactly as within one log.
 *
 * Invariant: a case's Y.Map, fields map and timeline are created together by `createCase` and
 * never replaced; every Y type is created once under a key no other replica creates.
 */

import * as Y from 'yjs';
import type { Actor } from '../../domain/actor';
import { isCaseCategory } from '../../domain/case-category';
import {
	CASE_FIELD_DEFAULTS,
	CASE_FIELDS,
	isDuplicateTarget,
	isValidDeadline,
	ORIGINAL_CASE_FIELDS,
	type CaseField,
	type CaseFieldValues
} from '../../domain/case-input';
import { isHandlingType, isPriority, isTier, isCaseChannel } from '../../domain/case-options';
import { isCaseStatus } from '../../domain/case-status';
import type { TimelineEntry, TimelineEntryBody } from '../../domain/case-timeline';
import { isValidIdSegment, newEditId, type CaseId, type EditId } from '../../domain/ids';
import {
	parseFieldEdit,
	readFieldEdits,
	resolveFieldState,
	type FieldEdit,
	type FieldLog,
	type FieldState,
	type IsFieldValue
} from '../field-log';
import { logSlots as slots, logSlotsByKey, writableSlot } from '../slots';

const isString = (value: unknown): value is string => typeof value === 'string';

export const FIELD_IS_VALUE: { readonly [F in CaseField]: IsFieldValue<CaseFieldValues[F]> } = {
	title: isString,
	description: isString,
	category: isCaseCategory,
	channel: (value): value is CaseFieldValues['channel'] => value === '' || isCaseChannel(value),
	location: isString,
	mapPoint: isString,
	reporterName: isString,
	residentContact: isString,
	handlingType: isHandlingType,
	priority: isPriority,
	assignees: isString,
	deadline: isValidDeadline,
	status: isCaseStatus,
	tier: isTier,
	duplicateOf: isDuplicateTarget
};

/** What a reader shows for a field that is missing (older case) or none of whose edits it can read. */
export const FIELD_FALLBACK = CASE_FIELD_DEFAULTS;

export type CaseRecord = Readonly<{
	id: CaseId;
	map: Y.Map<unknown>;
	fields: Y.Map<unknown>;
	timeline: Y.Array<unknown>;
	/** The `initial` object as stored (unvalidated), or null for a case from before it existed. */
	initial: Readonly<Record<string, unknown>> | null;
}>;

/** What `createCase` stores under `initial`. */
export type InitialValues = Readonly<{
	id: EditId;
	by: string;
	deviceId: string;
	at: number;
	/** Only the fields whose value differs from `FIELD_FALLBACK`. */
	values: Partial<CaseFieldValues>;
}>;

export function casesMap(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap<unknown>('cases');
}

export function parseCaseRecord(key: string, value: unknown): CaseRecord | null {
	if (!isValidIdSegment(key) || !(value instanceof Y.Map)) return null;
	const fields = value.get('fields');
	const timeline = value.get('timeline');
	if (!(fields instanceof Y.Map) || !(timeline instanceof Y.Array)) return null;
	const initial = value.get('initial');
	if (isPlainRecord(initial) && isPlainRecord(initial.values)) {
		return { id: key as CaseId, map: value, fields, timeline, initial };
	}
	for (const field of ORIGINAL_CASE_FIELDS)
		if (!(fields.get(field) instanceof Y.Array)) return null;
	return { id: key as CaseId, map: value, fields, timeline, initial: null };
}

function isPlainRecord(value: unknown): value is Readonly<Record<string, unknown>> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Who created the case, when, and the edit id of the creation; null if there is none to read. */
type InitialHeader = Readonly<{ edit: FieldEdit<null>; values: Readonly<Record<string, unknown>> }>;

function initialHeader(record: CaseRecord): InitialHeader | null {
	const initial = record.initial;
	const edit = initial && parseFieldEdit({ ...initial, value: null, bases: [] }, isNull);
	return edit ? { edit, values: initial.values as Readonly<Record<string, unknown>> } : null;
}

/** The creation's value of `field` as a first edit, or null (not named, or not readable). */
function initialEdit<F extends CaseField>(
	header: InitialHeader | null,
	field: F
): FieldEdit<CaseFieldValues[F]> | null {
	if (header === null || !Object.hasOwn(header.values, field)) return null;
	const value = header.values[field];
	return FIELD_IS_VALUE[field](value) ? Object.freeze({ ...header.edit, value }) : null;
}

const isNull = (value: unknown): value is null => value === null;

export function findCase(doc: Y.Doc, caseId: CaseId): CaseRecord | null {
	return parseCaseRecord(caseId, casesMap(doc).get(caseId));
}

const isYArray = (value: unknown): value is Y.Array<unknown> => value instanceof Y.Array;
const isYMap = (value: unknown): value is Y.Map<unknown> => value instanceof Y.Map;

export function readCaseFieldEdits<F extends CaseField>(
	record: CaseRecord,
	field: F
): readonly FieldEdit<CaseFieldValues[F]>[] {
	const edits = slots(record.fields, field).flatMap((log) =>
		readFieldEdits(log, FIELD_IS_VALUE[field])
	);
	const first = initialEdit(initialHeader(record), field);
	return first ? [first, ...edits] : edits;
}

export function readCaseField<F extends CaseField>(
	record: CaseRecord,
	field: F
): FieldState<CaseFieldValues[F]> {
	return resolveFieldState(readCaseFieldEdits(record, field), FIELD_FALLBACK[field]);
}

export type CaseFieldStates = Readonly<{ [F in CaseField]: FieldState<CaseFieldValues[F]> }>;

/**
 * Every field's state, equal to `readCaseField` for each field, in one pass over the fields
 * map: a board reads this for each of its thousands of cases, and most fields hold only their
 * initial value, whose state needs no head computation.
 */
export function readCaseFieldStates(record: CaseRecord): CaseFieldStates {
	const logs = logSlotsByKey(record.fields);
	const header = initialHeader(record);
	const initialHeads = header ? Object.freeze([header.edit.id]) : [];
	const states: Partial<Record<CaseField, FieldState<CaseFieldValues[CaseField]>>> = {};
	for (const field of CASE_FIELDS) {
		const first = initialEdit(header, field);
		const fieldLogs = logs.get(field);
		if (fieldLogs === undefined) {
			states[field] = first
				? Object.freeze({ value: first.value, conflict: null, heads: initialHeads })
				: FALLBACK_STATES[field];
			continue;
		}
		const isValue = FIELD_IS_VALUE[field] as IsFieldValue<CaseFieldValues[CaseField]>;
		const edits = fieldLogs.flatMap((log) => readFieldEdits(log, isValue));
		if (first) edits.push(first);
		states[field] = resolveFieldState(edits, FIELD_FALLBACK[field]);
	}
	return Object.freeze(states as CaseFieldStates);
}

/** The state of a field nobody has set: its fallback, no heads. */
const FALLBACK_STATES = Object.fromEntries(
	CASE_FIELDS.map((field) => [field, resolveFieldState([], FIELD_FALLBACK[field])])
) as CaseFieldStates;

/** The log a new edit of `field` goes into; call inside a command's transaction. */
export function caseFieldLogForWrite(record: CaseRecord, field: CaseField): FieldLog {
	return writableSlot(record.fields, field, () => new Y.Array<unknown>(), isYArray);
}

/**
 * Appends an edit of `field` over `seen` (the heads its writer saw; the current heads when
 * omitted). Call inside a command's transaction.
 */
export function appendCaseFieldEdit<F extends CaseField>(
	record: CaseRecord,
	field: F,
	value: CaseFieldValues[F],
	actor: Actor,
	at: number,
	id: EditId,
	seen?: readonly EditId[]
): void {
	const bases = seen ?? readCaseField(record, field).heads;
	caseFieldLogForWrite(record, field).push([
		{ id, value, bases: [...bases], by: actor.name, deviceId: actor.deviceId, at }
	]);
}

/** Builds a timeline entry stamped with who, which device and when. */
export function timelineEntry(
	actor: Actor,
	at: number,
	body: TimelineEntryBody,
	id: EditId = newEditId()
): TimelineEntry {
	return { id, at, by: actor.name, deviceId: actor.deviceId, ...body } as TimelineEntry;
}

/** Appends one history entry; call inside a command's transaction. */
export function appendTimelineEntry(record: CaseRecord, entry: TimelineEntry): void {
	record.timeline.push([{ ...entry }]);
}

/**
 * Builds and appends one history entry (ledger-photos' `photo_added` goes through here too);
 * call inside a command's transaction. Returns the entry as written.
 */
export function recordTimelineEntry(
	record: CaseRecord,
	actor: Actor,
	at: number,
	body: TimelineEntryBody,
	id?: EditId
): TimelineEntry {
	const entry = timelineEntry(actor, at, body, id);
	appendTimelineEntry(record, entry);
	return entry;
}

/** Every receipt of the case: timeline entry id → when the relay confirmed it (epoch ms). */
export function readReceipts(record: CaseRecord): ReadonlyMap<string, number> {
	const receipts = new Map<string, number>();
	const main = record.map.get('receipts');
	const maps: Y.Map<unknown>[] = main instanceof Y.Map ? [main] : [];
	for (const [name, value] of record.map.entries()) {
		if (name.startsWith('receipts~') && value instanceof Y.Map) maps.push(value);
	}
	for (const map of maps) {
		for (const [entryId, at] of map.entries()) {
			if (typeof at !== 'number' || !Number.isFinite(at)) continue;
			// Written once per entry; should two ever exist, the earliest is the honest one.
			receipts.set(entryId, Math.min(at, receipts.get(entryId) ?? at));
		}
	}
	return receipts;
}

/** The receipts map this replica writes to; call inside a command's transaction. */
export function receiptsForWrite(record: CaseRecord): Y.Map<unknown> {
	return writableSlot(record.map, 'receipts', () => new Y.Map<unknown>(), isYMap);
}
