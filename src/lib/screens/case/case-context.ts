/**
 * The command context of a case command: the member using this device, acting on one grid's
 * board (case-permissions.ts checks the role against that board). Built when the command runs.
 */

import type { CaseCommandContext } from '$lib/model/case';
import { memberContext } from '../command-context';

type Member = Parameters<typeof memberContext>[0];

export function boardContext(app: Member, gridId: string): CaseCommandContext {
	const { actor, authority } = memberContext(app);
	return { actor, authority: { ...authority, gridId } };
}
