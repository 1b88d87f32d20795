/**
 * A case's fields and refusals as people read them: each field's name, a field value as text
 * (the case page, its conflict notices and the timeline all show values through `caseValueText`),
 * and the text for every reason a case command gives.
 *
 * Invariant: every map is keyed by its full union, so a new field or reason fails type-checking
 * until it has a text here.
 */
import { m } from '$lib/paraglide/messages.js';
import { getLocale } from '$lib/paraglide/runtime.js';
import type { CaseField } from '$lib/domain/case-input';
import type { CaseStatus } from '$lib/domain/case-status';
import { parseAssigneesValue, type Assignee } from '$lib/domain/assignees';
import type {
	AddCommentReason,
	AssignCaseReason,
	AttachPhotoReason,
	CaseStatusActionReason,
	CreateCaseReason,
	DeleteCaseReason,
	EditCaseFieldReason,
	MoveCaseTierReason,
	ResolveConflictReason,
	RestoreCaseReason,
	SetDeadlineReason
} from '$lib/model/case';
import { formatTime } from './format';
import {
	channelLabel,
	handlingLabel,
	listText,
	priorityLabel,
	statusLabel,
	tierLabel
} from './labels';

const FIELD_LABELS: Record<CaseField, () => string> = {
	title: m.field_title,
	description: m.field_description,
	category: m.field_category,
	location: m.field_location,
	status: m.field_status,
	channel: m.field_channel,
	mapPoint: m.field_map_point,
	reporterName: m.field_reporter_name,
	residentContact: m.field_resident_contact,
	handlingType: m.field_handling_type,
	priority: m.field_priority,
	assignees: m.field_assignees,
	deadline: m.field_deadline,
	tier: m.field_tier,
	duplicateOf: m.field_duplicate_of
};

/** A field's name; a field newer than this app version shows as stored. */
export const caseFieldLabel = (field: string): string =>
	(FIELD_LABELS as Record<string, (() => string) | undefined>)[field]?.() ?? field;

export type ValueTextOptions = Readonly<{
	categoryName: (id: string) => string;
	/** The community's time zone, for deadlines. */
	zone: string;
	/** How an assignee reads (the page marks people outside the community); default: the name. */
	assigneeName?: (assignee: Assignee) => string;
	/** Free text longer than this is cut with "…" (the timeline keeps entries short). */
	maxLength?: number;
}>;

/** A field's value as text: labels for choices, dates in the community's zone, names for people. */
export function caseValueText(field: string, value: unknown, options: ValueTextOptions): string {
	switch (field) {
		case 'category':
			return options.categoryName(String(value));
		case 'channel':
			return channelLabel(String(value));
		case 'handlingType':
			return handlingLabel(String(value));
		case 'priority':
			return priorityLabel(String(value));
		case 'status':
			return statusLabel(value as CaseStatus);
		case 'tier':
			return tierLabel(String(value));
		case 'deadline':
			return value === null || value === ''
				? m.case_no_deadline()
				: formatTime(Number(value), getLocale(), options.zone);
		case 'assignees': {
			const name = options.assigneeName ?? ((assignee: Assignee) => assignee.name);
			return listText(parseAssigneesValue(String(value ?? '')).map(name)) || m.assign_none();
		}
	}
	const text = String(value ?? '');
	const max = options.maxLength;
	return max !== undefined && text.length > max ? `${text.slice(0, max)}…` : text || '—';
}

/** Why the case form (report or edit) was not saved. */
export type CaseFormReason = CreateCaseReason | EditCaseFieldReason | 'draft_not_open';

export const CASE_FORM_PROBLEMS: Record<CaseFormReason, () => string> = {
	title_required: m.case_title_required,
	title_too_long: m.case_title_too_long,
	description_too_long: m.case_description_too_long,
	location_too_long: m.case_location_too_long,
	category_invalid: m.case_category_invalid,
	channel_invalid: m.case_channel_invalid,
	map_point_invalid: m.case_map_point_invalid,
	reporter_name_too_long: m.case_reporter_name_too_long,
	resident_contact_too_long: m.case_resident_contact_too_long,
	handling_type_invalid: m.case_handling_type_invalid,
	priority_invalid: m.case_priority_invalid,
	deadline_invalid: m.case_deadline_invalid,
	assignee_invalid: m.assign_invalid,
	too_many_assignees: m.assign_invalid,
	case_not_found: m.case_not_found,
	not_permitted: m.not_permitted,
	draft_not_open: m.action_not_allowed
};

export const STATUS_ACTION_PROBLEMS: Record<CaseStatusActionReason, () => string> = {
	not_allowed_from_status: m.action_not_allowed,
	case_not_found: m.case_not_found,
	not_permitted: m.action_not_allowed,
	satisfaction_required: m.review_satisfaction_required,
	note_too_long: m.comment_too_long,
	duplicate_of_required: m.action_not_allowed,
	duplicate_of_self: m.action_not_allowed
};

export const TIER_MOVE_PROBLEMS: Record<MoveCaseTierReason, () => string> = {
	reason_required: m.tier_reason_required,
	reason_too_long: m.work_reason_too_long,
	already_top_tier: m.not_permitted,
	already_bottom_tier: m.not_permitted,
	case_not_open: m.not_permitted,
	case_not_found: m.case_not_found,
	not_permitted: m.not_permitted
};

export const ASSIGN_PROBLEMS: Record<AssignCaseReason, () => string> = {
	assignee_invalid: m.assign_invalid,
	too_many_assignees: m.assign_invalid,
	case_not_found: m.assign_invalid,
	not_permitted: m.assign_invalid
};

export const DEADLINE_PROBLEMS: Record<SetDeadlineReason, () => string> = {
	deadline_invalid: m.case_deadline_invalid,
	deadline_in_past: m.case_deadline_in_past,
	case_not_found: m.not_permitted,
	not_permitted: m.not_permitted
};

export const COMMENT_PROBLEMS: Record<AddCommentReason, () => string> = {
	comment_required: m.comment_required,
	comment_too_long: m.comment_too_long,
	case_not_found: m.case_not_found,
	not_permitted: m.not_permitted
};

export const CONFLICT_PROBLEMS: Record<ResolveConflictReason, () => string> = {
	no_conflict: m.case_conflict_already_settled,
	value_not_in_conflict: m.case_conflict_already_settled,
	case_not_found: m.case_not_found,
	not_permitted: m.not_permitted
};

export const PHOTO_PROBLEMS: Record<AttachPhotoReason, () => string> = {
	bad_photo: m.photo_read_failed,
	case_not_found: m.case_not_found,
	not_permitted: m.not_permitted
};

export const CASE_DELETION_PROBLEMS: Record<DeleteCaseReason | RestoreCaseReason, () => string> = {
	case_not_found: m.case_not_found,
	not_permitted: m.not_permitted,
	already_deleted: m.case_already_deleted,
	not_deleted: m.case_not_deleted
};
