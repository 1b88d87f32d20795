/**
 * The community report as a workbook's sheets (spreadsheets/write.ts `tablesXlsx`): the summary
 * (community, period, as of, the grids' totals), the trend by month, categories and handling
 * types, volunteers (hours per member), mediation and households (when shown). The same figures
 * as the printed report, written with the same texts (components/dashboard/figure-text.ts is the
 * view's; numbers stay numbers here).
 *
 * Invariant: pure; every label comes from the caller (the view's translations), so the workbook
 * speaks the reader's language; a figure unknown on the device is an empty cell, never 0.
 */
import type { DashboardFigures } from './figures';
import type { BoardFigures } from '$lib/domain/summaries';
import { HOUSEHOLD_COLOURS, type HouseholdColour } from '$lib/domain/household';

export type Cell = string | number | null;
export type Sheet = Readonly<{ name: string; rows: readonly (readonly Cell[])[] }>;

export type ReportLabels = Readonly<{
	sheets: Readonly<{
		summary: string;
		trend: string;
		categories: string;
		work: string;
		mediation: string;
		households: string;
	}>;
	header: readonly [title: string, period: string, asOf: string];
	gridColumns: readonly string[];
	total: string;
	month: string;
	collected: string;
	resolved: string;
	category: string;
	handling: string;
	count: string;
	categoryName: (key: string) => string;
	handlingName: (key: string) => string;
	monthName: (key: string) => string;
	work: Readonly<{
		hours: string;
		tasksDone: string;
		patrolsDone: string;
		patrolsPlanned: string;
		member: string;
		memberHours: string;
	}>;
	mediation: Readonly<{ sessions: string; decided: string; agreed: string; rate: string }>;
	households: Readonly<{
		total: string;
		colours: Readonly<Record<HouseholdColour, string>>;
		due: string;
		done: string;
		overdue: string;
		inRange: string;
	}>;
}>;

const DAY_MS = 86_400_000;
const round1 = (value: number) => Math.round(value * 10) / 10;
const gridCells = (f: BoardFigures | null): Cell[] =>
	f
		? [
				f.collected,
				f.resolved,
				f.open,
				f.overdue,
				f.escalated,
				f.resolutionRate === null ? null : round1(f.resolutionRate * 100),
				f.medianTimeToClose === null ? null : round1(f.medianTimeToClose / DAY_MS)
			]
		: [null, null, null, null, null, null, null];

export function reportSheets(
	figures: DashboardFigures,
	labels: ReportLabels,
	showHouseholds: boolean
): Sheet[] {
	const sheets: Sheet[] = [
		{
			name: labels.sheets.summary,
			rows: [
				...labels.header.map((line) => [line]),
				[],
				labels.gridColumns,
				...figures.grids.map((grid) => [grid.name, ...gridCells(grid.figures)]),
				[labels.total, ...gridCells(figures.totals)]
			]
		},
		{
			name: labels.sheets.trend,
			rows: [
				[labels.month, labels.collected, labels.resolved],
				...figures.trend.map((m) => [labels.monthName(m.month), m.collected, m.resolved])
			]
		},
		{
			name: labels.sheets.categories,
			rows: [
				[labels.category, labels.count],
				...figures.byCategory.map((c) => [labels.categoryName(c.key), c.count]),
				[],
				[labels.handling, labels.count],
				...figures.byHandling.map((c) => [labels.handlingName(c.key), c.count])
			]
		}
	];
	const work = figures.work;
	sheets.push({
		name: labels.sheets.work,
		rows: work
			? [
					[labels.work.hours, round1(work.hours)],
					[labels.work.tasksDone, work.tasksDone],
					[labels.work.patrolsDone, work.patrolsDone],
					[labels.work.patrolsPlanned, work.patrolsPlanned],
					[],
					[labels.work.member, labels.work.memberHours],
					...work.hoursByMember.map((member) => [member.name, round1(member.hours)])
				]
			: []
	});
	const mediation = figures.mediation;
	sheets.push({
		name: labels.sheets.mediation,
		rows: mediation
			? [
					[labels.mediation.sessions, mediation.sessions],
					[labels.mediation.decided, mediation.decided],
					[labels.mediation.agreed, mediation.agreed],
					[labels.mediation.rate, mediation.rate === null ? null : round1(mediation.rate * 100)]
				]
			: []
	});
	if (showHouseholds) {
		const h = figures.households;
		sheets.push({
			name: labels.sheets.households,
			rows: h
				? [
						[labels.households.total, h.total],
						...HOUSEHOLD_COLOURS.map((colour) => [
							labels.households.colours[colour],
							h.byColour[colour]
						]),
						[labels.households.due, h.visits.due],
						[labels.households.done, h.visits.done],
						[labels.households.overdue, h.visits.overdue],
						[labels.households.inRange, h.visitsInRange]
					]
				: []
		});
	}
	return sheets;
}
