import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { CaseId } from '../../domain/ids';
import { applyCaseStatusAction, createCase, editCaseField } from './commands';
import { countCasesByStatus, filterCasesByStatus, listCases, readCase } from './readers';
import {
	caseContext,
	CORRIDOR_LIGHT,
	created,
	FIRE_LANE,
	FLYING_WIRE,
	LI,
	WANG
} from '../testing/fixtures';
import { SECRETARY } from '../testing/fixtures';

function ledger() {
	const doc = new Y.Doc();
	const light = created(createCase(doc, CORRIDOR_LIGHT, caseContext(WANG, 1000)));
	const lane = created(createCase(doc, FIRE_LANE, caseContext(LI, 3000)));
	const wire = created(createCase(doc, FLYING_WIRE, caseContext(WANG, 2000)));
	applyCaseStatusAction(doc, light, 'resolve', {}, caseContext(WANG, 1600, SECRETARY));
	applyCaseStatusAction(doc, wire, 'start', {}, caseContext(LI, 4000, SECRETARY));
	return { doc, light, lane, wire };
}

describe('listCases', () => {
	it('lists newest first with summary fields and updatedAt from the timeline', () => {
		const { doc, light, lane, wire } = ledger();
		expect(listCases(doc)).toEqual([
			{
				id: lane,
				title: '消防通道被电动车堵塞',
				category: 'fire_safety',
				channel: '',
				location: '幸福里小区东门',
				status: 'reported',
				tier: 'grid',
				tierSince: 3000,
				priority: 'normal',
				handlingType: 'supervised',
				assignees: [],
				deadline: null,
				duplicateOf: '',
				createdAt: 3000,
				createdBy: LI.name,
				updatedAt: 3000,
				hasConflict: false,
				photoCount: 0,
				firstPhoto: null,
				resolvedAt: null,
				escalated: false,
				satisfaction: null,
				reviewedAt: null,
				point: null
			},
			expect.objectContaining({ id: wire, status: 'in_progress', updatedAt: 4000 }),
			expect.objectContaining({ id: light, status: 'resolved', updatedAt: 1600, resolvedAt: 1600 })
		]);
	});

	it('returns frozen snapshots that do not change when the document does', () => {
		const { doc, lane } = ledger();
		const before = listCases(doc);
		expect(Object.isFrozen(before)).toBe(true);
		expect(Object.isFrozen(before[0])).toBe(true);
		editCaseField(doc, lane, 'title', '消防通道被堵', caseContext(LI, 5000));
		expect(before[0]?.title).toBe('消防通道被电动车堵塞');
		expect(listCases(doc)[0]?.title).toBe('消防通道被堵');
	});

	it('skips malformed case records instead of failing the board', () => {
		const { doc } = ledger();
		doc.getMap('cases').set('broken', 42);
		doc.getMap('cases').set('Bad Key', new Y.Map());
		const half = new Y.Map();
		doc.getMap('cases').set('half', half);
		half.set('fields', new Y.Map());
		expect(listCases(doc)).toHaveLength(3);
		expect(readCase(doc, 'half' as CaseId)).toBeNull();
	});
});

describe('readCase', () => {
	it('is deeply frozen', () => {
		const { doc, light } = ledger();
		const snapshot = readCase(doc, light);
		expect(snapshot).not.toBeNull();
		expect(Object.isFrozen(snapshot)).toBe(true);
		expect(Object.isFrozen(snapshot?.fields)).toBe(true);
		expect(Object.isFrozen(snapshot?.fields.title)).toBe(true);
		expect(Object.isFrozen(snapshot?.timeline)).toBe(true);
		expect(Object.isFrozen(snapshot?.timeline[0])).toBe(true);
	});

	it('returns null for an unknown case', () => {
		expect(readCase(new Y.Doc(), 'nope' as CaseId)).toBeNull();
	});

	it('skips timeline entries it cannot read, and duplicates', () => {
		const { doc, light } = ledger();
		const timeline = (doc.getMap('cases').get(light) as Y.Map<unknown>).get(
			'timeline'
		) as Y.Array<unknown>;
		const first = timeline.get(0);
		timeline.push([{ id: 'x1', kind: 'escalated', at: 9000, by: '街道', deviceId: 'pc' }, first]);
		expect(readCase(doc, light)?.timeline.map((e) => e.kind)).toEqual(['created', 'status']);
	});
});

describe('countCasesByStatus and filterCasesByStatus', () => {
	it('counts every status, zeros included', () => {
		const { doc } = ledger();
		expect(countCasesByStatus(listCases(doc))).toEqual({
			reported: 1,
			accepted: 0,
			in_progress: 1,
			resolved: 1,
			reviewed: 0,
			closed: 0,
			duplicate: 0
		});
		expect(countCasesByStatus([])).toEqual({
			reported: 0,
			accepted: 0,
			in_progress: 0,
			resolved: 0,
			reviewed: 0,
			closed: 0,
			duplicate: 0
		});
	});

	it('filters by one status or several, keeping order', () => {
		const { doc, light, lane, wire } = ledger();
		const cases = listCases(doc);
		expect(filterCasesByStatus(cases, 'resolved').map((c) => c.id)).toEqual([light]);
		expect(filterCasesByStatus(cases, ['reported', 'in_progress']).map((c) => c.id)).toEqual([
			lane,
			wire
		]);
		expect(filterCasesByStatus(cases, 'reviewed')).toEqual([]);
	});
});

describe('readCase authorship', () => {
	it('names the attested sender of timeline entries and of the edits in a conflict', () => {
		const a = new Y.Doc();
		const id = created(createCase(a, CORRIDOR_LIGHT, caseContext(WANG, 1000)));
		const b = new Y.Doc();
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
		expect(editCaseField(a, id, 'title', '楼道灯不亮', caseContext(WANG, 2000)).ok).toBe(true);
		expect(editCaseField(b, id, 'title', '楼道灯坏了', caseContext(LI, 2001)).ok).toBe(true);
		Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
		a.getMap('attest').set(String(b.clientID), { member: 'm-li', from: 0 });

		const item = readCase(a, id)!;
		const candidates = item.fields.title.conflict!.values;
		const li = candidates.find((c) => c.by === LI.name)!;
		const wang = candidates.find((c) => c.by === WANG.name)!;
		expect(item.authorship[li.editId]).toEqual({ kind: 'attested', memberId: 'm-li' });
		expect(item.authorship[wang.editId]).toEqual({ kind: 'unattested' });
		for (const entry of item.timeline) {
			expect(item.authorship[entry.id]?.kind).toBe(
				entry.by === LI.name ? 'attested' : 'unattested'
			);
		}
		expect('authorship' in listCases(a)[0]!).toBe(false);
	});
});
