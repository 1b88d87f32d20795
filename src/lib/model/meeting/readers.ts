/**
 * Meetings index readers: frozen plain snapshots of the community's meetings for the list
 * and the meeting page, plus the mediation tally.
 *
 * Invariant: pure functions of the document; every replica holding the same updates returns
 * equal snapshots (lists sorted by (startsAt desc, id)).
 */

import type * as Y from 'yjs';
import { mediationSuccessRate, type MediationTally } from '../../domain/mediation-rate';
import type { AttendeeRole, MeetingId } from '../../domain/meeting-rules';
import { matchesMeetingSearch } from '../../domain/meeting-search';
import type { FieldState } from '../field-log';
import {
	MEETING_FIELDS,
	meetingsMap,
	parseAttendeeEntry,
	parseMeetingRecord,
	readMeetingField,
	findMeeting,
	type MeetingField,
	type MeetingFieldValues,
	type MeetingRecord
} from './schema';

export type Attendee = Readonly<{
	id: string;
	name: string;
	organisation: string;
	role: AttendeeRole;
}>;

export type MeetingFieldStates = Readonly<{
	[F in MeetingField]: FieldState<MeetingFieldValues[F]>;
}>;

export type MeetingSummary = Readonly<
	MeetingFieldValues & {
		id: MeetingId;
		createdAt: number;
		createdBy: string;
		attendees: readonly Attendee[];
		hasConflict: boolean;
	}
>;

export type MeetingSnapshot = Readonly<MeetingSummary & { fields: MeetingFieldStates }>;

function readAttendees(record: MeetingRecord): readonly Attendee[] {
	const entries = record.attendees
		.toArray()
		.map(parseAttendeeEntry)
		.filter((e) => e !== null);
	const removed = new Set(entries.filter((e) => e.kind === 'removed').map((e) => e.attendeeId));
	const present = new Map<string, Attendee>();
	for (const e of entries) {
		if (e.kind !== 'added' || removed.has(e.attendeeId)) continue;
		present.set(
			e.attendeeId,
			Object.freeze({ id: e.attendeeId, name: e.name, organisation: e.organisation, role: e.role })
		);
	}
	return Object.freeze(
		[...present.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
	);
}

function readSnapshot(record: MeetingRecord): MeetingSnapshot {
	const fields = {} as Record<MeetingField, FieldState<MeetingFieldValues[MeetingField]>>;
	const values = {} as Record<MeetingField, unknown>;
	let hasConflict = false;
	for (const field of MEETING_FIELDS) {
		const state = readMeetingField(record, field);
		fields[field] = state;
		values[field] = state.value;
		if (state.conflict) hasConflict = true;
	}
	const createdAt = record.map.get('createdAt');
	const createdBy = record.map.get('createdBy');
	return Object.freeze({
		...(values as MeetingFieldValues),
		id: record.id,
		createdAt: typeof createdAt === 'number' ? createdAt : 0,
		createdBy: typeof createdBy === 'string' ? createdBy : '',
		attendees: readAttendees(record),
		hasConflict,
		fields: Object.freeze(fields as MeetingFieldStates)
	});
}

export function readMeeting(doc: Y.Doc, meetingId: string): MeetingSnapshot | null {
	const record = findMeeting(doc, meetingId);
	return record ? readSnapshot(record) : null;
}

/** Every meeting, newest first. */
export function listMeetings(doc: Y.Doc): readonly MeetingSummary[] {
	const out: MeetingSnapshot[] = [];
	for (const [key, value] of meetingsMap(doc).entries()) {
		const record = parseMeetingRecord(key, value);
		if (record) out.push(readSnapshot(record));
	}
	out.sort((a, b) => b.startsAt - a.startsAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	return Object.freeze(out);
}

export type MeetingFilter = Readonly<{ query?: string; gridId?: string | null }>;

/** The list filtered by grid (`null`: all; `''`: whole-community meetings) and search text. */
export function filterMeetings(
	meetings: readonly MeetingSummary[],
	filter: MeetingFilter
): readonly MeetingSummary[] {
	return meetings.filter(
		(meeting) =>
			(filter.gridId === undefined || filter.gridId === null || meeting.gridId === filter.gridId) &&
			matchesMeetingSearch(meeting, filter.query ?? '')
	);
}

export function readMediationTally(meetings: readonly MeetingSummary[]): MediationTally {
	return mediationSuccessRate(meetings);
}
