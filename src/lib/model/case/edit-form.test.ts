import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { CaseId } from '../../domain/ids';
import { createCase, editCase, editCaseField, resolveCaseFieldConflict } from './commands';
import { readCase } from './readers';
import { addGrid, readDirectory, renameGrid, type DirectoryContext } from '../directory/directory';
import type { Actor } from '../../domain/actor';
import { caseContext, CORRIDOR_LIGHT, created, LI, WANG, ZHAO } from '../testing/fixtures';
import { createReplicaNetwork } from '../testing/replica-network';

function mustRead(doc: Y.Doc, id: CaseId) {
	const snapshot = readCase(doc, id);
	if (!snapshot) throw new Error(`case ${id} missing`);
	return snapshot;
}

function twoWithCase() {
	const net = createReplicaNetwork(2);
	const [a, b] = net.docs as [Y.Doc, Y.Doc];
	const id = created(createCase(a, CORRIDOR_LIGHT, caseContext(WANG, 1000)));
	net.flush();
	return { net, a, b, id };
}

describe('editCase (an edit form opened earlier)', () => {
	it('an edit that arrived while the form was open is not overwritten: it becomes a conflict', () => {
		const { net, a, b, id } = twoWithCase();
		// 王 opens the form on A: it remembers the title's heads.
		const seen = mustRead(a, id).fields.title.heads;
		// Meanwhile 李 retitles on B, and A receives it before 王 saves.
		editCaseField(b, id, 'title', '3号楼楼道灯全部不亮', caseContext(LI, 2000));
		net.flush();
		expect(mustRead(a, id).fields.title.value).toBe('3号楼楼道灯全部不亮');
		// 王 saves his own title, written over what he saw.
		expect(
			editCase(a, id, { title: { value: '楼道灯短路（已报物业）', seen } }, caseContext(WANG, 3000))
		).toEqual({ ok: true, value: { changed: true } });
		net.flush();
		for (const doc of [a, b]) {
			const title = mustRead(doc, id).fields.title;
			expect(title.conflict?.values.map((c) => c.value).sort()).toEqual(
				['3号楼楼道灯全部不亮', '楼道灯短路（已报物业）'].sort()
			);
		}
		expect(mustRead(a, id)).toEqual(mustRead(b, id));
	});

	it('fields the form did not change are not written, even when they changed meanwhile', () => {
		const { net, a, b, id } = twoWithCase();
		const seenLocation = mustRead(a, id).fields.location.heads;
		editCaseField(b, id, 'title', '新标题（李）', caseContext(LI, 2000));
		net.flush();
		editCase(
			a,
			id,
			{ location: { value: '3号楼2单元5楼', seen: seenLocation } },
			caseContext(WANG, 3000)
		);
		net.flush();
		const snapshot = mustRead(b, id);
		expect(snapshot.fields.title).toMatchObject({ value: '新标题（李）', conflict: null });
		expect(snapshot.fields.location).toMatchObject({ value: '3号楼2单元5楼', conflict: null });
	});

	it('saves every changed field in one transaction, and refuses all of them if one is invalid', () => {
		const { a, id } = twoWithCase();
		const before = mustRead(a, id).fields;
		const sv = Y.encodeStateVector(a);
		expect(
			editCase(
				a,
				id,
				{
					title: { value: '', seen: before.title.heads },
					location: { value: '5号楼', seen: before.location.heads }
				},
				caseContext(WANG, 2000)
			)
		).toEqual({ ok: false, reason: 'title_required' });
		expect(Y.encodeStateVector(a)).toEqual(sv);

		let transactions = 0;
		a.on('afterTransaction', () => transactions++);
		editCase(
			a,
			id,
			{
				title: { value: '楼道灯短路（已修）', seen: before.title.heads },
				location: { value: '5号楼', seen: before.location.heads }
			},
			caseContext(WANG, 2000)
		);
		expect(transactions).toBe(1);
		const after = mustRead(a, id);
		expect(after.fields.title.value).toBe('楼道灯短路（已修）');
		expect(after.fields.location.value).toBe('5号楼');
		expect(after.timeline.filter((entry) => entry.kind === 'edited')).toHaveLength(2);
	});

	it('an unchanged value over the same heads writes nothing', () => {
		const { a, id } = twoWithCase();
		const { title } = mustRead(a, id).fields;
		const sv = Y.encodeStateVector(a);
		expect(
			editCase(a, id, { title: { value: title.value, seen: title.heads } }, caseContext(WANG))
		).toEqual({
			ok: true,
			value: { changed: false }
		});
		expect(Y.encodeStateVector(a)).toEqual(sv);
	});
});

describe('resolveCaseFieldConflict with the heads that were shown', () => {
	it('a value that arrived after the choice was shown stays in conflict', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const id = created(createCase(a, CORRIDOR_LIGHT, caseContext(WANG, 1000)));
		net.flush();
		// 赵's phone got the case, then went offline and retitled it there.
		const c = new Y.Doc();
		Y.applyUpdate(c, Y.encodeStateAsUpdate(a));
		editCaseField(c, id, 'title', '标题丙', caseContext(ZHAO, 2500));
		// Online, 王 and 李 retitled concurrently: A shows their conflict.
		editCaseField(a, id, 'title', '标题甲', caseContext(WANG, 2000));
		editCaseField(b, id, 'title', '标题乙', caseContext(LI, 2000));
		net.flush();
		const shown = mustRead(a, id).fields.title;
		expect(shown.conflict?.values).toHaveLength(2);
		// 赵's title reaches A after the choice was shown; 王 picks 甲 from what he saw.
		Y.applyUpdate(a, Y.encodeStateAsUpdate(c));
		resolveCaseFieldConflict(
			a,
			id,
			'title',
			'标题甲',
			{ seen: shown.heads },
			caseContext(WANG, 3000)
		);
		net.flush();
		for (const doc of [a, b]) {
			const values = mustRead(doc, id).fields.title.conflict?.values.map((v) => v.value);
			expect(values?.sort()).toEqual(['标题丙', '标题甲'].sort());
		}
	});
});

describe('renameGrid with the heads the form opened with', () => {
	const as = (actor: Actor, at: number): DirectoryContext => ({
		actor,
		authority: { claims: { role: 'secretary' } },
		at
	});

	it('a rename that arrived while the form was open becomes a conflict', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const add = addGrid(a, { name: '第一网格' }, as(WANG, 1000));
		if (!add.ok) throw new Error(add.reason);
		net.flush();
		const seen = readDirectory(a).grids[0]!.nameHeads;
		renameGrid(b, add.value, { name: '第一网格（1-4栋）' }, as(LI, 2000));
		net.flush();
		renameGrid(a, add.value, { name: '一号网格', seen }, as(WANG, 3000));
		net.flush();
		for (const doc of [a, b]) {
			const grid = readDirectory(doc).grids[0]!;
			expect(grid.nameConflict?.values.map((v) => v.value).sort()).toEqual(
				['一号网格', '第一网格（1-4栋）'].sort()
			);
		}
	});
});
