/**
 * Test members for the work commands: a member id, a display name, a role and a device, turned
 * into the command context the commands take.
 *
 * Invariant: test-only plain data.
 */

import type { CommandContext } from '../command-context';

export type TestMember = Readonly<{
	memberId: string;
	name: string;
	role: string;
	deviceId: string;
}>;

/** The context of `member` acting at `at` (or now). */
export function acting(member: TestMember, at?: number): CommandContext {
	return {
		actor: { name: member.name, deviceId: member.deviceId },
		authority: {
			claims: { cid: 'demo', role: member.role, grids: ['g1'] },
			memberId: member.memberId
		},
		...(at === undefined ? {} : { at })
	};
}
