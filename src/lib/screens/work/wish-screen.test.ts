import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { listHours, readWish, recordWish } from '$lib/model/work';
import { acting } from '$lib/model/testing/work-members';
import { WishScreen } from './wish-screen.svelte';
import { WishesScreen } from './wishes-screen.svelte';
import { LI, QIAN, ZHAO, as, liveSource } from './testing';
import { listWishes } from '$lib/model/work';

const WISH = { who: '张奶奶', what: '想要一台收音机', gridId: 'g1', hours: 2 };

function setUp() {
	const doc = new Y.Doc();
	const made = recordWish(doc, WISH, acting(LI));
	if (!made.ok) throw new Error(made.reason);
	const source = liveSource(doc, (d) => readWish(d, made.value));
	return { doc, screen: (member = ZHAO) => new WishScreen(source, as(member), made.value) };
}

describe('WishScreen', () => {
	it('staff publish and thank; a volunteer claims and fulfils, and is credited', () => {
		const { doc, screen } = setUp();
		const li = screen(LI);
		const zhao = screen(ZHAO);
		expect(zhao.current).toMatchObject({ canPublish: false, canClaim: false });
		expect(li.current?.canPublish).toBe(true);
		expect(li.publish()).toBe(true);
		expect(zhao.current?.canClaim).toBe(true);
		expect(zhao.claim()).toBe(true);
		expect(zhao.current).toMatchObject({ canFulfil: true, canUnclaim: true });
		expect(screen(QIAN).current?.canClaim).toBe(false);
		zhao.report.note = '已送到';
		expect(zhao.fulfil()).toBe(true);
		expect(zhao.report.note).toBe('');
		expect(li.current).toMatchObject({ canThank: true, canRelease: false });
		li.thanks = '张奶奶说谢谢';
		expect(li.thank()).toBe(true);
		expect(li.thanks).toBe('');
		expect(listHours(doc).map((h) => [h.memberId, h.hours])).toEqual([['m-zhao', 2]]);
	});

	it('a fulfilment without a note or photo is refused and says why', () => {
		const { screen } = setUp();
		screen(LI).publish();
		const zhao = screen(ZHAO);
		zhao.claim();
		expect(zhao.fulfil()).toBe(false);
		expect(zhao.problem).toBe('note_required');
		expect(zhao.current?.wish.status).toBe('claimed');
	});
});

describe('WishesScreen', () => {
	it('volunteers see published wishes only; staff record one and the form closes', () => {
		const doc = new Y.Doc();
		const source = liveSource(doc, listWishes);
		const li = new WishesScreen(source, as(LI));
		li.adding = true;
		expect(li.record()).toBe(false);
		expect(li.problem).toBe('who_required');
		expect(li.adding).toBe(true);
		li.draft = { ...WISH };
		expect(li.record()).toBe(true);
		expect(li.adding).toBe(false);
		expect(li.draft.who).toBe('');
		expect(li.current.wishes).toHaveLength(1);
		const zhao = new WishesScreen(source, as(ZHAO));
		expect(zhao.current).toEqual({ wishes: [], staff: false });
		expect(zhao.record()).toBe(false);
		expect(zhao.problem).toBe('not_allowed');
	});
});
