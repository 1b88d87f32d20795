/**
 * Meetings index schema: how the community's meetings list is laid out in its Y.Doc
 * (`c/{communityId}/meetings/index`), and typed access for commands and readers.
 *
 *   doc.getMap('meetings'): meetingId → Y.Map {
 *     id, createdAt, createdBy, createdByDevice,
 *     fields:    Y.Map { title | type | startsAt | place | gridId | agenda | status |
 *                        mediationClaim | mediationOutcome | agreementText → Y.Array (field log) },
 *     attendees: Y.Array<AttendeeEntry>   (append-only: added / removed)
 *   }
 *
 * Invariant: a meeting's map, fields, field logs and attendee list are created together by
 * `createMeeting` and never replaced; a record missing any of them is treated as absent.
 */

import * as Y from 'yjs';
import {
	isAttendeeRole,
	isMediationOutcome,
	isMeetingId,
	isMeetingStatus,
	isMeetingType,
	type AttendeeRole,
	type MediationOutcome,
	type MeetingId,
	type MeetingInput,
	type MeetingStatus
} from '../../domain/meeting-rules';
import { isValidIdSegment } from '../../domain/ids';
import { readFieldState, type FieldLog, type FieldState, type IsFieldValue } from '../field-log';

export type MeetingFieldValues = { -readonly [F in keyof MeetingInput]: MeetingInput[F] } & {
	status: MeetingStatus;
	mediationClaim: string;
	mediationOutcome: MediationOutcome;
	agreementText: string;
};
export type MeetingField = keyof MeetingFieldValues;

export const MEETING_FIELDS = [
	'title',
	'type',
	'startsAt',
	'place',
	'gridId',
	'agenda',
	'status',
	'mediationClaim',
	'mediationOutcome',
	'agreementText'
] as const satisfies readonly MeetingField[];

const isString = (value: unknown): value is string => typeof value === 'string';
const isTime = (value: unknown): value is number =>
	typeof value === 'number' && Number.isFinite(value);
const isGrid = (value: unknown): value is string => value === '' || isValidIdSegment(value);

export const MEETING_FIELD_IS_VALUE: {
	readonly [F in MeetingField]: IsFieldValue<MeetingFieldValues[F]>;
} = {
	title: isString,
	type: isMeetingType,
	startsAt: isTime,
	place: isString,
	gridId: isGrid,
	agenda: isString,
	status: isMeetingStatus,
	mediationClaim: isString,
	mediationOutcome: isMediationOutcome,
	agreementText: isString
};

export const MEETING_FIELD_FALLBACK: { readonly [F in MeetingField]: MeetingFieldValues[F] } = {
	title: '',
	type: 'grid_meeting',
	startsAt: 0,
	place: '',
	gridId: '',
	agenda: '',
	status: 'planned',
	mediationClaim: '',
	mediationOutcome: 'pending',
	agreementText: ''
};

/** One change of the attendee list; an attendee is present if added and not removed. */
export type AttendeeEntry = Readonly<{
	id: string;
	kind: 'added' | 'removed';
	attendeeId: string;
	name: string;
	organisation: string;
	role: AttendeeRole;
	at: number;
	by: string;
	deviceId: string;
}>;

export function parseAttendeeEntry(raw: unknown): AttendeeEntry | null {
	if (typeof raw !== 'object' || raw === null) return null;
	const e = raw as Record<string, unknown>;
	if (!isValidIdSegment(e.id) || !isValidIdSegment(e.attendeeId)) return null;
	if (e.kind !== 'added' && e.kind !== 'removed') return null;
	if (!isString(e.name) || !isString(e.organisation) || !isAttendeeRole(e.role)) return null;
	if (!isTime(e.at) || !isString(e.by) || !isString(e.deviceId)) return null;
	return Object.freeze({
		id: e.id,
		kind: e.kind,
		attendeeId: e.attendeeId,
		name: e.name,
		organisation: e.organisation,
		role: e.role,
		at: e.at,
		by: e.by,
		deviceId: e.deviceId
	});
}

export type MeetingRecord = Readonly<{
	id: MeetingId;
	map: Y.Map<unknown>;
	logs: Readonly<Record<MeetingField, FieldLog>>;
	attendees: Y.Array<unknown>;
}>;

export function meetingsMap(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap<unknown>('meetings');
}

export function parseMeetingRecord(key: string, value: unknown): MeetingRecord | null {
	if (!isMeetingId(key) || !(value instanceof Y.Map)) return null;
	const fields = value.get('fields');
	const attendees = value.get('attendees');
	if (!(fields instanceof Y.Map) || !(attendees instanceof Y.Array)) return null;
	const logs: Partial<Record<MeetingField, FieldLog>> = {};
	for (const field of MEETING_FIELDS) {
		const log = fields.get(field);
		if (!(log instanceof Y.Array)) return null;
		logs[field] = log;
	}
	return { id: key, map: value, logs: logs as Record<MeetingField, FieldLog>, attendees };
}

export function findMeeting(doc: Y.Doc, meetingId: string): MeetingRecord | null {
	return parseMeetingRecord(meetingId, meetingsMap(doc).get(meetingId));
}

export function readMeetingField<F extends MeetingField>(
	record: MeetingRecord,
	field: F
): FieldState<MeetingFieldValues[F]> {
	return readFieldState(
		record.logs[field],
		MEETING_FIELD_IS_VALUE[field],
		MEETING_FIELD_FALLBACK[field]
	);
}
