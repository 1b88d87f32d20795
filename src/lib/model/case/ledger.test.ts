/**
 * The ledger commands (tiers, assignment, deadlines, comments, return visits, duplicates,
 * receipts): role checks, and "two replicas edit concurrently, both converge, nothing lost".
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CASE_FIELDS, type CaseField, type CaseFieldValues } from '../../domain/case-input';
import { newCaseId, type CaseId } from '../../domain/ids';
import {
	addCaseComment,
	applyCaseStatusAction,
	assignCase,
	createCase,
	editCase,
	escalateCase,
	handBackCase,
	resolveCaseFieldConflict,
	setCaseDeadline
} from './commands';
import { deadlineOfDay } from '../../domain/due-date';
import { listCases, readCase } from './readers';
import { recordServerReceipts } from './receipts';
import { FIELD_FALLBACK, findCase, readCaseField, timelineEntry } from './schema';
import { createFieldLog } from '../field-log';
import {
	caseContext,
	CORRIDOR_LIGHT,
	created,
	FIRE_LANE,
	GRID_MEMBER,
	LI,
	SECRETARY,
	VOLUNTEER,
	WANG,
	ZHAO
} from '../testing/fixtures';
import { createReplicaNetwork } from '../testing/replica-network';

const DAY = 86_400_000;

function twoWithCase() {
	const net = createReplicaNetwork(2);
	const [a, b] = net.docs as [Y.Doc, Y.Doc];
	const id = created(createCase(a, CORRIDOR_LIGHT, caseContext(WANG, 1000)));
	net.flush();
	return { net, a, b, id };
}

function expectConverged(docs: readonly Y.Doc[], id: CaseId) {
	const [first, ...rest] = docs as [Y.Doc, ...Y.Doc[]];
	for (const doc of rest) {
		expect(listCases(doc)).toEqual(listCases(first));
		expect(readCase(doc, id)).toEqual(readCase(first, id));
	}
}

function mustRead(doc: Y.Doc, id: CaseId) {
	const snapshot = readCase(doc, id);
	if (!snapshot) throw new Error('case missing');
	return snapshot;
}

describe('createCase with the ledger fields', () => {
	it('stores every field and starts at the grid tier', () => {
		const doc = new Y.Doc();
		const id = created(
			createCase(
				doc,
				{
					...FIRE_LANE,
					channel: 'patrol',
					mapPoint: '116.397,39.909',
					reporterName: '张阿姨',
					residentContact: '138 0000 0000',
					handlingType: 'law_enforcement',
					priority: 'urgent',
					deadline: 5 * DAY,
					assignees: ['王网格员', '刘师傅']
				},
				caseContext(LI, 1000)
			)
		);
		expect(listCases(doc)[0]).toMatchObject({
			id,
			channel: 'patrol',
			priority: 'urgent',
			handlingType: 'law_enforcement',
			tier: 'grid',
			tierSince: 1000,
			assignees: ['刘师傅', '王网格员'],
			deadline: 5 * DAY,
			status: 'reported'
		});
		const snapshot = mustRead(doc, id);
		expect(snapshot.fields.residentContact.value).toBe('138 0000 0000');
		expect(snapshot.fields.mapPoint.value).toBe('116.397,39.909');
	});
});

describe('tiers', () => {
	it('escalate and hand back need a reason and the right role, and are recorded', () => {
		const { a, id } = twoWithCase();
		expect(escalateCase(a, id, ' ', caseContext(WANG, 2000, GRID_MEMBER))).toEqual({
			ok: false,
			reason: 'reason_required'
		});
		expect(escalateCase(a, id, '需社区协调', caseContext(ZHAO, 2000, VOLUNTEER))).toEqual({
			ok: false,
			reason: 'not_permitted'
		});
		expect(escalateCase(a, id, '需社区协调', caseContext(WANG, 2000, GRID_MEMBER))).toEqual({
			ok: true,
			value: 'community'
		});
		// A grid member escalates only from the grid; the secretary takes it further.
		expect(escalateCase(a, id, '需街道吹哨', caseContext(WANG, 3000, GRID_MEMBER))).toEqual({
			ok: false,
			reason: 'not_permitted'
		});
		expect(escalateCase(a, id, '需街道吹哨', caseContext(LI, 3000, SECRETARY))).toEqual({
			ok: true,
			value: 'street'
		});
		expect(
			handBackCase(a, id, '街道已协调，社区跟进', caseContext(WANG, 4000, GRID_MEMBER)).ok
		).toBe(false);
		expect(handBackCase(a, id, '街道已协调，社区跟进', caseContext(LI, 4000, SECRETARY))).toEqual({
			ok: true,
			value: 'community'
		});
		const snapshot = mustRead(a, id);
		expect(snapshot.fields.tier.value).toBe('community');
		expect(snapshot.tierSince).toBe(4000);
		expect(
			snapshot.timeline.flatMap((e) =>
				e.kind === 'tier' ? [[e.action, e.from, e.to, e.reason]] : []
			)
		).toEqual([
			['escalate', 'grid', 'community', '需社区协调'],
			['escalate', 'community', 'street', '需街道吹哨'],
			['hand_back', 'street', 'community', '街道已协调，社区跟进']
		]);
	});

	it('escalating clears an explicit deadline, so the new tier gets its own', () => {
		const { a, id } = twoWithCase();
		setCaseDeadline(a, id, 3 * DAY, {}, caseContext(WANG, 1500, GRID_MEMBER));
		escalateCase(a, id, '需社区协调', caseContext(WANG, 2000, GRID_MEMBER));
		expect(listCases(a)[0]).toMatchObject({ tier: 'community', deadline: null, tierSince: 2000 });
		expect(mustRead(a, id).timeline.filter((e) => e.kind === 'deadline')).toHaveLength(2);
	});

	it('a closed case does not move', () => {
		const { a, id } = twoWithCase();
		applyCaseStatusAction(a, id, 'resolve', {}, caseContext(WANG, 2000, SECRETARY));
		expect(escalateCase(a, id, '再议', caseContext(LI, 3000, SECRETARY))).toEqual({
			ok: false,
			reason: 'case_not_open'
		});
	});

	it('concurrent escalations from two replicas converge; a different tier on each stays visible', () => {
		const { net, a, b, id } = twoWithCase();
		escalateCase(a, id, '需社区协调', caseContext(WANG, 2000, GRID_MEMBER));
		escalateCase(b, id, '消防隐患，直接上报', caseContext(LI, 2100, SECRETARY));
		escalateCase(b, id, '需街道吹哨', caseContext(LI, 2200, SECRETARY));
		net.flush();
		expectConverged([a, b], id);
		const snapshot = mustRead(a, id);
		expect(snapshot.fields.tier.conflict?.values.map((v) => v.value).sort()).toEqual([
			'community',
			'street'
		]);
		expect(snapshot.timeline.filter((e) => e.kind === 'tier')).toHaveLength(3);
		// Someone picks; everyone sees the pick.
		resolveCaseFieldConflict(b, id, 'tier', 'street', {}, caseContext(LI, 3000));
		net.flush();
		expectConverged([a, b], id);
		expect(mustRead(a, id).fields.tier).toMatchObject({ value: 'street', conflict: null });
	});
});

describe('assignees', () => {
	it('only secretaries and the grid member assign; lists are normalised', () => {
		const { a, id } = twoWithCase();
		expect(assignCase(a, id, ['王网格员'], {}, caseContext(ZHAO, 2000, VOLUNTEER))).toEqual({
			ok: false,
			reason: 'not_permitted'
		});
		expect(
			assignCase(a, id, ['王网格员', ' 刘师傅 '], {}, caseContext(WANG, 2000, GRID_MEMBER)).ok
		).toBe(true);
		expect(
			assignCase(a, id, ['刘师傅', '王网格员'], {}, caseContext(WANG, 2100, GRID_MEMBER))
		).toEqual({
			ok: true,
			value: { changed: false }
		});
		expect(listCases(a)[0]?.assignees).toEqual(['刘师傅', '王网格员']);
		const entry = mustRead(a, id).timeline.find((e) => e.kind === 'assigned');
		expect(entry).toMatchObject({ from: [], to: ['刘师傅', '王网格员'] });
	});

	it('concurrent assignments keep both lists visible until someone picks', () => {
		const { net, a, b, id } = twoWithCase();
		assignCase(a, id, ['王网格员'], {}, caseContext(WANG, 2000, GRID_MEMBER));
		assignCase(b, id, ['物业 刘经理'], {}, caseContext(LI, 2000, SECRETARY));
		net.flush();
		expectConverged([a, b], id);
		const state = mustRead(b, id).fields.assignees;
		expect(state.conflict?.values.map((v) => v.value).sort()).toEqual(['物业 刘经理', '王网格员']);
		expect(listCases(b)[0]?.hasConflict).toBe(true);
	});

	it('members picked from the list (name#memberId) and outside names converge; both lists stay until someone picks', () => {
		const { net, a, b, id } = twoWithCase();
		// An old value: plain names, as written before members could be picked.
		assignCase(a, id, ['王网格员'], {}, caseContext(WANG, 1500, GRID_MEMBER));
		net.flush();
		const member = '王网格员#m1a2b3c4d5e6f7a8b';
		const colleague = '李书记#m9f8e7d6c5b4a3921';
		const seen = mustRead(a, id).fields.assignees.heads;
		assignCase(a, id, [member, '刘师傅'], { seen: seen }, caseContext(WANG, 2000, GRID_MEMBER));
		assignCase(b, id, [colleague], { seen: seen }, caseContext(LI, 2000, SECRETARY));
		net.flush();
		expectConverged([a, b], id);
		const state = mustRead(b, id).fields.assignees;
		expect(state.conflict?.values.map((v) => v.value).sort()).toEqual(
			[colleague, `刘师傅,${member}`].sort()
		);
		const entries = mustRead(a, id).timeline.filter((e) => e.kind === 'assigned');
		expect(entries.map((e) => (e.kind === 'assigned' ? e.from : null))).toEqual([
			[],
			['王网格员'],
			['王网格员']
		]);
		// Someone picks; the summary carries the member entries a board reads.
		const picked = resolveCaseFieldConflict(
			b,
			id,
			'assignees',
			`刘师傅,${member}`,
			{},
			caseContext(LI, 3000)
		);
		expect(picked.ok).toBe(true);
		net.flush();
		expectConverged([a, b], id);
		expect(listCases(a)[0]?.assignees).toEqual(['刘师傅', member]);
		expect(listCases(a)[0]?.hasConflict).toBe(false);
	});
});

describe('deadlines', () => {
	it('set, cleared, role-checked, and concurrent values both kept', () => {
		const { net, a, b, id } = twoWithCase();
		expect(setCaseDeadline(a, id, 2 * DAY, {}, caseContext(ZHAO, 2000, VOLUNTEER)).ok).toBe(false);
		expect(setCaseDeadline(a, id, -5, {}, caseContext(WANG, 2000, GRID_MEMBER))).toEqual({
			ok: false,
			reason: 'deadline_invalid'
		});
		setCaseDeadline(a, id, 2 * DAY, {}, caseContext(WANG, 2000, GRID_MEMBER));
		setCaseDeadline(b, id, 4 * DAY, {}, caseContext(LI, 2000, SECRETARY));
		net.flush();
		expectConverged([a, b], id);
		expect(
			mustRead(a, id)
				.fields.deadline.conflict?.values.map((v) => v.value)
				.sort()
		).toEqual([2 * DAY, 4 * DAY]);
		setCaseDeadline(a, id, null, {}, caseContext(LI, 3000, SECRETARY));
		net.flush();
		expectConverged([a, b], id);
		expect(mustRead(b, id).fields.deadline).toMatchObject({ value: null, conflict: null });
	});

	it('a new deadline already past is refused, clearing one is not; the end of today is fine', () => {
		const { a, id } = twoWithCase();
		const now = Date.parse('2026-12-09T02:00:00Z'); // 10:00 in Shanghai
		const yesterday = deadlineOfDay('2026-12-08', 'Asia/Shanghai');
		const today = deadlineOfDay('2026-12-09', 'Asia/Shanghai');
		expect(setCaseDeadline(a, id, yesterday, {}, caseContext(WANG, now, GRID_MEMBER))).toEqual({
			ok: false,
			reason: 'deadline_in_past'
		});
		expect(mustRead(a, id).fields.deadline.value).toBeNull();
		expect(setCaseDeadline(a, id, today, {}, caseContext(WANG, now, GRID_MEMBER)).ok).toBe(true);
		expect(mustRead(a, id).fields.deadline.value).toBe(today);
		expect(setCaseDeadline(a, id, null, {}, caseContext(WANG, now + 2 * DAY, GRID_MEMBER)).ok).toBe(
			true
		);
	});
});

describe('comments', () => {
	it('any writer comments; concurrent comments are all kept in one order', () => {
		const { net, a, b, id } = twoWithCase();
		expect(addCaseComment(a, id, ' ', caseContext(ZHAO, 2000))).toEqual({
			ok: false,
			reason: 'comment_required'
		});
		addCaseComment(a, id, '已联系物业电工', caseContext(ZHAO, 2000));
		addCaseComment(b, id, '居民说晚上八点后在家', caseContext(LI, 2000));
		net.flush();
		expectConverged([a, b], id);
		const comments = mustRead(a, id).timeline.flatMap((e) =>
			e.kind === 'comment' ? [e.text] : []
		);
		expect(comments.sort()).toEqual(['居民说晚上八点后在家', '已联系物业电工'].sort());
	});
});

describe('status actions with details', () => {
	it('the full lifecycle with a return visit', () => {
		const { a, id } = twoWithCase();
		for (const action of ['accept', 'start', 'resolve'] as const) {
			expect(
				applyCaseStatusAction(a, id, action, {}, caseContext(WANG, 2000, GRID_MEMBER)).ok
			).toBe(true);
		}
		expect(
			applyCaseStatusAction(
				a,
				id,
				'review',
				{
					satisfaction: 'basically_satisfied',
					note: '灯修好了，希望换成声控'
				},
				caseContext(WANG, 3000, GRID_MEMBER)
			)
		).toEqual({ ok: true, value: 'reviewed' });
		expect(applyCaseStatusAction(a, id, 'close', {}, caseContext(LI, 4000, SECRETARY))).toEqual({
			ok: true,
			value: 'closed'
		});
		// Only the community reopens what it closed.
		expect(
			applyCaseStatusAction(a, id, 'reopen', {}, caseContext(WANG, 5000, GRID_MEMBER))
		).toEqual({
			ok: false,
			reason: 'not_permitted'
		});
		expect(mustRead(a, id).lastReview).toEqual({
			satisfaction: 'basically_satisfied',
			note: '灯修好了，希望换成声控',
			by: WANG.name,
			at: 3000
		});
	});

	it('volunteers and observers take no status action', () => {
		const { a, id } = twoWithCase();
		const observer = {
			claims: { cid: 'demo', role: 'observer', grids: [] },
			memberId: 'm-observer',
			gridId: 'g1'
		};
		for (const who of [VOLUNTEER, observer]) {
			expect(applyCaseStatusAction(a, id, 'accept', {}, caseContext(ZHAO, 2000, who))).toEqual({
				ok: false,
				reason: 'not_permitted'
			});
		}
		const other = { ...GRID_MEMBER, gridId: 'g2' };
		expect(applyCaseStatusAction(a, id, 'accept', {}, caseContext(WANG, 2000, other)).ok).toBe(
			false
		);
	});

	it('mark_duplicate needs another case of the board; reopening clears it', () => {
		const { net, a, b, id } = twoWithCase();
		const original = created(createCase(a, FIRE_LANE, caseContext(LI, 1500)));
		expect(
			applyCaseStatusAction(a, id, 'mark_duplicate', {}, caseContext(LI, 2000, SECRETARY))
		).toEqual({
			ok: false,
			reason: 'duplicate_of_required'
		});
		expect(
			applyCaseStatusAction(
				a,
				id,
				'mark_duplicate',
				{ duplicateOf: id },
				caseContext(LI, 2000, SECRETARY)
			)
		).toEqual({ ok: false, reason: 'duplicate_of_self' });
		expect(
			applyCaseStatusAction(
				a,
				id,
				'mark_duplicate',
				{
					duplicateOf: original
				},
				caseContext(LI, 2000, SECRETARY)
			)
		).toEqual({ ok: true, value: 'duplicate' });
		net.flush();
		expectConverged([a, b], id);
		expect(listCases(b).find((c) => c.id === id)).toMatchObject({
			status: 'duplicate',
			duplicateOf: original
		});
		applyCaseStatusAction(b, id, 'reopen', {}, caseContext(LI, 3000, SECRETARY));
		net.flush();
		expectConverged([a, b], id);
		expect(listCases(a).find((c) => c.id === id)).toMatchObject({
			status: 'reported',
			duplicateOf: ''
		});
	});

	it('concurrent review and reopen converge with both kept', () => {
		const { net, a, b, id } = twoWithCase();
		applyCaseStatusAction(a, id, 'resolve', {}, caseContext(WANG, 2000, GRID_MEMBER));
		net.flush();
		applyCaseStatusAction(
			a,
			id,
			'review',
			{ satisfaction: 'satisfied' },
			caseContext(WANG, 3000, GRID_MEMBER)
		);
		applyCaseStatusAction(b, id, 'reopen', {}, caseContext(LI, 3000, SECRETARY));
		net.flush();
		expectConverged([a, b], id);
		const state = mustRead(a, id).fields.status;
		expect(state.conflict?.values.map((v) => v.value).sort()).toEqual(['in_progress', 'reviewed']);
	});
});

describe('cases from earlier schemas', () => {
	/**
	 * A case as an earlier schema wrote it: a field log per field from the creation (no `initial`
	 * object). `fields` says which: the first schema had five and no receipts map.
	 */
	function loggedCase(
		doc: Y.Doc,
		fields: readonly CaseField[] = ['title', 'description', 'category', 'location', 'status'],
		receipts = false
	): CaseId {
		const id = newCaseId();
		const values: CaseFieldValues = {
			...FIELD_FALLBACK,
			title: '楼道灯短路',
			description: '晚上楼道一片漆黑，老人上下楼不安全。',
			category: 'public_facilities',
			location: '3号楼2单元'
		};
		doc.transact(() => {
			const map = new Y.Map<unknown>();
			doc.getMap('cases').set(id, map);
			map.set('id', id);
			map.set('createdAt', 1000);
			map.set('createdBy', WANG.name);
			map.set('createdByDevice', WANG.deviceId);
			const logs = new Y.Map<unknown>();
			map.set('fields', logs);
			for (const field of fields) logs.set(field, createFieldLog(values[field], WANG, 1000));
			const timeline = new Y.Array<unknown>();
			map.set('timeline', timeline);
			timeline.push([
				timelineEntry(WANG, 1000, {
					kind: 'created',
					title: values.title,
					category: values.category,
					status: 'reported'
				})
			]);
			if (receipts) map.set('receipts', new Y.Map<unknown>());
		});
		return id;
	}
	const legacyCase = (doc: Y.Doc) => loggedCase(doc);

	it('a case with a field log per field (before `initial`) reads, edits and converges', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const id = loggedCase(a, CASE_FIELDS, true);
		net.flush();
		expect(listCases(b)[0]).toMatchObject({ id, title: '楼道灯短路', status: 'reported' });
		const seen = mustRead(a, id).fields.title.heads;
		editCase(a, id, { title: { value: '楼道灯已坏', seen } }, caseContext(WANG, 2000));
		editCase(b, id, { title: { value: '三楼楼道灯', seen } }, caseContext(LI, 2000));
		applyCaseStatusAction(b, id, 'accept', {}, caseContext(LI, 2100, SECRETARY));
		net.flush();
		expectConverged([a, b], id);
		const snapshot = mustRead(a, id);
		const record = findCase(a, id);
		if (!record) throw new Error('case unreadable');
		for (const field of CASE_FIELDS) {
			expect(snapshot.fields[field], field).toEqual(readCaseField(record, field));
		}
		expect(snapshot.fields.status.value).toBe('accepted');
		expect(snapshot.fields.title.conflict?.values.map((v) => v.value).sort()).toEqual([
			'三楼楼道灯',
			'楼道灯已坏'
		]);
	});

	it('read with defaults', () => {
		const doc = new Y.Doc();
		const id = legacyCase(doc);
		expect(listCases(doc)[0]).toMatchObject({
			id,
			title: '楼道灯短路',
			channel: '',
			tier: 'grid',
			priority: 'normal',
			handlingType: 'supervised',
			assignees: [],
			deadline: null,
			duplicateOf: ''
		});
	});

	it('two replicas writing a missing field concurrently keep both values (no lost Y.Array)', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const id = legacyCase(a);
		net.flush();
		editCase(a, id, { priority: { value: 'high', seen: [] } }, caseContext(WANG, 2000));
		editCase(b, id, { priority: { value: 'urgent', seen: [] } }, caseContext(LI, 2000));
		escalateCase(a, id, '需社区协调', caseContext(WANG, 2100, GRID_MEMBER));
		recordServerReceipts(a, [id], 2500, WANG.deviceId);
		recordServerReceipts(b, [id], 2600, LI.deviceId);
		net.flush();
		expectConverged([a, b], id);
		const snapshot = mustRead(a, id);
		expect(snapshot.fields.priority.conflict?.values.map((v) => v.value).sort()).toEqual([
			'high',
			'urgent'
		]);
		expect(snapshot.fields.tier.value).toBe('community');
		// Both devices' receipts survive, though neither map existed before.
		const byDevice = snapshot.timeline.map((e) => [e.deviceId, snapshot.receipts[e.id]]);
		expect(byDevice).toContainEqual([WANG.deviceId, 2500]);
		expect(byDevice).toContainEqual([LI.deviceId, 2600]);
	});
});

