import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { CaseId } from '../../domain/ids';
import {
	applyCaseStatusAction,
	createCase,
	editCaseField,
	resolveCaseFieldConflict
} from './commands';
import { listCases, readCase } from './readers';
import {
	caseContext,
	CORRIDOR_LIGHT,
	created,
	FIRE_LANE,
	FLYING_WIRE,
	LI,
	WANG,
	ZHAO
} from '../testing/fixtures';
import { SECRETARY } from '../testing/fixtures';
import { createReplicaNetwork } from '../testing/replica-network';

function mustRead(doc: Y.Doc, id: CaseId) {
	const snapshot = readCase(doc, id);
	if (!snapshot) throw new Error(`case ${id} missing`);
	return snapshot;
}

/** Two replicas that both hold one case created by 王 at t=1000. */
function twoWithCase(input = CORRIDOR_LIGHT) {
	const net = createReplicaNetwork(2);
	const [a, b] = net.docs as [Y.Doc, Y.Doc];
	const id = created(createCase(a, input, caseContext(WANG, 1000)));
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

describe('createCase', () => {
	it('stores the validated input as status reported with a created entry', () => {
		const doc = new Y.Doc();
		const id = created(
			createCase(doc, { ...CORRIDOR_LIGHT, title: ' 楼道灯短路 ' }, caseContext(WANG, 1000))
		);
		const snapshot = mustRead(doc, id);
		expect(snapshot).toMatchObject({
			id,
			createdAt: 1000,
			createdBy: WANG.name,
			createdByDevice: WANG.deviceId,
			updatedAt: 1000,
			hasConflict: false
		});
		expect(snapshot.fields).toMatchObject({
			title: { value: '楼道灯短路', conflict: null },
			description: { value: CORRIDOR_LIGHT.description, conflict: null },
			category: { value: 'public_facilities', conflict: null },
			location: { value: '3号楼2单元', conflict: null },
			status: { value: 'reported', conflict: null }
		});
		expect(snapshot.timeline).toEqual([
			expect.objectContaining({
				kind: 'created',
				at: 1000,
				by: WANG.name,
				deviceId: WANG.deviceId,
				title: '楼道灯短路',
				category: 'public_facilities',
				status: 'reported'
			})
		]);
	});

	it('refuses invalid input and writes nothing', () => {
		const doc = new Y.Doc();
		const before = Y.encodeStateVector(doc);
		expect(createCase(doc, { ...FIRE_LANE, title: '' }, caseContext(WANG))).toEqual({
			ok: false,
			reason: 'title_required'
		});
		expect(createCase(doc, { ...FIRE_LANE, category: 'fire' }, caseContext(WANG))).toEqual({
			ok: false,
			reason: 'category_invalid'
		});
		expect(Y.encodeStateVector(doc)).toEqual(before);
	});

	it('two replicas create concurrently: both cases on both, identical lists', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const ia = created(createCase(a, FIRE_LANE, caseContext(WANG, 1000)));
		const ib = created(createCase(b, FLYING_WIRE, caseContext(LI, 1500)));
		net.flush({ shuffle: 9 });
		expect(listCases(a).map((c) => c.id)).toEqual([ib, ia]);
		expectConverged([a, b], ia);
		expectConverged([a, b], ib);
	});
});

