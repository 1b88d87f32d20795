/**
 * "From a visit": what a case or task page shows of the household visit it came from. Only those
 * who may read that grid's households (the secretary, the grid's members) get a link back to the
 * household; everyone else reads "from a household visit" with no link and no id to follow.
 *
 * Invariant: pure; the link is offered exactly when `canReadHouseholds` allows the grid.
 */

import { canReadHouseholds } from '$lib/wire';
import type { VisitSource } from '$lib/model/household';

type Claims = Parameters<typeof canReadHouseholds>[0];

export type VisitSourceView = Readonly<{
	/** The household to link to, or null for those who may not read the grid's households. */
	link: Readonly<{ gridId: string; householdId: string }> | null;
}>;

export function visitSourceView(
	source: VisitSource | null,
	claims: Claims
): VisitSourceView | null {
	if (!source) return null;
	return Object.freeze({
		link: canReadHouseholds(claims, source.gridId)
			? Object.freeze({ gridId: source.gridId, householdId: source.householdId })
			: null
	});
}
