/**
 * Contract: what the work commands (tasks, micro-wishes, patrols, service hours, a meeting's task
 * follow-up) write passes the relay's tasks rules for every role the command allows, the same
 * writes forged by a weaker role or under another member are refused, and the rules' history
 * kinds agree with the domain's role tables (src/lib/wire/write-rules-tasks.ts).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DEFAULT_TIME_ZONE } from '../../src/lib/domain/due-date';
import { canPatrol, type PatrolAction } from '../../src/lib/domain/patrol-schedule';
import {
	canTaskAction,
	HOURS_MAX,
	TASK_ACTIONS,
	type TaskAction
} from '../../src/lib/domain/task-rules';
import { canWishAction, WISH_ACTIONS, type WishAction } from '../../src/lib/domain/wish-status';
import { ROLES, type MapRule, type ArrayRule, type Writer } from '../../src/lib/wire';
import { addMeetingItem } from '../../src/lib/model/meeting/record';
import { createTaskFromAction } from '../../src/lib/model/meeting/follow-ups';
import {
	addPatrolFinding,
	claimTask,
	claimWish,
	completeTask,
	confirmTask,
	createPatrolRoute,
	createTask,
	createTaskFromCase,
	deleteTask,
	finishPatrolRun,
	fulfilWish,
	linkFindingToCase,
	publishWish,
	readTask,
	recordWish,
	releaseTaskClaim,
	releaseWishClaim,
	startPatrolRun,
	thankWish,
	tickPatrolItem,
	unclaimTask,
	unclaimWish
} from '../../src/lib/model/work';
import { MAX_CREDITED_HOURS, TASKS_RULES } from '../../src/lib/wire/write-rules-tasks';
import { contextOf, relayCopy, writeAttestation, WRITERS } from './write-rules-harness';

const TARGET = { kind: 'tasks', id: null } as const;
const { secretary, gridMember, volunteer, volunteer2, observer } = WRITERS;
const T0 = Date.parse('2025-03-05T01:00:00Z');

const INPUT = {
	title: '帮独居老人买菜',
	details: '周三上午，5号楼王奶奶',
	place: '5号楼',
	gridId: 'g1',
	due: '2025-03-07',
	volunteersNeeded: 1,
	hours: 1.5
};
const ROUTE = {
	name: '啄木鸟巡查 东片',
	area: '幸福里小区',
	gridId: 'g1',
	checklist: ['消防通道畅通', '无飞线充电'],
	weekdays: [1, 3],
	hoursPerRun: 2
};
const PHOTO = {
	hash: 'a'.repeat(64),
	mime: 'image/jpeg' as const,
	width: 800,
	height: 600,
	bytes: 9000
};

function must<T>(result: { ok: true; value: T } | { ok: false; reason: string }): T {
	if (!result.ok) throw new Error(`refused: ${result.reason}`);
	return result.value;
}

const at = (() => {
	let t = T0;
	return () => ++t;
})();
const as = (writer: Writer, role?: string) => contextOf(writer, at(), role);

type Relay = ReturnType<typeof relayCopy>;
/** Runs the command on a fresh phone as `writer` and expects the relay to accept it. */
function accepted<T>(relay: Relay, writer: Writer, fn: (phone: Y.Doc) => T): T {
	let out: T | undefined;
	const verdict = relay.write(writer, (phone) => {
		out = fn(phone);
	});
	expect(verdict).toEqual(expect.objectContaining({ ok: true }));
	return out as T;
}
function refused(relay: Relay, writer: Writer, fn: (phone: Y.Doc) => unknown, reason: string) {
	expect(relay.write(writer, fn)).toMatchObject({ ok: false, reason });
}

const records = (phone: Y.Doc, root: string, id: string) =>
	phone.getMap(root).get(id) as Y.Map<unknown>;
const history = (phone: Y.Doc, root: string, id: string) =>
	records(phone, root, id).get('history') as Y.Array<unknown>;

