/**
 * Token manager: turns the device credential into short-lived relay tokens
 * (`POST /api/token`, docs/access.md) and keeps one fresh while the device is online.
 *
 *   credential ──fresh()──▶ POST /api/token ──▶ { token, expiresAt, member, community }
 *                                 │                 cached (memory + localStorage), and a
 *                                 │                 refresh is scheduled `refreshBeforeMs` before
 *                                 │                 expiry; offline at that moment → at `online`
 *                                 ├─ 401 credential_revoked / credential_unknown → `revoked`
 *                                 └─ 403 member_removed → `revoked`, reason `member_removed`
 *
 * The removal (`revokedReason` MEMBER_REMOVED, the wire contract's signal) comes only from the
 * token endpoint's 403 `member_removed`, from the relay link's `memberRemoved()` (it heard the
 * close 4403 `member_removed`) or, after a reload, from the device's own record (`removed`).
 * Network errors, other refusals and other closes never set it.
 *
 * Invariants: at most one request in flight (`fresh()` calls share it); after `revoked` nothing
 * is requested again; nothing throws into the caller. Local edits never wait on a token: only the
 * relay connection and the members API ask for one.
 */
import { MEMBER_REMOVED } from '../wire/index.ts';
import type { ApiFailure, AuthApi } from './auth-api.ts';
import { backoffDelay } from './backoff.ts';
import {
	readCachedToken,
	writeCachedToken,
	writeCredential,
	type CachedToken,
	type KeyValueStore,
	type StoredCredential
} from './credential-store.ts';

export const REFRESH_BEFORE_MS = 60_000;
export const RETRY_MS = 15_000;
/** A token this close to its expiry is not handed out any more (clock skew, request time). */
const EXPIRY_MARGIN_MS = 5_000;
export const REVOKED_REASONS = [
	'credential_revoked',
	'credential_unknown',
	MEMBER_REMOVED
] as const;
export type RevokedReason = (typeof REVOKED_REASONS)[number];

export type TokenResult = { ok: true; token: string } | { ok: false; reason: ApiFailure };

export type TokenStatus = 'idle' | 'refreshing' | 'ready' | 'unreachable' | 'revoked';

export type TokenState = Readonly<{
	status: TokenStatus;
	/** Why the credential was refused (`credential_revoked` / `credential_unknown` / `member_removed`). */
	revokedReason: RevokedReason | null;
	expiresAt: number | null;
	/** The membership as the relay last described it (role and grids may change). */
	membership: StoredCredential;
}>;

export interface TokenSource {
	/** The cached token while it is still valid, else null. */
	current(): string | null;
	/** Asks the relay for a new token now (shares a request already in flight). */
	fresh(): Promise<TokenResult>;
	/** The relay closed a connection with 4403 `member_removed`: stop asking for tokens. */
	memberRemoved?(): void;
}

export interface TokenManager extends TokenSource {
	memberRemoved(): void;
	/** The cached token when valid, else a fresh one. */
	get(): Promise<TokenResult>;
	getState(): TokenState;
	subscribe(listener: (state: TokenState) => void): () => void;
	destroy(): void;
}

export type TokenManagerOptions = {
	api: Pick<AuthApi, 'token'>;
	store: KeyValueStore;
	membership: StoredCredential;
	now?: () => number;
	isOnline?: () => boolean;
	networkEvents?: EventTarget | null;
	refreshBeforeMs?: number;
	retryMs?: number;
	/** This device already heard that its member was removed (a reload before the wipe). */
	removed?: boolean;
};

