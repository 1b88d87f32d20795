/**
 * The app's long-lived state, handed down through Svelte context (never a module singleton):
 * this device's membership (credential, member, community), its relay tokens, and the document
 * session registry whose sockets carry those tokens.
 *
 * Invariants: without a credential there is no token manager and no session connects; every
 * document of this community with changes not yet confirmed by the relay has an open session; the
 * membership shown is the one the relay last confirmed (role and grids can change under us);
 * signing in and out reload the app, so no session outlives the membership it was opened for.
 */
import { getContext, setContext } from 'svelte';
import type { Actor } from '$lib/domain/actor';
import type { AccessClaims } from '$lib/domain/access';
import { createAuthApi, type AuthApi } from '$lib/sync/auth-api';
import {
	clearCredential,
	readCredential,
	writeCredential,
	type StoredCredential
} from '$lib/sync/credential-store';
import { openPendingIndex } from '$lib/sync/pending-index';
import { createSessionRegistry, type SessionRegistry } from '$lib/sync/session-registry';
import { requestPersistentStorage } from '$lib/sync/storage-info';
import { createTokenManager, type TokenManager, type TokenState } from '$lib/sync/token-manager';
import { readDeviceId } from './device-identity';
import { stampReceiptsForRegistry } from './server-receipts';

const KEY = Symbol('gridboard-app');

/** The relay's sync endpoint: same origin in production, proxied by Vite in development. */
export function relayUrlFor(location: Location): string {
	const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
	return `${scheme}://${location.host}/sync`;
}

export class AppState {
	readonly registry: SessionRegistry;
	readonly deviceId: string;
	readonly api: AuthApi;
	readonly tokens: TokenManager | null;
	membership = $state<StoredCredential | null>(null);
	tokenState = $state<TokenState | null>(null);

	constructor() {
		this.deviceId = readDeviceId();
		this.api = createAuthApi();
		this.membership = readCredential(localStorage);
		this.tokens = this.membership
			? createTokenManager({ api: this.api, store: localStorage, membership: this.membership })
			: null;
		if (this.tokens) {
			this.tokenState = this.tokens.getState();
			this.tokens.subscribe((state) => {
				this.tokenState = state;
				this.membership = state.membership;
			});
		}
		this.registry = createSessionRegistry({
			relayUrl: relayUrlFor(window.location),
			tokens: this.tokens,
			connect: this.tokens !== null,
			pendingIndex: openPendingIndex()
		});
		// Documents edited before this start (offline, or the tab closed too early) sync in the
		// background and count in the status bar, whichever page is open.
		if (this.membership) void this.registry.restorePending(this.membership.community.id);
		this.#askPersistenceAfterFirstSave();
		// "Reached the server at" on this device's timeline entries (docs/ledger.md).
		stampReceiptsForRegistry(this.registry, this.deviceId);
	}

	/**
	 * Browsers grant persistent storage to sites people use; the right moment to ask is right after
	 * something was saved (web.dev/persistent-storage). The answer is remembered, so this asks once.
	 */
	#askPersistenceAfterFirstSave(): void {
		const watched = new WeakSet<object>();
		let asked = false;
		const stop = this.registry.subscribe((sessions) => {
			for (const session of sessions) {
				if (watched.has(session)) continue;
				watched.add(session);
				let sawWrite = false;
				session.subscribe((state) => {
					if (state.local === 'saving') sawWrite = true;
					if (sawWrite && state.local === 'saved' && !asked) {
						asked = true;
						stop();
						void requestPersistentStorage();
					}
				});
			}
		});
	}

	get signedIn(): boolean {
		return this.membership !== null;
	}

	/** The relay refused this device's credential: removed from the community, or revoked. */
	get revoked(): boolean {
		return this.tokenState?.status === 'revoked';
	}

	get communityId(): string {
		return this.membership?.community.id ?? '';
	}

	get displayName(): string {
		return this.membership?.member.displayName ?? '';
	}

	/** What the access matrix needs (src/lib/domain/access.ts); no access when signed out. */
	get claims(): AccessClaims {
		const member = this.membership?.member;
		return {
			cid: this.communityId,
			role: member?.role ?? 'none',
			grids: member?.grids ?? []
		};
	}

	/** The actor every command records: the member's display name and this device. */
	get actor(): Actor {
		return { name: this.displayName || '?', deviceId: this.deviceId };
	}

	/** Stores what `/api/join` returned; the caller reloads into the community. */
	static storeMembership(membership: StoredCredential): void {
		clearCredential(localStorage);
		writeCredential(localStorage, membership);
	}

	/** Sign-out: wipes this community's documents, the credential and the cached token. */
	async signOut(): Promise<boolean> {
		const cleared = await this.registry.clearAllLocalData();
		this.tokens?.destroy();
		clearCredential(localStorage);
		this.membership = null;
		this.tokenState = null;
		return cleared.ok;
	}
}

export function setAppState(state: AppState): AppState {
	return setContext(KEY, state);
}

export function getAppState(): AppState {
	return getContext<AppState>(KEY);
}
