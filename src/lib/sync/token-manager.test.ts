import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthApi } from './auth-api.ts';
import {
	CREDENTIAL_KEY,
	readCachedToken,
	readCredential,
	TOKEN_KEY,
	type KeyValueStore,
	type StoredCredential
} from './credential-store.ts';
import { createTokenManager, type TokenManager } from './token-manager.ts';

const MINUTE = 60_000;

const membership: StoredCredential = {
	credential: { communityId: 'c1', memberId: 'm1', deviceId: 'd1', secret: 's3cret' },
	member: { id: 'm1', communityId: 'c1', displayName: '王秀英', role: 'volunteer', grids: [] },
	community: { id: 'c1', name: '幸福社区' }
};

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
	const data = new Map<string, string>();
	return {
		data,
		getItem: (key) => data.get(key) ?? null,
		setItem: (key, value) => void data.set(key, value),
		removeItem: (key) => void data.delete(key)
	};
}

type Answer = Awaited<ReturnType<AuthApi['token']>>;

/** A fake `/api/token`: each call takes the next scripted answer (or mints a 10-minute token). */
function fakeApi(script: Answer[] = []) {
	let minted = 0;
	const calls: number[] = [];
	const api: Pick<AuthApi, 'token'> = {
		token: vi.fn(async () => {
			calls.push(Date.now());
			const next = script.shift();
			if (next) return next;
			minted++;
			return {
				ok: true as const,
				value: {
					token: `t${minted}`,
					expiresAt: Date.now() + 10 * MINUTE,
					member: { ...membership.member, role: 'observer' as const },
					community: membership.community
				}
			};
		})
	};
	return { api, calls };
}

let online = true;
let network: EventTarget;
const managers: TokenManager[] = [];

function manager(
	api: Pick<AuthApi, 'token'>,
	store: KeyValueStore,
	extra: { removed?: boolean } = {}
) {
	const created = createTokenManager({
		api,
		store,
		membership,
		isOnline: () => online,
		networkEvents: network,
		...extra
	});
	managers.push(created);
	return created;
}

beforeEach(() => {
	vi.useFakeTimers();
	vi.setSystemTime(new Date('2025-03-01T08:00:00Z'));
	online = true;
	network = new EventTarget();
});

afterEach(() => {
	for (const created of managers.splice(0)) created.destroy();
	vi.useRealTimers();
});

