/**
 * Meetings index commands: create a meeting, edit its fields, move it along its lifecycle,
 * and change its attendees. Each validates first, then runs one `doc.transact(fn,
 * ORIGIN_LOCAL_EDIT)`.
 *
 * Invariant: a refused command writes nothing; fields are field logs, so two people setting
 * one field at once both stay visible until someone picks; a finished meeting's fields and
 * attendees are refused (`meeting_finished`); its record is amended in the meeting document.
 */

import * as Y from 'yjs';
import type { Actor } from '../../domain/actor';
import { newEditId, newId, type EditId } from '../../domain/ids';
import {
	applyMeetingAction,
	ATTENDEE_NAME_MAX,
	isAttendeeRole,
	isMediationOutcome,
	isMeetingType,
	MEETING_PLACE_MAX,
	MEETING_TITLE_MAX,
	newMeetingId,
	validateMeetingInput,
	validateMeetingText,
	type AttendeeRole,
	type MeetingAction,
	type MeetingId,
	type MeetingInputReason,
	type MeetingStatus,
	type NewMeetingInput
} from '../../domain/meeting-rules';
import { err, ok, type Result } from '../../domain/result';
import { appendFieldEdit, createFieldLog } from '../field-log';
import {
	findMeeting,
	MEETING_FIELD_IS_VALUE,
	MEETING_FIELDS,
	meetingsMap,
	readMeetingField,
	type MeetingFieldValues
} from './schema';
import { ORIGIN_LOCAL_EDIT } from '../origins';

export type MeetingCommandReason = 'meeting_not_found' | 'meeting_finished';

export function createMeeting(
	doc: Y.Doc,
	input: NewMeetingInput,
	actor: Actor,
	at: number = Date.now()
): Result<MeetingId, MeetingInputReason> {
	const valid = validateMeetingInput(input);
	if (!valid.ok) return valid;
	const values: MeetingFieldValues = {
		...valid.value,
		status: 'planned',
		mediationClaim: '',
		mediationOutcome: 'pending',
		agreementText: ''
	};
	const id = newMeetingId();
	doc.transact(() => {
		const map = new Y.Map<unknown>();
		meetingsMap(doc).set(id, map);
		map.set('id', id);
		map.set('createdAt', at);
		map.set('createdBy', actor.name);
		map.set('createdByDevice', actor.deviceId);
		const fields = new Y.Map<unknown>();
		map.set('fields', fields);
		for (const field of MEETING_FIELDS) {
			fields.set(field, createFieldLog(values[field], actor, at));
		}
		map.set('attendees', new Y.Array<unknown>());
	}, ORIGIN_LOCAL_EDIT);
	return ok(id);
}

/** The fields people edit by hand (status moves only through `applyMeetingStatusAction`). */
export type EditableMeetingField = Exclude<keyof MeetingFieldValues, 'status'>;

function validateField(
	field: EditableMeetingField,
	value: string | number
): Result<string | number, MeetingInputReason> {
	if (field === 'startsAt') {
		return typeof value === 'number' && Number.isFinite(value) ? ok(value) : err('time_invalid');
	}
	if (typeof value !== 'string') return err('text_too_long');
	if (field === 'type') return isMeetingType(value) ? ok(value) : err('type_invalid');
	if (field === 'mediationOutcome') {
		return isMediationOutcome(value) ? ok(value) : err('type_invalid');
	}
	if (field === 'gridId') {
		return MEETING_FIELD_IS_VALUE.gridId(value) ? ok(value) : err('grid_invalid');
	}
	if (field === 'title') {
		const title = validateMeetingText(value, MEETING_TITLE_MAX);
		if (!title.ok) return err('title_too_long');
		return title.value === '' ? err('title_required') : title;
	}
	const max = field === 'place' ? MEETING_PLACE_MAX : undefined;
	const text = validateMeetingText(value, max);
	return text.ok ? text : err(field === 'place' ? 'place_too_long' : 'text_too_long');
}

/**
 * Sets one field over the heads its editor saw (`seen`, from `FieldState.heads`; defaults to
 * the current heads). A value that arrived meanwhile stays visible as a conflict. Writing the
 * shown value over a conflict settles it.
 */
