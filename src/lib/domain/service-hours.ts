/**
 * Service hours: the records a confirmed task, a finished patrol run or a thanked wish leaves
 * for each volunteer, and the totals people ask for (mine; per month; per volunteer).
 *
 * Invariant: pure functions. One piece of work credits one volunteer once: two staff who
 * confirm the same task concurrently write two records, and `dedupeHours` keeps the earliest by
 * (at, id) on every replica, so totals never double.
 */

import { compareByAtThenId } from './ordering';
import { DEFAULT_TIME_ZONE, monthKeyOf } from './due-date';

export const HOUR_SOURCES = ['task', 'patrol', 'wish'] as const;
export type HourSource = (typeof HOUR_SOURCES)[number];

export type HourRecord = Readonly<{
	id: string;
	memberId: string;
	name: string;
	hours: number;
	source: HourSource;
	sourceId: string;
	/** What the work was, as it read when the hours were recorded. */
	title: string;
	at: number;
	by: string;
}>;

export function dedupeHours(records: readonly HourRecord[]): readonly HourRecord[] {
	const kept = new Map<string, HourRecord>();
	for (const record of [...records].sort(compareByAtThenId)) {
		const key = `${record.source}\u0000${record.sourceId}\u0000${record.memberId}`;
		if (!kept.has(key)) kept.set(key, record);
	}
	return Object.freeze([...kept.values()]);
}

/** Sums in half hours as integers, so 0.5 + 0.5 + … never drifts. */
export function sumHours(records: readonly HourRecord[]): number {
	return records.reduce((sum, record) => sum + Math.round(record.hours * 2), 0) / 2;
}

export type VolunteerTotal = Readonly<{
	memberId: string;
	name: string;
	hours: number;
	count: number;
}>;

/** Totals per volunteer, most hours first (then name, then id). The latest name is shown. */
export function totalsByVolunteer(records: readonly HourRecord[]): readonly VolunteerTotal[] {
	const groups = new Map<string, HourRecord[]>();
	for (const record of records) {
		const list = groups.get(record.memberId) ?? [];
		list.push(record);
		groups.set(record.memberId, list);
	}
	const totals = [...groups].map(([memberId, list]) => {
		const latest = [...list].sort(compareByAtThenId)[list.length - 1];
		return Object.freeze({
			memberId,
			name: latest?.name ?? '',
			hours: sumHours(list),
			count: list.length
		});
	});
	totals.sort(
		(a, b) =>
			b.hours - a.hours ||
			(a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
			(a.memberId < b.memberId ? -1 : 1)
	);
	return Object.freeze(totals);
}

export type MonthTotal = Readonly<{
	month: string;
	hours: number;
	volunteers: number;
	count: number;
}>;

/**
 * Totals per month, newest month first. Months are the community's calendar months (`zone`,
 * domain/due-date.ts).
 */
export function monthlyTotals(
	records: readonly HourRecord[],
	zone: string = DEFAULT_TIME_ZONE
): readonly MonthTotal[] {
	const groups = new Map<string, HourRecord[]>();
	for (const record of records) {
		const month = monthKeyOf(record.at, zone);
		const list = groups.get(month) ?? [];
		list.push(record);
		groups.set(month, list);
	}
	const totals = [...groups].map(([month, list]) =>
		Object.freeze({
			month,
			hours: sumHours(list),
			volunteers: new Set(list.map((record) => record.memberId)).size,
			count: list.length
		})
	);
	totals.sort((a, b) => (a.month < b.month ? 1 : a.month > b.month ? -1 : 0));
	return Object.freeze(totals);
}

export function hoursInMonth(
	records: readonly HourRecord[],
	month: string,
	zone: string = DEFAULT_TIME_ZONE
): readonly HourRecord[] {
	return records.filter((record) => monthKeyOf(record.at, zone) === month);
}