describe('recordServerReceipts', () => {
	it("stamps only this device's entries without a receipt, once", () => {
		const { net, a, b, id } = twoWithCase();
		addCaseComment(b, id, '李书记看过', caseContext(LI, 1500));
		net.flush();
		expect(recordServerReceipts(a, undefined, 2000, WANG.deviceId)).toBe(1);
		addCaseComment(a, id, '已派电工', caseContext(WANG, 2500));
		expect(recordServerReceipts(a, [id], 3000, WANG.deviceId)).toBe(1);
		expect(recordServerReceipts(a, [id], 4000, WANG.deviceId)).toBe(0);
		net.flush();
		expectConverged([a, b], id);
		const snapshot = mustRead(b, id);
		const stamps = snapshot.timeline.map((e) => [e.kind, snapshot.receipts[e.id] ?? null]);
		expect(stamps).toEqual([
			['created', 2000],
			['comment', null],
			['comment', 3000]
		]);
	});

	it('two replicas stamping concurrently converge and keep every receipt', () => {
		const { net, a, b, id } = twoWithCase();
		addCaseComment(b, id, '李书记看过', caseContext(LI, 1500));
		recordServerReceipts(a, undefined, 2000, WANG.deviceId);
		recordServerReceipts(b, undefined, 2100, LI.deviceId);
		net.flush();
		expectConverged([a, b], id);
		expect(Object.values(mustRead(a, id).receipts).sort()).toEqual([2000, 2100]);
	});
});
