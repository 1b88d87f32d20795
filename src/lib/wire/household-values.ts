/**
 * The closed value lists of a household record: colours (three-colour management), resident tags
 * and relations. One definition for the relay's write rules (write-rules-households.ts) and the
 * app's vocabulary (src/lib/domain/household.ts re-exports them), so the two cannot drift.
 *
 * Invariant: values are only ever added (a stored value must stay readable by every version).
 */
export const HOUSEHOLD_COLOURS = ['green', 'yellow', 'red'] as const;
export const RESIDENT_TAGS = [
	'elderlyAlone',
	'disability',
	'lowIncome',
	'veteran',
	'specialCare',
	'rented',
	'vacant'
] as const;
export const RESIDENT_RELATIONS = [
	'head',
	'spouse',
	'child',
	'parent',
	'grandchild',
	'sibling',
	'tenant',
	'other'
] as const;
