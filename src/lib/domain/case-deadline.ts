/**
 * Deadlines: how long each tier has to handle a case, by category, and whether a case is overdue.
 * Pure and clock-free (the caller passes `now`), so overdue is computed on the device, offline.
 *
 * Defaults (days a tier has from the moment it takes the case), our judgement of the urgency:
 * danger to life (fire lanes, gas) within a day at the grid; flying wires soon after; broken
 * facilities and garbage within days; disputes and property matters take longer. A community
 * overrides any cell in its settings (`DeadlineRules`).
 *
 *   category                         grid  community  street  department
 *   fire_safety, gas_safety             1          2       3           5
 *   flying_wire                         2          3       5           7
 *   public_facilities, sanitation       3          5       7          15
 *   illegal_construction                5          7      15          30
 *   neighbour_dispute,                  7         15      30          30
 *   elevator_property
 *   everything else (general)           7         10      15          30
 *
 * Invariants: a case's explicit `deadline` wins over the rules; a case that is not open
 * (resolved, reviewed, closed, duplicate) is never overdue.
 */
import { isOpenStatus, type CaseStatus } from './case-status';
import { TIERS, type Tier } from './case-options';
import { nextTier } from './case-tier';

export const DAY_MS = 86_400_000;
export const DEADLINE_DAYS_MAX = 365;

export type TierDays = Readonly<Record<Tier, number>>;
/** A community's overrides: category → tier → days. */
export type DeadlineRules = Readonly<Record<string, Readonly<Partial<Record<Tier, number>>>>>;

const days = (grid: number, community: number, street: number, department: number): TierDays =>
	Object.freeze({ grid, community, street, department });

export const GENERAL_DEADLINE_DAYS: TierDays = days(7, 10, 15, 30);

export const DEFAULT_DEADLINE_DAYS: Readonly<Record<string, TierDays>> = Object.freeze({
	fire_safety: days(1, 2, 3, 5),
	gas_safety: days(1, 2, 3, 5),
	flying_wire: days(2, 3, 5, 7),
	public_facilities: days(3, 5, 7, 15),
	sanitation: days(3, 5, 7, 15),
	illegal_construction: days(5, 7, 15, 30),
	neighbour_dispute: days(7, 15, 30, 30),
	elevator_property: days(7, 15, 30, 30)
});

export function isValidDeadlineDays(value: unknown): value is number {
	return (
		typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= DEADLINE_DAYS_MAX
	);
}

/** Days the tier has for a case of this category: the community's rule, else the default. */
export function deadlineDays(category: string, tier: Tier, rules: DeadlineRules = {}): number {
	const custom = Object.hasOwn(rules, category) ? rules[category]?.[tier] : undefined;
	if (isValidDeadlineDays(custom)) return custom;
	const defaults = Object.hasOwn(DEFAULT_DEADLINE_DAYS, category)
		? DEFAULT_DEADLINE_DAYS[category]
		: undefined;
	return (defaults ?? GENERAL_DEADLINE_DAYS)[tier];
}

/** Every tier's days for a category, for the settings screen. */
export function deadlineTable(category: string, rules: DeadlineRules = {}): TierDays {
	return Object.freeze(
		Object.fromEntries(TIERS.map((tier) => [tier, deadlineDays(category, tier, rules)]))
	) as TierDays;
}

/** The deadline a tier that takes the case at `from` gets by default (epoch ms). */
export function defaultDeadline(
	category: string,
	tier: Tier,
	from: number,
	rules: DeadlineRules = {}
): number {
	return from + deadlineDays(category, tier, rules) * DAY_MS;
}

/** What overdue needs to know about a case (a `CaseSummary` has all of it). */
export type DeadlineCase = Readonly<{
	status: CaseStatus;
	tier: Tier;
	/** When the current tier took the case. */
	tierSince: number;
	category: string;
	/** The explicit deadline (epoch ms), or null to use the rules. */
	deadline: number | null;
}>;

/** The deadline that applies: the explicit one, else the tier's default from `tierSince`. */
export function effectiveDeadline(item: DeadlineCase, rules: DeadlineRules = {}): number {
	return item.deadline ?? defaultDeadline(item.category, item.tier, item.tierSince, rules);
}

/** An open case whose deadline has passed. */
export function isOverdue(item: DeadlineCase, now: number, rules: DeadlineRules = {}): boolean {
	return isOpenStatus(item.status) && effectiveDeadline(item, rules) < now;
}

/** The tier an overdue case should go to, or null (not overdue, or already at the top). */
export function suggestEscalation(
	item: DeadlineCase,
	now: number,
	rules: DeadlineRules = {}
): Tier | null {
	return isOverdue(item, now, rules) ? nextTier(item.tier) : null;
}
