/**
 * "我的走访" (my visits): the visits due across the grids a member looks after (a grid member:
 * their grids; the secretary: every grid), overdue first (most days overdue first), then red
 * before yellow before green, then by due date: the model's `visitsDue` order, over several
 * registers at once. Households not due within `MY_VISITS_HORIZON_DAYS` are left out: the list is
 * what to do soon, not the whole register.
 *
 * Invariant: pure; deleted households never show; each household shows once, with its grid.
 */

import type { VisitPlanDefaults } from '$lib/domain/household';
import { visitsDue, type DueVisit, type HouseholdSummary } from '$lib/model/household';

export const MY_VISITS_HORIZON_DAYS = 14;
const DAY_MS = 86_400_000;

export type GridRegister = Readonly<{ gridId: string; households: readonly HouseholdSummary[] }>;
export type MyVisit = DueVisit & Readonly<{ gridId: string }>;

export function myVisits(
	registers: readonly GridRegister[],
	plan: VisitPlanDefaults,
	now: number
): readonly MyVisit[] {
	const gridOf = new Map<HouseholdSummary, string>();
	for (const register of registers) {
		for (const household of register.households) gridOf.set(household, register.gridId);
	}
	const horizon = now + MY_VISITS_HORIZON_DAYS * DAY_MS;
	return Object.freeze(
		visitsDue([...gridOf.keys()], plan, now)
			.filter((row) => row.due.dueAt <= horizon)
			.map((row) => Object.freeze({ ...row, gridId: gridOf.get(row.household) ?? '' }))
	);
}