describe('tasks write rules: every command by every role it allows', () => {
	it('tasks: create (either staff role), claim, withdraw, release, complete, confirm, delete', () => {
		const relay = relayCopy(TASKS_RULES, TARGET);
		for (const staff of [secretary, gridMember]) {
			const id = accepted(relay, staff, (p) => must(createTask(p, INPUT, as(staff))));
			accepted(relay, volunteer, (p) => must(claimTask(p, id, as(volunteer))));
			accepted(relay, volunteer, (p) => must(unclaimTask(p, id, as(volunteer))));
			accepted(relay, volunteer2, (p) => must(claimTask(p, id, as(volunteer2))));
			const claimId = readTask(relay.doc, id)!.claims[0]!.id;
			accepted(relay, staff, (p) => must(releaseTaskClaim(p, id, claimId, as(staff))));
			accepted(relay, volunteer, (p) => must(claimTask(p, id, as(volunteer))));
			accepted(relay, volunteer, (p) =>
				must(completeTask(p, id, { note: '买好了', photos: [PHOTO] }, as(volunteer)))
			);
			accepted(relay, staff, (p) => must(confirmTask(p, id, '谢谢', as(staff))));
			expect(readTask(relay.doc, id)!.status).toBe('confirmed');
		}
		const fromCase = accepted(relay, gridMember, (p) =>
			must(
				createTaskFromCase(
					p,
					{ gridId: 'g1', caseId: 'c-1', title: '楼道灯', location: '3号楼', description: '' },
					{},
					as(gridMember)
				)
			)
		);
		accepted(relay, gridMember, (p) => must(claimTask(p, fromCase, as(gridMember))));
		accepted(relay, gridMember, (p) =>
			must(completeTask(p, fromCase, { note: '' }, as(gridMember)))
		);
		accepted(relay, secretary, (p) => must(deleteTask(p, fromCase, as(secretary))));
		expect(relay.doc.getArray('hours').length).toBe(2);
	});

	it('a meeting’s task follow-up: the task and its meetingSource', () => {
		const relay = relayCopy(TASKS_RULES, TARGET);
		for (const staff of [secretary, gridMember]) {
			const meeting = new Y.Doc();
			const itemId = must(addMeetingItem(meeting, { kind: 'action', text: '修灯' }, as(staff)));
			const id = accepted(relay, staff, (p) =>
				must(
					createTaskFromAction(
						p,
						meeting,
						{
							meetingId: 'm-1' as never,
							itemId,
							gridId: 'g1',
							title: '修灯',
							details: '',
							owner: staff.name,
							deadline: null
						},
						as(staff)
					)
				)
			);
			expect(records(relay.doc, 'tasks', id).get('meetingSource')).toEqual({
				meetingId: 'm-1',
				itemId
			});
		}
	});

	it('wishes: record, publish, claim, withdraw, release, fulfil, thank', () => {
		const relay = relayCopy(TASKS_RULES, TARGET);
		for (const staff of [secretary, gridMember]) {
			const wish = { who: '5号楼王奶奶', what: '想要一个收音机', gridId: 'g1', hours: 1 };
			const id = accepted(relay, staff, (p) => must(recordWish(p, wish, as(staff))));
			accepted(relay, staff, (p) => must(publishWish(p, id, as(staff))));
			accepted(relay, volunteer2, (p) => must(claimWish(p, id, as(volunteer2))));
			accepted(relay, volunteer2, (p) => must(unclaimWish(p, id, as(volunteer2))));
			accepted(relay, volunteer2, (p) => must(claimWish(p, id, as(volunteer2))));
			const claim = (relay.doc.getMap('wishes').get(id) as Y.Map<unknown>).get('history');
			const claimId = (claim as Y.Array<{ kind: string; id: string }>)
				.toArray()
				.filter((entry) => entry.kind === 'claim')
				.at(-1)!.id;
			accepted(relay, staff, (p) => must(releaseWishClaim(p, id, claimId, as(staff))));
			accepted(relay, volunteer, (p) => must(claimWish(p, id, as(volunteer))));
			accepted(relay, volunteer, (p) =>
				must(fulfilWish(p, id, { note: '送到了', photos: [PHOTO] }, as(volunteer)))
			);
			accepted(relay, staff, (p) => must(thankWish(p, id, '王奶奶说谢谢', as(staff))));
		}
	});

	it('patrols: route by staff; runs by volunteers and staff: tick, finding, link, finish', () => {
		const relay = relayCopy(TASKS_RULES, TARGET);
		for (const staff of [secretary, gridMember]) {
			const routeId = accepted(relay, staff, (p) => must(createPatrolRoute(p, ROUTE, as(staff))));
			for (const runner of [volunteer, staff]) {
				const runId = accepted(relay, runner, (p) =>
					must(startPatrolRun(p, routeId, DEFAULT_TIME_ZONE, as(runner)))
				);
				accepted(relay, runner, (p) => must(tickPatrolItem(p, runId, 0, true, as(runner))));
				const finding = accepted(relay, runner, (p) =>
					must(addPatrolFinding(p, runId, { note: '飞线', photos: [PHOTO] }, as(runner)))
				);
				accepted(relay, runner, (p) => must(finishPatrolRun(p, runId, as(runner))));
				accepted(relay, runner, (p) =>
					must(linkFindingToCase(p, runId, finding, { gridId: 'g1', caseId: 'c-2' }, as(runner)))
				);
			}
			// Staff may work on a volunteer's run, and finishing it credits the volunteer.
			const runId = accepted(relay, volunteer, (p) =>
				must(startPatrolRun(p, routeId, DEFAULT_TIME_ZONE, as(volunteer)))
			);
			accepted(relay, staff, (p) => must(tickPatrolItem(p, runId, 1, true, as(staff))));
			accepted(relay, staff, (p) => must(finishPatrolRun(p, runId, as(staff))));
			const last = relay.doc.getArray('hours').toArray().at(-1);
			expect(last).toMatchObject({ memberId: volunteer.memberId, by: staff.name });
		}
	});
});

