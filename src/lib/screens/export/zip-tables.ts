/**
 * The community ZIP's work and meeting tables (community-zip.ts): one row per task, per wish and
 * per meeting, header first, in the reader's language and the community's zone (the caller's
 * `WorkTableLabels`).
 *
 * Invariant: reads snapshots only; every label and formatted time comes from the caller; rows
 * keep the order they are given in.
 */
import type { TaskStatus } from '$lib/domain/task-rules';
import type { WishStatus } from '$lib/domain/wish-status';
import type { MeetingStatus, MeetingType } from '$lib/domain/meeting-rules';
import type { MeetingSummary } from '$lib/model/meeting';
import type { TaskSnapshot, WishSnapshot } from '$lib/model/work';
import type { TableCell } from '$lib/spreadsheets/write';

export const TASK_COLUMNS = [
	'id',
	'grid',
	'title',
	'status',
	'place',
	'due',
	'volunteersNeeded',
	'claims',
	'hours',
	'created',
	'createdBy',
	'details'
] as const;
export const WISH_COLUMNS = ['id', 'grid', 'who', 'what', 'status', 'hours', 'created'] as const;
export const MEETING_COLUMNS = [
	'id',
	'title',
	'type',
	'status',
	'startsAt',
	'place',
	'grid',
	'attendees',
	'agenda',
	'minutes'
] as const;

export type WorkTableLabels = Readonly<{
	tasks: Readonly<Record<(typeof TASK_COLUMNS)[number], string>>;
	wishes: Readonly<Record<(typeof WISH_COLUMNS)[number], string>>;
	meetings: Readonly<Record<(typeof MEETING_COLUMNS)[number], string>>;
	/** A grid's name ('' for the whole community). */
	grid: (gridId: string) => string;
	taskStatus: (status: TaskStatus) => string;
	wishStatus: (status: WishStatus) => string;
	meetingType: (type: MeetingType) => string;
	meetingStatus: (status: MeetingStatus) => string;
	time: (at: number) => string;
}>;

function table<C extends string, T>(
	columns: readonly C[],
	header: Readonly<Record<C, string>>,
	items: readonly T[],
	cells: (item: T) => Record<C, TableCell>
): TableCell[][] {
	return [
		columns.map((column) => header[column]),
		...items.map((item) => {
			const all = cells(item);
			return columns.map((column) => all[column]);
		})
	];
}

export const tasksTable = (tasks: readonly TaskSnapshot[], labels: WorkTableLabels) =>
	table(TASK_COLUMNS, labels.tasks, tasks, (task) => ({
		id: task.id,
		grid: labels.grid(task.gridId),
		title: task.title,
		status: labels.taskStatus(task.status),
		place: task.place,
		due: task.due,
		volunteersNeeded: task.volunteersNeeded,
		claims: task.claims.length,
		hours: task.hours,
		created: labels.time(task.createdAt),
		createdBy: task.createdBy,
		details: task.details
	}));

export const wishesTable = (wishes: readonly WishSnapshot[], labels: WorkTableLabels) =>
	table(WISH_COLUMNS, labels.wishes, wishes, (wish) => ({
		id: wish.id,
		grid: labels.grid(wish.gridId),
		who: wish.who,
		what: wish.what,
		status: labels.wishStatus(wish.status),
		hours: wish.hours,
		created: labels.time(wish.createdAt)
	}));

/** One row per meeting of the index; `minutes` gives a meeting's minutes as plain text. */
export const meetingsTable = (
	meetings: readonly MeetingSummary[],
	minutes: (meetingId: string) => string,
	labels: WorkTableLabels
) =>
	table(MEETING_COLUMNS, labels.meetings, meetings, (meeting) => ({
		id: meeting.id,
		title: meeting.title,
		type: labels.meetingType(meeting.type),
		status: labels.meetingStatus(meeting.status),
		startsAt: labels.time(meeting.startsAt),
		place: meeting.place,
		grid: labels.grid(meeting.gridId),
		attendees: meeting.attendees.length,
		agenda: meeting.agenda,
		minutes: minutes(meeting.id)
	}));
