/**
 * Case schema: how one grid's problem ledger is laid out in its board Y.Doc
 * (`c/{communityId}/board/{gridId}`), and typed access to it for commands and readers.
 *
 *   doc.getMap('cases'): caseId → Y.Map {
 *     id, createdAt, createdBy, createdByDevice,
 *     fields:   Y.Map { title | description | category | location | status → Y.Array (field log) },
 *     timeline: Y.Array<TimelineEntry>   (append-only plain objects)
 *   }
 *
 * Invariant: a case's Y.Map, its fields map, its five field logs and its timeline are all
 * created together by `createCase` and never replaced, so no concurrent write can swap out a
 * Y type another replica is appending to. A record missing any of them is treated as absent.
 */

import * as Y from 'yjs';
import { isCaseCategory } from '../domain/case-category';
import { CASE_FIELDS, type CaseField, type CaseFieldValues } from '../domain/case-input';
import { isCaseStatus } from '../domain/case-status';
import type { TimelineEntry } from '../domain/case-timeline';
import { isValidIdSegment, type CaseId } from '../domain/ids';
import { readFieldState, type FieldLog, type FieldState, type IsFieldValue } from './field-log';

const isString = (value: unknown): value is string => typeof value === 'string';

export const FIELD_IS_VALUE: { readonly [F in CaseField]: IsFieldValue<CaseFieldValues[F]> } = {
	title: isString,
	description: isString,
	category: isCaseCategory,
	location: isString,
	status: isCaseStatus
};

/** What a reader shows for a field none of whose edits this app version can read. */
export const FIELD_FALLBACK: { readonly [F in CaseField]: CaseFieldValues[F] } = {
	title: '',
	description: '',
	category: 'other',
	location: '',
	status: 'reported'
};

export type CaseRecord = Readonly<{
	id: CaseId;
	map: Y.Map<unknown>;
	logs: Readonly<Record<CaseField, FieldLog>>;
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
	const logs: Partial<Record<CaseField, FieldLog>> = {};
	for (const field of CASE_FIELDS) {
		const log = fields.get(field);
		if (!(log instanceof Y.Array)) return null;
		logs[field] = log;
	}
	return { id: key as CaseId, map: value, logs: logs as Record<CaseField, FieldLog>, timeline };
}

export function findCase(doc: Y.Doc, caseId: CaseId): CaseRecord | null {
	return parseCaseRecord(caseId, casesMap(doc).get(caseId));
}

export function readCaseField<F extends CaseField>(
	record: CaseRecord,
	field: F
): FieldState<CaseFieldValues[F]> {
	return readFieldState(record.logs[field], FIELD_IS_VALUE[field], FIELD_FALLBACK[field]);
}

/** Appends one history entry; call inside a command's transaction. */
export function appendTimelineEntry(record: CaseRecord, entry: TimelineEntry): void {
	record.timeline.push([{ ...entry }]);
}
