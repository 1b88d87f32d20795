import { describe, expect, it } from 'vitest';
import { deadlineOfDay } from '$lib/domain/due-date';
import {
	formatBytes,
	formatClock,
	formatDay,
	formatDayKey,
	formatMonthKey,
	formatTime
} from './format';

describe('formatBytes', () => {
	it.each([
		[0, '0 B'],
		[1023, '1023 B'],
		[1536, '1.5 KB'],
		[50 * 1024 * 1024, '50 MB'],
		[3 * 1024 ** 3, '3.0 GB']
	])('%d bytes reads as %s', (bytes, text) => {
		expect(formatBytes(bytes)).toBe(text);
	});
});

describe('formatClock', () => {
	it('uses the locale', () => {
		const at = Date.UTC(2026, 10, 23, 2, 5);
		expect(formatClock(at, 'en')).toMatch(/\d{1,2}:05/);
	});
});

describe('dates read the same way everywhere: month and day, the year only when not this year', () => {
	// 10:00 on 6 December 2026 in Shanghai.
	const now = Date.parse('2026-12-06T02:00:00Z');
	const rows: [string, string, string, string][] = [
		// instant, zone, zh-CN, en
		['2026-12-09T15:59:59.999Z', 'Asia/Shanghai', '12月9日', 'Dec 9'],
		// 20:00 UTC on the 9th is already the 10th in Shanghai, still the 9th in New York.
		['2026-12-09T20:00:00Z', 'Asia/Shanghai', '12月10日', 'Dec 10'],
		['2026-12-09T20:00:00Z', 'America/New_York', '12月9日', 'Dec 9'],
		['2025-12-09T04:00:00Z', 'Asia/Shanghai', '2025年12月9日', 'Dec 9, 2025'],
		['2027-01-02T04:00:00Z', 'Asia/Shanghai', '2027年1月2日', 'Jan 2, 2027']
	];
	it.each(rows)('formatDay(%s, %s) → %s / %s', (iso, zone, zh, en) => {
		expect(formatDay(Date.parse(iso), 'zh-CN', zone, now)).toBe(zh);
		expect(formatDay(Date.parse(iso), 'en', zone, now)).toBe(en);
	});

	it.each([
		['2026-12-09', '12月9日', 'Dec 9'],
		['2026-01-01', '1月1日', 'Jan 1'],
		['2027-03-15', '2027年3月15日', 'Mar 15, 2027']
	])('formatDayKey(%s) → %s / %s, never the ISO key', (key, zh, en) => {
		for (const zone of ['Asia/Shanghai', 'America/New_York', 'Pacific/Kiritimati']) {
			expect(formatDayKey(key, 'zh-CN', zone, now)).toBe(zh);
			expect(formatDayKey(key, 'en', zone, now)).toBe(en);
		}
	});

	it('a deadline shows 23:59 of its day in the community zone, not the device zone', () => {
		const due = deadlineOfDay('2026-12-15', 'Asia/Shanghai');
		expect(formatTime(due, 'zh-CN', 'Asia/Shanghai', now)).toBe('12月15日 23:59');
		expect(formatTime(due, 'en', 'Asia/Shanghai', now)).toMatch(/^Dec 15, 11:59\sPM$/);
		const nyDue = deadlineOfDay('2026-12-15', 'America/New_York');
		expect(formatTime(nyDue, 'zh-CN', 'America/New_York', now)).toBe('12月15日 23:59');
		expect(formatTime(due, 'zh-CN', 'Asia/Shanghai', Date.parse('2027-06-01T00:00:00Z'))).toBe(
			'2026年12月15日 23:59'
		);
	});

	it('formatClock shows the time in the zone given', () => {
		const at = Date.UTC(2026, 10, 23, 2, 5);
		expect(formatClock(at, 'zh-CN', 'Asia/Shanghai')).toBe('10:05');
		expect(formatClock(at, 'zh-CN', 'UTC')).toBe('02:05');
	});
});

describe('formatMonthKey: a month reads "2026年12月" / "Dec 2026", never "2026-12"', () => {
	it.each([
		['2026-12', '2026年12月', 'Dec 2026'],
		['2027-01', '2027年1月', 'Jan 2027']
	])('%s → %s / %s', (key, zh, en) => {
		expect(formatMonthKey(key, 'zh-CN')).toBe(zh);
		expect(formatMonthKey(key, 'en')).toBe(en);
	});

	it('leaves what is not a month key as it is', () => {
		expect(formatMonthKey('2026-13', 'zh-CN')).toBe('2026-13');
		expect(formatMonthKey('', 'en')).toBe('');
	});
});