describe('editCaseField', () => {
	it('records the edit with from and to, and moves updatedAt', () => {
		const { a, id } = twoWithCase();
		expect(editCaseField(a, id, 'location', '3号楼2单元5楼', caseContext(LI, 2000))).toEqual({
			ok: true,
			value: { changed: true }
		});
		const snapshot = mustRead(a, id);
		expect(snapshot.fields.location).toMatchObject({ value: '3号楼2单元5楼', conflict: null });
		expect(snapshot.updatedAt).toBe(2000);
		expect(snapshot.timeline.at(-1)).toMatchObject({
			kind: 'edited',
			field: 'location',
			from: '3号楼2单元',
			to: '3号楼2单元5楼',
			by: LI.name
		});
	});

	it('an unchanged value writes nothing; invalid values and unknown cases are refused', () => {
		const { a, id } = twoWithCase();
		const before = Y.encodeStateVector(a);
		expect(editCaseField(a, id, 'title', ' 楼道灯短路 ', caseContext(WANG))).toEqual({
			ok: true,
			value: { changed: false }
		});
		expect(editCaseField(a, id, 'title', '', caseContext(WANG))).toEqual({
			ok: false,
			reason: 'title_required'
		});
		expect(editCaseField(a, id, 'category', 'fire', caseContext(WANG))).toEqual({
			ok: false,
			reason: 'category_invalid'
		});
		expect(editCaseField(a, 'nope' as CaseId, 'title', '新标题', caseContext(WANG))).toEqual({
			ok: false,
			reason: 'case_not_found'
		});
		expect(Y.encodeStateVector(a)).toEqual(before);
	});

	it('concurrent edits of different fields: both kept, no conflict', () => {
		const { net, a, b, id } = twoWithCase();
		editCaseField(a, id, 'location', '3号楼2单元4楼', caseContext(WANG, 2000));
		editCaseField(b, id, 'category', 'fire_safety', caseContext(LI, 2000));
		net.flush({ shuffle: 1 });
		expectConverged([a, b], id);
		const snapshot = mustRead(b, id);
		expect(snapshot.fields.location.value).toBe('3号楼2单元4楼');
		expect(snapshot.fields.category.value).toBe('fire_safety');
		expect(snapshot.hasConflict).toBe(false);
		expect(snapshot.timeline.map((e) => e.kind)).toEqual(['created', 'edited', 'edited']);
	});

	it('concurrent edits of one field: both values visible, both timeline entries kept', () => {
		const { net, a, b, id } = twoWithCase();
		editCaseField(a, id, 'title', '3号楼楼道灯短路', caseContext(WANG, 2000));
		editCaseField(b, id, 'title', '楼道灯短路跳闸', caseContext(LI, 2001));
		net.flush({ shuffle: 2 });
		expectConverged([a, b], id);
		const snapshot = mustRead(a, id);
		expect(snapshot.hasConflict).toBe(true);
		expect(snapshot.fields.title.value).toBe('楼道灯短路跳闸');
		expect(snapshot.fields.title.conflict?.values.map((v) => [v.value, v.by])).toEqual([
			['楼道灯短路跳闸', LI.name],
			['3号楼楼道灯短路', WANG.name]
		]);
		expect(snapshot.timeline.filter((e) => e.kind === 'edited')).toEqual([
			expect.objectContaining({ from: '楼道灯短路', to: '3号楼楼道灯短路', by: WANG.name }),
			expect.objectContaining({ from: '楼道灯短路', to: '楼道灯短路跳闸', by: LI.name })
		]);
		expect(listCases(b)[0]?.hasConflict).toBe(true);
	});

	it('saving the shown value of a field in conflict settles it as a resolution', () => {
		const { net, a, b, id } = twoWithCase();
		editCaseField(a, id, 'title', '3号楼楼道灯短路', caseContext(WANG, 2000));
		editCaseField(b, id, 'title', '楼道灯短路跳闸', caseContext(LI, 2001));
		net.flush();
		expect(editCaseField(a, id, 'title', '楼道灯短路跳闸', caseContext(WANG, 3000))).toEqual({
			ok: true,
			value: { changed: true }
		});
		net.flush();
		expectConverged([a, b], id);
		const snapshot = mustRead(b, id);
		expect(snapshot.fields.title).toMatchObject({ value: '楼道灯短路跳闸', conflict: null });
		expect(snapshot.timeline.at(-1)).toMatchObject({
			kind: 'conflict_resolved',
			field: 'title',
			to: '楼道灯短路跳闸',
			discarded: ['3号楼楼道灯短路']
		});
	});
});

