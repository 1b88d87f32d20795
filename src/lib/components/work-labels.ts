/**
 * The labels of the volunteer-work screens (tasks, patrols, wishes, hours, my work) in the active
 * language: statuses, weekdays, hour sources, and the text of every reason a work screen shows.
 *
 * Invariant: each map is keyed by its union, with no fallback: a new status or reason fails
 * type-checking until it has a text here.
 */
import { m } from '$lib/paraglide/messages.js';
import type { TaskStatus } from '$lib/domain/task-rules';
import type { WishStatus } from '$lib/domain/wish-status';
import type { Weekday } from '$lib/domain/due-date';
import type { HourSource } from '$lib/domain/service-hours';
import type { WorkProblem } from '$lib/screens/work/work-problem';

const TASK_STATUS: Record<TaskStatus, () => string> = {
	open: m.task_status_open,
	claimed: m.task_status_claimed,
	done: m.task_status_done,
	confirmed: m.task_status_confirmed
};
export const taskStatusLabel = (status: TaskStatus) => TASK_STATUS[status]();

const WISH_STATUS: Record<WishStatus, () => string> = {
	recorded: m.wish_status_recorded,
	published: m.wish_status_published,
	claimed: m.wish_status_claimed,
	fulfilled: m.wish_status_fulfilled,
	thanked: m.wish_status_thanked
};
export const wishStatusLabel = (status: WishStatus) => WISH_STATUS[status]();

const WEEKDAY: Record<Weekday, () => string> = {
	0: m.weekday_0,
	1: m.weekday_1,
	2: m.weekday_2,
	3: m.weekday_3,
	4: m.weekday_4,
	5: m.weekday_5,
	6: m.weekday_6
};
export const weekdayLabel = (day: Weekday) => WEEKDAY[day]();

const SOURCE: Record<HourSource, () => string> = {
	task: m.hours_source_task,
	patrol: m.hours_source_patrol,
	wish: m.hours_source_wish
};
export const hourSourceLabel = (source: HourSource) => SOURCE[source]();

const REASONS: Record<WorkProblem, () => string> = {
	not_allowed: m.work_reason_not_allowed,
	task_closed: m.work_reason_closed,
	wish_closed: m.work_reason_closed,
	run_finished: m.work_reason_closed,
	task_full: m.work_reason_full,
	wish_taken: m.work_reason_full,
	already_claimed: m.work_reason_already_claimed,
	already_published: m.work_reason_already_published,
	not_claimed: m.work_reason_not_claimed,
	over_claimed: m.work_reason_over_claimed,
	no_volunteer: m.work_reason_no_volunteer,
	not_done: m.work_reason_not_done,
	not_fulfilled: m.work_reason_not_done,
	not_published: m.work_reason_not_published,
	task_not_found: m.work_reason_not_found,
	wish_not_found: m.work_reason_not_found,
	claim_not_found: m.work_reason_not_found,
	route_not_found: m.work_reason_not_found,
	run_not_found: m.work_reason_not_found,
	item_not_found: m.work_reason_not_found,
	finding_not_found: m.work_reason_not_found,
	title_required: m.work_reason_title_required,
	title_too_long: m.work_reason_too_long,
	details_too_long: m.work_reason_too_long,
	place_too_long: m.work_reason_too_long,
	note_too_long: m.work_reason_too_long,
	name_too_long: m.work_reason_too_long,
	area_too_long: m.work_reason_too_long,
	who_too_long: m.work_reason_too_long,
	what_too_long: m.work_reason_too_long,
	checklist_item_too_long: m.work_reason_too_long,
	checklist_too_long: m.work_reason_too_long,
	due_invalid: m.work_reason_due_invalid,
	due_in_past: m.work_reason_due_in_past,
	volunteers_invalid: m.work_reason_volunteers_invalid,
	hours_invalid: m.work_reason_hours_invalid,
	name_required: m.work_reason_title_required,
	who_required: m.work_reason_who_required,
	what_required: m.work_reason_what_required,
	note_required: m.work_reason_note_required,
	grid_required: m.work_reason_grid_required,
	checklist_required: m.work_reason_checklist_required,
	weekdays_required: m.work_reason_weekdays_required,
	weekdays_invalid: m.work_reason_weekdays_invalid,
	bad_photo: m.work_reason_bad_photo,
	case_not_created: m.work_reason_case_not_created
};

export const reasonText = (reason: WorkProblem): string => REASONS[reason]();
