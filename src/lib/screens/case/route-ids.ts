/**
 * The ids in a board page's address (`/c/[community]/g/[grid]/…`), parsed with the id parsers
 * of domain/ids.ts. An address whose ids do not parse has no board: the page shows its
 * not-found state instead of opening a document under a malformed name.
 */

import {
	parseCaseId,
	parseCommunityId,
	parseGridId,
	type CaseId,
	type CommunityId,
	type GridId
} from '$lib/domain/ids';

type Params = Readonly<{ community?: string; grid?: string; case?: string }>;

export type GridRoute = Readonly<{ communityId: CommunityId; gridId: GridId }>;
export type CaseRoute = GridRoute & Readonly<{ caseId: CaseId }>;

export function parseCommunityRoute(params: Params): CommunityId | null {
	const community = parseCommunityId(params.community ?? '');
	return community.ok ? community.value : null;
}

export function parseGridRoute(params: Params): GridRoute | null {
	const communityId = parseCommunityRoute(params);
	const grid = parseGridId(params.grid ?? '');
	return communityId && grid.ok ? { communityId, gridId: grid.value } : null;
}

export function parseCaseRoute(params: Params): CaseRoute | null {
	const route = parseGridRoute(params);
	const caseId = parseCaseId(params.case ?? '');
	return route && caseId.ok ? { ...route, caseId: caseId.value } : null;
}
