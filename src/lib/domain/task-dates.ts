/**
 * Task dates: calendar days as `YYYY-MM-DD` keys on China Standard Time (UTC+8, no daylight
 * saving), so "due today", "this month" and "next Wednesday" mean the same on every phone,
 * whatever its clock's time zone.
 *
 * Invariant: pure functions of their arguments; a day key is always a valid calendar date.
 */

const CST_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const DAY_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;

export type DayKey = string;

/** Sunday is 0, as in `Date.getUTCDay`. */
export const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export function isWeekday(value: unknown): value is Weekday {
	return typeof value === 'number' && (WEEKDAYS as readonly number[]).includes(value);
}

/** The calendar day (UTC+8) of an instant. */
export function dayKeyOf(at: number): DayKey {
	return new Date(at + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The month (UTC+8) of an instant, `YYYY-MM`. */
export function monthKeyOf(at: number): string {
	return dayKeyOf(at).slice(0, 7);
}

export function isDayKey(value: unknown): value is DayKey {
	if (typeof value !== 'string') return false;
	const match = DAY_KEY.exec(value);
	if (!match) return false;
	const date = new Date(`${value}T00:00:00Z`);
	return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

function dayNumber(key: DayKey): number {
	return Math.floor(Date.parse(`${key}T00:00:00Z`) / DAY_MS);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: DayKey, to: DayKey): number {
	return dayNumber(to) - dayNumber(from);
}

export function addDays(key: DayKey, days: number): DayKey {
	return new Date((dayNumber(key) + days) * DAY_MS).toISOString().slice(0, 10);
}

export function weekdayOf(key: DayKey): Weekday {
	return new Date(`${key}T00:00:00Z`).getUTCDay() as Weekday;
}
