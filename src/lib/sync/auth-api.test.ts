import { describe, expect, it } from 'vitest';
import { createAuthApi, inviteCodeFrom, toEpochMs } from './auth-api.ts';

const json = (status: number, body: unknown) =>
	new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('auth api', () => {
	it('sends JSON and the bearer token, and reads the answer', async () => {
		const seen: { url: string; init?: RequestInit }[] = [];
		const api = createAuthApi({
			fetch: async (url, init) => {
				seen.push({ url, init });
				return json(200, { members: [{ id: 'm1' }] });
			}
		});
		const result = await api.listMembers('tok', 'c1');
		expect(result).toEqual({ ok: true, value: [{ id: 'm1' }] });
		expect(seen[0]?.url).toBe('/api/communities/c1/members');
		expect((seen[0]?.init?.headers as Record<string, string>).authorization).toBe('Bearer tok');
	});

	it('turns the relay error into the reason, and a failed fetch into offline', async () => {
		const gone = createAuthApi({ fetch: async () => json(410, { error: 'invite_expired' }) });
		expect(await gone.join({ code: 'abcd', displayName: 'x', deviceId: 'd' })).toEqual({
			ok: false,
			reason: 'invite_expired',
			status: 410
		});
		const offline = createAuthApi({
			fetch: async () => {
				throw new TypeError('Failed to fetch');
			}
		});
		expect(await offline.join({ code: 'abcd', displayName: 'x', deviceId: 'd' })).toEqual({
			ok: false,
			reason: 'offline'
		});
	});

	it('turns an answer without a known reason into unreadable, keeping the status', async () => {
		const html = createAuthApi({ fetch: async () => new Response('<html>', { status: 502 }) });
		expect(await html.listInvites('t', 'c')).toEqual({
			ok: false,
			reason: 'unreadable',
			status: 502
		});
		// A reason the wire does not list (a newer relay, a proxy) is not passed on as it came.
		const unknown = createAuthApi({ fetch: async () => json(418, { error: 'teapot_refusal' }) });
		expect(await unknown.roster('t', 'c')).toEqual({
			ok: false,
			reason: 'unreadable',
			status: 418
		});
		const notText = createAuthApi({ fetch: async () => json(400, { error: 42 }) });
		expect(
			await notText.token({ communityId: 'c', memberId: 'm', deviceId: 'd', secret: 's' })
		).toEqual({ ok: false, reason: 'unreadable', status: 400 });
		const noBody = createAuthApi({ fetch: async () => json(500, null) });
		expect(await noBody.removeMember('t', 'c', 'm')).toEqual({
			ok: false,
			reason: 'unreadable',
			status: 500
		});
		// A listed reason comes through as it is.
		const removed = createAuthApi({ fetch: async () => json(403, { error: 'member_removed' }) });
		expect(await removed.listMembers('t', 'c')).toEqual({
			ok: false,
			reason: 'member_removed',
			status: 403
		});
	});

	it('reads expiresAt as ms, seconds or an ISO date', () => {
		expect(toEpochMs(1_740_000_000)).toBe(1_740_000_000_000);
		expect(toEpochMs(1_740_000_000_000)).toBe(1_740_000_000_000);
		expect(toEpochMs('2025-03-01T08:00:00Z')).toBe(Date.parse('2025-03-01T08:00:00Z'));
	});

	it('finds the invite code in a pasted link or a bare code', () => {
		expect(inviteCodeFrom('https://grid.example.org/join#Ab3_x-9Q')).toBe('Ab3_x-9Q');
		expect(inviteCodeFrom('  Ab3_x-9Q ')).toBe('Ab3_x-9Q');
		expect(inviteCodeFrom('https://grid.example.org/join')).toBeNull();
		expect(inviteCodeFrom('')).toBeNull();
		expect(inviteCodeFrom('#')).toBeNull();
	});
});
