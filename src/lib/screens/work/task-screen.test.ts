import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createTask, deleteTask, readTask } from '$lib/model/work';
import { acting } from '$lib/model/testing/work-members';
import { TaskScreen } from './task-screen.svelte';
import { LI, OBSERVER, QIAN, ZHAO, as, liveSource } from './testing';

const SHOPPING = {
	title: '帮独居老人买菜',
	details: '',
	place: '5号楼',
	gridId: 'g1',
	due: '',
	volunteersNeeded: 1,
	hours: 1.5
};

function setUp() {
	const doc = new Y.Doc();
	const made = createTask(doc, SHOPPING, acting(LI));
	if (!made.ok) throw new Error(made.reason);
	const source = liveSource(doc, (d) => readTask(d, made.value));
	const screen = (member = ZHAO) => new TaskScreen(source, as(member), made.value);
	return { doc, id: made.value, screen };
}

describe('TaskScreen', () => {
	it('offers a volunteer a claim, and no status or release actions', () => {
		const view = setUp().screen(ZHAO).current;
		expect(view).toMatchObject({
			staff: false,
			mine: null,
			canClaim: true,
			canUnclaim: false,
			canComplete: false,
			canConfirm: false,
			canRelease: false
		});
	});

	it('a claim turns into withdraw and complete; a completion clears its report', () => {
		const { screen } = setUp();
		const zhao = screen(ZHAO);
		expect(zhao.claim()).toBe(true);
		expect(zhao.current).toMatchObject({ canClaim: false, canUnclaim: true, canComplete: true });
		expect(zhao.current?.mine?.standing).toBe('in_slot');
		zhao.report.note = '菜已送到';
		expect(zhao.complete()).toBe(true);
		expect(zhao.report.note).toBe('');
		expect(zhao.current?.task.status).toBe('done');
		const li = screen(LI);
		expect(li.current).toMatchObject({ staff: true, canConfirm: true, canRelease: true });
		expect(li.confirm()).toBe(true);
		expect(li.current).toMatchObject({ canConfirm: false, canRelease: false });
	});

	it("exposes a refused command's reason and clears it on the next success", () => {
		const { screen } = setUp();
		expect(screen(ZHAO).claim()).toBe(true);
		const qian = screen(QIAN);
		expect(qian.current?.canClaim).toBe(false);
		expect(qian.claim()).toBe(false);
		expect(qian.problem).toBe('task_full');
		const observer = screen(OBSERVER);
		expect(observer.claim()).toBe(false);
		expect(observer.problem).toBe('not_allowed');
		expect(qian.unclaim()).toBe(false);
		expect(qian.problem).toBe('not_claimed');
		const li = screen(LI);
		const claim = li.current!.task.claims[0]!;
		expect(li.release(claim.id)).toBe(true);
		expect(li.problem).toBeNull();
		expect(qian.claim()).toBe(true);
		expect(qian.problem).toBeNull();
	});

	it('keeps the report when the completion is refused', () => {
		const { screen } = setUp();
		const zhao = screen(ZHAO);
		zhao.report.note = '还没认领';
		expect(zhao.complete()).toBe(false);
		expect(zhao.problem).toBe('no_volunteer');
		expect(zhao.report.note).toBe('还没认领');
	});

	it('shows nothing for a deleted task', () => {
		const { doc, id, screen } = setUp();
		expect(deleteTask(doc, id, acting(LI)).ok).toBe(true);
		expect(screen(LI).current).toBeNull();
	});
});
