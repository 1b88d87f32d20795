/**
 * Formatting for display, one way for every screen: dates and times in the active locale and in
 * the community's time zone (not the phone's), byte sizes. Pure functions.
 *
 *   a day      "12月9日" (zh-CN), "Dec 9" (en); "2025年12月9日", "Dec 9, 2025" in another year
 *   a time     "12月9日 23:59", "Dec 9, 11:59 PM"; the year likewise only when not this year
 *   a month    "2026年12月", "Dec 2026" (always with its year)
 *
 * "This year" is the year of `now` in the same zone.
 */
import { DEFAULT_TIME_ZONE, isDayKey, type DayKey } from '$lib/domain/due-date';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, zone: string, options: Intl.DateTimeFormatOptions) {
	const key = `${locale}|${zone}|${JSON.stringify(options)}`;
	let found = formatters.get(key);
	if (!found) {
		found = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone });
		formatters.set(key, found);
	}
	return found;
}

function yearIn(at: number, zone: string): string {
	return formatter('en-US', zone, { year: 'numeric' }).format(at);
}

function dayOptions(at: number, zone: string, now: number): Intl.DateTimeFormatOptions {
	return yearIn(at, zone) === yearIn(now, zone)
		? { month: 'short', day: 'numeric' }
		: { year: 'numeric', month: 'short', day: 'numeric' };
}

/** The calendar day of an instant where the community is: "12月9日" / "Dec 9". */
export function formatDay(
	at: number,
	locale: string,
	zone: string = DEFAULT_TIME_ZONE,
	now: number = Date.now()
): string {
	return formatter(locale, zone, dayOptions(at, zone, now)).format(at);
}

/** A day key (`YYYY-MM-DD`, a task's due day, a patrol's next day) read like every other date. */
export function formatDayKey(
	key: DayKey,
	locale: string,
	zone: string = DEFAULT_TIME_ZONE,
	now: number = Date.now()
): string {
	if (!isDayKey(key)) return key;
	// Noon UTC of that date, shown in UTC: the same calendar day whatever the zone.
	const at = Date.parse(`${key}T12:00:00Z`);
	const thisYear = yearIn(now, zone);
	const options: Intl.DateTimeFormatOptions =
		key.slice(0, 4) === thisYear
			? { month: 'short', day: 'numeric' }
			: { year: 'numeric', month: 'short', day: 'numeric' };
	return formatter(locale, 'UTC', options).format(at);
}

const MONTH_KEY = /^(\d{4})-(\d{2})$/;

/** A month key (`YYYY-MM`, the hours page's months): "2026年12月" / "Dec 2026"; else as given. */
export function formatMonthKey(key: string, locale: string): string {
	const match = MONTH_KEY.exec(key);
	const month = Number(match?.[2]);
	if (!match || month < 1 || month > 12) return key;
	// Mid-month noon UTC, shown in UTC: that calendar month whatever the zone.
	const at = Date.UTC(Number(match[1]), month - 1, 15, 12);
	return formatter(locale, 'UTC', { year: 'numeric', month: 'short' }).format(at);
}

/** A moment: day and clock time in the community zone, "12月9日 23:59" / "Dec 9, 11:59 PM". */
export function formatTime(
	at: number,
	locale: string,
	zone: string = DEFAULT_TIME_ZONE,
	now: number = Date.now()
): string {
	return formatter(locale, zone, {
		...dayOptions(at, zone, now),
		hour: '2-digit',
		minute: '2-digit'
	}).format(at);
}

export function formatClock(at: number, locale: string, zone?: string): string {
	return formatter(locale, zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone, {
		hour: '2-digit',
		minute: '2-digit'
	}).format(at);
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

export function formatBytes(bytes: number): string {
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < UNITS.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${value < 10 && unit > 0 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}
