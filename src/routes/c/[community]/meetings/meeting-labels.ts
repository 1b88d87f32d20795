/** Meeting values and refusal reasons → translated text (both locales have every one). */
import { m } from '$lib/paraglide/messages.js';
import type {
	AttendeeRole,
	FollowUpTier,
	MediationOutcome,
	MeetingStatus,
	MeetingType
} from '$lib/domain/meeting-rules';
import type { FollowUpReason, MeetingReason } from '$lib/screens/meeting/reasons';

const TYPES: Record<MeetingType, () => string> = {
	grid_meeting: m.meeting_type_grid_meeting,
	tea_party: m.meeting_type_tea_party,
	joint_meeting: m.meeting_type_joint_meeting,
	three_party_talk: m.meeting_type_three_party_talk,
	mediation: m.meeting_type_mediation,
	reception_day: m.meeting_type_reception_day
};
const STATUSES: Record<MeetingStatus, () => string> = {
	planned: m.meeting_status_planned,
	in_progress: m.meeting_status_in_progress,
	finished: m.meeting_status_finished
};
const OUTCOMES: Record<MediationOutcome, () => string> = {
	pending: m.meeting_outcome_pending,
	agreed: m.meeting_outcome_agreed,
	not_agreed: m.meeting_outcome_not_agreed
};
const ROLES: Record<AttendeeRole, () => string> = {
	member: m.meeting_attendee_role_member,
	outside: m.meeting_attendee_role_outside,
	party: m.meeting_attendee_role_party
};
const TIERS: Record<FollowUpTier, () => string> = {
	grid: m.meeting_tier_grid,
	community: m.meeting_tier_community,
	street: m.meeting_tier_street,
	department: m.meeting_tier_department
};

export const meetingTypeLabel = (type: MeetingType) => TYPES[type]();
export const meetingStatusLabel = (status: MeetingStatus) => STATUSES[status]();
export const outcomeLabel = (outcome: MediationOutcome) => OUTCOMES[outcome]();
export const attendeeRoleLabel = (role: AttendeeRole) => ROLES[role]();
export const tierLabel = (tier: FollowUpTier) => TIERS[tier]();

const other = m.meeting_problem_other;

/** Why a meeting command was refused, as the person reads it. */
const MEETING_REASONS: Record<MeetingReason, () => string> = {
	title_required: m.meeting_problem_title_required,
	title_too_long: m.meeting_problem_title_too_long,
	time_invalid: m.meeting_problem_time_invalid,
	not_started: m.meeting_problem_not_started,
	not_permitted: m.not_permitted,
	type_invalid: other,
	place_too_long: other,
	grid_invalid: other,
	text_too_long: other,
	text_required: other,
	meeting_not_found: other,
	meeting_finished: other,
	draft_not_open: other,
	no_conflict: other,
	value_not_in_conflict: other,
	already_started: other,
	name_required: other,
	not_finished: other
};
export const meetingProblemText = (reason: MeetingReason) => MEETING_REASONS[reason]();

/** Why an action did not become a case or a task. */
const FOLLOW_UP_REASONS: Record<FollowUpReason, () => string> = {
	date_in_past: m.case_deadline_in_past,
	date_invalid: m.case_deadline_invalid,
	owner_invalid: m.assign_invalid,
	grid_required: m.meeting_follow_up_grid_required,
	not_permitted: m.not_permitted,
	item_not_found: other,
	not_an_action: other,
	not_allowed: other,
	title_required: other,
	title_too_long: other,
	description_too_long: other,
	category_invalid: other,
	channel_invalid: other,
	location_too_long: other,
	map_point_invalid: other,
	reporter_name_too_long: other,
	resident_contact_too_long: other,
	handling_type_invalid: other,
	priority_invalid: other,
	deadline_invalid: other,
	assignee_invalid: other,
	too_many_assignees: other,
	details_too_long: other,
	place_too_long: other,
	due_invalid: other,
	due_in_past: other,
	volunteers_invalid: other,
	hours_invalid: other
};
export const followUpProblemText = (reason: FollowUpReason) => FOLLOW_UP_REASONS[reason]();
