/**
 * Ordering: the one tie-breaking order for things stamped with a time and an id.
 *
 * Invariant: a total order that depends only on the data (never on arrival order or locale),
 * so every replica sorts the same items the same way.
 */

export type Stamped = Readonly<{ at: number; id: string }>;

/** Orders by time, then id, so ties break the same way on every replica. */
export function compareByAtThenId(a: Stamped, b: Stamped): number {
	if (a.at !== b.at) return a.at - b.at;
	return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
