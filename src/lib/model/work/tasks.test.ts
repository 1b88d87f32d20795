import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { TaskInput } from '../../domain/task-rules';
import { acting, type TestMember } from '../testing/work-members';
import { listHours } from './service-hours';
import {
	claimTask,
	completeTask,
	confirmTask,
	createTask,
	createTaskFromCase,
	deleteTask,
	releaseTaskClaim,
	unclaimTask
} from './tasks';
import { listTasks, readTask, taskDueState } from './readers';
import { createReplicaNetwork } from '../testing/replica-network';
import { seededRandom } from '../testing/seeded-random';

const T0 = Date.parse('2025-03-05T01:00:00Z');
const LI: TestMember = {
	memberId: 'm-li',
	name: '李书记',
	role: 'secretary',
	deviceId: 'phone-li'
};
const vol = (n: number): TestMember => ({
	memberId: `m-v${n}`,
	name: `志愿者${n}`,
	role: 'volunteer',
	deviceId: `phone-v${n}`
});
const OBSERVER: TestMember = { memberId: 'm-o', name: '街道', role: 'observer', deviceId: 'o' };

const SHOPPING: TaskInput = {
	title: '帮独居老人买菜',
	details: '周三上午，5号楼王奶奶',
	place: '5号楼',
	gridId: 'g1',
	due: '2025-03-07',
	volunteersNeeded: 2,
	hours: 1.5
};

function created(doc: Y.Doc, input: TaskInput = SHOPPING): string {
	const result = createTask(doc, input, acting(LI, T0));
	if (!result.ok) throw new Error(result.reason);
	return result.value;
}

