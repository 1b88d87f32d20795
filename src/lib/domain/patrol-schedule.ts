/**
 * Patrol routes: what a valid route looks like (name, area, checklist, weekdays) and when it is
 * next due ("every Wednesday and Sunday"), in China Standard Time day keys.
 *
 * Invariant: pure functions; a route's weekdays are distinct and sorted, its checklist items
 * trimmed and non-empty.
 */

import { err, ok, type Result } from './result';
import { addDays, isWeekday, weekdayOf, type DayKey, type Weekday } from './due-date';
import { codePoints, isStaff, isValidHours } from './task-rules';

export const PATROL_NAME_MAX = 60;
export const PATROL_AREA_MAX = 200;
export const CHECKLIST_ITEM_MAX = 60;
export const CHECKLIST_MAX = 20;
export const FINDING_NOTE_MAX = 500;

export type PatrolRouteInput = Readonly<{
	name: string;
	area: string;
	gridId: string;
	checklist: readonly string[];
	weekdays: readonly number[];
	hoursPerRun: number;
}>;

export type PatrolRouteReason =
	| 'name_required'
	| 'name_too_long'
	| 'area_too_long'
	| 'grid_required'
	| 'checklist_required'
	| 'checklist_too_long'
	| 'checklist_item_too_long'
	| 'weekdays_required'
	| 'weekdays_invalid'
	| 'hours_invalid';

export type ValidPatrolRoute = Readonly<{
	name: string;
	area: string;
	gridId: string;
	checklist: readonly string[];
	weekdays: readonly Weekday[];
	hoursPerRun: number;
}>;

export function validatePatrolRoute(
	input: PatrolRouteInput
): Result<ValidPatrolRoute, PatrolRouteReason> {
	const name = input.name.trim();
	if (name.length === 0) return err('name_required');
	if (codePoints(name) > PATROL_NAME_MAX) return err('name_too_long');
	const area = input.area.trim();
	if (codePoints(area) > PATROL_AREA_MAX) return err('area_too_long');
	if (input.gridId === '') return err('grid_required');
	const checklist = input.checklist.map((item) => item.trim()).filter((item) => item.length > 0);
	if (checklist.length === 0) return err('checklist_required');
	if (checklist.length > CHECKLIST_MAX) return err('checklist_too_long');
	if (checklist.some((item) => codePoints(item) > CHECKLIST_ITEM_MAX)) {
		return err('checklist_item_too_long');
	}
	if (input.weekdays.length === 0) return err('weekdays_required');
	if (!input.weekdays.every(isWeekday)) return err('weekdays_invalid');
	const weekdays = [...new Set(input.weekdays as readonly Weekday[])].sort((a, b) => a - b);
	if (!isValidHours(input.hoursPerRun)) return err('hours_invalid');
	return ok(
		Object.freeze({
			name,
			area,
			gridId: input.gridId,
			checklist: Object.freeze(checklist),
			weekdays: Object.freeze(weekdays),
			hoursPerRun: input.hoursPerRun
		})
	);
}

/** The first day on or after `from` that falls on one of `weekdays`; null with no weekdays. */
export function nextPatrolDay(weekdays: readonly Weekday[], from: DayKey): DayKey | null {
	if (weekdays.length === 0) return null;
	for (let offset = 0; offset < 7; offset++) {
		const day = addDays(from, offset);
		if (weekdays.includes(weekdayOf(day))) return day;
	}
	return null;
}

export function validateFindingNote(
	note: string
): Result<string, 'note_required' | 'note_too_long'> {
	const trimmed = note.trim();
	if (trimmed.length === 0) return err('note_required');
	return codePoints(trimmed) > FINDING_NOTE_MAX ? err('note_too_long') : ok(trimmed);
}

export const PATROL_ACTIONS = ['create_route', 'delete_route', 'start', 'run'] as const;
export type PatrolAction = (typeof PATROL_ACTIONS)[number];

/**
 * Staff manage routes; staff and volunteers walk them (`start` a run; `run` = tick, note a
 * finding, finish — on a run of their own, unless staff). Observers only read.
 */
export function canPatrol(role: string, action: PatrolAction, ownRun = true): boolean {
	if (isStaff(role)) return true;
	if (role !== 'volunteer') return false;
	if (action === 'start') return true;
	return action === 'run' && ownRun;
}

/** How many checklist items are still unticked: finishing with any left asks first. */
export function untickedCount(ticked: readonly boolean[]): number {
	return ticked.filter((done) => !done).length;
}
