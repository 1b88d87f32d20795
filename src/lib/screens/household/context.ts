/**
 * The command context of the member using this device on one grid's household register, built
 * when a command runs (so a role change or a new display name is never stale).
 */

import type { HouseholdContext } from '$lib/model/household';
import { memberContext } from '../command-context';

type Member = Parameters<typeof memberContext>[0];

export function householdContext(app: Member, gridId: string): HouseholdContext {
	const { actor, authority } = memberContext(app);
	return { actor, authority: { ...authority, gridId } };
}
