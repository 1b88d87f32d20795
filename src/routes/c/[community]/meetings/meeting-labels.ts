/** Meeting values → translated labels (both locales have every one). */
import { m } from '$lib/paraglide/messages.js';
import type {
	AttendeeRole,
	FollowUpTier,
	MediationOutcome,
	MeetingInputReason,
	MeetingStatus,
	MeetingType
} from '$lib/domain/meeting-rules';

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

export function meetingProblemText(reason: MeetingInputReason | string): string {
	if (reason === 'title_required') return m.meeting_problem_title_required();
	if (reason === 'title_too_long') return m.meeting_problem_title_too_long();
	if (reason === 'time_invalid') return m.meeting_problem_time_invalid();
	if (reason === 'not_started') return m.meeting_problem_not_started();
	return m.meeting_problem_other();
}
