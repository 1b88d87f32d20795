import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Result } from '../../domain/result';
import { readCase } from '../case/readers';
import { readCaseSource, readTaskSource } from '../meeting/follow-ups';
import { listTasks } from '../work/readers';
import { createHousehold, recordVisit } from './commands';
import {
	createCaseFromVisit,
	createTaskFromVisit,
	readCaseVisitSource,
	readTaskVisitSource
} from './follow-ups';
import { readHousehold } from './readers';
import { household, householdContext, resident, T0, WANG, ZHOU } from './test-fixtures';

function must<T>(result: Result<T, string>): T {
	if (!result.ok) throw new Error(`refused: ${result.reason}`);
	return result.value;
}

const wang = (at: number) => householdContext(WANG, 'grid-member', at);

function visited() {
	const households = new Y.Doc();
	const id = must(
		createHousehold(
			households,
			household('6栋', '601', { residents: [resident('马奶奶')] }),
			wang(T0)
		)
	);
	const visitId = must(
		recordVisit(
			households,
			id,
			{ visitedAt: T0, visitors: [], findings: '楼道灯坏了', photos: [] },
			wang(T0)
		)
	);
	return { households, id, visitId };
}

describe('a visit’s follow-up, linked both ways', () => {
	it('a case made from a visit names the visit by ids only; the visit lists the case', () => {
		const { households, id, visitId } = visited();
		const board = new Y.Doc();
		const caseId = must(
			createCaseFromVisit(
				board,
				households,
				{ householdId: id, visitId },
				{ title: '6栋楼道灯不亮', category: 'public_facilities' },
				wang(T0 + 1)
			)
		);
		expect(readCaseVisitSource(board, caseId)).toEqual({
			kind: 'visit',
			gridId: 'g1',
			householdId: id,
			visitId
		});
		// A meeting's reader does not mistake it for a meeting's case.
		expect(readCaseSource(board, caseId)).toBeNull();
		const made = readCase(board, caseId)!;
		expect(made.fields.channel.value).toBe('door_to_door');
		expect(JSON.stringify(board.toJSON())).not.toContain('马奶奶');
		const visit = readHousehold(households, id)!.visits[0]!;
		expect(visit.followUps.map((l) => [l.kind, l.targetId, l.gridId])).toEqual([
			['case', caseId, 'g1']
		]);
	});

	it('a task made from a visit names the visit; the visit lists the task', () => {
		const { households, id, visitId } = visited();
		const tasks = new Y.Doc();
		const taskId = must(
			createTaskFromVisit(
				tasks,
				households,
				{ householdId: id, visitId },
				{
					title: '陪老人去医院',
					details: '',
					place: '',
					gridId: 'g1',
					due: '',
					volunteersNeeded: 1,
					hours: 2
				},
				wang(T0 + 1)
			)
		);
		expect(readTaskVisitSource(tasks, taskId)).toMatchObject({ householdId: id, visitId });
		expect(readTaskSource(tasks, taskId)).toBeNull();
		expect(listTasks(tasks).map((t) => t.id)).toEqual([taskId]);
		expect(readHousehold(households, id)!.links.map((l) => [l.kind, l.targetId])).toEqual([
			['task', taskId]
		]);
	});

	it('refused follow-ups write nothing anywhere', () => {
		const { households, id, visitId } = visited();
		const board = new Y.Doc();
		const other = householdContext(ZHOU, 'grid-member', T0, ['g2']);
		expect(
			createCaseFromVisit(
				board,
				households,
				{ householdId: id, visitId },
				{ title: 'x', category: 'public_facilities' },
				other
			)
		).toEqual({ ok: false, reason: 'not_permitted' });
		expect(
			createCaseFromVisit(
				board,
				households,
				{ householdId: id, visitId: 'v-none' as never },
				{ title: 'x', category: 'public_facilities' },
				wang(T0)
			)
		).toEqual({ ok: false, reason: 'visit_not_found' });
		expect(
			createCaseFromVisit(
				board,
				households,
				{ householdId: id, visitId },
				{ title: '', category: 'public_facilities' },
				wang(T0)
			)
		).toEqual({ ok: false, reason: 'title_required' });
		expect(board.getMap('cases').size).toBe(0);
		expect(readHousehold(households, id)!.links).toEqual([]);
	});
});
