/**
 * Case schema: how one grid's problem ledger is laid out in its board Y.Doc
 * (`c/{communityId}/board/{gridId}`), and typed access to it for commands and readers.
 *
 *   doc.getMap('cases'): caseId → Y.Map {
 *     id, createdAt, createdBy, createdByDevice,
 *     fields:   Y.Map { <field> → Y.Array (field log), <field>~<clientID> → Y.Array (see below) },
 *     timeline: Y.Array<TimelineEntry>          (append-only plain objects)
 *     receipts: Y.Map<entryId, confirmedAt>    (+ receipts~<clientID>; written once per entry)
 *     photos:   Y.Array<PhotoRef>              (case-photos.ts)
 *   }
 *
 * Fields: title, description, category, channel, location, mapPoint, reporterName,
 * residentContact, handlingType, priority, assignees, deadline, status, tier, duplicateOf.
 *
 * Migration without rewriting: a case created by the first schema has only the original five
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
import type { Actor } from '../domain/actor';
import { isCaseCategory } from '../domain/case-category';
import {
	isDuplicateTarget,
	isValidDeadline,
	ORIGINAL_CASE_FIELDS,
	type CaseField,
	type CaseFieldValues
} from '../domain/case-input';
import { isHandlingType, isPriority, isTier, isCaseChannel } from '../domain/case-options';
import { isCaseStatus } from '../domain/case-status';
import type { TimelineEntry, TimelineEntryBody } from '../domain/case-timeline';
import { isValidIdSegment, newEditId, type CaseId, type EditId } from '../domain/ids';
import {
	readFieldEdits,
	resolveFieldState,
	type FieldEdit,
	type FieldLog,
	type FieldState,
	type IsFieldValue
} from './field-log';
import { logSlots as slots, writableSlot } from './slots';

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
export const FIELD_FALLBACK: { readonly [F in CaseField]: CaseFieldValues[F] } = {
	title: '',
	description: '',
	category: 'other',
	channel: '',
	location: '',
	mapPoint: '',
	reporterName: '',
	residentContact: '',
	handlingType: 'supervised',
	priority: 'normal',
	assignees: '',
	deadline: null,
	status: 'reported',
	tier: 'grid',
	duplicateOf: ''
};

export type CaseRecord = Readonly<{
	id: CaseId;
	map: Y.Map<unknown>;
	fields: Y.Map<unknown>;
	timeline: Y.Array<unknown>;
}>;

export function casesMap(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap<unknown>('cases');
}

export function parseCaseRecord(key: string, value: unknown): CaseRecord | null {
	if (!isValidIdSegment(key) || !(value instanceof Y.Map)) return null;
	const fields = value.get('fields');
	const timeline = value.get('timeline');
	if (!(fields instanceof Y.Map) || !(timeline instanceof Y.Array)) return null;
	for (const field of ORIGINAL_CASE_FIELDS)
		if (!(fields.get(field) instanceof Y.Array)) return null;
	return { id: key as CaseId, map: value, fields, timeline };
}

export function findCase(doc: Y.Doc, caseId: CaseId): CaseRecord | null {
	return parseCaseRecord(caseId, casesMap(doc).get(caseId));
}

const isYArray = (value: unknown): value is Y.Array<unknown> => value instanceof Y.Array;
const isYMap = (value: unknown): value is Y.Map<unknown> => value instanceof Y.Map;

export function readCaseFieldEdits<F extends CaseField>(
	record: CaseRecord,
	field: F
): readonly FieldEdit<CaseFieldValues[F]>[] {
	return slots(record.fields, field).flatMap((log) => readFieldEdits(log, FIELD_IS_VALUE[field]));
}

export function readCaseField<F extends CaseField>(
	record: CaseRecord,
	field: F
): FieldState<CaseFieldValues[F]> {
	return resolveFieldState(readCaseFieldEdits(record, field), FIELD_FALLBACK[field]);
}

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
