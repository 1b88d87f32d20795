/**
 * The app's long-lived state, handed down through Svelte context (never a module singleton):
 * this device's membership (credential, member, community), its relay tokens, and the document
 * session registry whose sockets carry those tokens.
 *
 * Invariants: without a credential there is no token manager and no session connects; every
 * document of this community with changes not yet confirmed by the relay has an open session; the
 * membership shown is the one the relay last confirmed (role and grids can change under us);
 * signing in and out reload the app, so no session outlives the membership it was opened for.
 * The sync engine (`engine/app-sync.ts`: Yjs, IndexedDB, the relay link) is handed in as a loader by the
 * root `+layout.ts`, only for a signed-in device; signed out, the registry is idle. Signed in,
 * everything drawn from the credential (membership, claims, navigation) is there at construction;
 * the root layout calls `startSync()` once the first frame is painted, and until the engine has
 * started (`syncStarted`) `registry` is a deferred one (`sync/deferred-registry.ts`) that knows
 * no documents: the first screen never waits for Yjs.
 * The photo outbox is one per AppState too (`photos`): its module loads on first use
 * (`loadPhotos()`, which the root layout calls after the first screen, once the engine started),
 * and it lives as long as the app, so pending uploads continue while the person moves between
 * screens.
 * Removal (the relay's MEMBER_REMOVED signal, heard by the token manager): `removed` turns true
 * and is recorded on the device at once (credential-store.ts `gridboard:removed`), the token
 * manager stops for good so nothing syncs any more, and the app shows what had not been sent
 * until the person acknowledges; `forgetRemovedCommunity()` then wipes like sign-out. A reload in
 * between starts removed again (no token request, no socket).
 */
import { getContext, setContext } from 'svelte';
import type { Actor } from '$lib/domain/actor';
import { MEMBER_REMOVED, type AccessClaims } from '$lib/wire';
import { createAuthApi, type AuthApi } from '$lib/sync/auth-api';
import {
	clearCredential,
	clearRemoval,
	readCredential,
	readRemoval,
	writeCredential,
	writeRemoval,
	type RemovalRecord,
	type StoredCredential
} from '$lib/sync/credential-store';
import { createDeferredRegistry } from '$lib/sync/deferred-registry';
import { createIdleRegistry } from '$lib/sync/idle-registry';
import type { SessionRegistry } from '$lib/sync/session-registry';
import type { PhotoOutbox } from '$lib/sync/photo-outbox';
import { createTokenManager, type TokenManager, type TokenState } from '$lib/sync/token-manager';
import type * as AppSync from '$lib/engine/app-sync';
import { readDeviceId } from '$lib/sync/device-identity';
import { DEFAULT_TIME_ZONE } from '$lib/domain/due-date';

const KEY = Symbol('gridboard-app');

/** The sync engine module, loaded on demand (see `+layout.ts`). */
export type SyncEngine = typeof AppSync;
type SyncEngineLoader = () => Promise<SyncEngine>;

export class AppState {
	readonly registry: SessionRegistry;
	readonly deviceId: string;
	readonly api: AuthApi;
	readonly tokens: TokenManager | null;
	membership = $state<StoredCredential | null>(null);
	tokenState = $state<TokenState | null>(null);
	/** The device's removal record (pending or wiped), see credential-store.ts. */
	removal = $state<RemovalRecord | null>(null);
	#photos = $state.raw<PhotoOutbox | null>(null);
	#photosLoading: Promise<PhotoOutbox> | null = null;
	/** The sync engine has started: documents can be opened (never, signed out). */
	syncStarted = $state(false);
	/** Resolves with the started registry (at once with the idle one, signed out). */
	readonly whenSyncStarted: Promise<SessionRegistry>;
	/** Resolves when the engine starts loading: what a screen needs beside it can load then. */
	readonly whenSyncRequested: Promise<void>;
	#startSync: (() => void) | null = null;
	#requested: () => void = () => undefined;
	/** Where the open community's time zone comes from (community-dates.svelte.ts sets it). */
	#zoneSource = $state<(() => string) | null>(null);

