/**
 * The community's members as a reactive list, for picking assignees: the copy kept on the device
 * at once (offline too), then the relay's current list when it answers (`refresh`), which
 * replaces the copy. Only staff may read it (`canReadRoster`); for anyone else `current` stays
 * null and nothing is requested.
 *
 * Invariant: `current` is null only when this device has never had a list for this community
 * (callers then cannot tell members from outsiders and mark nobody as outside).
 */
import type { RosterMember } from '$lib/domain/assignees';
import { canReadRoster } from '$lib/wire';
import type { AuthApi } from '$lib/sync/auth-api';
import { readRoster, writeRoster } from '$lib/sync/roster-cache';
import type { TokenManager } from '$lib/sync/token-manager';

export type RosterSource = Readonly<{
	api: Pick<AuthApi, 'roster'>;
	tokens: Pick<TokenManager, 'get' | 'fresh'> | null;
	communityId: string;
	role: string;
}>;

export class CommunityRoster {
	readonly #source: RosterSource;
	#members = $state<readonly RosterMember[] | null>(null);

	constructor(source: RosterSource) {
		this.#source = source;
		if (!canReadRoster(source.role)) return;
		this.#members = readRoster(localStorage, source.communityId)?.members ?? null;
	}

	get current(): readonly RosterMember[] | null {
		return this.#members;
	}

	/** Asks the relay for the current list; offline or refused, the device's copy stays. */
	async refresh(): Promise<void> {
		const { api, tokens, communityId, role } = this.#source;
		if (!tokens || !canReadRoster(role)) return;
		let token = await tokens.get();
		if (!token.ok) return;
		let answer = await api.roster(token.token, communityId);
		if (!answer.ok && answer.status === 401) {
			token = await tokens.fresh();
			if (!token.ok) return;
			answer = await api.roster(token.token, communityId);
		}
		if (!answer.ok) return;
		const members = Object.freeze(answer.value.map((member) => Object.freeze({ ...member })));
		writeRoster(localStorage, { communityId, at: Date.now(), members });
		this.#members = members;
	}
}
