/**
 * Two grid members edit one household offline, then sync (issue 18): different edits both
 * survive, one field set two ways stays a visible conflict on both phones, tag edits merge.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Result } from '../../domain/result';
import { createReplicaNetwork } from '../testing/replica-network';
import {
	addResident,
	createHousehold,
	deleteHousehold,
	editHouseholdField,
	recordVisit,
	restoreHousehold,
	setColour,
	setResidentTag
} from './commands';
import { listHouseholds, readHousehold } from './readers';
import { household, householdContext, resident, T0, WANG, ZHOU } from './test-fixtures';

function must<T>(result: Result<T, string>): T {
	if (!result.ok) throw new Error(`refused: ${result.reason}`);
	return result.value;
}

const wang = (at: number) => householdContext(WANG, 'grid-member', at);
const zhou = (at: number) => householdContext(ZHOU, 'grid-member', at);

function twoPhones() {
	const net = createReplicaNetwork(2);
	const [a, b] = net.docs as [Y.Doc, Y.Doc];
	const id = must(
		createHousehold(a, household('5栋', '501', { residents: [resident('刘大爷')] }), wang(T0))
	);
	net.flush();
	const residentId = readHousehold(b, id)!.residents[0]!.id;
	return { net, a, b, id, residentId };
}

describe('households converge', () => {
	it('a colour change and a new resident made offline both survive', () => {
		const { net, a, b, id } = twoPhones();
		must(setColour(a, id, 'red', '独居，行动不便', wang(T0 + 10)));
		must(addResident(b, id, resident('刘小红', { relation: 'child' }), zhou(T0 + 11)));
		net.flush();
		for (const doc of [a, b]) {
			const snapshot = readHousehold(doc, id)!;
			expect(snapshot.colour).toBe('red');
			expect(snapshot.colourState.conflict).toBeNull();
			expect(snapshot.residents.map((r) => r.fields.name.value)).toEqual(['刘大爷', '刘小红']);
		}
		expect(readHousehold(a, id)).toEqual(readHousehold(b, id));
		expect(listHouseholds(a)).toEqual(listHouseholds(b));
	});

	it('one field set two ways stays a visible conflict on both phones until settled', () => {
		const { net, a, b, id } = twoPhones();
		must(editHouseholdField(a, id, 'note', '子女在外地', wang(T0 + 10)));
		must(editHouseholdField(b, id, 'note', '有护工', zhou(T0 + 11)));
		must(setColour(a, id, 'yellow', '近期住院', wang(T0 + 12)));
		must(setColour(b, id, 'red', '摔倒', zhou(T0 + 13)));
		net.flush();
		for (const doc of [a, b]) {
			const snapshot = readHousehold(doc, id)!;
			expect(snapshot.fields.note.conflict?.values.map((v) => v.value)).toEqual([
				'有护工',
				'子女在外地'
			]);
			expect(snapshot.colourState.conflict?.values.map((v) => v.value)).toEqual(['red', 'yellow']);
			expect(snapshot.colourState.history.map((c) => c.colour)).toEqual(['green', 'yellow', 'red']);
			expect(snapshot.hasConflict).toBe(true);
		}
		// Writing the shown value settles it over both.
		must(setColour(a, id, 'red', '摔倒', wang(T0 + 20)));
		must(editHouseholdField(b, id, 'note', '有护工', zhou(T0 + 21)));
		net.flush();
		for (const doc of [a, b]) {
			const snapshot = readHousehold(doc, id)!;
			expect(snapshot.colourState.conflict).toBeNull();
			expect(snapshot.fields.note.conflict).toBeNull();
			expect(snapshot.hasConflict).toBe(false);
		}
	});

	it('tag edits on one resident made offline merge, each tag its own log', () => {
		const { net, a, b, id, residentId } = twoPhones();
		must(setResidentTag(a, id, residentId, 'elderlyAlone', true, wang(T0 + 10)));
		must(setResidentTag(b, id, residentId, 'lowIncome', true, zhou(T0 + 11)));
		net.flush();
		for (const doc of [a, b]) {
			expect(readHousehold(doc, id)!.residents[0]!.tags).toEqual(['elderlyAlone', 'lowIncome']);
		}
	});

	it('visits recorded on both phones offline are all kept, even a household’s first', () => {
		const { net, a, b, id } = twoPhones();
		const input = { visitors: [], findings: '', photos: [] };
		const one = must(recordVisit(a, id, { ...input, visitedAt: T0 + 10 }, wang(T0 + 10)));
		const two = must(recordVisit(b, id, { ...input, visitedAt: T0 + 20 }, zhou(T0 + 20)));
		net.flush();
		for (const doc of [a, b]) {
			expect(readHousehold(doc, id)!.visits.map((v) => v.id)).toEqual([two, one]);
		}
	});

	it('a delete made offline loses nothing the other phone did meanwhile', () => {
		const { net, a, b, id } = twoPhones();
		must(deleteHousehold(a, id, wang(T0 + 10)));
		must(addResident(b, id, resident('刘小红', { relation: 'child' }), zhou(T0 + 11)));
		net.flush();
		for (const doc of [a, b]) {
			const snapshot = readHousehold(doc, id)!;
			expect(snapshot.deleted).toBe(true);
			expect(snapshot.residentCount).toBe(2);
		}
		must(restoreHousehold(b, id, zhou(T0 + 12)));
		net.flush();
		expect(readHousehold(a, id)!.deleted).toBe(false);
		expect(readHousehold(a, id)).toEqual(readHousehold(b, id));
	});
});
