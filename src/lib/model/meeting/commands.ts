/**
 * Meetings index commands: create a meeting, edit its fields (one form's changes at once, over
 * what the form saw), settle a conflict, move it along its lifecycle, and change its attendees.
 * Each takes its command context last, checks the authority (domain/meeting-permissions.ts:
 * `not_permitted`), validates, then runs one `doc.transact(fn, ORIGIN_LOCAL_EDIT)`.
 *
 * Invariant: a refused command writes nothing; fields are field logs, so two people setting
 * one field at once both stay visible until someone picks; a finished meeting's fields and
 * attendees are refused (`meeting_finished`); its record is amended in the meeting document.
 */

import * as Y from 'yjs';
import { newEditId, newId, type EditId } from '../../domain/ids';
import { mayEditMeetings } from '../../domain/meeting-permissions';
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
import { commandTime, type Authority, type CommandContext } from '../command-context';
import { appendFieldEdit, createFieldLog, sameHeads } from '../field-log';
import {
	findMeeting,
	MEETING_FIELD_IS_VALUE,
	MEETING_FIELDS,
	meetingsMap,
	readMeetingField,
	type MeetingFieldValues,
	type MeetingRecord
} from './schema';
import { ORIGIN_LOCAL_EDIT } from '../origins';

export type MeetingCommandReason = 'meeting_not_found' | 'meeting_finished' | 'not_permitted';

/** Whether the context's member may change meetings (every meeting command asks this first). */
export const permitsMeetingEdits = (context: CommandContext<Authority>): boolean =>
	mayEditMeetings(context.authority.claims);

