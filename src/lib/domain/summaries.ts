/**
 * Summaries: the small, versioned facts kept beside each document on the device, and every figure
 * a dashboard, a report or the community home reads from them without opening the document.
 *
 * What a summary is (computed by src/lib/model/summary/, stored by src/lib/sync/doc-session.ts in
 * the document's own meta store under `summary`, read in bulk by src/lib/sync/stored-summaries.ts):
 *
 *   board     per case, columnar (one typed array per fact, one entry per case):
 *               createdAt, resolvedAt (NaN: not resolved), tierSince, deadline (NaN: the tier's
 *               default applies), reviewedAt (NaN: no return visit), status, tier, category (index
 *               into `categories`), handlingType, satisfaction (0: none, else 1 + index), escalated,
 *               lng and lat (NaN: no place on the map) + `ids` (each case's id, same order): what
 *               the map's pins need (`summaryCases`: id, status, tier, deadline, place), so a map
 *               draws every pin before any board's document is read (screens/map/summary-cases.ts)
 *             + totals (by status, open by tier, by category, by handling type, escalated, open
 *               conflicts) + `head`: the first HEAD_ROWS open cases, newest first, as the board
 *               shows them (the community board's first screen).
 *   tasks     tasks (createdAt, doneAt, confirmedAt, status), hours (at, hours, member, source),
 *             patrol routes (grid, weekdays, created and deleted days), patrol runs (day, finished),
 *             wishes (createdAt, status).
 *   meetings  per meeting of the index: startsAt, type, mediation outcome, status, grid.
 *   households  per household of one grid's register, columnar: colour (index into
 *             HOUSEHOLD_COLOURS), colourSince, tags (a bit per RESIDENT_TAGS entry, residents not
 *             removed), lastVisitAt (NaN: never), own visit interval (0: the plan's), deleted;
 *             every visit's time (`visitAt`); + live households by colour.
 *
 * Each figure of a dashboard for a chosen range [from, to) (week, month, quarter, custom: the
 * caller turns it into two instants in the community's zone) is exact from these facts:
 *   cases collected  createdAt in range            resolved     resolvedAt in range
 *   open, overdue    now (isOverdue with the community's deadline rules and `now`)
 *   escalated        collected in range and ever escalated
 *   resolution rate  of the cases collected in range, the share resolved by now (null: none)
 *   median time to close  resolvedAt − createdAt over the cases resolved in range
 *   trend by month   `boardTrend` (collected and resolved per month key of the zone)
 *   by category, by handling type  collected in range
 *   satisfaction     return visits (reviewedAt) in range, by answer
 *   hours, tasks done  `workFigures`: hours credited in range (per member), tasks completed
 *   patrols          runs finished on days in range against the days routes planned
 *   mediation        `meetingFigures`: mediation sessions starting in range, agreed / decided
 *   households       `householdFigures`: domain/household-stats.ts `householdStats` (colours, tags,
 *                    this month's visits due, done, overdue at `now`) + visits made in range
 * "Open at the end of a past range" needs status history the summary does not keep: open and
 * overdue are figures of now.
 *
 * Invariants: pure (no yjs, no clock: `now` is passed); a summary whose `version` is not this
 * module's is never read (`isCurrentSummary` says so and it is recomputed from the document);
 * every figure from a summary equals the same figure computed from the document
 * (src/lib/model/summary/summary.test.ts checks it on random boards).
 */
import { CASE_STATUSES, isOpenStatus, type CaseStatus } from './case-status';
import { HANDLING_TYPES, SATISFACTIONS, TIERS, type Satisfaction, type Tier } from './case-options';
import { isOverdue, type DeadlineRules } from './case-deadline';
import {
	DEFAULT_TIME_ZONE,
	addDays,
	dayKeyOf,
	monthKeyOf,
	startOfDay,
	weekdayOf
} from './due-date';
import type { DayKey, Weekday } from './due-date';
import { mediationSuccessRate, type MediationTally } from './mediation-rate';
import { MEDIATION_OUTCOMES, MEETING_TYPES } from './meeting-rules';
import type { LngLat } from './geo';
import {
	HOUSEHOLD_COLOURS,
	RESIDENT_TAGS,
	type HouseholdColour,
	type ResidentTag,
	type VisitPlanDefaults
} from './household';
import { householdStats, type HouseholdStats, type HouseholdStatsRow } from './household-stats';

