import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createCase, editCaseField } from './commands';
import { deleteCase, restoreCase } from './deletion';
import { listCases, listDeletedCases, readCase } from './readers';
import { summarizeBoard } from '../summary/board';
import {
	caseContext,
	created,
	CORRIDOR_LIGHT,
	FIRE_LANE,
	GRID_MEMBER,
	LI,
	VOLUNTEER,
	WANG
} from '../testing/fixtures';
import { createReplicaNetwork } from '../testing/replica-network';

const T0 = Date.UTC(2025, 2, 1, 2);

function boardWithCase() {
	const doc = new Y.Doc();
	const id = created(createCase(doc, CORRIDOR_LIGHT, caseContext(LI, T0)));
	created(createCase(doc, FIRE_LANE, caseContext(LI, T0 + 1)));
	return { doc, id };
}

describe('deleteCase / restoreCase', () => {
	it('a deleted case leaves the lists and summaries; restored, it comes back as it was', () => {
		const { doc, id } = boardWithCase();
		expect(deleteCase(doc, id, caseContext(LI, T0 + 10))).toEqual({ ok: true, value: id });
		expect(listCases(doc).map((c) => c.id)).not.toContain(id);
		expect(listCases(doc)).toHaveLength(1);
		expect(summarizeBoard(doc).cases).toBe(1);
		const deleted = listDeletedCases(doc);
		expect(deleted.map((d) => [d.summary.id, d.deletion])).toEqual([
			[id, { at: T0 + 10, by: LI.name }]
		]);
		expect(readCase(doc, id)?.deletion).toEqual({ at: T0 + 10, by: LI.name });

		expect(restoreCase(doc, id, caseContext(LI, T0 + 20)).ok).toBe(true);
		expect(listCases(doc).map((c) => c.id)).toContain(id);
		expect(listDeletedCases(doc)).toEqual([]);
		const item = readCase(doc, id);
		expect(item?.deletion).toBeNull();
		expect(item?.fields.title.value).toBe(CORRIDOR_LIGHT.title);
		// Both recorded in the timeline, nothing removed.
		expect(item?.timeline.map((e) => e.kind)).toEqual(['created', 'deleted', 'restored']);
	});

	it('only the secretary deletes or restores; a refusal writes nothing', () => {
		const { doc, id } = boardWithCase();
		const before = Y.encodeStateVector(doc);
		for (const authority of [GRID_MEMBER, VOLUNTEER]) {
			expect(deleteCase(doc, id, caseContext(WANG, T0 + 5, authority))).toEqual({
				ok: false,
				reason: 'not_permitted'
			});
		}
		expect(Y.encodeStateVector(doc)).toEqual(before);
		expect(deleteCase(doc, id, caseContext(LI, T0 + 5)).ok).toBe(true);
		expect(restoreCase(doc, id, caseContext(WANG, T0 + 6, GRID_MEMBER))).toEqual({
			ok: false,
			reason: 'not_permitted'
		});
		expect(deleteCase(doc, id, caseContext(LI, T0 + 7))).toEqual({
			ok: false,
			reason: 'already_deleted'
		});
	});

	it('restoring a live case or an unknown one is refused', () => {
		const { doc, id } = boardWithCase();
		expect(restoreCase(doc, id, caseContext(LI))).toEqual({ ok: false, reason: 'not_deleted' });
		expect(deleteCase(doc, 'nope' as typeof id, caseContext(LI))).toEqual({
			ok: false,
			reason: 'case_not_found'
		});
	});

	it('a phone whose clock is behind still restores, and deletes again after', () => {
		const { doc, id } = boardWithCase();
		deleteCase(doc, id, caseContext(LI, T0 + 1000));
		// The restoring phone's clock is an hour behind the delete.
		expect(restoreCase(doc, id, caseContext(LI, T0 - 3_600_000)).ok).toBe(true);
		expect(readCase(doc, id)?.deletion).toBeNull();
		expect(deleteCase(doc, id, caseContext(LI, T0 - 7_200_000)).ok).toBe(true);
		expect(readCase(doc, id)?.deletion).not.toBeNull();
	});
});

describe('case deletion converges', () => {
	it('delete on one phone, edit on another offline: nothing lost; restore brings the edit back', () => {
		const net = createReplicaNetwork(2);
		const [secretaryPhone, memberPhone] = net.docs as [Y.Doc, Y.Doc];
		const id = created(createCase(secretaryPhone, CORRIDOR_LIGHT, caseContext(LI, T0)));
		net.flush();

		deleteCase(secretaryPhone, id, caseContext(LI, T0 + 100));
		// Offline, the grid member edits the title of the case they still see.
		expect(
			editCaseField(
				memberPhone,
				id,
				'title',
				'楼道灯已修',
				caseContext(WANG, T0 + 200, GRID_MEMBER)
			).ok
		).toBe(true);
		net.flush({ shuffle: 7 });

		for (const doc of net.docs) {
			expect(listCases(doc)).toEqual([]);
			expect(listDeletedCases(doc).map((d) => d.summary.title)).toEqual(['楼道灯已修']);
		}
		expect(readCase(secretaryPhone, id)).toEqual(readCase(memberPhone, id));

		restoreCase(secretaryPhone, id, caseContext(LI, T0 + 300));
		net.flush();
		for (const doc of net.docs) {
			const [shown] = listCases(doc);
			expect(shown?.title).toBe('楼道灯已修');
			expect(readCase(doc, id)?.timeline.map((e) => e.kind)).toEqual([
				'created',
				'deleted',
				'edited',
				'restored'
			]);
		}
		net.destroy();
	});

	it('a concurrent delete and restore at the same time keep the case (a tie never hides one)', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const id = created(createCase(a, CORRIDOR_LIGHT, caseContext(LI, T0)));
		deleteCase(a, id, caseContext(LI, T0 + 10));
		net.flush();
		// Phone a restores; phone b, concurrently, deletes again... it is already deleted there,
		// so b restores too, and a deletes again at the very time of b's restore.
		restoreCase(a, id, caseContext(LI, T0 + 20));
		restoreCase(b, id, caseContext(LI, T0 + 30));
		deleteCase(a, id, caseContext(LI, T0 + 30));
		net.flush({ shuffle: 3 });
		expect(readCase(a, id)).toEqual(readCase(b, id));
		expect(readCase(a, id)?.deletion).toBeNull();
		net.destroy();
	});
});
