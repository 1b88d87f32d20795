/**
 * The household command context of the member using this device on one grid's register, for the
 * spreadsheet screens (import, export): the member's context with the register's grid id.
 *
 * Invariant: built when a command runs, so a role change is never stale.
 */

import type { CommandContext, Authority } from '$lib/model/command-context';
import type { HouseholdContext } from '$lib/model/household';

/** The member's context now (screens/command-context.ts `memberContext`). */
export type MemberContextSource = () => CommandContext<Authority>;

/** The member's context on grid `gridId`'s register. */
export function sheetContext(member: MemberContextSource, gridId: string): HouseholdContext {
	const context = member();
	return { ...context, authority: { ...context.authority, gridId } };
}
