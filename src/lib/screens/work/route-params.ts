/**
 * Route parameters of the work pages, parsed with the id parsers of domain/ids.ts.
 *
 * Invariant: an absent or unparsable parameter is null, never cast; the page shows its
 * not-found state for it.
 */

import { parseWorkItemId, type WorkItemId } from '$lib/domain/ids';

/** A task, wish, patrol route or run id from the route, or null. */
export function workItemParam(value: string | undefined): WorkItemId | null {
	if (value === undefined) return null;
	const parsed = parseWorkItemId(value);
	return parsed.ok ? parsed.value : null;
}