/** Bumped whenever a kind's format changes: older stored summaries are recomputed, never read. */
export const SUMMARY_VERSIONS = Object.freeze({ board: 2, tasks: 1, meetings: 1, households: 1 });
export type SummaryKind = keyof typeof SUMMARY_VERSIONS;

/** Open cases a board's summary carries as rows, newest first (a phone's first screen and more). */
export const HEAD_ROWS = 40;

/** A half-open range of instants [from, to). */
export type Range = Readonly<{ from: number; to: number }>;

const inRange = (at: number, range: Range) => at >= range.from && at < range.to;

/** One row of a board's first screen: what the board's list shows of a case. */
export type HeadRow = Readonly<{
	id: string;
	title: string;
	category: string;
	location: string;
	status: string;
	tier: string;
	tierSince: number;
	priority: string;
	assignees: readonly string[];
	deadline: number | null;
	createdAt: number;
	createdBy: string;
	updatedAt: number;
	hasConflict: boolean;
	firstPhoto: string | null;
}>;

export type CaseFacts = Readonly<{
	createdAt: Float64Array;
	resolvedAt: Float64Array;
	tierSince: Float64Array;
	deadline: Float64Array;
	reviewedAt: Float64Array;
	status: Uint8Array;
	tier: Uint8Array;
	category: Uint16Array;
	handling: Uint8Array;
	satisfaction: Uint8Array;
	escalated: Uint8Array;
	/** The case's place on the map; both NaN when it has none. */
	lng: Float64Array;
	lat: Float64Array;
}>;

export type BoardSummary = Readonly<{
	kind: 'board';
	version: number;
	/** Cases on the board (every status). */
	cases: number;
	byStatus: Readonly<Record<string, number>>;
	open: number;
	openByTier: Readonly<Record<string, number>>;
	/** Open cases with a same-field conflict waiting (the board's conflicts toggle). */
	openConflicts: number;
	byCategory: Readonly<Record<string, number>>;
	byHandling: Readonly<Record<string, number>>;
	escalated: number;
	categories: readonly string[];
	/** Every case's id, in the order of `facts`. */
	ids: readonly string[];
	facts: CaseFacts;
	head: readonly HeadRow[];
}>;

/** What a board summary is made from: `CaseSummary` (model/case) has all of it. */
export type BoardSummaryCase = HeadRow &
	Readonly<{
		handlingType: string;
		resolvedAt: number | null;
		escalated: boolean;
		satisfaction: Satisfaction | null;
		reviewedAt: number | null;
		point: LngLat | null;
	}>;

const indexIn = (list: readonly string[], value: string) => {
	const index = list.indexOf(value);
	return index < 0 ? 255 : index;
};
const orNaN = (value: number | null) => (value === null ? NaN : value);
const count = (record: Record<string, number>, key: string) =>
	(record[key] = (record[key] ?? 0) + 1);

