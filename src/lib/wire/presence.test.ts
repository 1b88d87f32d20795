import { describe, expect, it } from 'vitest';
import {
	PRESENCE_CHECK_MS,
	PRESENCE_RENEW_MS,
	PRESENCE_TIMEOUT_MS,
	nextPresenceExpiry,
	stalePresence
} from './presence.ts';

describe('presence freshness', () => {
	const meta = new Map([
		[1, { lastUpdated: 0 }],
		[2, { lastUpdated: 10_000 }],
		[3, { lastUpdated: 19_000 }]
	]);
	const states = new Map<number, unknown>([
		[1, { user: 'me' }],
		[2, { user: '李' }],
		[3, { user: '王' }]
	]);

	it('drops other peers not renewed within the timeout, never the own state', () => {
		expect(stalePresence(meta, states, 1, 10_000 + PRESENCE_TIMEOUT_MS - 1)).toEqual([]);
		expect(stalePresence(meta, states, 1, 10_000 + PRESENCE_TIMEOUT_MS)).toEqual([2]);
		expect(stalePresence(meta, states, 1, 19_000 + PRESENCE_TIMEOUT_MS)).toEqual([2, 3]);
		expect(nextPresenceExpiry(meta, states, 1)).toBe(10_000 + PRESENCE_TIMEOUT_MS);
		expect(nextPresenceExpiry(meta, new Map([[1, {}]]), 1)).toBeNull();
	});

	it('a peer who loses signal is gone within 30 s; a live one is never dropped', () => {
		// Worst case: the last renewal left just before the signal went.
		expect(PRESENCE_TIMEOUT_MS + PRESENCE_CHECK_MS).toBeLessThan(30_000);
		// y-protocols renews after 15 s, checked every 3 s, on its own (older apps): still inside.
		expect(Math.max(PRESENCE_RENEW_MS, 15_000 + 3_000) + PRESENCE_CHECK_MS).toBeLessThan(
			PRESENCE_TIMEOUT_MS
		);
	});
});