describe('applyCaseStatusAction', () => {
	it('walks the flow and records each step', () => {
		const { a, id } = twoWithCase();
		expect(applyCaseStatusAction(a, id, 'start', {}, caseContext(WANG, 2000, SECRETARY))).toEqual({
			ok: true,
			value: 'in_progress'
		});
		expect(applyCaseStatusAction(a, id, 'resolve', {}, caseContext(WANG, 3000, SECRETARY))).toEqual(
			{
				ok: true,
				value: 'resolved'
			}
		);
		expect(applyCaseStatusAction(a, id, 'review', {}, caseContext(LI, 4000, SECRETARY))).toEqual({
			ok: false,
			reason: 'satisfaction_required'
		});
		expect(
			applyCaseStatusAction(
				a,
				id,
				'review',
				{
					satisfaction: 'satisfied',
					note: '回访：灯已修好'
				},
				caseContext(LI, 4000, SECRETARY)
			)
		).toEqual({
			ok: true,
			value: 'reviewed'
		});
		const snapshot = mustRead(a, id);
		expect(snapshot.fields.status).toMatchObject({ value: 'reviewed', conflict: null });
		expect(
			snapshot.timeline.flatMap((e) => (e.kind === 'status' ? [[e.action, e.from, e.to]] : []))
		).toEqual([
			['start', 'reported', 'in_progress'],
			['resolve', 'in_progress', 'resolved'],
			['review', 'resolved', 'reviewed']
		]);
	});

	it('an action not allowed from the status is refused and writes nothing', () => {
		const { a, id } = twoWithCase();
		const before = Y.encodeStateVector(a);
		expect(applyCaseStatusAction(a, id, 'review', {}, caseContext(LI, 2000, SECRETARY))).toEqual({
			ok: false,
			reason: 'not_allowed_from_status'
		});
		expect(applyCaseStatusAction(a, id, 'reopen', {}, caseContext(LI, 2000, SECRETARY))).toEqual({
			ok: false,
			reason: 'not_allowed_from_status'
		});
		expect(
			applyCaseStatusAction(a, 'nope' as CaseId, 'start', {}, caseContext(LI, undefined, SECRETARY))
		).toEqual({
			ok: false,
			reason: 'case_not_found'
		});
		expect(Y.encodeStateVector(a)).toEqual(before);
		expect(mustRead(a, id).timeline).toHaveLength(1);
	});

	it('one replica resolves while the other edits: both changes kept on both', () => {
		const { net, a, b, id } = twoWithCase();
		applyCaseStatusAction(a, id, 'resolve', {}, caseContext(WANG, 2000, SECRETARY));
		editCaseField(b, id, 'description', '物业电工已到场，更换了保险丝。', caseContext(LI, 2000));
		net.flush({ shuffle: 3 });
		expectConverged([a, b], id);
		const snapshot = mustRead(a, id);
		expect(snapshot.fields.status).toMatchObject({ value: 'resolved', conflict: null });
		expect(snapshot.fields.description.value).toBe('物业电工已到场，更换了保险丝。');
		// Both entries share at=2000, so their order is by id: check membership, not order.
		expect(snapshot.timeline.map((e) => e.kind).sort()).toEqual(['created', 'edited', 'status']);
	});

	it('concurrent different status actions: a status conflict, settled by picking one', () => {
		const { net, a, b, id } = twoWithCase();
		applyCaseStatusAction(a, id, 'start', {}, caseContext(WANG, 2000, SECRETARY));
		applyCaseStatusAction(b, id, 'resolve', {}, caseContext(LI, 2100, SECRETARY));
		net.flush({ shuffle: 4 });
		expectConverged([a, b], id);
		const conflicted = mustRead(a, id);
		expect(conflicted.fields.status.value).toBe('resolved');
		expect(conflicted.fields.status.conflict?.values.map((v) => v.value)).toEqual([
			'resolved',
			'in_progress'
		]);
		expect(
			resolveCaseFieldConflict(a, id, 'status', 'in_progress', {}, caseContext(WANG, 3000))
		).toEqual({
			ok: true,
			value: { changed: true }
		});
		net.flush();
		expectConverged([a, b], id);
		const settled = mustRead(b, id);
		expect(settled.fields.status).toMatchObject({ value: 'in_progress', conflict: null });
		expect(settled.timeline.map((e) => e.kind)).toEqual([
			'created',
			'status',
			'status',
			'conflict_resolved'
		]);
		expect(settled.timeline.at(-1)).toMatchObject({ to: 'in_progress', discarded: ['resolved'] });
	});
});