export function createTokenManager(options: TokenManagerOptions): TokenManager {
	const now = options.now ?? Date.now;
	const isOnline = options.isOnline ?? (() => globalThis.navigator?.onLine ?? true);
	const refreshBeforeMs = options.refreshBeforeMs ?? REFRESH_BEFORE_MS;
	const retryMs = options.retryMs ?? RETRY_MS;
	// A fixed wait: the `online` event and every relay reconnect ask sooner when it matters.
	const retry = { baseMs: retryMs, maxMs: retryMs };
	let unreachable = 0;
	const network =
		options.networkEvents !== undefined
			? options.networkEvents
			: typeof window !== 'undefined'
				? window
				: null;

	let cached: CachedToken | null = options.removed ? null : readCachedToken(options.store);
	let inFlight: Promise<TokenResult> | null = null;
	let timer: ReturnType<typeof setTimeout> | null = null;
	let destroyed = false;
	let state: TokenState = Object.freeze({
		status: options.removed ? 'revoked' : cached ? 'ready' : 'idle',
		revokedReason: options.removed ? MEMBER_REMOVED : null,
		expiresAt: cached?.expiresAt ?? null,
		membership: options.membership
	});
	const listeners = new Set<(state: TokenState) => void>();

	function set(patch: Partial<TokenState>) {
		state = Object.freeze({ ...state, ...patch });
		for (const listener of listeners) listener(state);
	}

	function valid(token: CachedToken | null): token is CachedToken {
		return token !== null && now() < token.expiresAt - EXPIRY_MARGIN_MS;
	}

	function clearTimer() {
		if (timer !== null) clearTimeout(timer);
		timer = null;
	}

	function schedule(delay: number) {
		clearTimer();
		if (destroyed || state.status === 'revoked') return;
		timer = setTimeout(onTimer, Math.max(0, delay));
	}

	function onTimer() {
		timer = null;
		// Offline: the `online` listener picks it up; the device goes on with what it has.
		if (isOnline()) void fresh();
	}

	function onOnline() {
		if (destroyed || state.status === 'revoked') return;
		if (!cached || now() >= cached.expiresAt - refreshBeforeMs) void fresh();
	}
	network?.addEventListener('online', onOnline);

	async function request(): Promise<TokenResult> {
		set({ status: 'refreshing' });
		const answer = await options.api.token(state.membership.credential);
		if (destroyed) return answer.ok ? { ok: true, token: answer.value.token } : answer;
		if (answer.ok) {
			unreachable = 0;
			cached = { token: answer.value.token, expiresAt: answer.value.expiresAt };
			writeCachedToken(options.store, cached);
			const membership: StoredCredential = {
				credential: state.membership.credential,
				member: answer.value.member ?? state.membership.member,
				community: answer.value.community ?? state.membership.community
			};
			writeCredential(options.store, membership);
			set({ status: 'ready', expiresAt: cached.expiresAt, membership });
			schedule(cached.expiresAt - refreshBeforeMs - now());
			return { ok: true, token: cached.token };
		}
		const revoked = REVOKED_REASONS.find((reason) => reason === answer.reason);
		// "Removed" only as the relay's HTTP 403 answer, never as any other status.
		if (revoked && (revoked !== MEMBER_REMOVED || answer.status === 403)) {
			revoke(revoked);
			return { ok: false, reason: revoked };
		}
		unreachable++;
		set({ status: 'unreachable' });
		schedule(backoffDelay(unreachable, retry));
		return { ok: false, reason: answer.reason };
	}

	function revoke(reason: RevokedReason) {
		cached = null;
		clearTimer();
		set({ status: 'revoked', revokedReason: reason, expiresAt: null });
	}

	function fresh(): Promise<TokenResult> {
		if (destroyed) return Promise.resolve({ ok: false, reason: 'destroyed' });
		if (state.status === 'revoked') {
			return Promise.resolve({ ok: false, reason: state.revokedReason ?? 'credential_revoked' });
		}
		inFlight ??= request().finally(() => {
			inFlight = null;
		});
		return inFlight;
	}

	if (state.status === 'revoked') {
		// Removed before this reload: nothing more to ask the relay.
	} else if (valid(cached)) schedule(cached.expiresAt - refreshBeforeMs - now());
	else if (isOnline()) void fresh();

	return {
		current: () => (state.status !== 'revoked' && valid(cached) ? cached.token : null),
		fresh,
		memberRemoved() {
			if (!destroyed && state.revokedReason !== MEMBER_REMOVED) revoke(MEMBER_REMOVED);
		},
		get() {
			return state.status !== 'revoked' && valid(cached)
				? Promise.resolve({ ok: true, token: cached.token })
				: fresh();
		},
		getState: () => state,
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		destroy() {
			destroyed = true;
			clearTimer();
			network?.removeEventListener('online', onOnline);
			listeners.clear();
		}
	};
}