/** The board's summary from its cases; `cases` in the board's default order (newest first). */
export function buildBoardSummary(cases: readonly BoardSummaryCase[]): BoardSummary {
	const n = cases.length;
	const facts: CaseFacts = {
		createdAt: new Float64Array(n),
		resolvedAt: new Float64Array(n),
		tierSince: new Float64Array(n),
		deadline: new Float64Array(n),
		reviewedAt: new Float64Array(n),
		status: new Uint8Array(n),
		tier: new Uint8Array(n),
		category: new Uint16Array(n),
		handling: new Uint8Array(n),
		satisfaction: new Uint8Array(n),
		escalated: new Uint8Array(n),
		lng: new Float64Array(n),
		lat: new Float64Array(n)
	};
	const ids: string[] = [];
	const categories: string[] = [];
	const categoryIndex = new Map<string, number>();
	const byStatus: Record<string, number> = Object.fromEntries(CASE_STATUSES.map((s) => [s, 0]));
	const openByTier: Record<string, number> = Object.fromEntries(TIERS.map((t) => [t, 0]));
	const byCategory: Record<string, number> = {};
	const byHandling: Record<string, number> = {};
	let open = 0;
	let openConflicts = 0;
	let escalated = 0;
	const head: HeadRow[] = [];
	cases.forEach((item, i) => {
		let category = categoryIndex.get(item.category);
		if (category === undefined) {
			category = categories.length;
			categories.push(item.category);
			categoryIndex.set(item.category, category);
		}
		facts.createdAt[i] = item.createdAt;
		facts.resolvedAt[i] = orNaN(item.resolvedAt);
		facts.tierSince[i] = item.tierSince;
		facts.deadline[i] = orNaN(item.deadline);
		facts.reviewedAt[i] = orNaN(item.reviewedAt);
		facts.status[i] = indexIn(CASE_STATUSES, item.status);
		facts.tier[i] = indexIn(TIERS, item.tier);
		facts.category[i] = category;
		facts.handling[i] = indexIn(HANDLING_TYPES, item.handlingType);
		facts.satisfaction[i] = item.satisfaction ? SATISFACTIONS.indexOf(item.satisfaction) + 1 : 0;
		facts.escalated[i] = item.escalated ? 1 : 0;
		facts.lng[i] = item.point ? item.point[0] : NaN;
		facts.lat[i] = item.point ? item.point[1] : NaN;
		ids.push(item.id);
		count(byStatus, item.status);
		count(byCategory, item.category);
		count(byHandling, item.handlingType);
		if (item.escalated) escalated++;
		if (isOpenStatus(item.status as CaseStatus)) {
			open++;
			count(openByTier, item.tier);
			if (item.hasConflict) openConflicts++;
			if (head.length < HEAD_ROWS) head.push(headRow(item));
		}
	});
	return Object.freeze({
		kind: 'board',
		version: SUMMARY_VERSIONS.board,
		cases: n,
		byStatus,
		open,
		openByTier,
		openConflicts,
		byCategory,
		byHandling,
		escalated,
		categories,
		ids,
		facts,
		head
	});
}

function headRow(item: HeadRow): HeadRow {
	return {
		id: item.id,
		title: item.title,
		category: item.category,
		location: item.location,
		status: item.status,
		tier: item.tier,
		tierSince: item.tierSince,
		priority: item.priority,
		assignees: [...item.assignees],
		deadline: item.deadline,
		createdAt: item.createdAt,
		createdBy: item.createdBy,
		updatedAt: item.updatedAt,
		hasConflict: item.hasConflict,
		firstPhoto: item.firstPhoto
	};
}

/** One case of a board summary, decoded (for figures; `BoardSummary.facts` row `i`). */
function caseAt(summary: BoardSummary, i: number) {
	const f = summary.facts;
	const num = (array: Float64Array) => (Number.isNaN(array[i]!) ? null : array[i]!);
	const satisfaction = f.satisfaction[i]!;
	return {
		createdAt: f.createdAt[i]!,
		resolvedAt: num(f.resolvedAt),
		reviewedAt: num(f.reviewedAt),
		status: (CASE_STATUSES[f.status[i]!] ?? 'reported') as CaseStatus,
		tier: (TIERS[f.tier[i]!] ?? 'grid') as Tier,
		tierSince: f.tierSince[i]!,
		deadline: num(f.deadline),
		category: summary.categories[f.category[i]!] ?? '',
		handlingType: HANDLING_TYPES[f.handling[i]!] ?? '',
		satisfaction: satisfaction === 0 ? null : (SATISFACTIONS[satisfaction - 1] ?? null),
		escalated: f.escalated[i] === 1
	};
}

const caseCount = (summary: BoardSummary) => summary.facts.createdAt.length;

/** What a summary keeps of one case for the map: its pin and the board query's filters. */
export type SummaryCase = Readonly<{
	id: string;
	createdAt: number;
	status: CaseStatus;
	tier: Tier;
	tierSince: number;
	deadline: number | null;
	category: string;
	point: LngLat | null;
}>;

/** Every case of a board's summary, in its order (newest first), as the map reads them. */
export function summaryCases(summary: BoardSummary): SummaryCase[] {
	const { lng, lat } = summary.facts;
	const cases: SummaryCase[] = [];
	for (let i = 0; i < caseCount(summary); i++) {
		const item = caseAt(summary, i);
		cases.push({
			id: summary.ids[i]!,
			createdAt: item.createdAt,
			status: item.status,
			tier: item.tier,
			tierSince: item.tierSince,
			deadline: item.deadline,
			category: item.category,
			point: Number.isNaN(lng[i]!) ? null : [lng[i]!, lat[i]!]
		});
	}
	return cases;
}

