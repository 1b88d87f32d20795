import { describe, expect, it } from 'vitest';
import { mayEditMeetings } from './meeting-permissions';

describe('mayEditMeetings', () => {
	it.each([
		['secretary', true],
		['grid-member', true],
		['volunteer', false],
		['observer', false],
		['none', false]
	])('%s: %s', (role, allowed) => {
		expect(mayEditMeetings({ cid: 'demo', role, grids: [] })).toBe(allowed);
	});

	it('refuses claims without a community', () => {
		expect(mayEditMeetings({ cid: '', role: 'secretary', grids: [] })).toBe(false);
	});
});