	constructor(engine: SyncEngineLoader | null = null) {
		// Prerendering `/join` at build time there is no localStorage: a signed-out newcomer.
		const prerendering = typeof localStorage === 'undefined';
		this.deviceId = prerendering ? '' : readDeviceId();
		this.api = createAuthApi();
		this.membership = prerendering ? null : readCredential(localStorage);
		this.removal = prerendering ? null : readRemoval(localStorage);
		this.tokens = this.membership
			? createTokenManager({
					api: this.api,
					store: localStorage,
					membership: this.membership,
					removed: this.removed
				})
			: null;
		if (this.tokens) {
			this.tokenState = this.tokens.getState();
			this.tokens.subscribe((state) => {
				this.tokenState = state;
				this.membership = state.membership;
				if (state.revokedReason === MEMBER_REMOVED) this.#noteRemoved();
			});
		}
		if (this.membership && !engine) {
			throw new Error('signed in without the sync engine: +layout.ts loads it');
		}
		this.whenSyncRequested = new Promise((resolve) => (this.#requested = resolve));
		const membership = this.membership;
		if (membership && engine) {
			const starting = new Promise<SyncEngine>((resolve, reject) => {
				this.#startSync = () => void engine().then(resolve, reject);
			});
			const registry = createDeferredRegistry(
				starting.then((sync) =>
					sync.startSync({
						communityId: membership.community.id,
						deviceId: this.deviceId,
						tokens: this.tokens
					})
				)
			);
			this.whenSyncStarted = registry.started.then((started) => {
				this.syncStarted = true;
				return started;
			});
			this.registry = registry;
		} else {
			this.registry = createIdleRegistry();
			this.whenSyncStarted = Promise.resolve(this.registry);
		}
	}

	/** Loads and starts the sync engine (signed in; once). */
	startSync(): void {
		this.#startSync?.();
		this.#startSync = null;
		this.#requested();
	}

	/** The photo outbox once `loadPhotos()` created it; null before (reactive). */
	get photos(): PhotoOutbox | null {
		return this.#photos;
	}

	/**
	 * The photo outbox, created once: uploads start at once and again whenever one of the app's
	 * relay connections opens (photo-outbox.ts, `sessions`).
	 */
	loadPhotos(): Promise<PhotoOutbox> {
		this.#photosLoading ??= Promise.all([
			import('$lib/sync/photo-outbox'),
			this.whenSyncStarted
		]).then(([{ createPhotoOutbox }, sessions]) => {
			const outbox = createPhotoOutbox({
				communityId: this.communityId,
				tokens: this.tokens,
				sessions
			});
			this.#photos = outbox;
			return outbox;
		});
		return this.#photosLoading;
	}

	get signedIn(): boolean {
		return this.membership !== null;
	}

	/** The relay refused this device's credential (revoked, unknown); removal is `removed`. */
	get revoked(): boolean {
		return this.tokenState?.status === 'revoked' && !this.removed;
	}

	/** The relay said this member was removed; the community is not yet wiped from the device. */
	get removed(): boolean {
		const removal = this.removal;
		return (
			this.membership !== null &&
			removal !== null &&
			!removal.wiped &&
			removal.communityId === this.membership.community.id
		);
	}

	/** The community this device forgot because its member was removed (the welcome page says). */
	get forgotten(): RemovalRecord | null {
		return this.membership === null && this.removal?.wiped ? this.removal : null;
	}

	#noteRemoved(): void {
		const membership = this.membership;
		if (!membership || this.removed) return;
		const record: RemovalRecord = {
			communityId: membership.community.id,
			communityName: membership.community.name,
			at: Date.now(),
			wiped: false
		};
		writeRemoval(localStorage, record);
		this.removal = record;
	}

	/**
	 * After the person saw what had not been sent: wipes the community like sign-out. On failure
	 * (another tab holds a database) nothing of the membership is forgotten, so it can be retried.
	 */
	async forgetRemovedCommunity(): Promise<boolean> {
		const removal = this.removal;
		if (!removal || !this.removed) return false;
		const cleared = await this.registry.clearAllLocalData();
		if (!cleared.ok) return false;
		this.tokens?.destroy();
		clearCredential(localStorage);
		const wiped: RemovalRecord = { ...removal, wiped: true };
		writeRemoval(localStorage, wiped);
		this.removal = wiped;
		this.membership = null;
		this.tokenState = null;
		return true;
	}

	/**
	 * The community's time zone for what lives above the community layout (the status bar): the
	 * setting while a community screen is open, else the default. Kept here, not read from the
	 * directory, so the first screen loads no Yjs.
	 */
	get zone(): string {
		return this.#zoneSource?.() ?? DEFAULT_TIME_ZONE;
	}

	/** Hands the zone's source to the app for as long as a community screen is open. */
	useZoneSource(source: () => string): () => void {
		this.#zoneSource = source;
		return () => {
			if (this.#zoneSource === source) this.#zoneSource = null;
		};
	}

	get communityId(): string {
		return this.membership?.community.id ?? '';
	}

	get displayName(): string {
		return this.membership?.member.displayName ?? '';
	}

	/** What the access matrix needs (src/lib/wire/access.ts); no access when signed out. */
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
		clearRemoval(localStorage);
		writeCredential(localStorage, membership);
	}

	/**
	 * The way out of a refusal (the relay will never store this device's changes to `docName`):
	 * deletes that one document's copy on this device (session-registry.ts `resetDocument`), then
	 * reloads the page, so every screen loads it again from the relay. The reload waits until
	 * every other document's changes are written to this device; nothing else is wiped.
	 */
	async discardDocument(docName: string): Promise<boolean> {
		const cleared = await this.registry.resetDocument(docName);
		if (!cleared.ok) return false;
		await allWrittenToDevice(this.registry);
		window.location.reload();
		return true;
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

/** Resolves once no open document has writes to this device in flight. */
function allWrittenToDevice(registry: SessionRegistry): Promise<void> {
	const writing = () => registry.all().some((session) => session.getState().local === 'saving');
	if (!writing()) return Promise.resolve();
	return new Promise((resolve) => {
		const stop = registry.watchSessions(() => {
			if (writing()) return;
			stop();
			resolve();
		});
	});
}

export function setAppState(state: AppState): AppState {
	return setContext(KEY, state);
}

export function getAppState(): AppState {
	return getContext<AppState>(KEY);
}
