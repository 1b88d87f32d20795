/**
 * The ids in a household page's address (`/c/[community]/g/[grid]/households/[household]`): an
 * address whose ids do not parse opens no document (the page says "not found").
 */

import type { HouseholdId } from '$lib/domain/household';
import { isValidIdSegment } from '$lib/domain/ids';
import { parseGridRoute, type GridRoute } from '../case/route-ids';

type Params = Readonly<{ community?: string; grid?: string; household?: string }>;

export type HouseholdRoute = GridRoute & Readonly<{ householdId: HouseholdId }>;

export function parseHouseholdRoute(params: Params): HouseholdRoute | null {
	const route = parseGridRoute(params);
	const id = params.household ?? '';
	return route && isValidIdSegment(id) ? { ...route, householdId: id as HouseholdId } : null;
}