describe('tasks write rules: forged writes', () => {
	function setup() {
		const relay = relayCopy(TASKS_RULES, TARGET);
		const task = accepted(relay, secretary, (p) => must(createTask(p, INPUT, as(secretary))));
		const wish = accepted(relay, secretary, (p) =>
			must(recordWish(p, { who: '王奶奶', what: '收音机', gridId: 'g1', hours: 1 }, as(secretary)))
		);
		const route = accepted(relay, secretary, (p) =>
			must(createPatrolRoute(p, ROUTE, as(secretary)))
		);
		const run = accepted(relay, volunteer, (p) =>
			must(startPatrolRun(p, route, DEFAULT_TIME_ZONE, as(volunteer)))
		);
		return { relay, task, wish, route, run };
	}

	it('refuse staff commands run with a staff authority on a volunteer’s or observer’s phone', () => {
		const { relay, task, wish, route } = setup();
		const staffAs = (w: Writer) => as(w, 'secretary');
		const forged: [Writer, (p: Y.Doc) => unknown][] = [
			[volunteer, (p) => createTask(p, INPUT, staffAs(volunteer))],
			[volunteer, (p) => createPatrolRoute(p, ROUTE, staffAs(volunteer))],
			[
				volunteer,
				(p) => recordWish(p, { who: 'a', what: 'b', gridId: 'g1', hours: 1 }, staffAs(volunteer))
			],
			[volunteer, (p) => publishWish(p, wish, staffAs(volunteer))],
			[volunteer, (p) => deleteTask(p, task, staffAs(volunteer))],
			[observer, (p) => claimTask(p, task, as(observer, 'volunteer'))],
			[observer, (p) => startPatrolRun(p, route, DEFAULT_TIME_ZONE, as(observer, 'volunteer'))]
		];
		for (const [writer, fn] of forged)
			refused(relay, writer, (p) => must(fn(p) as never), 'not_permitted');
		// Confirming and releasing need a done task and a claim first.
		accepted(relay, volunteer, (p) => must(claimTask(p, task, as(volunteer))));
		const claimId = readTask(relay.doc, task)!.claims[0]!.id;
		refused(
			relay,
			volunteer2,
			(p) => must(releaseTaskClaim(p, task, claimId, staffAs(volunteer2))),
			'not_permitted'
		);
		accepted(relay, volunteer, (p) => must(completeTask(p, task, { note: '好了' }, as(volunteer))));
		refused(
			relay,
			volunteer,
			(p) => must(confirmTask(p, task, '', staffAs(volunteer))),
			'not_permitted'
		);
	});

	it('refuse hours a volunteer credits outside their own patrol', () => {
		const { relay, task } = setup();
		const hour = (memberId: string, source: string) => ({
			id: 'h1',
			memberId,
			name: volunteer.name,
			hours: 8,
			source,
			sourceId: task,
			title: '买菜',
			at: T0,
			by: volunteer.name
		});
		refused(
			relay,
			volunteer,
			(p) => p.getArray('hours').push([hour(volunteer.memberId, 'task')]),
			'not_permitted'
		);
		refused(
			relay,
			volunteer,
			(p) => p.getArray('hours').push([hour(volunteer2.memberId, 'patrol')]),
			'author'
		);
		refused(
			relay,
			volunteer,
			(p) =>
				p.getArray('hours').push([{ ...hour(volunteer.memberId, 'patrol'), by: secretary.name }]),
			'author'
		);
		// More than a day's hours in one record, from anyone.
		const tooMany = { ...hour(volunteer.memberId, 'task'), hours: 25, by: secretary.name };
		refused(relay, secretary, (p) => p.getArray('hours').push([tooMany]), 'shape');
		expect(MAX_CREDITED_HOURS).toBe(HOURS_MAX);
	});

	it('refuse another member’s name or id', () => {
		const { relay, task, route, run } = setup();
		const posing = { ...volunteer, memberId: volunteer2.memberId, name: volunteer2.name };
		const forged: ((p: Y.Doc) => unknown)[] = [
			(p) => claimTask(p, task, as(posing)),
			(p) => startPatrolRun(p, route, DEFAULT_TIME_ZONE, as(posing)),
			(p) => tickPatrolItem(p, run, 0, true, as({ ...posing, memberId: volunteer.memberId }))
		];
		for (const fn of forged) refused(relay, volunteer, (p) => must(fn(p) as never), 'author');
		// The runner id alone names someone else.
		refused(
			relay,
			volunteer,
			(p) => {
				const map = new Y.Map<unknown>();
				p.getMap('patrolRuns').set('r-forged', map);
				map.set('createdAt', T0);
				map.set('runnerId', volunteer2.memberId);
			},
			'author'
		);
	});

	it('refuse deleting history, overwriting a write-once prop, and writing the attestation', () => {
		const { relay, task, run } = setup();
		refused(relay, secretary, (p) => history(p, 'tasks', task).delete(0, 1), 'history');
		refused(relay, secretary, (p) => records(p, 'tasks', task).set('title', '改了'), 'history');
		refused(relay, secretary, (p) => records(p, 'tasks', task).delete('hours'), 'history');
		refused(relay, secretary, (p) => p.getMap('tasks').delete(task), 'history');
		refused(
			relay,
			secretary,
			(p) => records(p, 'tasks', task).set('history', new Y.Array()),
			'history'
		);
		refused(
			relay,
			volunteer,
			(p) => records(p, 'patrolRuns', run).set('hoursPerRun', 24),
			'history'
		);
		refused(relay, secretary, (p) => records(p, 'tasks', task).set('colour', 'red'), 'shape');
		refused(relay, secretary, writeAttestation, 'not_permitted');
		// Hours once credited stay.
		accepted(relay, volunteer, (p) => must(finishPatrolRun(p, run, as(volunteer))));
		refused(relay, secretary, (p) => p.getArray('hours').delete(0, 1), 'history');
		// A history kind the rules do not know.
		refused(
			relay,
			secretary,
			(p) =>
				history(p, 'tasks', task).push([
					{
						id: 'e1',
						kind: 'reopened',
						at: T0,
						by: secretary.name,
						memberId: secretary.memberId,
						deviceId: 'd'
					}
				]),
			'shape'
		);
	});

	it('refuse a volunteer’s staff release written as a withdrawal’s twin', () => {
		const { relay, task } = setup();
		accepted(relay, volunteer2, (p) => must(claimTask(p, task, as(volunteer2))));
		const claimId = readTask(relay.doc, task)!.claims[0]!.id;
		const release = (reason: string) => ({
			id: 'e2',
			kind: 'release',
			claimId,
			reason,
			at: T0,
			by: volunteer.name,
			memberId: volunteer.memberId,
			deviceId: 'd'
		});
		refused(
			relay,
			volunteer,
			(p) => history(p, 'tasks', task).push([release('release')]),
			'not_permitted'
		);
		refused(relay, volunteer, (p) => history(p, 'tasks', task).push([release('cancel')]), 'shape');
	});
});

