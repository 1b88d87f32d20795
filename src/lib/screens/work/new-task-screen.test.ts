import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DayKey } from '$lib/domain/due-date';
import { readTask } from '$lib/model/work';
import { NewTaskScreen } from './new-task-screen.svelte';
import { workItemParam } from './route-params';
import { LI, ZHAO, as, liveSource } from './testing';

const CALENDAR = { zone: () => 'Asia/Shanghai', today: () => '2025-03-05' as DayKey };

describe('NewTaskScreen', () => {
	it('refuses a due day already over before any command runs', () => {
		const doc = new Y.Doc();
		const screen = new NewTaskScreen(
			liveSource(doc, () => null),
			as(LI),
			null,
			CALENDAR
		);
		screen.draft.title = '帮独居老人买菜';
		screen.draft.due = '2025-03-04';
		expect(screen.create()).toBeNull();
		expect(screen.problem).toBe('due_in_past');
		expect(doc.getMap('tasks').size).toBe(0);
	});

	it('a follow-up of a case starts from its text and links back to it', () => {
		const doc = new Y.Doc();
		const origin = { gridId: 'g2', caseId: 'c-1' };
		const screen = new NewTaskScreen(
			liveSource(doc, () => null),
			as(LI),
			origin,
			CALENDAR
		);
		expect(screen.current.staff).toBe(true);
		expect(screen.draft.gridId).toBe('g2');
		screen.draft.title = '已输入';
		screen.seed({ title: '楼道灯短路', place: '3号楼', details: '' });
		screen.seed({ title: '别的', place: '别处', details: '别的' });
		expect(screen.draft).toMatchObject({ title: '已输入', place: '3号楼', details: '' });
		const id = screen.create();
		expect(id).not.toBeNull();
		expect(readTask(doc, id!)?.source).toEqual({ kind: 'case', gridId: 'g2', caseId: 'c-1' });
	});

	it("tells a volunteer they are not staff and keeps the command's refusal", () => {
		const screen = new NewTaskScreen(
			liveSource(new Y.Doc(), () => null),
			as(ZHAO),
			null,
			CALENDAR
		);
		expect(screen.current.staff).toBe(false);
		screen.draft.title = '帮忙';
		expect(screen.create()).toBeNull();
		expect(screen.problem).toBe('not_allowed');
	});
});

describe('workItemParam', () => {
	it('parses an id and turns anything else into null', () => {
		expect(workItemParam('t-abc123')).toBe('t-abc123');
		expect(workItemParam('../x')).toBeNull();
		expect(workItemParam(undefined)).toBeNull();
	});
});
