import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { HouseholdId } from '$lib/domain/household';
import type { Result } from '$lib/domain/result';
import {
	addResident,
	createHousehold,
	editHouseholdField,
	editResidentField,
	readHousehold,
	recordVisit,
	setResidentRemoved,
	setColour,
	setResidentTag
} from '$lib/model/household';
import {
	DAY,
	household,
	householdContext,
	idNumber,
	LI,
	resident,
	T0
} from '$lib/model/household/test-fixtures';
import { AsOfScreen } from './as-of-screen.svelte';
import { changedHouseholdParts, pastHouseholdReader, pastHouseholdView } from './past-household';

function must<T>(result: Result<T, string>): T {
	if (!result.ok) throw new Error(`refused: ${result.reason}`);
	return result.value;
}

const li = (at: number) => householdContext(LI, 'secretary', at);
const ID = idNumber('19400101');
const PHONE = '13812345678';

/** A register whose household is written on day 0; `past` is a copy of it as it was then. */
function register() {
	const doc = new Y.Doc();
	const id = must(
		createHousehold(
			doc,
			household('3号楼', '502室', {
				colour: 'red',
				colourReason: '独居老人',
				residents: [resident('欧阳秀英', { idNumber: ID, phone: PHONE, tags: ['elderlyAlone'] })]
			}),
			li(T0)
		)
	);
	must(
		recordVisit(
			doc,
			id,
			{ visitedAt: T0 + 1000, visitors: [], findings: '精神尚可', photos: [] },
			li(T0 + 1000)
		)
	);
	const past = () => {
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
		return copy;
	};
	return { doc, id, past: past() };
}

const residentOf = (doc: Y.Doc, id: HouseholdId) => readHousehold(doc, id)!.residents[0]!.id;

describe('the household as it was', () => {
	it('is read with the live reader; the view holds phone and ID number only masked', () => {
		const { id, past } = register();
		const snapshot = pastHouseholdReader(id)(past)!;
		const view = pastHouseholdView(snapshot);
		expect(view).toMatchObject({
			address: { building: '3号楼', room: '502室' },
			colour: 'red',
			reason: '独居老人',
			visitCount: 1,
			lastVisitAt: T0 + 1000,
			deleted: false
		});
		expect(view.residents).toEqual([
			expect.objectContaining({
				name: '欧阳秀英',
				phone: '138****5678',
				idNumber: `${ID.slice(0, 6)}********${ID.slice(-4)}`,
				tags: ['elderlyAlone']
			})
		]);
		const shown = JSON.stringify(view);
		expect(shown).not.toContain(ID);
		expect(shown).not.toContain(PHONE);
		expect(pastHouseholdReader('h-none')(past)).toBeNull();
	});

	it('names the parts changed since: colour, residents, address; none when unchanged', () => {
		const { doc, id, past } = register();
		const then = readHousehold(past, id);
		expect(changedHouseholdParts(then, readHousehold(doc, id))).toEqual([]);

		must(setColour(doc, id, 'green', '', li(T0 + DAY)));
		expect(changedHouseholdParts(then, readHousehold(doc, id))).toEqual(['colour']);

		// A digit changed inside the masked part of the ID number still counts.
		const other = idNumber('19400102');
		must(editResidentField(doc, id, residentOf(doc, id), 'idNumber', other, li(T0 + DAY + 1)));
		expect(changedHouseholdParts(then, readHousehold(doc, id))).toEqual(['colour', 'residents']);

		must(editHouseholdField(doc, id, 'room', '503室', li(T0 + DAY + 2)));
		expect(changedHouseholdParts(then, readHousehold(doc, id))).toEqual([
			'address',
			'colour',
			'residents'
		]);
		expect(changedHouseholdParts(null, readHousehold(doc, id))).toEqual([]);
	});

	it('counts a resident added, removed or re-tagged as the residents changed', () => {
		for (const change of [
			(doc: Y.Doc, id: HouseholdId) => addResident(doc, id, resident('欧阳明'), li(T0 + DAY)),
			(doc: Y.Doc, id: HouseholdId) =>
				setResidentRemoved(doc, id, residentOf(doc, id), true, li(T0 + DAY)),
			(doc: Y.Doc, id: HouseholdId) =>
				setResidentTag(doc, id, residentOf(doc, id), 'veteran', true, li(T0 + DAY))
		]) {
			const { doc, id, past } = register();
			must(change(doc, id) as Result<unknown, string>);
			expect(changedHouseholdParts(readHousehold(past, id), readHousehold(doc, id))).toEqual([
				'residents'
			]);
		}
	});

	it('plugs into the "as of" screen: the register as of a day shows the old colour', async () => {
		const { doc, id, past } = register();
		must(setColour(doc, id, 'green', '', li(T0 + DAY)));
		const screen = new AsOfScreen({
			client: {
				hours: async () => ({ ok: true, value: [T0] }),
				documentAt: async (path, at) => {
					expect(path).toBe('households/g1');
					const copy = new Y.Doc();
					Y.applyUpdate(copy, Y.encodeStateAsUpdate(past));
					return { ok: true, value: { doc: copy, until: at, since: T0 } };
				}
			},
			docName: 'c/demo/households/g1',
			read: pastHouseholdReader(id),
			timeZone: () => 'Asia/Shanghai'
		});
		await screen.open();
		expect(screen.days).toEqual(['2026-12-01']);
		await screen.pick('2026-12-01');
		const shown = screen.shown!.value!;
		expect(pastHouseholdView(shown).colour).toBe('red');
		expect(changedHouseholdParts(shown, readHousehold(doc, id))).toEqual(['colour']);
	});
});