describe('task commands', () => {
	it('open → claimed → done → confirmed, crediting every volunteer in a slot', () => {
		const doc = new Y.Doc();
		const id = created(doc);
		expect(readTask(doc, id)?.status).toBe('open');
		expect(claimTask(doc, id, acting(vol(1), T0 + 1))).toEqual({ ok: true, value: 'open' });
		expect(claimTask(doc, id, acting(vol(2), T0 + 2))).toEqual({ ok: true, value: 'claimed' });
		expect(claimTask(doc, id, acting(vol(3), T0 + 3))).toEqual({ ok: false, reason: 'task_full' });
		expect(confirmTask(doc, id, '', acting(LI, T0 + 4))).toEqual({ ok: false, reason: 'not_done' });
		expect(completeTask(doc, id, { note: '菜已送到，老人很满意' }, acting(vol(1), T0 + 5)).ok).toBe(
			true
		);
		const done = readTask(doc, id);
		expect(done?.status).toBe('done');
		expect(done?.completions.map((c) => c.note)).toEqual(['菜已送到，老人很满意']);
		expect(confirmTask(doc, id, '', acting(vol(1), T0 + 6))).toEqual({
			ok: false,
			reason: 'not_allowed'
		});
		expect(confirmTask(doc, id, '', acting(LI, T0 + 6))).toEqual({ ok: true, value: 'confirmed' });
		const hours = listHours(doc).map((h) => [h.memberId, h.hours, h.source, h.title]);
		expect(hours.sort()).toEqual([
			['m-v1', 1.5, 'task', '帮独居老人买菜'],
			['m-v2', 1.5, 'task', '帮独居老人买菜']
		]);
	});

	it('a completion keeps its photos (refs already in the photo outbox); a malformed one is refused', () => {
		const doc = new Y.Doc();
		const id = created(doc, { ...SHOPPING, volunteersNeeded: 1 });
		claimTask(doc, id, acting(vol(1), T0 + 1));
		const photo = {
			hash: 'a'.repeat(64),
			mime: 'image/jpeg' as const,
			width: 800,
			height: 600,
			bytes: 51_200
		};
		expect(
			completeTask(
				doc,
				id,
				{ note: '', photos: [{ ...photo, hash: 'nope' }] },
				acting(vol(1), T0 + 2)
			)
		).toEqual({
			ok: false,
			reason: 'bad_photo'
		});
		expect(
			completeTask(doc, id, { note: '已完成', photos: [photo] }, acting(vol(1), T0 + 2)).ok
		).toBe(true);
		expect(readTask(doc, id)?.completions[0]?.photos).toEqual([photo]);
	});

	it('unclaim frees the slot and keeps the claim in the history', () => {
		const doc = new Y.Doc();
		const id = created(doc, { ...SHOPPING, volunteersNeeded: 1 });
		claimTask(doc, id, acting(vol(1), T0 + 1));
		expect(unclaimTask(doc, id, acting(vol(2), T0 + 2))).toEqual({
			ok: false,
			reason: 'not_claimed'
		});
		expect(unclaimTask(doc, id, acting(vol(1), T0 + 2))).toEqual({ ok: true, value: 'open' });
		const task = readTask(doc, id);
		expect(task?.claims).toEqual([]);
		expect(task?.history.map((e) => e.kind)).toEqual(['created', 'claim', 'release']);
		expect(claimTask(doc, id, acting(vol(2), T0 + 3))).toEqual({ ok: true, value: 'claimed' });
	});

	it('observers change nothing; a refused command writes nothing', () => {
		const doc = new Y.Doc();
		expect(createTask(doc, SHOPPING, acting(OBSERVER, T0))).toEqual({
			ok: false,
			reason: 'not_allowed'
		});
		expect(createTask(doc, SHOPPING, acting(vol(1), T0))).toEqual({
			ok: false,
			reason: 'not_allowed'
		});
		const id = created(doc);
		const before = Y.encodeStateVector(doc);
		expect(claimTask(doc, id, acting(OBSERVER, T0))).toEqual({ ok: false, reason: 'not_allowed' });
		expect(createTask(doc, { ...SHOPPING, title: '' }, acting(LI, T0))).toEqual({
			ok: false,
			reason: 'title_required'
		});
		expect(Y.encodeStateVector(doc)).toEqual(before);
		expect(claimTask(doc, 'nope', acting(vol(1)))).toEqual({ ok: false, reason: 'task_not_found' });
	});

	it('a task from a case links back to it', () => {
		const doc = new Y.Doc();
		const result = createTaskFromCase(
			doc,
			{ gridId: 'g2', caseId: 'c-1', title: '楼道灯短路', location: '3号楼', description: '' },
			{ volunteersNeeded: 1 },
			acting(LI, T0)
		);
		const task = result.ok ? readTask(doc, result.value) : null;
		expect(task?.source).toEqual({ kind: 'case', gridId: 'g2', caseId: 'c-1' });
		expect(task?.title).toBe('楼道灯短路');
		expect(task?.gridId).toBe('g2');
	});

	it('a task made from a meeting action shows the meeting it came from', () => {
		const doc = new Y.Doc();
		const id = created(doc);
		expect(readTask(doc, id)?.meeting).toBeNull();
		doc.transact(() =>
			(doc.getMap('tasks').get(id) as Y.Map<unknown>).set('meetingSource', {
				meetingId: 'mt-1',
				itemId: 'it-2'
			})
		);
		expect(readTask(doc, id)?.meeting).toEqual({ meetingId: 'mt-1', itemId: 'it-2' });
	});

	it('deleted tasks leave the list; due states follow the China day', () => {
		const doc = new Y.Doc();
		const id = created(doc);
		const other = created(doc, { ...SHOPPING, title: '清理楼道杂物', due: '' });
		expect(taskDueState(readTask(doc, id)!, T0)).toBe('soon');
		expect(taskDueState(readTask(doc, id)!, Date.parse('2025-03-08T01:00:00Z'))).toBe('overdue');
		expect(deleteTask(doc, other, acting(vol(1)))).toEqual({ ok: false, reason: 'not_allowed' });
		expect(deleteTask(doc, other, acting(LI)).ok).toBe(true);
		expect(listTasks(doc).map((t) => t.id)).toEqual([id]);
	});
});

function snapshotOf(doc: Y.Doc) {
	return { tasks: listTasks(doc), hours: listHours(doc) };
}

