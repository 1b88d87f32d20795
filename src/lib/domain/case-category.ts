/**
 * Case categories: the kinds of problem a grid's ledger records. The built-in list is what grid
 * workers meet on their rounds (public facilities, fire and gas safety, flying wires, illegal
 * building, noise, sanitation, parking, neighbour disputes, lifts and property); a community adds
 * its own (ids `cat-…`), renames or hides any of them in its settings
 * (src/lib/model/directory/settings.ts).
 *
 * Invariant: a stored category id is never renamed or reused, because old devices and old
 * documents keep the value they wrote; renaming changes only the label a community shows.
 */
export const CASE_CATEGORIES = [
	'public_facilities',
	'fire_safety',
	'flying_wire',
	'illegal_construction',
	'noise',
	'sanitation',
	'parking',
	'gas_safety',
	'neighbour_dispute',
	'elevator_property',
	'other'
] as const;
export type BuiltInCategory = (typeof CASE_CATEGORIES)[number];
/** A built-in category or a community's own (`cat-` + random id). */
export type CaseCategory = BuiltInCategory | `cat-${string}`;

const CUSTOM_CATEGORY = /^cat-[a-z0-9]{4,36}$/;

export function isBuiltInCategory(value: unknown): value is BuiltInCategory {
	return (CASE_CATEGORIES as readonly unknown[]).includes(value);
}

export function isCustomCategory(value: unknown): value is `cat-${string}` {
	return typeof value === 'string' && CUSTOM_CATEGORY.test(value);
}

export function isCaseCategory(value: unknown): value is CaseCategory {
	return isBuiltInCategory(value) || isCustomCategory(value);
}
