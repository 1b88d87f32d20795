/**
 * Calendar days and due dates, one rule for the whole app: a day is a `YYYY-MM-DD` key in the
 * community's time zone (a community setting, `Asia/Shanghai` by default), and "due on day D"
 * means the END of D there (23:59:59.999 local time), for cases, tasks, patrols and meeting
 * actions alike, whatever the zone of the phone's clock.
 *
 *   day key + zone ──deadlineOfDay──▶ instant (last millisecond of the day in that zone)
 *   instant + zone ──dayKeyOf───────▶ day key (the calendar day there)
 *
 * Offsets come from `Intl.DateTimeFormat` with `timeZone`, so zones with daylight saving time
 * work (a day may have 23 or 25 hours); no time zone database of our own.
 *
 * Invariant: pure functions of their arguments; `dayKeyOf(deadlineOfDay(d, z), z) === d` for
 * every valid day key `d` and zone `z`; a day key is always a valid calendar date.
 */
import { err, ok, type Result } from './result';

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const DAY_MS = 86_400_000;
const DAY_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar day, `YYYY-MM-DD`. */
export type DayKey = string;

/** Sunday is 0, as in `Date.getUTCDay`. */
export const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export function isWeekday(value: unknown): value is Weekday {
	return typeof value === 'number' && (WEEKDAYS as readonly number[]).includes(value);
}

export function isDayKey(value: unknown): value is DayKey {
	if (typeof value !== 'string' || !DAY_KEY.test(value)) return false;
	const date = new Date(`${value}T00:00:00Z`);
	return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

// ---- time zones ----

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A formatter giving the wall-clock parts of an instant in `zone` (cached: they are costly). */
function partsFormatter(zone: string): Intl.DateTimeFormat {
	let formatter = formatters.get(zone);
	if (!formatter) {
		formatter = new Intl.DateTimeFormat('en-US', {
			timeZone: zone,
			hourCycle: 'h23',
			year: 'numeric',
			month: 'numeric',
			day: 'numeric',
			hour: 'numeric',
			minute: 'numeric',
			second: 'numeric'
		});
		formatters.set(zone, formatter);
	}
	return formatter;
}

/** An IANA zone name this device's `Intl` knows (`Asia/Shanghai`, `America/New_York`, `UTC`). */
export function isTimeZone(value: unknown): value is string {
	if (typeof value !== 'string' || value === '' || value.length > 64) return false;
	try {
		partsFormatter(value);
		return true;
	} catch {
		return false;
	}
}

/** The zone's wall clock at `at`, read as if it were UTC (ms): the zone's offset is the difference. */
function wallClock(at: number, zone: string): number {
	const parts: Record<string, number> = {};
	for (const part of partsFormatter(zone).formatToParts(at)) {
		if (part.type !== 'literal') parts[part.type] = Number(part.value);
	}
	const year = parts.year ?? 1970;
	const wall = Date.UTC(
		year,
		(parts.month ?? 1) - 1,
		parts.day ?? 1,
		parts.hour ?? 0,
		parts.minute ?? 0,
		parts.second ?? 0
	);
	// Date.UTC maps years 0–99 to 1900–1999; formatToParts never gives those for our dates.
	return wall + (((at % 1000) + 1000) % 1000);
}

/** How far the zone's clock is ahead of UTC at `at` (ms; +8 h for Asia/Shanghai). */
export function zoneOffset(at: number, zone: string): number {
	return wallClock(at, zone) - at;
}

/** The calendar day in `zone` of an instant. */
export function dayKeyOf(at: number, zone: string = DEFAULT_TIME_ZONE): DayKey {
	return new Date(wallClock(at, zone)).toISOString().slice(0, 10);
}

/** The month in `zone` of an instant, `YYYY-MM`. */
export function monthKeyOf(at: number, zone: string = DEFAULT_TIME_ZONE): string {
	return dayKeyOf(at, zone).slice(0, 7);
}

/**
 * The instant the zone's clock shows the wall time `wall` (ms, read as UTC). When the clock
 * shows it twice (a fall-back overlap) the first; when it skips it (a spring-forward gap) the
 * time read with the offset before the gap, as `Temporal`'s "compatible" does (02:30 → 03:30).
 */
function instantOfWallClock(wall: number, zone: string): number {
	// Offsets a day either side: no real zone changes its offset twice within two days.
	const before = wall - zoneOffset(wall - DAY_MS, zone);
	const after = wall - zoneOffset(wall + DAY_MS, zone);
	const fits = [before, after].filter((at) => wallClock(at, zone) === wall);
	return fits.length > 0 ? Math.min(...fits) : before;
}

/** The first instant of day `key` in `zone`. */
export function startOfDay(key: DayKey, zone: string = DEFAULT_TIME_ZONE): number {
	return instantOfWallClock(Date.parse(`${key}T00:00:00Z`), zone);
}

/** "Due on `key`": the last millisecond of that day in `zone` (23:59:59.999 local time). */
export function deadlineOfDay(key: DayKey, zone: string = DEFAULT_TIME_ZONE): number {
	return startOfDay(addDays(key, 1), zone) - 1;
}

/** The day a deadline falls on in `zone` (what a date input shows for it); '' for none. */
export function dayOfDeadline(deadline: number | null, zone: string = DEFAULT_TIME_ZONE): DayKey {
	return deadline === null ? '' : dayKeyOf(deadline, zone);
}

const WALL_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/;

/**
 * A `<input type="datetime-local">` value (`YYYY-MM-DDTHH:mm`, a meeting's start) read on the
 * community's clock, as an instant; NaN when it is not one.
 */
export function wallTimeToInstant(value: string, zone: string = DEFAULT_TIME_ZONE): number {
	const match = WALL_TIME.exec(value);
	if (!match || !isDayKey(match[1]) || Number(match[2]) > 23 || Number(match[3]) > 59) {
		return Number.NaN;
	}
	return instantOfWallClock(Date.parse(`${value}:00Z`), zone);
}

/** An instant as the community's clock shows it, `YYYY-MM-DDTHH:mm` (datetime-local value). */
export function instantToWallTime(at: number, zone: string = DEFAULT_TIME_ZONE): string {
	return new Date(wallClock(at, zone)).toISOString().slice(0, 16);
}

export type DueDateReason = 'date_invalid' | 'date_in_past';

/**
 * A due day typed by someone, as a deadline: the end of that day in `zone`, refused when it
 * is not a date or when the day is already over (`now` is past its end).
 */
export function dueDateToDeadline(
	key: string,
	now: number,
	zone: string = DEFAULT_TIME_ZONE
): Result<number, DueDateReason> {
	if (!isDayKey(key)) return err('date_invalid');
	const deadline = deadlineOfDay(key, zone);
	return deadline < now ? err('date_in_past') : ok(deadline);
}

/** Whether day `key` is over in `zone` at `now` (before today there). */
export function isPastDay(key: DayKey, now: number, zone: string = DEFAULT_TIME_ZONE): boolean {
	return key < dayKeyOf(now, zone);
}

// ---- day arithmetic (zone-free: a day key is already a calendar day) ----

function dayNumber(key: DayKey): number {
	return Math.floor(Date.parse(`${key}T00:00:00Z`) / DAY_MS);
}

export function addDays(key: DayKey, days: number): DayKey {
	return new Date((dayNumber(key) + days) * DAY_MS).toISOString().slice(0, 10);
}

export function weekdayOf(key: DayKey): Weekday {
	return new Date(`${key}T00:00:00Z`).getUTCDay() as Weekday;
}