/** Open cases now and, of them, the overdue ones (the community home's two numbers). */
export function openAndOverdue(
	summary: BoardSummary,
	now: number,
	rules: DeadlineRules = {}
): Readonly<{ open: number; overdue: number }> {
	let overdue = 0;
	for (let i = 0; i < caseCount(summary); i++) {
		if (isOverdue(caseAt(summary, i), now, rules)) overdue++;
	}
	return Object.freeze({ open: summary.open, overdue });
}

export type BoardFigures = Readonly<{
	collected: number;
	resolved: number;
	open: number;
	overdue: number;
	escalated: number;
	/** Of the cases collected in the range, the share resolved by now; null when none. */
	resolutionRate: number | null;
	/** Over the cases resolved in the range (ms); null when none. */
	medianTimeToClose: number | null;
	byCategory: Readonly<Record<string, number>>;
	byHandling: Readonly<Record<string, number>>;
	satisfaction: Readonly<Record<Satisfaction, number>>;
}>;

function median(values: number[]): number | null {
	if (values.length === 0) return null;
	values.sort((a, b) => a - b);
	const mid = values.length >> 1;
	return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/** A grid's figures for a range (see the module header for each definition). */
export function boardFigures(
	summary: BoardSummary,
	range: Range,
	now: number,
	rules: DeadlineRules = {}
): BoardFigures {
	return boardsFigures([summary], range, now, rules);
}

/**
 * Several grids' figures as one (the community's totals): every count is the sum of the grids',
 * the rate and the median are taken over all their cases together (not averaged).
 */
export function boardsFigures(
	summaries: readonly BoardSummary[],
	range: Range,
	now: number,
	rules: DeadlineRules = {}
): BoardFigures {
	return eachAndTotal(summaries, range, now, rules).total;
}

type Tally = {
	collected: number;
	collectedResolved: number;
	resolved: number;
	escalated: number;
	overdue: number;
	open: number;
	closeTimes: number[];
	byCategory: Record<string, number>;
	byHandling: Record<string, number>;
	satisfaction: Record<Satisfaction, number>;
};

const newTally = (): Tally => ({
	collected: 0,
	collectedResolved: 0,
	resolved: 0,
	escalated: 0,
	overdue: 0,
	open: 0,
	closeTimes: [],
	byCategory: {},
	byHandling: {},
	satisfaction: Object.fromEntries(SATISFACTIONS.map((s) => [s, 0])) as Record<Satisfaction, number>
});

const figuresOf = (t: Tally): BoardFigures =>
	Object.freeze({
		collected: t.collected,
		resolved: t.resolved,
		open: t.open,
		overdue: t.overdue,
		escalated: t.escalated,
		resolutionRate: t.collected === 0 ? null : t.collectedResolved / t.collected,
		medianTimeToClose: median(t.closeTimes),
		byCategory: t.byCategory,
		byHandling: t.byHandling,
		satisfaction: t.satisfaction
	});

/**
 * Each grid's figures and the total in one pass over the cases (the dashboard's per-grid rows
 * and its totals row): `each[i]` is `boardFigures(summaries[i], …)`, `total` is `boardsFigures`.
 */
export function eachAndTotal(
	summaries: readonly BoardSummary[],
	range: Range,
	now: number,
	rules: DeadlineRules = {}
): Readonly<{ each: readonly BoardFigures[]; total: BoardFigures }> {
	const total = newTally();
	const each = summaries.map((summary) => {
		const grid = newTally();
		const both = [grid, total];
		grid.open = summary.open;
		total.open += summary.open;
		for (let i = 0; i < caseCount(summary); i++) {
			const item = caseAt(summary, i);
			const overdue = isOverdue(item, now, rules);
			const collected = inRange(item.createdAt, range);
			const resolved = item.resolvedAt !== null && inRange(item.resolvedAt, range);
			const reviewed =
				item.satisfaction !== null && item.reviewedAt !== null && inRange(item.reviewedAt, range);
			for (const t of both) {
				if (overdue) t.overdue++;
				if (collected) {
					t.collected++;
					if (item.resolvedAt !== null) t.collectedResolved++;
					if (item.escalated) t.escalated++;
					count(t.byCategory, item.category);
					count(t.byHandling, item.handlingType);
				}
				if (resolved) {
					t.resolved++;
					t.closeTimes.push(item.resolvedAt! - item.createdAt);
				}
				if (reviewed) t.satisfaction[item.satisfaction!]++;
			}
		}
		return figuresOf(grid);
	});
	return Object.freeze({ each, total: figuresOf(total) });
}

/**
 * The month key (`YYYY-MM` in `zone`) of instants between `min` and `max`, without a time-zone
 * lookup per instant: the months' first instants are computed once and searched.
 */
function monthKeyer(min: number, max: number, zone: string): (at: number) => string {
	const keys: string[] = [];
	const starts: number[] = [];
	const last = monthKeyOf(max, zone);
	for (let key = monthKeyOf(min, zone); key <= last;) {
		keys.push(key);
		starts.push(startOfDay(`${key}-01`, zone));
		const [y, m] = key.split('-').map(Number) as [number, number];
		key = `${m === 12 ? y + 1 : y}-${String((m % 12) + 1).padStart(2, '0')}`;
	}
	return (at) => {
		let lo = 0;
		let hi = starts.length - 1;
		while (lo < hi) {
			const mid = (lo + hi + 1) >> 1;
			if (starts[mid]! <= at) lo = mid;
			else hi = mid - 1;
		}
		return keys[lo]!;
	};
}

/** Cases collected and resolved per month (`YYYY-MM` in `zone`), oldest month first. */
export function boardTrend(
	summary: BoardSummary | readonly BoardSummary[],
	zone: string = DEFAULT_TIME_ZONE
): readonly Readonly<{ month: string; collected: number; resolved: number }>[] {
	const months = new Map<string, { collected: number; resolved: number }>();
	const at = (key: string) => {
		let month = months.get(key);
		if (!month) months.set(key, (month = { collected: 0, resolved: 0 }));
		return month;
	};
	const all = Array.isArray(summary) ? summary : [summary as BoardSummary];
	let min = Infinity;
	let max = -Infinity;
	for (const one of all) {
		for (const times of [one.facts.createdAt, one.facts.resolvedAt]) {
			for (const time of times) {
				if (time < min) min = time;
				if (time > max) max = time;
			}
		}
	}
	const monthOf = min <= max ? monthKeyer(min, max, zone) : () => '';
	for (const one of all) {
		const { createdAt, resolvedAt } = one.facts;
		for (let i = 0; i < createdAt.length; i++) {
			at(monthOf(createdAt[i]!)).collected++;
			if (!Number.isNaN(resolvedAt[i]!)) at(monthOf(resolvedAt[i]!)).resolved++;
		}
	}
	return [...months]
		.sort(([a], [b]) => (a < b ? -1 : 1))
		.map(([month, figures]) => Object.freeze({ month, ...figures }));
}

// ---- the tasks document: tasks, patrols, wishes, hours ----

export type PatrolRouteFacts = Readonly<{
	id: string;
	gridId: string;
	weekdays: readonly Weekday[];
	/** The community-zone day the route was created, and (if deleted) the day it was. */
	fromDay: DayKey;
	deletedDay: DayKey | null;
}>;

export type WorkSummary = Readonly<{
	kind: 'tasks';
	version: number;
	tasks: Readonly<{
		createdAt: Float64Array;
		doneAt: Float64Array;
		confirmedAt: Float64Array;
		status: Uint8Array;
	}>;
	/** Hours credited (de-duplicated): when, how many, whose (index into `members`), source. */
	hours: Readonly<{ at: Float64Array; hours: Float64Array; member: Uint16Array }>;
	members: readonly Readonly<{ id: string; name: string }>[];
	routes: readonly PatrolRouteFacts[];
	/** Patrol runs: the day each ran on, the route (index into `routes`, 65535: gone), finished. */
	runs: Readonly<{ day: readonly DayKey[]; route: Uint16Array; finishedAt: Float64Array }>;
	wishes: Readonly<{ createdAt: Float64Array; status: Uint8Array }>;
	taskStatus: Readonly<Record<string, number>>;
	wishStatus: Readonly<Record<string, number>>;
	totalHours: number;
}>;

export type WorkFigures = Readonly<{
	tasksCreated: number;
	tasksDone: number;
	hours: number;
	hoursByMember: readonly Readonly<{ id: string; name: string; hours: number }>[];
	patrolsDone: number;
	patrolsPlanned: number;
	wishesRecorded: number;
}>;

/** Days in [fromDay, toDay) — both community-zone day keys. */
function* days(fromDay: DayKey, toDay: DayKey): Generator<DayKey> {
	for (let day = fromDay; day < toDay; day = addDays(day, 1)) yield day;
}

/**
 * Volunteer work in a range: tasks completed (first completion in range), hours credited,
 * patrol runs finished on days in range against the patrol days routes planned (a route plans
 * its weekdays from the day it was created until the day it was deleted).
 */
export function workFigures(
	summary: WorkSummary,
	range: Range,
	zone: string = DEFAULT_TIME_ZONE
): WorkFigures {
	const t = summary.tasks;
	let tasksCreated = 0;
	let tasksDone = 0;
	for (let i = 0; i < t.createdAt.length; i++) {
		if (inRange(t.createdAt[i]!, range)) tasksCreated++;
		if (!Number.isNaN(t.doneAt[i]!) && inRange(t.doneAt[i]!, range)) tasksDone++;
	}
	let hours = 0;
	const perMember = new Map<number, number>();
	for (let i = 0; i < summary.hours.at.length; i++) {
		if (!inRange(summary.hours.at[i]!, range)) continue;
		hours += summary.hours.hours[i]!;
		const member = summary.hours.member[i]!;
		perMember.set(member, (perMember.get(member) ?? 0) + summary.hours.hours[i]!);
	}
	const fromDay = dayKeyOf(range.from, zone);
	const toDay = dayKeyOf(range.to, zone);
	let patrolsDone = 0;
	summary.runs.day.forEach((day, i) => {
		if (day >= fromDay && day < toDay && !Number.isNaN(summary.runs.finishedAt[i]!)) patrolsDone++;
	});
	let patrolsPlanned = 0;
	for (const route of summary.routes) {
		const start = route.fromDay > fromDay ? route.fromDay : fromDay;
		const end = route.deletedDay !== null && route.deletedDay < toDay ? route.deletedDay : toDay;
		for (const day of days(start, end))
			if (route.weekdays.includes(weekdayOf(day))) patrolsPlanned++;
	}
	let wishesRecorded = 0;
	for (const at of summary.wishes.createdAt) if (inRange(at, range)) wishesRecorded++;
	return Object.freeze({
		tasksCreated,
		tasksDone,
		hours,
		hoursByMember: [...perMember]
			.map(([index, total]) => ({ ...summary.members[index]!, hours: total }))
			.sort((a, b) => b.hours - a.hours || (a.id < b.id ? -1 : 1)),
		patrolsDone,
		patrolsPlanned,
		wishesRecorded
	});
}

// ---- the meetings index: mediation outcomes ----

export type MeetingsSummary = Readonly<{
	kind: 'meetings';
	version: number;
	startsAt: Float64Array;
	/** Index into MEETING_TYPES and MEDIATION_OUTCOMES. */
	type: Uint8Array;
	outcome: Uint8Array;
	gridId: readonly string[];
	/** Every mediation recorded, whenever it starts. */
	mediation: MediationTally;
}>;

/** Mediation sessions starting in the range (optionally of one grid): the tally and rate. */
export function meetingFigures(
	summary: MeetingsSummary,
	range: Range,
	gridId: string | null = null
): MediationTally {
	const meetings = [];
	for (let i = 0; i < summary.startsAt.length; i++) {
		if (!inRange(summary.startsAt[i]!, range)) continue;
		if (gridId !== null && summary.gridId[i] !== gridId) continue;
		meetings.push({
			type: MEETING_TYPES[summary.type[i]!] ?? 'grid_meeting',
			mediationOutcome: MEDIATION_OUTCOMES[summary.outcome[i]!] ?? 'pending'
		});
	}
	return mediationSuccessRate(meetings);
}

// ---- a grid's household register: colours, visits due and done ----

export type HouseholdsSummary = Readonly<{
	kind: 'households';
	version: number;
	/** Per household (every one, deleted included), one entry each. */
	colour: Uint8Array;
	colourSince: Float64Array;
	/** Bit `i` set: some resident not removed carries RESIDENT_TAGS[i]. */
	tags: Uint8Array;
	lastVisitAt: Float64Array;
	/** The household's own days between visits; 0: the community's plan for its colour. */
	intervalDays: Uint16Array;
	deleted: Uint8Array;
	/** Every visit: its household (index above) and when it took place. */
	visitOf: Uint32Array;
	visitAt: Float64Array;
	/** Live households, and per colour. */
	live: number;
	byColour: Readonly<Record<HouseholdColour, number>>;
}>;

/** What a households summary is made from: model/household's `HouseholdSummary` fits it. */
export type HouseholdsSummaryRow = HouseholdStatsRow;

/** The register's summary from its households (any order). */
export function buildHouseholdsSummary(rows: readonly HouseholdsSummaryRow[]): HouseholdsSummary {
	const n = rows.length;
	const visits = rows.reduce((sum, row) => sum + row.visitTimes.length, 0);
	const summary = {
		colour: new Uint8Array(n),
		colourSince: new Float64Array(n),
		tags: new Uint8Array(n),
		lastVisitAt: new Float64Array(n),
		intervalDays: new Uint16Array(n),
		deleted: new Uint8Array(n),
		visitOf: new Uint32Array(visits),
		visitAt: new Float64Array(visits)
	};
	const byColour = Object.fromEntries(HOUSEHOLD_COLOURS.map((c) => [c, 0])) as Record<
		HouseholdColour,
		number
	>;
	let live = 0;
	let v = 0;
	rows.forEach((row, i) => {
		summary.colour[i] = HOUSEHOLD_COLOURS.indexOf(row.colour);
		summary.colourSince[i] = row.colourSince;
		let bits = 0;
		for (const tag of row.tags) bits |= 1 << RESIDENT_TAGS.indexOf(tag);
		summary.tags[i] = bits;
		summary.lastVisitAt[i] = orNaN(row.lastVisitAt);
		summary.intervalDays[i] = Math.max(0, Math.min(65535, Math.round(row.visitIntervalDays)));
		summary.deleted[i] = row.deleted ? 1 : 0;
		for (const at of row.visitTimes) {
			summary.visitOf[v] = i;
			summary.visitAt[v++] = at;
		}
		if (!row.deleted) {
			live++;
			byColour[row.colour]++;
		}
	});
	return Object.freeze({
		kind: 'households',
		version: SUMMARY_VERSIONS.households,
		...summary,
		live,
		byColour
	});
}

/** The households of a summary, decoded to what `householdStats` reads. */
function householdRows(summary: HouseholdsSummary): HouseholdStatsRow[] {
	const times: number[][] = Array.from({ length: summary.colour.length }, () => []);
	for (let v = 0; v < summary.visitAt.length; v++)
		times[summary.visitOf[v]!]!.push(summary.visitAt[v]!);
	return Array.from(summary.colour, (colour, i) => ({
		colour: HOUSEHOLD_COLOURS[colour] ?? 'green',
		colourSince: summary.colourSince[i]!,
		tags: RESIDENT_TAGS.filter((_, bit) => (summary.tags[i]! >> bit) & 1) as ResidentTag[],
		lastVisitAt: Number.isNaN(summary.lastVisitAt[i]!) ? null : summary.lastVisitAt[i]!,
		visitTimes: times[i]!,
		visitIntervalDays: summary.intervalDays[i]!,
		deleted: summary.deleted[i] === 1
	}));
}

export type HouseholdFigures = HouseholdStats &
	Readonly<{
		/** Visits that took place in the range (of live and deleted households alike). */
		visitsInRange: number;
	}>;

/**
 * A register's figures: `householdStats` (colours, tags, this month's visits due, done and
 * overdue at `now` in `zone`) and the visits made in `range`. Several grids: `summaries` all.
 */
export function householdFigures(
	summaries: readonly HouseholdsSummary[],
	range: Range,
	now: number,
	plan: VisitPlanDefaults,
	zone: string = DEFAULT_TIME_ZONE
): HouseholdFigures {
	let visitsInRange = 0;
	for (const summary of summaries)
		for (const at of summary.visitAt) if (inRange(at, range)) visitsInRange++;
	const stats = householdStats({
		households: summaries.flatMap(householdRows),
		plan,
		now,
		timeZone: zone
	});
	return Object.freeze({ ...stats, visitsInRange });
}

// ---- stored form ----

export type AnySummary = BoardSummary | WorkSummary | MeetingsSummary | HouseholdsSummary;

/** A stored value is a summary of the current format of its kind (anything else is recomputed). */
export function isCurrentSummary<K extends SummaryKind>(
	value: unknown,
	kind: K
): value is Extract<AnySummary, { kind: K }> {
	if (typeof value !== 'object' || value === null) return false;
	const v = value as { kind?: unknown; version?: unknown };
	return v.kind === kind && v.version === SUMMARY_VERSIONS[kind];
}
