import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../wire/index.ts';
import { CASE_OPERATIONS, mayOperate, reportFormFor, type CaseOperation } from './case-permissions';
import { TIERS } from './case-options';

const claimsFor = (role: string) => ({ cid: 'demo', role, grids: ['g1'] });

// Every operation × role on the grid member's own grid g1, case held by the grid and open.
// Y = allowed, n = refused. Columns: secretary, grid-member, volunteer, observer.
const TABLE: Record<CaseOperation, string> = {
	report: 'YYYn',
	edit: 'YYYn',
	comment: 'YYYn',
	attach_photo: 'YYYn',
	accept: 'YYnn',
	start: 'YYnn',
	resolve: 'YYnn',
	review: 'YYnn',
	close: 'YYnn',
	reopen: 'YYnn',
	mark_duplicate: 'YYnn',
	assign: 'YYnn',
	set_deadline: 'YYnn',
	escalate: 'YYnn',
	hand_back: 'Ynnn',
	delete: 'Ynnn'
};

describe('mayOperate: operation × role on an own grid', () => {
	it('the table covers every operation', () => {
		expect(Object.keys(TABLE).sort()).toEqual([...CASE_OPERATIONS].sort());
	});
	for (const operation of CASE_OPERATIONS) {
		ROLES.forEach((role: Role, index) => {
			const expected = TABLE[operation][index] === 'Y';
			it(`${role} ${expected ? 'may' : 'may not'} ${operation}`, () => {
				expect(mayOperate(claimsFor(role), 'g1', operation, { tier: 'grid' })).toBe(expected);
			});
		});
	}
});

describe('mayOperate: context and other grids', () => {
	it('a grid member may do nothing on another grid; a secretary everything', () => {
		for (const operation of CASE_OPERATIONS) {
			expect([operation, mayOperate(claimsFor('grid-member'), 'g2', operation)]).toEqual([
				operation,
				false
			]);
			expect(mayOperate(claimsFor('secretary'), 'g2', operation)).toBe(true);
		}
	});
	it.each(TIERS)('escalating from %s: secretary always, grid member only from the grid', (tier) => {
		expect(mayOperate(claimsFor('secretary'), 'g1', 'escalate', { tier })).toBe(true);
		expect(mayOperate(claimsFor('grid-member'), 'g1', 'escalate', { tier })).toBe(tier === 'grid');
	});
	it('only the secretary reopens a closed case', () => {
		expect(mayOperate(claimsFor('secretary'), 'g1', 'reopen', { status: 'closed' })).toBe(true);
		expect(mayOperate(claimsFor('grid-member'), 'g1', 'reopen', { status: 'closed' })).toBe(false);
		expect(mayOperate(claimsFor('grid-member'), 'g1', 'reopen', { status: 'resolved' })).toBe(true);
	});
	it('unknown roles and signed-out devices get nothing', () => {
		for (const operation of CASE_OPERATIONS) {
			expect(mayOperate(claimsFor('admin'), 'g1', operation)).toBe(false);
			expect(mayOperate({ cid: '', role: 'none', grids: [] }, 'g1', operation)).toBe(false);
		}
	});
});

describe('reportFormFor', () => {
	it("hides the staff's triage fields from a volunteer and starts their channel at patrol", () => {
		expect(reportFormFor('volunteer')).toEqual({ staffFields: false, defaultChannel: 'patrol' });
		for (const role of ['secretary', 'grid-member'] as const) {
			expect(reportFormFor(role)).toEqual({ staffFields: true, defaultChannel: 'door_to_door' });
		}
	});
});
