/**
 * Test fixtures for the household model: contexts of each role on grid g1, a valid ID number,
 * household and resident inputs.
 *
 * Invariant: test-only data; nothing in the app imports it.
 */

import type { Actor } from '../../domain/actor';
import { idCheckCharacter, type HouseholdInput, type ResidentInput } from '../../domain/household';
import type { HouseholdContext } from './commands';

export const WANG: Actor = { name: '王网格员', deviceId: 'phone-wang' };
export const LI: Actor = { name: '李书记', deviceId: 'phone-li' };
export const ZHOU: Actor = { name: '周网格员', deviceId: 'phone-zhou' };

/** 2026-12-01 10:00 in Shanghai. */
export const T0 = Date.UTC(2026, 11, 1, 2, 0, 0);
export const DAY = 86_400_000;

type Role = 'secretary' | 'grid-member' | 'volunteer' | 'observer';

const MEMBER_IDS = new Map<Actor, string>([
	[WANG, 'm-wang'],
	[LI, 'm-li'],
	[ZHOU, 'm-zhou']
]);

/** The context of `actor` with `role` on grid `gridId` (a grid member's grids: `grids`). */
export function householdContext(
	actor: Actor,
	role: Role,
	at: number,
	grids: readonly string[] = role === 'grid-member' ? ['g1'] : [],
	gridId = 'g1'
): HouseholdContext {
	return {
		actor,
		authority: {
			claims: { cid: 'demo', role, grids: [...grids] },
			memberId: MEMBER_IDS.get(actor) ?? 'm-other',
			gridId
		},
		at
	};
}

/** A valid 18-character ID number for a birth date `yyyymmdd`. */
export function idNumber(birth: string, serial = '123'): string {
	const first17 = `110105${birth}${serial}`;
	return `${first17}${idCheckCharacter(first17)}`;
}

export function resident(name: string, more: Partial<ResidentInput> = {}): ResidentInput {
	return {
		name,
		relation: 'head',
		phone: '',
		idNumber: '',
		birthYear: null,
		tags: [],
		note: '',
		...more
	};
}

export function household(
	building: string,
	room: string,
	more: Partial<HouseholdInput> = {}
): HouseholdInput {
	return {
		address: { compound: '幸福里', building, unit: '2单元', room },
		colour: 'green',
		colourReason: '',
		note: '',
		residents: [],
		...more
	};
}
