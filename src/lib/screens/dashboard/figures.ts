/**
 * The dashboard's and the report's figures, from stored summaries (domain/summaries.ts): the
 * period a screen asks for turned into a range of instants in the community's zone, and every
 * block the secretary reads — per grid and in total: cases collected, resolved, open, overdue,
 * escalated, resolution rate, median time to close; the trend by month; by category and by
 * handling type; volunteers' hours and tasks done; patrols done against planned; mediation;
 * household colours and visits due — each block with its "as of".
 *
 * Invariants: pure (the clock, the zone and the summaries are passed); a grid without a summary
 * is counted as missing, never as zeros; a block's "as of" is the oldest of its parts' (null when
 * one part never heard the relay) and it is live only when every part is; the households block
 * is computed only when the caller says the viewer may read households.
 */
import {
	addDays,
	dayKeyOf,
	isDayKey,
	monthKeyOf,
	startOfDay,
	weekdayOf,
	type DayKey
} from '$lib/domain/due-date';
import type { DeadlineRules } from '$lib/domain/case-deadline';
import type { VisitPlanDefaults } from '$lib/domain/household';
import type { MediationTally } from '$lib/domain/mediation-rate';
import {
	boardTrend,
	eachAndTotal,
	householdFigures,
	meetingFigures,
	workFigures,
	type BoardFigures,
	type BoardSummary,
	type HouseholdFigures,
	type HouseholdsSummary,
	type MeetingsSummary,
	type Range,
	type WorkFigures,
	type WorkSummary
} from '$lib/domain/summaries';

export const PERIODS = ['week', 'month', 'quarter', 'custom'] as const;
export type Period = (typeof PERIODS)[number];

/** A range of whole days in the community's zone, `to` inclusive (what a person picks). */
export type DayRange = Readonly<{ fromDay: DayKey; toDay: DayKey }>;
export type PeriodRange = Range & DayRange;

/** The days of `period` holding `now` (weeks start on Monday), or `custom`'s own days. */
export function periodDays(period: Period, now: number, zone: string, custom?: DayRange): DayRange {
	const today = dayKeyOf(now, zone);
	if (period === 'custom' && custom) return custom;
	if (period === 'week') {
		const monday = addDays(today, -((weekdayOf(today) + 6) % 7));
		return { fromDay: monday, toDay: addDays(monday, 6) };
	}
	const [year, month] = today.split('-').map(Number) as [number, number];
	const first = period === 'quarter' ? month - ((month - 1) % 3) : month;
	const span = period === 'quarter' ? 3 : 1;
	const fromDay = `${year}-${String(first).padStart(2, '0')}-01`;
	const next = new Date(Date.UTC(year, first - 1 + span, 1)).toISOString().slice(0, 10);
	return { fromDay, toDay: addDays(next, -1) };
}

/** Whole days as a half-open range of instants: [start of `fromDay`, start of the day after `toDay`). */
export function rangeOfDays(days: DayRange, zone: string): PeriodRange {
	return {
		...days,
		from: startOfDay(days.fromDay, zone),
		to: startOfDay(addDays(days.toDay, 1), zone)
	};
}

/** `?from=YYYY-MM-DD&to=YYYY-MM-DD` (inclusive, `from` ≤ `to`), or null when absent or wrong. */
export function parseDayRange(params: URLSearchParams): DayRange | null {
	const fromDay = params.get('from');
	const toDay = params.get('to');
	if (!isDayKey(fromDay) || !isDayKey(toDay) || fromDay > toDay) return null;
	return { fromDay, toDay };
}

export type Stamped<T> = Readonly<{ summary: T; asOf: number | null; live: boolean }>;
export type Stamp = Readonly<{ asOf: number | null; live: boolean }>;

/** The oldest "as of" of several parts; null when any never heard the relay, or there are none. */
export function combineStamps(parts: readonly Stamp[]): Stamp {
	if (parts.length === 0) return { asOf: null, live: false };
	let asOf: number | null = Infinity;
	for (const part of parts)
		asOf = part.asOf === null || asOf === null ? null : Math.min(asOf, part.asOf);
	return { asOf, live: parts.every((part) => part.live) };
}

export type DashboardInput = Readonly<{
	grids: readonly Readonly<{ id: string; name: string }>[];
	board: (gridId: string) => Stamped<BoardSummary> | null;
	/** Null when the viewer may not read households (the block is left out). */
	households: ((gridId: string) => Stamped<HouseholdsSummary> | null) | null;
	work: Stamped<WorkSummary> | null;
	meetings: Stamped<MeetingsSummary> | null;
	range: Range;
	now: number;
	rules: DeadlineRules;
	zone: string;
	plan: VisitPlanDefaults;
}>;

