/**
 * The community's members as a reactive list, for picking assignees: the copy kept on the device
 * at once (offline too), then the relay's current list when it answers (`refresh`), which
 * replaces the copy. Only staff may read it (`canReadRoster`); for anyone else `current` stays
 * null and nothing is requested.
 *
 * One roster serves every screen of the community: the community layout builds it
 * (`provideCommunityRoster`), asks the relay once when the app starts and again whenever the
 * connection comes back, so a staff member who signed in online can pick members offline without
 * having opened a case first; pages take it with `getCommunityRoster()`.
 *
 * Invariant: `current` is null only when this device has never had a list for this community
 * (callers then cannot tell members from outsiders and mark nobody as outside).
 */
import { getContext, onMount, setContext } from 'svelte';
import type { RosterMember } from '$lib/domain/assignees';
import { canReadRoster } from '$lib/wire';
import type { AuthApi } from '$lib/sync/auth-api';
import { readRoster, writeRoster } from '$lib/sync/roster-cache';
import type { TokenManager } from '$lib/sync/token-manager';
import type { AppState } from './app-context.svelte';

const KEY = Symbol('gridboard-community-roster');

/** Where "the connection came back" is heard (`window` in the app). */
export type NetworkEvents = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;

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

	/**
	 * Asks the relay now and each time the network comes back (`online`); returns the function
	 * that stops listening.
	 */
	keepFresh(network: NetworkEvents): () => void {
		const refresh = () => void this.refresh();
		network.addEventListener('online', refresh);
		refresh();
		return () => network.removeEventListener('online', refresh);
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

/**
 * The community's one roster (call during init of the community layout): read from the device at
 * once, refreshed from the relay while the layout lives (at start and whenever back online).
 */
export function provideCommunityRoster(app: AppState): CommunityRoster {
	const roster = new CommunityRoster({
		api: app.api,
		tokens: app.tokens,
		communityId: app.communityId,
		role: app.claims.role
	});
	onMount(() => roster.keepFresh(window));
	return setContext(KEY, roster);
}

/** The community's roster; outside a community (no provider), one that never has a list. */
export function getCommunityRoster(): CommunityRoster {
	return (
		getContext<CommunityRoster | undefined>(KEY) ??
		new CommunityRoster({
			api: { roster: async () => ({ ok: false, reason: 'signed_out' }) },
			tokens: null,
			communityId: '',
			role: 'none'
		})
	);
}
