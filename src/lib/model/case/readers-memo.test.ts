import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	applyCaseStatusAction,
	createCase,
	editCaseField,
	resolveCaseFieldConflict
} from './commands';
import { listCases } from './readers';
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
import { createReplicaNetwork } from '../testing/replica-network';
import { seededRandom } from '../testing/seeded-random';

/** What listCases must return: the same reader on a fresh replica with no memo. */
function fresh(doc: Y.Doc) {
	const copy = new Y.Doc();
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
	return listCases(copy);
}

describe('listCases memo', () => {
	it('re-reads exactly what changed: local edits, remote edits, conflicts and new cases', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const { next: random, pick } = seededRandom(7);
		const ids = [
			created(createCase(a, CORRIDOR_LIGHT, caseContext(WANG, 1000))),
			created(createCase(b, FIRE_LANE, caseContext(LI, 1100)))
		];
		expect(listCases(a)).toHaveLength(1);
		net.flush();
		expect(listCases(a)).toEqual(fresh(a));
		for (let step = 0; step < 120; step++) {
			const doc = random() < 0.5 ? a : b;
			const actor = doc === a ? WANG : LI;
			const id = pick(ids);
			const roll = random();
			if (roll < 0.1)
				ids.push(created(createCase(doc, FLYING_WIRE, caseContext(actor, 2000 + step))));
			else if (roll < 0.6)
				editCaseField(doc, id, 'title', `标题 ${step}`, caseContext(actor, 2000 + step));
			else if (roll < 0.8)
				applyCaseStatusAction(doc, id, 'start', {}, caseContext(actor, 2000 + step, SECRETARY));
			else
				resolveCaseFieldConflict(
					doc,
					id,
					'title',
					`标题 ${step - 1}`,
					{},
					caseContext(actor, 2000 + step)
				);
			if (random() < 0.3) net.flush({ shuffle: step });
			// Read often, so the memo has to track many small changes.
			expect(listCases(doc)).toEqual(fresh(doc));
		}
		net.flush();
		expect(listCases(a)).toEqual(fresh(a));
		expect(listCases(b)).toEqual(listCases(a));
	});
});
