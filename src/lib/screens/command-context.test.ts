import { describe, expect, it } from 'vitest';
import { memberContext } from './command-context';

describe('memberContext', () => {
	it("is the member's actor, claims and member id, with no pinned time", () => {
		const app = {
			actor: { name: '李娜', deviceId: 'phone-1' },
			claims: { cid: 'c1', role: 'volunteer', grids: [] },
			membership: { member: { id: 'm7' } }
		} as unknown as Parameters<typeof memberContext>[0];
		expect(memberContext(app)).toEqual({
			actor: { name: '李娜', deviceId: 'phone-1' },
			authority: { claims: { cid: 'c1', role: 'volunteer', grids: [] }, memberId: 'm7' }
		});
	});

	it('has an empty member id when signed out', () => {
		const app = {
			actor: { name: '?', deviceId: 'phone-1' },
			claims: { cid: '', role: 'none', grids: [] },
			membership: null
		} as unknown as Parameters<typeof memberContext>[0];
		expect(memberContext(app).authority.memberId).toBe('');
	});
});
