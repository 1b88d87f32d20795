import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createCase, editCaseField } from '$lib/model/case';
import { minutesFragment } from '$lib/model/meeting';
import { caseContext, created, CORRIDOR_LIGHT, LI } from '$lib/model/testing/fixtures';
import { createHistoryApi } from '$lib/sync/history-api';
import { AsOfScreen, historyPath } from './as-of-screen.svelte';
import {
	changedCaseFields,
	minutesChanged,
	pastCaseReader,
	readMinutesParagraphs
} from './past-readers';

const ZONE = 'Asia/Shanghai';
const HOUR = 3_600_000;
/** 2025-03-01 00:00 in Shanghai. */
const MARCH_1 = Date.UTC(2025, 1, 28, 16);
const tokens = {
	get: async () => ({ ok: true as const, token: 't' }),
	fresh: async () => ({ ok: true as const, token: 't' })
};

/** A relay that answers from a list of (received at, update) pairs, like the real one. */
function fakeRelay(log: { at: number; update: Uint8Array }[], hours: number[]) {
	const asked: string[] = [];
	const fetch = async (url: string) => {
		asked.push(url);
		const query = new URL(url, 'http://relay').searchParams;
		if (query.has('hours')) return Response.json({ hours });
		const at = Number(query.get('at'));
		const updates = log.filter((row) => row.at < at).map((row) => row.update);
		const body = updates.length > 0 ? Y.mergeUpdates(updates) : Y.encodeStateAsUpdate(new Y.Doc());
		return new Response(body as Uint8Array<ArrayBuffer>, {
			headers: { 'X-History-Until': String(at), 'X-History-Since': String(log[0]?.at ?? at) }
		});
	};
	return { fetch, asked };
}

/** A board where a case is created on 1 March and retitled on 3 March (Shanghai days). */
function boardHistory() {
	const doc = new Y.Doc();
	const log: { at: number; update: Uint8Array }[] = [];
	let at = 0;
	doc.on('update', (update: Uint8Array) => log.push({ at, update }));
	at = MARCH_1 + 9 * HOUR;
	const id = created(createCase(doc, CORRIDOR_LIGHT, caseContext(LI, at)));
	at = MARCH_1 + 2 * 24 * HOUR + 23 * HOUR + 30 * 60_000;
	editCaseField(doc, id, 'title', '楼道灯已修', caseContext(LI, at));
	return { doc, log, id, hours: [MARCH_1 + 9 * HOUR, MARCH_1 + 71 * HOUR] };
}

function screenFor(relay: ReturnType<typeof fakeRelay>, id: string, online = true) {
	const client = createHistoryApi({
		communityId: 'demo',
		tokens,
		fetch: relay.fetch,
		isOnline: () => online
	});
	return new AsOfScreen({
		client,
		docName: `c/demo/board/g1`,
		read: pastCaseReader(id as never),
		timeZone: () => ZONE
	});
}