describe('convergence: concurrent claims on the last slot', () => {
	for (let n = 2; n <= 5; n++) {
		it(`${n} phones claim the last slot offline: identical snapshots, no claim lost, over-claim flagged`, () => {
			for (let seed = 1; seed <= 40; seed++) {
				const rng = seededRandom(seed * 31 + n);
				const net = createReplicaNetwork(n);
				const [first] = net.docs;
				const id = created(first!, { ...SHOPPING, volunteersNeeded: 2 });
				claimTask(first!, id, acting(vol(0), T0 + 1));
				net.flush();
				// Every phone sees one slot left and claims it; some clocks agree to the millisecond.
				net.docs.forEach((doc, i) => {
					const r = claimTask(doc, id, acting(vol(i + 1), T0 + 10 + rng.int(0, 2)));
					expect(r.ok).toBe(true);
				});
				net.flush({ shuffle: seed });
				const snapshots = net.docs.map((doc) => readTask(doc, id));
				for (const snap of snapshots) expect(snap).toEqual(snapshots[0]);
				const task = snapshots[0]!;
				expect(task.claims).toHaveLength(n + 1);
				expect(new Set(task.claims.map((c) => c.memberId)).size).toBe(n + 1);
				expect(task.claims.filter((c) => c.standing === 'in_slot')).toHaveLength(2);
				expect(task.claims.filter((c) => c.standing === 'over_claimed')).toHaveLength(n - 1);
				expect(task.overClaimed).toBe(true);
				expect(task.status).toBe('claimed');
				net.destroy();
			}
		});
	}

	it('staff settle the over-claim by releasing one; the released claim stays in history', () => {
		const net = createReplicaNetwork(3);
		const [a, b, c] = net.docs as [Y.Doc, Y.Doc, Y.Doc];
		const id = created(a, { ...SHOPPING, volunteersNeeded: 1 });
		net.flush();
		claimTask(b, id, acting(vol(1), T0 + 5));
		claimTask(c, id, acting(vol(2), T0 + 5));
		net.flush();
		const over = readTask(a, id)!.claims.find((claim) => claim.standing === 'over_claimed')!;
		expect(releaseTaskClaim(a, id, over.id, acting(LI, T0 + 6)).ok).toBe(true);
		net.flush();
		for (const doc of net.docs) {
			const task = readTask(doc, id)!;
			expect(task.overClaimed).toBe(false);
			expect(task.claims.map((claim) => claim.id)).not.toContain(over.id);
			expect(task.history.filter((e) => e.kind === 'claim')).toHaveLength(2);
		}
	});

	it('two staff confirm concurrently: both entries kept, hours credited once', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const id = created(a, { ...SHOPPING, volunteersNeeded: 1 });
		claimTask(a, id, acting(vol(1), T0 + 1));
		completeTask(a, id, { note: '完成' }, acting(vol(1), T0 + 2));
		net.flush();
		confirmTask(a, id, '', acting(LI, T0 + 3));
		confirmTask(b, id, '', acting({ ...LI, memberId: 'm-wang', name: '王网格员' }, T0 + 4));
		net.flush();
		expect(snapshotOf(a)).toEqual(snapshotOf(b));
		expect(listHours(a)).toHaveLength(1);
		expect(readTask(a, id)!.history.filter((e) => e.kind === 'confirmed')).toHaveLength(2);
	});

	it('concurrent completions keep both notes', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const id = created(a);
		claimTask(a, id, acting(vol(1), T0 + 1));
		claimTask(a, id, acting(vol(2), T0 + 2));
		net.flush();
		completeTask(a, id, { note: '买了青菜' }, acting(vol(1), T0 + 3));
		completeTask(b, id, { note: '买了鸡蛋' }, acting(vol(2), T0 + 3));
		net.flush();
		expect(readTask(a, id)).toEqual(readTask(b, id));
		expect(
			readTask(a, id)!
				.completions.map((c) => c.note)
				.sort()
		).toEqual(['买了青菜', '买了鸡蛋']);
	});
});

describe('a task read for its page', () => {
	it('names the member the relay attested for each history entry; lists do not read it', () => {
		const staff = new Y.Doc();
		const id = created(staff);
		const phone = new Y.Doc();
		Y.applyUpdate(phone, Y.encodeStateAsUpdate(staff));
		expect(claimTask(phone, id, acting(vol(1), T0 + 1)).ok).toBe(true);
		Y.applyUpdate(staff, Y.encodeStateAsUpdate(phone));
		// The relay attests the volunteer's phone only (the staff's entry is from before).
		staff.getMap('attest').set(String(phone.clientID), { member: 'm-v1', from: 0 });

		const task = readTask(staff, id)!;
		const [creation, claim] = task.history;
		expect(task.authorship[claim!.id]).toEqual({ kind: 'attested', memberId: 'm-v1' });
		expect(task.authorship[creation!.id]).toEqual({ kind: 'unattested' });
		expect(Object.isFrozen(task.authorship)).toBe(true);
		expect('authorship' in listTasks(staff)[0]!).toBe(false);
	});
});
