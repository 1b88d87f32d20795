import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { changedDays, createHistoryApi, endOfDay, localDay } from './history-api';

const tokens = {
	get: async () => ({ ok: true as const, token: 'old' }),
	fresh: async () => ({ ok: true as const, token: 'new' })
};

function pastUpdate(): Uint8Array {
	const doc = new Y.Doc();
	doc.getMap('cases').set('c1', '昨天的标题');
	return Y.encodeStateAsUpdate(doc);
}

describe('history api', () => {
	it('says offline without asking the network, and never builds an empty past', async () => {
		let calls = 0;
		const api = createHistoryApi({
			communityId: 'demo',
			tokens,
			isOnline: () => false,
			fetch: async () => (calls++, new Response(null))
		});
		expect(await api.documentAt('board/g1', 1)).toEqual({ ok: false, reason: 'offline' });
		expect(await api.hours('board/g1')).toEqual({ ok: false, reason: 'offline' });
		expect(calls).toBe(0);
		const failing = createHistoryApi({
			communityId: 'demo',
			tokens,
			fetch: async () => {
				throw new TypeError('network');
			}
		});
		expect(await failing.documentAt('board/g1', 1)).toEqual({ ok: false, reason: 'offline' });
	});

	it('reads the document as it was, with its until and since, retrying once with a fresh token', async () => {
		const seen: string[] = [];
		const api = createHistoryApi({
			communityId: 'demo',
			tokens,
			fetch: async (url, init) => {
				const auth = (init?.headers as Record<string, string>).Authorization ?? '';
				seen.push(`${url} ${auth}`);
				if (auth === 'Bearer old')
					return new Response('{"error":"token_outdated"}', { status: 401 });
				return new Response(pastUpdate() as Uint8Array<ArrayBuffer>, {
					headers: { 'X-History-Until': '7200000', 'X-History-Since': '0' }
				});
			}
		});
		const result = await api.documentAt('board/g1', 7_300_000);
		if (!result.ok) throw new Error(result.reason);
		expect(result.value.doc.getMap('cases').get('c1')).toBe('昨天的标题');
		expect(result.value.until).toBe(7_200_000);
		expect(result.value.since).toBe(0);
		expect(seen).toEqual([
			'/api/communities/demo/history/board/g1?at=7300000 Bearer old',
			'/api/communities/demo/history/board/g1?at=7300000 Bearer new'
		]);
	});

	it('passes the relay refusal through and refuses what it cannot read', async () => {
		const answer = (response: () => Response) =>
			createHistoryApi({ communityId: 'demo', tokens, fetch: async () => response() });
		const forbidden = answer(() => new Response('{"error":"forbidden"}', { status: 403 }));
		expect(await forbidden.documentAt('households/g1', 1)).toEqual({
			ok: false,
			reason: 'forbidden'
		});
		const garbage = answer(() => new Response(new Uint8Array([255, 255, 255])));
		expect(await garbage.documentAt('board/g1', 1)).toEqual({ ok: false, reason: 'unreadable' });
		const hours = answer(() => Response.json({ hours: [0, 3_600_000] }));
		expect(await hours.hours('board/g1')).toEqual({ ok: true, value: [0, 3_600_000] });
		const badHours = answer(() => Response.json({ hours: ['x'] }));
		expect(await badHours.hours('board/g1')).toEqual({ ok: false, reason: 'unreadable' });
		const signedOut = createHistoryApi({ communityId: 'demo', tokens: null });
		expect(await signedOut.hours('board/g1')).toEqual({ ok: false, reason: 'signed_out' });
	});

	it("groups changed hours into the community's days and ends a day at its local midnight", () => {
		const shanghai = 'Asia/Shanghai';
		// 2026-03-01 23:00 and 2026-03-02 00:00 in Shanghai are 15:00 and 16:00 UTC on March 1.
		const hours = [Date.UTC(2026, 2, 1, 15), Date.UTC(2026, 2, 1, 16), Date.UTC(2026, 2, 2, 3)];
		expect(changedDays(hours, shanghai)).toEqual(['2026-03-02', '2026-03-01']);
		expect(changedDays(hours, 'UTC')).toEqual(['2026-03-02', '2026-03-01']);
		expect(endOfDay('2026-03-01', shanghai)).toBe(Date.UTC(2026, 2, 1, 16));
		expect(endOfDay('2026-03-01', 'UTC')).toBe(Date.UTC(2026, 2, 2));
		// Across a daylight-saving change (Berlin: clocks forward on 2026-03-29).
		expect(endOfDay('2026-03-28', 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 28, 23));
		expect(endOfDay('2026-03-29', 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 22));
		expect(localDay(Date.UTC(2026, 2, 1, 16), shanghai)).toBe('2026-03-02');
		expect(endOfDay('yesterday', shanghai)).toBeNull();
	});
});
