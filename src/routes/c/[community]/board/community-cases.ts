/**
 * The community board's rows: every grid's open cases in one list, each tagged with its grid.
 * "Held at community tier and above" is a preset of the tier filter, so it lives in the URL too.
 *
 * First screen from summaries: with the board's default query (every open case, newest first,
 * as a list), a grid whose document is still loading contributes the head rows of its summary
 * (domain/summaries.ts `HEAD_ROWS`, its newest open cases) and its totals. The union of each
 * grid's newest rows holds the community's newest rows exactly, and the live cases that replace
 * them are the same rows in the same order: the list does not jump when a grid goes live. Any
 * other query waits for the live boards (a filter over summary rows would be incomplete).
 */
import {
	isFiltered,
	type BoardCase,
	type BoardQuery,
	type FacetCounts
} from '$lib/domain/board-query';
import { isOpenStatus, OPEN_STATUSES, type CaseStatus } from '$lib/domain/case-status';
import type { BoardSummary, HeadRow } from '$lib/domain/summaries';

/** Tiers above the grid: what the community (and the street, and departments) hold. */
export const HELD_ABOVE_GRID = ['community', 'department', 'street'] as const;

/** Open: still being handled (reported, accepted, in progress); the domain's definition. */
export function isOpenCase(item: Pick<BoardCase, 'status'>): boolean {
	return isOpenStatus(item.status as CaseStatus);
}

export function isHeldView(query: BoardQuery): boolean {
	return (
		query.tiers.length === HELD_ABOVE_GRID.length &&
		HELD_ABOVE_GRID.every((tier) => query.tiers.includes(tier))
	);
}

/** Open cases of every grid, each with its grid id. */
export function openCasesOfGrids<T extends BoardCase>(
	boards: readonly Readonly<{ gridId: string; cases: readonly T[] }>[]
): (T & { gridId: string })[] {
	const rows: (T & { gridId: string })[] = [];
	for (const board of boards) {
		for (const item of board.cases) {
			if (isOpenCase(item)) rows.push({ ...item, gridId: board.gridId });
		}
	}
	return rows;
}

/** The query the first screen can be drawn from summaries for: the default one. */
export function isFirstScreenQuery(query: BoardQuery): boolean {
	return !isFiltered(query) && query.sort === 'newest' && query.view === 'list';
}

export type CommunityCases<T> = Readonly<{
	rows: (T & { gridId: string })[];
	/** Open cases of every grid (summaries counted whole, not just their head rows). */
	total: number;
	/** The filters' counts, while some grid is shown from its summary (else null: count rows). */
	facets: FacetCounts | null;
}>;

/** Live open cases of loaded grids, and the summaries' head rows of the others. */
export function communityCases<T extends HeadRow>(
	boards: readonly Readonly<{ gridId: string; cases: readonly T[]; loaded: boolean }>[],
	summaryOf: (gridId: string) => BoardSummary | null
): CommunityCases<T | HeadRow> {
	const rows: ((T | HeadRow) & { gridId: string })[] = [];
	const statuses = new Map<string, number>();
	let total = 0;
	let conflicts = 0;
	let summarised = 0;
	for (const board of boards) {
		const summary = board.loaded ? null : summaryOf(board.gridId);
		if (summary) {
			summarised++;
			for (const row of summary.head) rows.push({ ...row, gridId: board.gridId });
			total += summary.open;
			conflicts += summary.openConflicts;
			for (const status of OPEN_STATUSES) {
				statuses.set(status, (statuses.get(status) ?? 0) + (summary.byStatus[status] ?? 0));
			}
			continue;
		}
		for (const item of board.cases) {
			if (!isOpenCase(item)) continue;
			rows.push({ ...item, gridId: board.gridId });
			total++;
			if (item.hasConflict) conflicts++;
			statuses.set(item.status, (statuses.get(item.status) ?? 0) + 1);
		}
	}
	return {
		rows,
		total,
		facets: summarised > 0 ? Object.freeze({ statuses, total, conflicts }) : null
	};
}