export function editMeetingField(
	doc: Y.Doc,
	meetingId: MeetingId,
	field: EditableMeetingField,
	value: string | number,
	actor: Actor,
	at: number = Date.now(),
	seen?: readonly EditId[]
): Result<{ changed: boolean }, MeetingInputReason | MeetingCommandReason> {
	const record = findMeeting(doc, meetingId);
	if (!record) return err('meeting_not_found');
	if (readMeetingField(record, 'status').value === 'finished') return err('meeting_finished');
	const valid = validateField(field, value);
	if (!valid.ok) return valid;
	const current = readMeetingField(record, field);
	if (current.value === valid.value && current.conflict === null) return ok({ changed: false });
	doc.transact(() => {
		const isValue = MEETING_FIELD_IS_VALUE[field] as (v: unknown) => v is string | number;
		appendFieldEdit(record.logs[field], valid.value, isValue, actor, at, newEditId(), seen);
	}, ORIGIN_LOCAL_EDIT);
	return ok({ changed: true });
}

/**
 * Starts or finishes a meeting. Finishing here marks the list; the minutes are locked by
 * `lockMinutes` in the meeting document (`finishMeeting` in model/meeting/record.ts does both).
 */
export function applyMeetingStatusAction(
	doc: Y.Doc,
	meetingId: MeetingId,
	action: MeetingAction,
	actor: Actor,
	at: number = Date.now()
): Result<MeetingStatus, MeetingCommandReason | 'already_started' | 'not_started'> {
	const record = findMeeting(doc, meetingId);
	if (!record) return err('meeting_not_found');
	const next = applyMeetingAction(readMeetingField(record, 'status').value, action);
	if (!next.ok) return next;
	doc.transact(() => {
		appendFieldEdit(record.logs.status, next.value, MEETING_FIELD_IS_VALUE.status, actor, at);
	}, ORIGIN_LOCAL_EDIT);
	return next;
}

export type AttendeeInput = Readonly<{ name: string; organisation?: string; role: AttendeeRole }>;

export function addAttendee(
	doc: Y.Doc,
	meetingId: MeetingId,
	input: AttendeeInput,
	actor: Actor,
	at: number = Date.now()
): Result<string, MeetingCommandReason | 'name_required' | 'text_too_long'> {
	const record = findMeeting(doc, meetingId);
	if (!record) return err('meeting_not_found');
	if (readMeetingField(record, 'status').value === 'finished') return err('meeting_finished');
	const name = validateMeetingText(input.name, ATTENDEE_NAME_MAX);
	const organisation = validateMeetingText(input.organisation ?? '', MEETING_PLACE_MAX);
	if (!name.ok || !organisation.ok) return err('text_too_long');
	if (name.value === '') return err('name_required');
	if (!isAttendeeRole(input.role)) return err('name_required');
	const attendeeId = newId('a');
	doc.transact(() => {
		record.attendees.push([
			{
				id: newEditId(),
				kind: 'added',
				attendeeId,
				name: name.value,
				organisation: organisation.value,
				role: input.role,
				at,
				by: actor.name,
				deviceId: actor.deviceId
			}
		]);
	}, ORIGIN_LOCAL_EDIT);
	return ok(attendeeId);
}

export function removeAttendee(
	doc: Y.Doc,
	meetingId: MeetingId,
	attendeeId: string,
	actor: Actor,
	at: number = Date.now()
): Result<{ changed: boolean }, MeetingCommandReason> {
	const record = findMeeting(doc, meetingId);
	if (!record) return err('meeting_not_found');
	if (readMeetingField(record, 'status').value === 'finished') return err('meeting_finished');
	doc.transact(() => {
		record.attendees.push([
			{
				id: newEditId(),
				kind: 'removed',
				attendeeId,
				name: '',
				organisation: '',
				role: 'member',
				at,
				by: actor.name,
				deviceId: actor.deviceId
			}
		]);
	}, ORIGIN_LOCAL_EDIT);
	return ok({ changed: true });
}
