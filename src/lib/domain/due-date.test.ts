import { describe, expect, it } from 'vitest';
import {
	addDays,
	dayKeyOf,
	dayOfDeadline,
	deadlineOfDay,
	DEFAULT_TIME_ZONE,
	dueDateToDeadline,
	isDayKey,
	isPastDay,
	instantToWallTime,
	isTimeZone,
	monthKeyOf,
	startOfDay,
	wallTimeToInstant,
	zoneOffset
} from './due-date';

const utc = (iso: string) => Date.parse(iso);

describe('deadlineOfDay: "due on D" is the end of D in the community zone', () => {
	const rows: [string, string, string][] = [
		// zone, day, the deadline (UTC)
		['Asia/Shanghai', '2026-12-15', '2026-12-15T15:59:59.999Z'],
		['Asia/Shanghai', '2026-01-01', '2026-01-01T15:59:59.999Z'],
		['Asia/Shanghai', '2028-02-29', '2028-02-29T15:59:59.999Z'],
		['UTC', '2026-12-15', '2026-12-15T23:59:59.999Z'],
		// New York: 23:59:59.999 EST is 04:59:59.999Z the next day, EDT is 03:59:59.999Z.
		['America/New_York', '2026-03-07', '2026-03-08T04:59:59.999Z'],
		// 8 March 2026: clocks go 02:00 → 03:00, the day has 23 hours; it still ends at midnight.
		['America/New_York', '2026-03-08', '2026-03-09T03:59:59.999Z'],
		['America/New_York', '2026-10-31', '2026-11-01T03:59:59.999Z'],
		// 1 November 2026: clocks go 02:00 → 01:00, the day has 25 hours.
		['America/New_York', '2026-11-01', '2026-11-02T04:59:59.999Z'],
		['Asia/Kolkata', '2026-06-30', '2026-06-30T18:29:59.999Z']
	];
	it.each(rows)('%s, due %s → %s', (zone, day, expected) => {
		expect(new Date(deadlineOfDay(day, zone)).toISOString()).toBe(expected);
		expect(dayKeyOf(deadlineOfDay(day, zone), zone)).toBe(day);
		expect(dayOfDeadline(deadlineOfDay(day, zone), zone)).toBe(day);
		// One millisecond later is the next day.
		expect(dayKeyOf(deadlineOfDay(day, zone) + 1, zone)).toBe(addDays(day, 1));
	});

	it('the default zone is Asia/Shanghai', () => {
		expect(DEFAULT_TIME_ZONE).toBe('Asia/Shanghai');
		expect(deadlineOfDay('2026-12-15')).toBe(utc('2026-12-15T15:59:59.999Z'));
	});

	it('New York days around the changes have 23, 24 and 25 hours', () => {
		const hours = (day: string) =>
			(startOfDay(addDays(day, 1), 'America/New_York') - startOfDay(day, 'America/New_York')) /
			3_600_000;
		expect(hours('2026-03-07')).toBe(24);
		expect(hours('2026-03-08')).toBe(23);
		expect(hours('2026-11-01')).toBe(25);
		expect(zoneOffset(utc('2026-03-08T06:59:59Z'), 'America/New_York')).toBe(-5 * 3_600_000);
		expect(zoneOffset(utc('2026-03-08T07:00:00Z'), 'America/New_York')).toBe(-4 * 3_600_000);
	});

	// Every day of two years in zones with odd rules: a change at midnight (Santiago, Havana),
	// half-hour DST (Lord Howe), a whole day skipped once (Apia, 2011), no DST (Shanghai).
	it.each([
		['Asia/Shanghai', '2026-01-01'],
		['America/New_York', '2026-01-01'],
		['America/Santiago', '2026-01-01'],
		['America/Havana', '2026-01-01'],
		['Australia/Lord_Howe', '2026-01-01'],
		['Europe/London', '2026-01-01']
	])('%s: every day from %s round-trips and ends where the next begins', (zone, first) => {
		for (let i = 0; i < 730; i++) {
			const day = addDays(first, i);
			const end = deadlineOfDay(day, zone);
			expect(dayKeyOf(end, zone), day).toBe(day);
			expect(dayKeyOf(end + 1, zone), day).toBe(addDays(day, 1));
			expect(startOfDay(addDays(day, 1), zone), day).toBe(end + 1);
		}
	});
});