describe('tasks write rules agree with the domain’s role tables', () => {
	const target = TARGET;
	/** Whether `writer` may append an entry of `kind` (with `details`) to a record of `root`. */
	function mayAppend(root: string, writer: Writer, kind: string, details: object = {}): boolean {
		const rule = TASKS_RULES.roots[root] as MapRule;
		const recordRule = rule.child('x1', 1) as MapRule;
		const historyRule = recordRule.child('history', 1) as ArrayRule;
		const item = historyRule.item;
		if (item.type !== 'value' || !item.create(writer, target)) return false;
		const entry = {
			id: 'e1',
			kind,
			at: 1,
			by: writer.name,
			memberId: writer.memberId,
			deviceId: 'd',
			...details
		};
		return item.check?.(entry, writer, target) === null;
	}
	const mayCreate = (root: string, writer: Writer) =>
		(TASKS_RULES.roots[root] as MapRule).child('x1', 1)!.create(writer, target);
	const writerOf = (role: string): Writer => ({
		memberId: 'm',
		name: 'n',
		role: role as never,
		grids: ['g1']
	});

	const TASK_KIND: Record<TaskAction, [string, object?]> = {
		create: ['created'],
		claim: ['claim'],
		unclaim: ['release', { reason: 'unclaim' }],
		complete: ['completed'],
		confirm: ['confirmed'],
		release: ['release', { reason: 'release' }],
		delete: ['deleted']
	};
	const WISH_KIND: Record<WishAction, [string, object?]> = {
		publish: ['published'],
		claim: ['claim'],
		unclaim: ['release', { reason: 'unclaim' }],
		fulfil: ['fulfilled'],
		thank: ['thanked'],
		release: ['release', { reason: 'release' }]
	};
	const PATROL_KINDS: Record<PatrolAction, [string, string[]]> = {
		create_route: ['patrolRoutes', ['created']],
		delete_route: ['patrolRoutes', ['deleted']],
		start: ['patrolRuns', ['started']],
		run: ['patrolRuns', ['tick', 'finding', 'finding_case', 'finished']]
	};

	it('task and wish actions', () => {
		for (const role of ROLES) {
			const writer = writerOf(role);
			for (const action of TASK_ACTIONS) {
				const [kind, details] = TASK_KIND[action];
				const rules =
					mayAppend('tasks', writer, kind, details) &&
					(action !== 'create' || mayCreate('tasks', writer));
				expect([role, action, rules]).toEqual([role, action, canTaskAction(role, action)]);
			}
			for (const action of WISH_ACTIONS) {
				const [kind, details] = WISH_KIND[action];
				expect([role, action, mayAppend('wishes', writer, kind, details)]).toEqual([
					role,
					action,
					canWishAction(role, action)
				]);
			}
			// Recording a wish takes the publish permission (model/work/wishes.ts recordWish).
			expect(mayCreate('wishes', writer) && mayAppend('wishes', writer, 'created')).toBe(
				canWishAction(role, 'publish')
			);
		}
	});

	it('patrol actions (a run of one’s own: the rest is the app’s)', () => {
		for (const role of ROLES) {
			const writer = writerOf(role);
			for (const [action, [root, kinds]] of Object.entries(PATROL_KINDS)) {
				const creates = action === 'create_route' || action === 'start';
				for (const kind of kinds) {
					const rules = mayAppend(root, writer, kind) && (!creates || mayCreate(root, writer));
					expect([role, action, kind, rules]).toEqual([
						role,
						action,
						kind,
						canPatrol(role, action as PatrolAction, true)
					]);
				}
			}
		}
	});
});