export function createMeeting(
	doc: Y.Doc,
	input: NewMeetingInput,
	context: CommandContext<Authority>
): Result<MeetingId, MeetingInputReason | 'not_permitted'> {
	if (!permitsMeetingEdits(context)) return err('not_permitted');
	const { actor } = context;
	const at = commandTime(context);
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

/** An unfinished meeting this context may edit, or why not. */
function editableMeeting(
	doc: Y.Doc,
	meetingId: MeetingId,
	context: CommandContext<Authority>
): Result<MeetingRecord, MeetingCommandReason> {
	if (!permitsMeetingEdits(context)) return err('not_permitted');
	const record = findMeeting(doc, meetingId);
	if (!record) return err('meeting_not_found');
	if (readMeetingField(record, 'status').value === 'finished') return err('meeting_finished');
	return ok(record);
}

function appendMeetingEdit(
	record: MeetingRecord,
	field: EditableMeetingField,
	value: string | number,
	context: CommandContext<Authority>,
	at: number,
	seen?: readonly EditId[]
): void {
	const isValue = MEETING_FIELD_IS_VALUE[field] as (v: unknown) => v is string | number;
	appendFieldEdit(record.logs[field], value, isValue, context.actor, at, newEditId(), seen);
}

export type EditMeetingReason = MeetingInputReason | MeetingCommandReason;

/**
 * Sets one field over the current heads (an action on what is shown this instant). Writing the
 * shown value over a conflict settles it. Forms use `editMeeting`, which passes what they saw.
 */
export function editMeetingField(
	doc: Y.Doc,
	meetingId: MeetingId,
	field: EditableMeetingField,
	value: string | number,
	context: CommandContext<Authority>
): Result<{ changed: boolean }, EditMeetingReason> {
	const record = editableMeeting(doc, meetingId, context);
	if (!record.ok) return record;
	const valid = validateField(field, value);
	if (!valid.ok) return valid;
	const current = readMeetingField(record.value, field);
	if (current.value === valid.value && current.conflict === null) return ok({ changed: false });
	doc.transact(() => {
		appendMeetingEdit(record.value, field, valid.value, context, commandTime(context));
	}, ORIGIN_LOCAL_EDIT);
	return ok({ changed: true });
}

/** One field of an edit form: the value to write and the field's heads when the form opened. */
export type MeetingFieldChange = Readonly<{ value: string | number; seen: readonly EditId[] }>;
export type MeetingChanges = Readonly<{ [F in EditableMeetingField]?: MeetingFieldChange }>;

const EDITABLE_MEETING_FIELDS = MEETING_FIELDS.filter(
	(field): field is EditableMeetingField => field !== 'status'
);

/**
 * Saves an edit form: every changed field in one transaction, all or nothing (one invalid field
 * refuses the whole save). Each field's edit supersedes only the heads the form was opened
 * with, so a value that arrived from another phone meanwhile stays visible as a conflict. A
 * field whose value and heads are as the form saw them is not written.
 */
export function editMeeting(
	doc: Y.Doc,
	meetingId: MeetingId,
	changes: MeetingChanges,
	context: CommandContext<Authority>
): Result<{ changed: boolean }, EditMeetingReason> {
	const record = editableMeeting(doc, meetingId, context);
	if (!record.ok) return record;
	const writes: { field: EditableMeetingField; value: string | number; seen: readonly EditId[] }[] =
		[];
	for (const field of EDITABLE_MEETING_FIELDS) {
		const change = changes[field];
		if (change === undefined) continue;
		const valid = validateField(field, change.value);
		if (!valid.ok) return valid;
		const current = readMeetingField(record.value, field);
		if (current.value === valid.value && sameHeads(change.seen, current.heads)) continue;
		writes.push({ field, value: valid.value, seen: change.seen });
	}
	if (writes.length === 0) return ok({ changed: false });
	const at = commandTime(context);
	doc.transact(() => {
		for (const { field, value, seen } of writes) {
			appendMeetingEdit(record.value, field, value, context, at, seen);
		}
	}, ORIGIN_LOCAL_EDIT);
	return ok({ changed: true });
}

/**
 * Picks one of a field's concurrent values. `seen` is the field's heads as shown to the person
 * choosing: a value that arrived after the choice was shown is not discarded unseen but stays
 * in conflict beside the pick.
 */
export function resolveMeetingFieldConflict(
	doc: Y.Doc,
	meetingId: MeetingId,
	field: EditableMeetingField,
	chosen: string | number,
	seen: readonly EditId[],
	context: CommandContext<Authority>
): Result<{ changed: boolean }, MeetingCommandReason | 'no_conflict' | 'value_not_in_conflict'> {
	const record = editableMeeting(doc, meetingId, context);
	if (!record.ok) return record;
	const { conflict } = readMeetingField(record.value, field);
	if (conflict === null) return err('no_conflict');
	if (!conflict.values.some((candidate) => candidate.value === chosen)) {
		return err('value_not_in_conflict');
	}
	doc.transact(() => {
		appendMeetingEdit(record.value, field, chosen, context, commandTime(context), seen);
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
	context: CommandContext<Authority>
): Result<MeetingStatus, MeetingCommandReason | 'already_started' | 'not_started'> {
	if (!permitsMeetingEdits(context)) return err('not_permitted');
	const record = findMeeting(doc, meetingId);
	if (!record) return err('meeting_not_found');
	const next = applyMeetingAction(readMeetingField(record, 'status').value, action);
	if (!next.ok) return next;
	const at = commandTime(context);
	doc.transact(() => {
		appendFieldEdit(
			record.logs.status,
			next.value,
			MEETING_FIELD_IS_VALUE.status,
			context.actor,
			at
		);
	}, ORIGIN_LOCAL_EDIT);
	return next;
}

export type AttendeeInput = Readonly<{ name: string; organisation?: string; role: AttendeeRole }>;

export function addAttendee(
	doc: Y.Doc,
	meetingId: MeetingId,
	input: AttendeeInput,
	context: CommandContext<Authority>
): Result<string, MeetingCommandReason | 'name_required' | 'text_too_long'> {
	const editable = editableMeeting(doc, meetingId, context);
	if (!editable.ok) return editable;
	const record = editable.value;
	const { actor } = context;
	const at = commandTime(context);
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
	context: CommandContext<Authority>
): Result<{ changed: boolean }, MeetingCommandReason> {
	const editable = editableMeeting(doc, meetingId, context);
	if (!editable.ok) return editable;
	const record = editable.value;
	const { actor } = context;
	const at = commandTime(context);
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
