/**
 * Test fixtures: actors and case inputs with the text grid members actually type.
 *
 * Invariant: test-only plain data.
 */

import type { Actor } from '../../domain/actor';
import type { NewCaseInput } from '../../domain/case-input';
import type { CaseId } from '../../domain/ids';
import type { Result } from '../../domain/result';
import type { CommandContext } from '../command-context';
import type { CaseAuthority } from '../case/commands';

export const WANG: Actor = { name: '王网格员', deviceId: 'phone-wang' };
export const LI: Actor = { name: '李书记', deviceId: 'phone-li' };
export const ZHAO: Actor = { name: '赵志愿者', deviceId: 'phone-zhao' };
export const ACTORS: readonly Actor[] = [WANG, LI, ZHAO];

export const CORRIDOR_LIGHT: NewCaseInput = {
	title: '楼道灯短路',
	description: '晚上楼道一片漆黑，老人上下楼不安全。',
	category: 'public_facilities',
	location: '3号楼2单元'
};

export const FIRE_LANE: NewCaseInput = {
	title: '消防通道被电动车堵塞',
	category: 'fire_safety',
	location: '幸福里小区东门'
};

export const FLYING_WIRE: NewCaseInput = {
	title: '飞线充电',
	description: '五楼窗口拉电线给电动车充电',
	category: 'flying_wire',
	location: '7号楼北侧'
};

export function created(result: Result<CaseId, string>): CaseId {
	if (!result.ok) throw new Error(`createCase refused: ${result.reason}`);
	return result.value;
}

/** Role authorities for the role-checked commands (case-permissions.ts), all on board g1. */
export const SECRETARY: CaseAuthority = {
	claims: { cid: 'demo', role: 'secretary', grids: [] },
	memberId: 'm-secretary',
	gridId: 'g1'
};
export const GRID_MEMBER: CaseAuthority = {
	claims: { cid: 'demo', role: 'grid-member', grids: ['g1'] },
	memberId: 'm-grid',
	gridId: 'g1'
};
export const VOLUNTEER: CaseAuthority = {
	claims: { cid: 'demo', role: 'volunteer', grids: [] },
	memberId: 'm-volunteer',
	gridId: 'g1'
};

/** A case command's context: `actor` acting at `at`, as the secretary unless told. */
export function caseContext(
	actor: Actor,
	at?: number,
	authority: CaseAuthority = SECRETARY
): CommandContext<CaseAuthority> {
	return at === undefined ? { actor, authority } : { actor, authority, at };
}
