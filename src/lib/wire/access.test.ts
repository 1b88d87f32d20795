import { describe, expect, it } from 'vitest';
import {
	accessFor,
	canAdminister,
	canReadHouseholds,
	canWriteBoard,
	isRole,
	parseDocNameForAccess,
	ROLES,
	type Role
} from './access.ts';
import { ACCESS_MATRIX_CASES as MATRIX } from './access-matrix-cases.ts';

const claimsFor = (role: string, cid = 'demo') => ({ cid, role, grids: ['g1'] });

describe('accessFor: every cell of the matrix', () => {
	for (const [docName, expected] of MATRIX) {
		for (const role of ROLES) {
			it(`${role} on ${docName} → ${expected[role]}`, () => {
				expect(accessFor(claimsFor(role), docName)).toBe(expected[role]);
			});
		}
	}
});

describe('accessFor: denied by default', () => {
	const others = [
		'c/other/directory',
		'c/other/board/g1',
		'c/other/households/g1',
		'c/other/tasks',
		'c/other/meetings/m1'
	];
	for (const role of ROLES) {
		for (const docName of others) {
			it(`${role} of demo on ${docName} → none`, () => {
				expect(accessFor(claimsFor(role), docName)).toBe('none');
			});
		}
	}
	const malformed = [
		'',
		'c/demo',
		'c/demo/unknown',
		'c/demo/board',
		'c/demo/tasks/t1',
		'c/demo/board/g1/x',
		'c/demo/board/..',
		'c/../board/g1',
		'c/Demo/board/g1',
		'x/demo/board/g1',
		'c/demo/households/%67%31',
		'c/demo/board/' + 'a'.repeat(200),
		'c/demo/__proto__',
		'c/demo/constructor/x'
	];
	for (const docName of malformed) {
		it(`secretary on malformed ${JSON.stringify(docName.slice(0, 40))} → none`, () => {
			expect(accessFor(claimsFor('secretary'), docName)).toBe('none');
		});
	}
	it('an unknown role gets nothing', () => {
		for (const [docName] of MATRIX) expect(accessFor(claimsFor('admin'), docName)).toBe('none');
	});
	it('claims without a grids array get nothing', () => {
		expect(
			accessFor({ cid: 'demo', role: 'secretary', grids: 'g1' as never }, 'c/demo/tasks')
		).toBe('none');
	});
	it('a grid member with no grids owns nothing', () => {
		const claims = { cid: 'demo', role: 'grid-member', grids: [] };
		expect(accessFor(claims, 'c/demo/board/g1')).toBe('read');
		expect(accessFor(claims, 'c/demo/households/g1')).toBe('none');
	});
});

describe('helpers', () => {
	it('canAdminister: secretaries only', () => {
		expect(ROLES.filter((role) => canAdminister(role))).toEqual(['secretary']);
		expect(canAdminister('admin')).toBe(false);
	});
	it('canWriteBoard and canReadHouseholds follow the matrix', () => {
		const table: [Role, boolean, boolean, boolean, boolean][] = [
			// role, write own board, write other board, read own households, read other households
			['secretary', true, true, true, true],
			['grid-member', true, false, true, false],
			['volunteer', true, true, false, false],
			['observer', false, false, false, false]
		];
		for (const [role, ownBoard, otherBoard, ownHouseholds, otherHouseholds] of table) {
			const claims = claimsFor(role);
			expect([role, canWriteBoard(claims, 'g1')]).toEqual([role, ownBoard]);
			expect([role, canWriteBoard(claims, 'g2')]).toEqual([role, otherBoard]);
			expect([role, canReadHouseholds(claims, 'g1')]).toEqual([role, ownHouseholds]);
			expect([role, canReadHouseholds(claims, 'g2')]).toEqual([role, otherHouseholds]);
		}
	});
	it('isRole and parseDocNameForAccess', () => {
		expect(ROLES.every(isRole)).toBe(true);
		expect(isRole('root')).toBe(false);
		expect(parseDocNameForAccess('c/demo/board/g1')).toEqual({
			communityId: 'demo',
			kind: 'board',
			id: 'g1'
		});
		expect(parseDocNameForAccess('c/demo/tasks')).toEqual({
			communityId: 'demo',
			kind: 'tasks',
			id: null
		});
		expect(parseDocNameForAccess('c/demo/toString')).toBeNull();
	});
});
