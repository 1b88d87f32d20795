import { describe, expect, it } from 'vitest';
import { emptyInviteDraft, inviteRequest } from './invite-draft';

describe('invite draft', () => {
	it('starts empty every time: a fresh draft shares nothing with one that was filled in', () => {
		const first = emptyInviteDraft();
		first.role = 'grid-member';
		first.grids.push('g1');
		const second = emptyInviteDraft();
		expect(second).toEqual({ role: 'volunteer', grids: [], days: 7, maxUses: 1 });
		second.grids.push('g2');
		expect(first.grids).toEqual(['g1']);
	});

	it('names grids only for a grid member, only known ones, each once', () => {
		const known = ['g1', 'g2'];
		expect(
			inviteRequest(
				{ role: 'grid-member', grids: ['g2', 'gone', 'g2'], days: 1, maxUses: 2 },
				known
			)
		).toEqual({ role: 'grid-member', grids: ['g2'], expiresInHours: 24, maxUses: 2 });
		expect(inviteRequest({ role: 'volunteer', grids: ['g1'], days: 7, maxUses: 0 }, known)).toEqual(
			{ role: 'volunteer', grids: [], expiresInHours: 168, maxUses: 1 }
		);
	});
});
