/**
 * Household statistics for a grid (or several): households by colour and by resident tag, and
 * this month's visits: due, done and overdue. The dashboard feeds it the household list
 * (model/household readers' `listHouseholds`, whose summaries fit `HouseholdStatsRow`), the
 * community's visit plan and time zone (model/directory/settings.ts) and the clock.
 *
 *   byColour   live households per colour, zeros included
 *   byTag      live households with at least one resident (not removed) carrying the tag
 *   month      the community's calendar month holding `now` (`YYYY-MM`, in `timeZone`)
 *   done       visits whose `visitedAt` falls in that month (every visit counts)
 *   overdue    live households whose next visit is past due now (visitDue: overdue)
 *   due        live households not overdue whose next visit falls due by the month's end: the
 *              visits still to make this month
 *
 * Invariant: pure; deleted households count nowhere; a household is counted in at most one of
 * `due` and `overdue`.
 */

import { DEFAULT_TIME_ZONE, deadlineOfDay, monthKeyOf } from './due-date';
import {
	HOUSEHOLD_COLOURS,
	RESIDENT_TAGS,
	visitDue,
	type HouseholdColour,
	type ResidentTag,
	type VisitPlanDefaults
} from './household';

/** What the statistics read of one household (a `HouseholdSummary` fits as it is). */
export type HouseholdStatsRow = Readonly<{
	colour: HouseholdColour;
	/** When the current colour was set: a never-visited household is due from here. */
	colourSince: number;
	/** Tags of residents not removed. */
	tags: readonly ResidentTag[];
	lastVisitAt: number | null;
	/** When each visit took place. */
	visitTimes: readonly number[];
	/** 0 = the colour's interval from the plan. */
	visitIntervalDays: number;
	deleted: boolean;
}>;

export type HouseholdStatsInput = Readonly<{
	households: readonly HouseholdStatsRow[];
	plan: VisitPlanDefaults;
	now: number;
	/** The community's time zone (IANA); Asia/Shanghai when left out. */
	timeZone?: string;
}>;

export type HouseholdStats = Readonly<{
	total: number;
	byColour: Readonly<Record<HouseholdColour, number>>;
	byTag: Readonly<Record<ResidentTag, number>>;
	month: string;
	visits: Readonly<{ due: number; done: number; overdue: number }>;
}>;

/** The last day of a `YYYY-MM` month, `YYYY-MM-DD`. */
function lastDayOf(month: string): string {
	const [year, monthNumber] = month.split('-').map(Number) as [number, number];
	const days = new Date(Date.UTC(year, monthNumber, 0)).getUTCDate();
	return `${month}-${String(days).padStart(2, '0')}`;
}

export function householdStats(input: HouseholdStatsInput): HouseholdStats {
	const zone = input.timeZone ?? DEFAULT_TIME_ZONE;
	const month = monthKeyOf(input.now, zone);
	const monthEnd = deadlineOfDay(lastDayOf(month), zone);
	const byColour = Object.fromEntries(HOUSEHOLD_COLOURS.map((c) => [c, 0])) as Record<
		HouseholdColour,
		number
	>;
	const byTag = Object.fromEntries(RESIDENT_TAGS.map((t) => [t, 0])) as Record<ResidentTag, number>;
	let total = 0;
	let due = 0;
	let done = 0;
	let overdue = 0;
	for (const household of input.households) {
		if (household.deleted) continue;
		total++;
		byColour[household.colour]++;
		for (const tag of new Set(household.tags)) byTag[tag]++;
		for (const at of household.visitTimes) if (monthKeyOf(at, zone) === month) done++;
		const intervalDays =
			household.visitIntervalDays > 0 ? household.visitIntervalDays : input.plan[household.colour];
		const next = visitDue(
			{ lastVisitAt: household.lastVisitAt, since: household.colourSince, intervalDays },
			input.now
		);
		if (next.state === 'overdue') overdue++;
		else if (next.dueAt <= monthEnd) due++;
	}
	return Object.freeze({
		total,
		byColour: Object.freeze(byColour),
		byTag: Object.freeze(byTag),
		month,
		visits: Object.freeze({ due, done, overdue })
	});
}
