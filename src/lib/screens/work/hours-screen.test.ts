import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DEFAULT_TIME_ZONE, monthKeyOf } from '$lib/domain/due-date';
import { createTask, claimTask, completeTask, confirmTask, listHours } from '$lib/model/work';
import { acting } from '$lib/model/testing/work-members';
import { HoursScreen } from './hours-screen.svelte';
import { LI, QIAN, ZHAO, as, liveSource } from './testing';

describe('HoursScreen', () => {
	it("shows a volunteer their own hours; staff the month's totals by volunteer", () => {
		const doc = new Y.Doc();
		const made = createTask(
			doc,
			{ title: '买菜', details: '', place: '', gridId: '', due: '', volunteersNeeded: 1, hours: 2 },
			acting(LI)
		);
		if (!made.ok) throw new Error(made.reason);
		claimTask(doc, made.value, acting(ZHAO));
		completeTask(doc, made.value, { note: '好了' }, acting(ZHAO));
		confirmTask(doc, made.value, '', acting(LI));
		const source = liveSource(doc, listHours);
		const zone = () => DEFAULT_TIME_ZONE;
		const zhao = new HoursScreen(source, as(ZHAO), zone);
		expect(zhao.current).toMatchObject({ mineTotal: 2, staff: false });
		expect(new HoursScreen(source, as(QIAN), zone).current.mine).toEqual([]);
		const li = new HoursScreen(source, as(LI), zone);
		expect(li.month).toBe(monthKeyOf(Date.now(), DEFAULT_TIME_ZONE));
		expect(li.current.staff).toBe(true);
		expect(li.current.byVolunteer.map((row) => [row.memberId, row.hours])).toEqual([['m-zhao', 2]]);
		li.month = '2000-01';
		expect(li.current.byVolunteer).toEqual([]);
	});
});
