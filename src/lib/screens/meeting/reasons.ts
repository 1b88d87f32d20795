/**
 * Every reason a meeting screen may be refused with, as one union: the view's reason → text
 * maps are keyed by it, so a new reason fails type-checking until it has a text.
 */
import type {
	EditMeetingReason,
	MeetingCommandReason,
	MeetingRecordReason
} from '$lib/model/meeting';
import type { CreateCaseReason } from '$lib/model/case';
import type { CreateTaskReason } from '$lib/model/work';
import type { DueDateReason } from '$lib/domain/due-date';

export type MeetingReason =
	| EditMeetingReason
	| MeetingCommandReason
	| MeetingRecordReason
	| 'draft_not_open'
	| 'no_conflict'
	| 'value_not_in_conflict'
	| 'already_started'
	| 'not_started'
	| 'name_required'
	| 'not_finished';

/** Why an action did not become a case or a task (the form's own checks, then the commands'). */
export type FollowUpReason =
	| CreateCaseReason
	| CreateTaskReason
	| DueDateReason
	| 'item_not_found'
	| 'not_an_action'
	| 'not_permitted'
	| 'owner_invalid'
	| 'grid_required';