describe('AsOfScreen', () => {
	it('offers the days the document changed in, in the community’s zone, newest first', async () => {
		const { log, id, hours } = boardHistory();
		const relay = fakeRelay(log, hours);
		const screen = screenFor(relay, id);
		await screen.open();
		expect(screen.days).toEqual(['2025-03-03', '2025-03-01']);
		expect(relay.asked).toEqual(['/api/communities/demo/history/board/g1?hours']);
	});

	it('shows the case as it was at the end of a day, read with the live reader', async () => {
		const { doc, log, id, hours } = boardHistory();
		const screen = screenFor(fakeRelay(log, hours), id);
		await screen.open();
		await screen.pick('2025-03-01');
		const shown = screen.shown;
		expect(shown?.day).toBe('2025-03-01');
		expect(shown?.until).toBe(MARCH_1 + 24 * HOUR);
		expect(shown?.value?.fields.title.value).toBe(CORRIDOR_LIGHT.title);
		expect(shown?.value?.timeline.map((e) => e.kind)).toEqual(['created']);
		// Changed since: the title, against the live document.
		const now = pastCaseReader(id as never)(doc);
		expect(changedCaseFields(shown?.value ?? null, now)).toEqual(['title']);

		await screen.pick('2025-03-03');
		expect(screen.shown?.value?.fields.title.value).toBe('楼道灯已修');
		expect(changedCaseFields(screen.shown?.value ?? null, now)).toEqual([]);
		screen.close();
		expect(screen.shown).toBeNull();
	});

	it('offline it says so and shows nothing as the past', async () => {
		const { log, id, hours } = boardHistory();
		const relay = fakeRelay(log, hours);
		const screen = screenFor(relay, id, false);
		await screen.open();
		expect(screen.problem).toBe('offline');
		await screen.pick('2025-03-01');
		expect(screen.problem).toBe('offline');
		expect(screen.shown).toBeNull();
		expect(relay.asked).toEqual([]);
	});

	it('a refusal is kept in words’ key, and clears what was shown', async () => {
		const { log, id, hours } = boardHistory();
		const relay = fakeRelay(log, hours);
		const screen = screenFor(relay, id);
		await screen.pick('2025-03-01');
		expect(screen.shown).not.toBeNull();
		const refusing = new AsOfScreen({
			client: createHistoryApi({
				communityId: 'demo',
				tokens,
				fetch: async () => Response.json({ error: 'forbidden' }, { status: 403 })
			}),
			docName: 'c/demo/board/g1',
			read: pastCaseReader(id as never),
			timeZone: () => ZONE
		});
		await refusing.pick('2025-03-01');
		expect(refusing.problem).toBe('forbidden');
		expect(refusing.shown).toBeNull();
		await refusing.pick('2025-13-45x');
		expect(refusing.problem).toBe('bad_day');
	});

	it('drops an answer that arrives after a newer question', async () => {
		const { log, id } = boardHistory();
		const relay = fakeRelay(log, []);
		let release: () => void = () => {};
		const held = new Promise<void>((resolve) => (release = resolve));
		let first = true;
		const client = createHistoryApi({
			communityId: 'demo',
			tokens,
			fetch: async (url) => {
				if (first) {
					first = false;
					await held;
				}
				return relay.fetch(url);
			}
		});
		const screen = new AsOfScreen({
			client,
			docName: 'c/demo/board/g1',
			read: pastCaseReader(id as never),
			timeZone: () => ZONE
		});
		const slow = screen.pick('2025-03-01');
		await screen.pick('2025-03-03');
		release();
		await slow;
		expect(screen.shown?.day).toBe('2025-03-03');
		expect(screen.shown?.value?.fields.title.value).toBe('楼道灯已修');
	});

	it('names the history path of a document, and refuses a bad name', async () => {
		expect(historyPath('c/demo/board/g1')).toBe('board/g1');
		expect(historyPath('c/demo/directory')).toBe('directory');
		expect(historyPath('nope')).toBeNull();
		const screen = new AsOfScreen({
			client: createHistoryApi({ communityId: 'demo', tokens }),
			docName: 'nope',
			read: () => null,
			timeZone: () => ZONE
		});
		await screen.open();
		expect(screen.problem).toBe('bad_document');
	});
});

describe('minutes as of a day', () => {
	it('reads the minutes’ XML as plain paragraphs, and tells a change', () => {
		const doc = new Y.Doc();
		const fragment = minutesFragment(doc);
		const paragraph = (text: string) => {
			const element = new Y.XmlElement('paragraph');
			element.insert(0, [new Y.XmlText(text)]);
			return element;
		};
		fragment.insert(0, [paragraph('决定：周三前清理飞线。'), new Y.XmlElement('paragraph')]);
		const heading = new Y.XmlElement('heading');
		heading.insert(0, [new Y.XmlText('行动')]);
		fragment.insert(2, [heading]);
		const past = readMinutesParagraphs(doc);
		expect(past).toEqual(['决定：周三前清理飞线。', '行动']);
		fragment.insert(3, [paragraph('补充：晚上巡查。')]);
		const now = readMinutesParagraphs(doc);
		expect(minutesChanged(past, now)).toBe(true);
		expect(minutesChanged(now, now)).toBe(false);
	});
});
