/**
 * Meetings: the kinds of meeting a community holds, their lifecycle, what a valid meeting
 * looks like, and the ids and document names of the meetings index and of one meeting.
 *
 *   status   planned ──start──▶ in_progress ──finish──▶ finished   (finished is final:
 *                                                                    the minutes are locked;
 *                                                                    a planned meeting is
 *                                                                    started before it ends)
 *
 * Invariant: pure rules on plain values (no yjs, no svelte); lengths count code points.
 */

import { isValidIdSegment, newId, type InvalidIdReason } from './ids';
import { err, ok, type Result } from './result';

export { meetingDocName, meetingIndexDocName } from '../wire/doc-names.ts';

declare const brand: unique symbol;
export type MeetingId = string & { readonly [brand]: 'MeetingId' };
export type MeetingItemId = string & { readonly [brand]: 'MeetingItemId' };

export const MEETING_TYPES = [
	'grid_meeting',
	'tea_party',
	'joint_meeting',
	'three_party_talk',
	'mediation',
	'reception_day'
] as const;
export type MeetingType = (typeof MEETING_TYPES)[number];

export const MEETING_STATUSES = ['planned', 'in_progress', 'finished'] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

export const MEETING_ACTIONS = ['start', 'finish'] as const;
export type MeetingAction = (typeof MEETING_ACTIONS)[number];

export const MEDIATION_OUTCOMES = ['pending', 'agreed', 'not_agreed'] as const;
export type MediationOutcome = (typeof MEDIATION_OUTCOMES)[number];

/** A passage of the minutes marked as what was decided, or as something someone must do. */
export const MEETING_ITEM_KINDS = ['decision', 'action'] as const;
export type MeetingItemKind = (typeof MEETING_ITEM_KINDS)[number];

/** Who attends: a member of the community, an outside party (property company, owners' committee…), or a party to a mediation. */
export const ATTENDEE_ROLES = ['member', 'outside', 'party'] as const;
export type AttendeeRole = (typeof ATTENDEE_ROLES)[number];

export const FOLLOW_UP_TIERS = ['grid', 'community', 'street', 'department'] as const;
export type FollowUpTier = (typeof FOLLOW_UP_TIERS)[number];

export const MEETING_TITLE_MAX = 120;
export const MEETING_PLACE_MAX = 200;
export const MEETING_TEXT_MAX = 5000;
export const ATTENDEE_NAME_MAX = 60;

const includes =
	<T extends string>(list: readonly T[]) =>
	(value: unknown): value is T =>
		(list as readonly unknown[]).includes(value);

export const isMeetingType = includes(MEETING_TYPES);
export const isMeetingStatus = includes(MEETING_STATUSES);
export const isMediationOutcome = includes(MEDIATION_OUTCOMES);
export const isMeetingItemKind = includes(MEETING_ITEM_KINDS);
export const isAttendeeRole = includes(ATTENDEE_ROLES);
export const isFollowUpTier = includes(FOLLOW_UP_TIERS);

export const newMeetingId = (): MeetingId => newId('m') as MeetingId;
export const newMeetingItemId = (): MeetingItemId => newId('i') as MeetingItemId;

/** Meeting ids start with `m-`, so none can be `index`. */
export function isMeetingId(value: unknown): value is MeetingId {
	return isValidIdSegment(value) && value.startsWith('m-');
}

/** A route's meeting id, or `invalid_id` (the page shows its not-found state). */
export function parseMeetingId(value: string): Result<MeetingId, InvalidIdReason> {
	return isMeetingId(value) ? ok(value) : err('invalid_id');
}

export function applyMeetingAction(
	from: MeetingStatus,
	action: MeetingAction
): Result<MeetingStatus, 'meeting_finished' | 'already_started' | 'not_started'> {
	if (from === 'finished') return err('meeting_finished');
	if (action === 'start') return from === 'planned' ? ok('in_progress') : err('already_started');
	return from === 'in_progress' ? ok('finished') : err('not_started');
}

/**
 * What the meeting page offers for moving a meeting on: "start" while it is planned; "finish and
 * lock the minutes" only once it has started (a planned meeting has no minutes worth locking);
 * finishing a meeting nobody is recorded as attending asks first, since the record is final.
 */
export type MeetingControls = Readonly<{
	canStart: boolean;
	canFinish: boolean;
	finishWarnsNoAttendees: boolean;
}>;

export function meetingControls(status: MeetingStatus, attendeeCount: number): MeetingControls {
	return {
		canStart: status === 'planned',
		canFinish: status === 'in_progress',
		finishWarnsNoAttendees: status === 'in_progress' && attendeeCount === 0
	};
}

export type MeetingInputReason =
	| 'title_required'
	| 'title_too_long'
	| 'type_invalid'
	| 'time_invalid'
	| 'place_too_long'
	| 'grid_invalid'
	| 'text_too_long';

export type NewMeetingInput = Readonly<{
	title: string;
	type: string;
	startsAt: number;
	place?: string;
	/** '' for the whole community. */
	gridId?: string;
	agenda?: string;
}>;

export type MeetingInput = Readonly<{
	title: string;
	type: MeetingType;
	startsAt: number;
	place: string;
	gridId: string;
	agenda: string;
}>;

export function codePoints(value: string): number {
	let count = 0;
	for (const _ of value) count++;
	return count;
}

export function validateMeetingInput(
	input: NewMeetingInput
): Result<MeetingInput, MeetingInputReason> {
	const title = input.title.trim();
	if (title === '') return err('title_required');
	if (codePoints(title) > MEETING_TITLE_MAX) return err('title_too_long');
	if (!isMeetingType(input.type)) return err('type_invalid');
	if (!Number.isFinite(input.startsAt)) return err('time_invalid');
	const place = (input.place ?? '').trim();
	if (codePoints(place) > MEETING_PLACE_MAX) return err('place_too_long');
	const gridId = input.gridId ?? '';
	if (gridId !== '' && !isValidIdSegment(gridId)) return err('grid_invalid');
	const agenda = (input.agenda ?? '').trim();
	if (codePoints(agenda) > MEETING_TEXT_MAX) return err('text_too_long');
	return ok({ title, type: input.type, startsAt: input.startsAt, place, gridId, agenda });
}

/** A free-text field (claim, agreement, amendment, attendee name): trimmed and bounded. */
export function validateMeetingText(
	value: string,
	max: number = MEETING_TEXT_MAX
): Result<string, 'text_too_long'> {
	const trimmed = value.trim();
	return codePoints(trimmed) > max ? err('text_too_long') : ok(trimmed);
}
