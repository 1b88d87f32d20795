/**
 * Case options: the closed lists a case's fields choose from (channel, handling type, priority,
 * tier, return-visit satisfaction), as `as const` tuples with their guards.
 *
 * Invariant: the lists are append-only; a stored value is never renamed, because old devices and
 * old documents keep the value they wrote. Readers fall back to a default for unknown values.
 */

/** How the problem reached the grid. */
export const CASE_CHANNELS = [
	'door_to_door',
	'phone',
	'reception_day',
	'patrol',
	'walk_in',
	'meeting'
] as const;
export type CaseChannel = (typeof CASE_CHANNELS)[number];

/**
 * Handling by type, as a grid's problem ledger sorts them: obvious problems put right at once,
 * general ones supervised, recurring ones tracked, complex ones coordinated, prominent ones listed,
 * illegal ones passed to law enforcement.
 */
export const HANDLING_TYPES = [
	'fix_at_once',
	'supervised',
	'tracked',
	'coordinated',
	'listed',
	'law_enforcement'
] as const;
export type HandlingType = (typeof HANDLING_TYPES)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Who holds a case: "small things don't leave the grid, big things don't leave the community". */
export const TIERS = ['grid', 'community', 'street', 'department'] as const;
export type Tier = (typeof TIERS)[number];

/** What the resident said on the return visit. */
export const SATISFACTIONS = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const;
export type Satisfaction = (typeof SATISFACTIONS)[number];

const member =
	<T extends string>(list: readonly T[]) =>
	(value: unknown): value is T =>
		(list as readonly unknown[]).includes(value);

export const isCaseChannel = member(CASE_CHANNELS);
export const isHandlingType = member(HANDLING_TYPES);
export const isPriority = member(PRIORITIES);
export const isTier = member(TIERS);
export const isSatisfaction = member(SATISFACTIONS);
