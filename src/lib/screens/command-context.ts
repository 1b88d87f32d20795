/**
 * The command context of the member using this device, built by screen models at the moment a
 * command runs (so a role change or a new display name is never stale).
 */

import type { AppState } from '$lib/reactive/app-context.svelte';
import type { Authority, CommandContext } from '$lib/model/command-context';

type Member = Pick<AppState, 'actor' | 'claims' | 'membership'>;

export function memberContext(app: Member): CommandContext<Authority> {
	return {
		actor: app.actor,
		authority: { claims: app.claims, memberId: app.membership?.member.id ?? '' }
	};
}