describe('dayKeyOf / monthKeyOf: the calendar day where the community is, not where the phone is', () => {
	const rows: [string, string, string, string][] = [
		['2025-03-04T23:30:00Z', 'Asia/Shanghai', '2025-03-05', '2025-03'],
		['2025-03-04T23:30:00Z', 'America/New_York', '2025-03-04', '2025-03'],
		['2025-03-31T16:30:00Z', 'Asia/Shanghai', '2025-04-01', '2025-04'],
		['2025-03-31T16:30:00Z', 'UTC', '2025-03-31', '2025-03'],
		['2026-11-01T05:30:00Z', 'America/New_York', '2026-11-01', '2026-11']
	];
	it.each(rows)('%s in %s is %s', (iso, zone, day, month) => {
		expect(dayKeyOf(utc(iso), zone)).toBe(day);
		expect(monthKeyOf(utc(iso), zone)).toBe(month);
	});
});

describe('dueDateToDeadline: a typed due day, refused when over', () => {
	// 10:00 on 9 December 2026 in Shanghai.
	const now = utc('2026-12-09T02:00:00Z');
	const rows: [string, string, string | number][] = [
		['2026-12-09', 'Asia/Shanghai', deadlineOfDay('2026-12-09', 'Asia/Shanghai')], // today: ok
		['2026-12-15', 'Asia/Shanghai', utc('2026-12-15T15:59:59.999Z')],
		['2026-12-08', 'Asia/Shanghai', 'date_in_past'], // yesterday
		['2025-12-31', 'Asia/Shanghai', 'date_in_past'],
		// At 02:00Z it is still 8 December in New York (21:00): the 8th is not over there.
		['2026-12-08', 'America/New_York', utc('2026-12-09T04:59:59.999Z')],
		['2026-12-07', 'America/New_York', 'date_in_past'],
		['', 'Asia/Shanghai', 'date_invalid'],
		['2026-02-30', 'Asia/Shanghai', 'date_invalid'],
		['15/12/2026', 'Asia/Shanghai', 'date_invalid']
	];
	it.each(rows)('%s in %s → %s', (day, zone, expected) => {
		const result = dueDateToDeadline(day, now, zone);
		if (typeof expected === 'number') expect(result).toEqual({ ok: true, value: expected });
		else expect(result).toEqual({ ok: false, reason: expected });
	});

	it('isPastDay follows the zone', () => {
		expect(isPastDay('2026-12-08', now, 'Asia/Shanghai')).toBe(true);
		expect(isPastDay('2026-12-08', now, 'America/New_York')).toBe(false);
		expect(isPastDay('2026-12-09', now, 'Asia/Shanghai')).toBe(false);
	});
});

describe('isTimeZone / isDayKey', () => {
	it.each([
		['Asia/Shanghai', true],
		['America/New_York', true],
		['UTC', true],
		['Mars/Olympus', false],
		['', false],
		[8, false]
	])('%s → %s', (value, expected) => expect(isTimeZone(value)).toBe(expected));

	it.each([
		['2026-12-09', true],
		['2028-02-29', true],
		['2026-02-29', false],
		['2026-13-01', false],
		['2026-1-1', false]
	])('day key %s → %s', (value, expected) => expect(isDayKey(value)).toBe(expected));
});

describe('wall times (a meeting start typed in datetime-local) on the community clock', () => {
	it.each([
		['2026-12-15T14:00', 'Asia/Shanghai', '2026-12-15T06:00:00.000Z'],
		['2026-12-15T14:00', 'America/New_York', '2026-12-15T19:00:00.000Z'],
		['2026-07-15T14:00', 'America/New_York', '2026-07-15T18:00:00.000Z'],
		// 02:30 does not exist on 8 March 2026 in New York: read with the offset before the gap.
		['2026-03-08T02:30', 'America/New_York', '2026-03-08T07:30:00.000Z'],
		// 01:30 happens twice on 1 November 2026: the first one.
		['2026-11-01T01:30', 'America/New_York', '2026-11-01T05:30:00.000Z']
	])('%s in %s → %s', (wall, zone, iso) => {
		expect(new Date(wallTimeToInstant(wall, zone)).toISOString()).toBe(iso);
	});
	it('round-trips where the time exists', () => {
		for (const zone of ['Asia/Shanghai', 'America/New_York']) {
			const at = wallTimeToInstant('2026-12-15T09:05', zone);
			expect(instantToWallTime(at, zone)).toBe('2026-12-15T09:05');
		}
	});
	it.each(['', '2026-12-15', '2026-02-30T10:00', '2026-12-15T24:00'])('%j is no time', (v) =>
		expect(wallTimeToInstant(v, 'Asia/Shanghai')).toBeNaN()
	);
});
