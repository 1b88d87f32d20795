import { describe, expect, it } from 'vitest';
import { parseCaseRoute, parseCommunityRoute, parseGridRoute } from './route-ids';

describe('board page ids', () => {
	it('parses well-formed ids', () => {
		expect(parseCaseRoute({ community: 'demo', grid: 'g1', case: 'c-42' })).toEqual({
			communityId: 'demo',
			gridId: 'g1',
			caseId: 'c-42'
		});
		expect(parseGridRoute({ community: 'demo', grid: 'g1' })).toEqual({
			communityId: 'demo',
			gridId: 'g1'
		});
	});

	it('gives nothing for a missing or malformed id, so the page shows its empty state', () => {
		expect(parseCommunityRoute({})).toBeNull();
		expect(parseGridRoute({ community: 'demo', grid: 'a/b' })).toBeNull();
		expect(parseCaseRoute({ community: 'demo', grid: 'g1', case: '' })).toBeNull();
	});
});
