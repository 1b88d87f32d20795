/**
 * The community board's rows: every grid's open cases in one list, each tagged with its grid.
 * "Held at community tier and above" is a preset of the tier filter, so it lives in the URL too.
 */
import type { BoardCase, BoardQuery } from '$lib/domain/board-query';
import { isOpenStatus, type CaseStatus } from '$lib/domain/case-status';

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