export type GridFigures = Readonly<{
	gridId: string;
	name: string;
	/** Null: no summary of this grid's board on this device yet. */
	figures: BoardFigures | null;
	stamp: Stamp;
	mediation: MediationTally | null;
	households: HouseholdFigures | null;
}>;

export type Count = Readonly<{ key: string; count: number }>;
export type TrendMonth = Readonly<{ month: string; collected: number; resolved: number }>;

export type DashboardFigures = Readonly<{
	grids: readonly GridFigures[];
	/** Every grid with a summary, as one; null when none has one. */
	totals: BoardFigures | null;
	boardsStamp: Stamp;
	/** Grids whose board has no summary on this device. */
	missing: readonly string[];
	trend: readonly TrendMonth[];
	byCategory: readonly Count[];
	byHandling: readonly Count[];
	work: WorkFigures | null;
	workStamp: Stamp;
	mediation: MediationTally | null;
	meetingsStamp: Stamp;
	/** Null when the viewer may not read households, or no register has a summary. */
	households: HouseholdFigures | null;
	householdsStamp: Stamp;
}>;

const sorted = (record: Readonly<Record<string, number>>): Count[] =>
	Object.entries(record)
		.filter(([, count]) => count > 0)
		.map(([key, count]) => ({ key, count }))
		.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));

/** Months from six before the range's last (or the range's first, if earlier) to its last. */
function trendMonths(range: Range, zone: string): string[] {
	const last = monthKeyOf(range.to - 1, zone);
	const [year, month] = last.split('-').map(Number) as [number, number];
	const sixBefore = new Date(Date.UTC(year, month - 6, 1)).toISOString().slice(0, 7);
	const first = monthKeyOf(range.from, zone);
	const months: string[] = [];
	for (let key = first < sixBefore ? first : sixBefore; key <= last;) {
		months.push(key);
		const [y, m] = key.split('-').map(Number) as [number, number];
		key = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
	}
	return months;
}

export function dashboardFigures(input: DashboardInput): DashboardFigures {
	const { range, now, rules, zone } = input;
	const boards: (Stamped<BoardSummary> & { gridId: string })[] = [];
	const figuresOf = new Map<string, BoardFigures>();
	const registers: Stamped<HouseholdsSummary>[] = [];
	const missing: string[] = [];
	const grids = input.grids.map((grid): GridFigures => {
		const board = input.board(grid.id);
		const register = input.households?.(grid.id) ?? null;
		if (board) boards.push({ ...board, gridId: grid.id });
		else missing.push(grid.id);
		if (register) registers.push(register);
		return {
			gridId: grid.id,
			name: grid.name,
			figures: null,
			stamp: board ?? { asOf: null, live: false },
			mediation: input.meetings ? meetingFigures(input.meetings.summary, range, grid.id) : null,
			households: register
				? householdFigures([register.summary], range, now, input.plan, zone)
				: null
		};
	});
	const summaries = boards.map((board) => board.summary);
	// One pass over every case gives each grid's figures and the totals.
	const { each, total } = eachAndTotal(summaries, range, now, rules);
	boards.forEach((board, i) => figuresOf.set(board.gridId, each[i]!));
	const totals = summaries.length > 0 ? total : null;
	const byMonth = new Map(boardTrend(summaries, zone).map((month) => [month.month, month]));
	const none = { asOf: null, live: false };
	return {
		grids: grids.map((grid) => ({ ...grid, figures: figuresOf.get(grid.gridId) ?? null })),
		totals,
		boardsStamp: combineStamps(boards),
		missing,
		trend: trendMonths(range, zone).map((month) => ({
			month,
			collected: byMonth.get(month)?.collected ?? 0,
			resolved: byMonth.get(month)?.resolved ?? 0
		})),
		byCategory: totals ? sorted(totals.byCategory) : [],
		byHandling: totals ? sorted(totals.byHandling) : [],
		work: input.work ? workFigures(input.work.summary, range, zone) : null,
		workStamp: input.work ?? none,
		mediation: input.meetings ? meetingFigures(input.meetings.summary, range) : null,
		meetingsStamp: input.meetings ?? none,
		households:
			input.households && registers.length > 0
				? householdFigures(
						registers.map((register) => register.summary),
						range,
						now,
						input.plan,
						zone
					)
				: null,
		householdsStamp: combineStamps(registers)
	};
}
