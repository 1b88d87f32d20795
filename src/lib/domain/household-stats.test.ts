import { describe, expect, it } from 'vitest';
import { householdStats, type HouseholdStatsRow } from './household-stats';
import { DEFAULT_VISIT_PLAN } from './household';

const DAY = 86_400_000;
/** 2026-12-15 12:00 in Shanghai. */
const NOW = Date.UTC(2026, 11, 15, 4, 0, 0);

const row = (more: Partial<HouseholdStatsRow>): HouseholdStatsRow => ({
	colour: 'green',
	colourSince: NOW - DAY,
	tags: [],
	lastVisitAt: null,
	visitTimes: [],
	visitIntervalDays: 0,
	deleted: false,
	...more
});

describe('household statistics', () => {
	it('counts live households by colour and by tag, zeros included', () => {
		const stats = householdStats({
			households: [
				row({ colour: 'red', colourSince: NOW, tags: ['elderlyAlone', 'lowIncome'] }),
				row({ colour: 'red', colourSince: NOW, tags: ['elderlyAlone'] }),
				row({ colour: 'yellow', colourSince: NOW }),
				row({ colour: 'red', deleted: true, tags: ['veteran'] })
			],
			plan: DEFAULT_VISIT_PLAN,
			now: NOW
		});
		expect(stats.total).toBe(3);
		expect(stats.byColour).toEqual({ green: 0, yellow: 1, red: 2 });
		expect(stats.byTag).toMatchObject({ elderlyAlone: 2, lowIncome: 1, veteran: 0, vacant: 0 });
	});

	it('counts this month’s visits due, done and overdue in the community’s time zone', () => {
		// 2026-12-01 00:30 in Shanghai is still November in UTC.
		const earlyDecember = Date.UTC(2026, 10, 30, 16, 30);
		const stats = householdStats({
			households: [
				// Overdue: red, last visited 10 days ago (interval 7).
				row({ colour: 'red', lastVisitAt: NOW - 10 * DAY, visitTimes: [NOW - 10 * DAY] }),
				// Due by the month's end: red visited yesterday (due in 6 days).
				row({ colour: 'red', lastVisitAt: NOW - DAY, visitTimes: [NOW - DAY, earlyDecember] }),
				// Not this month: green, registered yesterday (due in 89 days).
				row({ colour: 'green' }),
				// A household's own interval: 3 days since a visit 5 days ago → overdue.
				row({ lastVisitAt: NOW - 5 * DAY, visitIntervalDays: 3, visitTimes: [NOW - 40 * DAY] })
			],
			plan: DEFAULT_VISIT_PLAN,
			now: NOW,
			timeZone: 'Asia/Shanghai'
		});
		expect(stats.month).toBe('2026-12');
		expect(stats.visits).toEqual({ due: 1, done: 3, overdue: 2 });
		// In UTC the early-December visit is November's.
		const utc = householdStats({
			households: [row({ visitTimes: [earlyDecember] })],
			plan: DEFAULT_VISIT_PLAN,
			now: NOW,
			timeZone: 'UTC'
		});
		expect(utc.visits.done).toBe(0);
	});
});
