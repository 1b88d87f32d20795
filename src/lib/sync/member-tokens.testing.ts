/**
 * Test helper: a member token source for sync tests against the real relay. The member joins a
 * new community through the relay's own API (`/api/join`, `/api/token`), so the relay checks and
 * attests what it writes, unlike a service token.
 */
import { expect } from 'vitest';
import type { Relay } from '../../../sync-server/server.ts';
import type { TokenSource } from './token-manager.ts';

/** The secretary of a new community `communityId`, signed in as `displayName`. */
export async function memberTokens(
	relay: Relay,
	communityId: string,
	displayName = 'Wang'
): Promise<TokenSource> {
	const { inviteCode } = relay.createCommunity(`Community ${communityId}`, communityId);
	const post = async (route: string, body: unknown) => {
		const response = await fetch(`${relay.url}${route}`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(body)
		});
		expect(response.status).toBe(200);
		return (await response.json()) as Record<string, unknown>;
	};
	const joined = await post('/api/join', { code: inviteCode, displayName, deviceId: 'd1' });
	const token = async () =>
		(await post('/api/token', { credential: joined.credential })).token as string;
	let current = await token();
	return {
		current: () => current,
		async fresh() {
			current = await token();
			return { ok: true as const, token: current };
		}
	};
}