describe('resolveCaseFieldConflict', () => {
	it('refuses when there is no conflict or the value is not one of the candidates', () => {
		const { net, a, b, id } = twoWithCase();
		expect(resolveCaseFieldConflict(a, id, 'title', '楼道灯短路', {}, caseContext(WANG))).toEqual({
			ok: false,
			reason: 'no_conflict'
		});
		editCaseField(a, id, 'location', '3号楼', caseContext(WANG, 2000));
		editCaseField(b, id, 'location', '2单元门口', caseContext(LI, 2000));
		net.flush();
		const before = Y.encodeStateVector(a);
		expect(resolveCaseFieldConflict(a, id, 'location', '别处', {}, caseContext(WANG))).toEqual({
			ok: false,
			reason: 'value_not_in_conflict'
		});
		expect(
			resolveCaseFieldConflict(a, 'nope' as CaseId, 'location', '3号楼', {}, caseContext(WANG))
		).toEqual({
			ok: false,
			reason: 'case_not_found'
		});
		expect(Y.encodeStateVector(a)).toEqual(before);
	});

	it('two replicas pick different values concurrently: the disagreement stays visible', () => {
		const net = createReplicaNetwork(3);
		const [a, b, c] = net.docs as [Y.Doc, Y.Doc, Y.Doc];
		const id = created(createCase(a, FIRE_LANE, caseContext(WANG, 1000)));
		net.flush();
		editCaseField(a, id, 'location', '东门消防通道', caseContext(WANG, 2000));
		editCaseField(b, id, 'location', '北门消防通道', caseContext(LI, 2000));
		editCaseField(c, id, 'location', '地下车库入口', caseContext(ZHAO, 2000));
		net.flush({ shuffle: 6 });
		resolveCaseFieldConflict(a, id, 'location', '东门消防通道', {}, caseContext(WANG, 3000));
		resolveCaseFieldConflict(b, id, 'location', '北门消防通道', {}, caseContext(LI, 3000));
		net.flush({ shuffle: 7 });
		expectConverged([a, b, c], id);
		const location = mustRead(c, id).fields.location;
		expect(new Set(location.conflict?.values.map((v) => v.value))).toEqual(
			new Set(['东门消防通道', '北门消防通道'])
		);
	});
});

describe('timeline', () => {
	it('is append-only: earlier entries never change, and replicas agree after flush', () => {
		const { net, a, b, id } = twoWithCase();
		applyCaseStatusAction(a, id, 'start', {}, caseContext(WANG, 2000, SECRETARY));
		net.flush();
		const earlier = mustRead(b, id).timeline;
		editCaseField(a, id, 'title', '3号楼楼道灯短路', caseContext(WANG, 2500));
		editCaseField(b, id, 'title', '楼道灯短路跳闸', caseContext(LI, 2500));
		applyCaseStatusAction(b, id, 'resolve', {}, caseContext(LI, 2600, SECRETARY));
		net.flush({ shuffle: 8 });
		resolveCaseFieldConflict(b, id, 'title', '3号楼楼道灯短路', {}, caseContext(LI, 3000));
		net.flush();
		const later = mustRead(a, id).timeline;
		expect(mustRead(b, id).timeline).toEqual(later);
		expect(later).toHaveLength(6);
		for (const entry of earlier) expect(later).toContainEqual(entry);
		const order = later.map((e) => [e.at, e.id] as const);
		expect(order).toEqual(
			[...order].sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0))
		);
		expect(new Set(later.map((e) => e.id)).size).toBe(later.length);
	});
});
