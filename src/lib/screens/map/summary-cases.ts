/**
 * A map's first pins from the boards' summaries (domain/summaries.ts `summaryCases`: id, status,
 * tier, deadline, category, place of every case), drawn before any board's document is read,
 * and the rule that keeps the pins the map already holds when the live documents replace them.
 *
 * A query is drawn from summaries when everything it filters on is in them: status, tier,
 * category, grid and overdue are; search text, assignee and "has conflicts" are not (such a
 * query waits for the documents). The map draws no order, so the pins are always in the board's
 * default order (map-facts.ts), which the summary keeps.
 *
 * Invariant: for a summary of the same document state, `mapFacts` over `summaryMapCases` gives
 * the same pins as over the live cases (src/lib/screens/map/summary-cases.test.ts checks it on
 * random boards); a board without a current summary makes the whole set null (never a map
 * missing one grid's pins).
 */
import type { BoardQuery } from '$lib/domain/board-query';
import { isOpenStatus } from '$lib/domain/case-status';
import { summaryCases, type BoardSummary } from '$lib/domain/summaries';
import type { MapPin } from '$lib/map/layers';
import type { MapCase } from './map-facts';

/** The query filters only on what a board summary keeps. */
export function canDrawFromSummaries(query: BoardQuery): boolean {
	return query.search.trim() === '' && query.assignee === null && !query.conflicts;
}

/**
 * Every board's cases from its summary, each with its grid (only open ones with `openOnly`, as
 * the community map lists them); null when some board has no summary. Title and location are
 * blank and `updatedAt` is the creation time: no query drawn from summaries reads them.
 */
export function summaryMapCases(
	boards: readonly Readonly<{ gridId: string; summary: BoardSummary | null }>[],
	openOnly: boolean
): MapCase[] | null {
	const cases: MapCase[] = [];
	for (const { gridId, summary } of boards) {
		if (!summary) return null;
		for (const item of summaryCases(summary)) {
			if (openOnly && !isOpenStatus(item.status)) continue;
			cases.push({ ...item, title: '', location: '', updatedAt: item.createdAt, gridId });
		}
	}
	return cases;
}

const samePin = (a: MapPin, b: MapPin) =>
	a.caseId === b.caseId &&
	a.gridId === b.gridId &&
	a.status === b.status &&
	a.overdue === b.overdue &&
	a.point[0] === b.point[0] &&
	a.point[1] === b.point[1];

/**
 * `next`, or `previous` when they hold the same pins in the same order: the map's source is set
 * again (a re-cluster in its worker) only when a pin really changed, so the live documents
 * replacing the summaries make no visible jump.
 */
export function keepSamePins(
	previous: readonly MapPin[] | null,
	next: readonly MapPin[]
): readonly MapPin[] {
	if (!previous || previous.length !== next.length) return next;
	for (let i = 0; i < next.length; i++) if (!samePin(previous[i]!, next[i]!)) return next;
	return previous;
}
