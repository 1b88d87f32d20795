/**
 * Case categories: the kinds of problem a grid's ledger records.
 *
 * Invariant: the list is append-only; a stored category is never renamed, because old
 * devices and old documents keep the value they wrote.
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
export type CaseCategory = (typeof CASE_CATEGORIES)[number];

export function isCaseCategory(value: unknown): value is CaseCategory {
	return (CASE_CATEGORIES as readonly unknown[]).includes(value);
}