describe('token manager', () => {
	it('fetches a token at start, caches it with its expiry and records the membership', async () => {
		const store = memoryStore();
		const { api } = fakeApi();
		const tokens = manager(api, store);
		await vi.advanceTimersByTimeAsync(0);
		expect(tokens.current()).toBe('t1');
		expect(readCachedToken(store)).toEqual({ token: 't1', expiresAt: Date.now() + 10 * MINUTE });
		expect(tokens.getState().status).toBe('ready');
		// The relay's answer carries the member's current role.
		expect(tokens.getState().membership.member.role).toBe('observer');
		expect(readCredential(store)?.member.role).toBe('observer');
	});

	it('refreshes about a minute before expiry while online', async () => {
		const { api, calls } = fakeApi();
		const tokens = manager(api, memoryStore());
		await vi.advanceTimersByTimeAsync(0);
		expect(calls).toHaveLength(1);
		await vi.advanceTimersByTimeAsync(9 * MINUTE - 1_000);
		expect(calls).toHaveLength(1);
		await vi.advanceTimersByTimeAsync(1_000);
		expect(calls).toHaveLength(2);
		expect(tokens.current()).toBe('t2');
	});

	it('uses a still-valid cached token without asking, and shares one request between callers', async () => {
		const store = memoryStore();
		store.setItem(
			TOKEN_KEY,
			JSON.stringify({ token: 'cached', expiresAt: Date.now() + 5 * MINUTE })
		);
		const { api, calls } = fakeApi();
		const tokens = manager(api, store);
		expect(tokens.current()).toBe('cached');
		expect(await tokens.get()).toEqual({ ok: true, token: 'cached' });
		expect(calls).toHaveLength(0);
		const [a, b] = await Promise.all([tokens.fresh(), tokens.fresh()]);
		expect(a).toEqual({ ok: true, token: 't1' });
		expect(b).toEqual(a);
		expect(calls).toHaveLength(1);
	});

	it('offline: keeps what it has, asks nothing, and refreshes when the network comes back', async () => {
		online = false;
		const store = memoryStore();
		store.setItem(TOKEN_KEY, JSON.stringify({ token: 'old', expiresAt: Date.now() + 2 * MINUTE }));
		const { api, calls } = fakeApi();
		const tokens = manager(api, store);
		await vi.advanceTimersByTimeAsync(5 * MINUTE);
		expect(calls).toHaveLength(0);
		// Expired meanwhile: not handed out, but the credential is intact.
		expect(tokens.current()).toBeNull();
		expect(tokens.getState().status).not.toBe('revoked');
		online = true;
		network.dispatchEvent(new Event('online'));
		await vi.advanceTimersByTimeAsync(0);
		expect(calls).toHaveLength(1);
		expect(tokens.current()).toBe('t1');
	});

	it('an unreachable relay is retried later, not treated as a removal', async () => {
		const { api, calls } = fakeApi([{ ok: false, reason: 'offline' }]);
		const tokens = manager(api, memoryStore());
		await vi.advanceTimersByTimeAsync(0);
		expect(tokens.getState().status).toBe('unreachable');
		expect(await tokens.get()).toEqual({ ok: true, token: 't1' });
		expect(calls).toHaveLength(2);
	});

	it.each(['credential_revoked', 'credential_unknown'] as const)(
		'401 %s: the state is revoked and nothing is requested again',
		async (reason) => {
			const store = memoryStore();
			store.setItem(CREDENTIAL_KEY, JSON.stringify(membership));
			const { api, calls } = fakeApi([{ ok: false, reason, status: 401 }]);
			const tokens = manager(api, store);
			await vi.advanceTimersByTimeAsync(0);
			expect(tokens.getState()).toMatchObject({ status: 'revoked', revokedReason: reason });
			expect(tokens.current()).toBeNull();
			expect(await tokens.fresh()).toEqual({ ok: false, reason });
			network.dispatchEvent(new Event('online'));
			await vi.advanceTimersByTimeAsync(30 * MINUTE);
			expect(calls).toHaveLength(1);
			// The credential stays until the person signs out: the UI explains what happened.
			expect(readCredential(store)).toEqual(membership);
		}
	);

	it('403 member_removed: revoked with that reason, nothing requested again, the credential kept', async () => {
		const store = memoryStore();
		store.setItem(CREDENTIAL_KEY, JSON.stringify(membership));
		const { api, calls } = fakeApi([{ ok: false, reason: 'member_removed', status: 403 }]);
		const tokens = manager(api, store);
		await vi.advanceTimersByTimeAsync(0);
		expect(tokens.getState()).toMatchObject({ status: 'revoked', revokedReason: 'member_removed' });
		expect(await tokens.fresh()).toEqual({ ok: false, reason: 'member_removed' });
		network.dispatchEvent(new Event('online'));
		await vi.advanceTimersByTimeAsync(30 * MINUTE);
		expect(calls).toHaveLength(1);
		expect(readCredential(store)).toEqual(membership);
	});

	it.each([
		['the words without the 403', { ok: false, reason: 'member_removed', status: 502 }],
		['a network error', { ok: false, reason: 'offline' }],
		['a server error', { ok: false, reason: 'internal', status: 500 }]
	] as const)('%s: not a removal, retried later', async (_name, answer) => {
		const { api } = fakeApi([answer]);
		const tokens = manager(api, memoryStore());
		await vi.advanceTimersByTimeAsync(0);
		expect(tokens.getState()).toMatchObject({ status: 'unreachable', revokedReason: null });
		expect(await tokens.get()).toEqual({ ok: true, token: 't1' });
	});

	it('memberRemoved() (the relay closed with 4403 member_removed): stops at once, asks nothing', async () => {
		const store = memoryStore();
		store.setItem(
			TOKEN_KEY,
			JSON.stringify({ token: 'cached', expiresAt: Date.now() + 5 * MINUTE })
		);
		const { api, calls } = fakeApi();
		const tokens = manager(api, store);
		tokens.memberRemoved();
		expect(tokens.getState()).toMatchObject({ status: 'revoked', revokedReason: 'member_removed' });
		expect(tokens.current()).toBeNull();
		expect(await tokens.get()).toEqual({ ok: false, reason: 'member_removed' });
		await vi.advanceTimersByTimeAsync(30 * MINUTE);
		expect(calls).toHaveLength(0);
	});

	it('removed before a reload: starts revoked and never asks the relay', async () => {
		const store = memoryStore();
		store.setItem(
			TOKEN_KEY,
			JSON.stringify({ token: 'cached', expiresAt: Date.now() + 5 * MINUTE })
		);
		const { api, calls } = fakeApi();
		const tokens = manager(api, store, { removed: true });
		expect(tokens.getState()).toMatchObject({ status: 'revoked', revokedReason: 'member_removed' });
		expect(tokens.current()).toBeNull();
		await vi.advanceTimersByTimeAsync(30 * MINUTE);
		expect(calls).toHaveLength(0);
	});
});
