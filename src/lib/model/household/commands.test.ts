import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { HouseholdId, ResidentId } from '../../domain/household';
import type { Result } from '../../domain/result';
import {
	addResident,
	createHousehold,
	deleteHousehold,
	editHouseholdField,
	editResidentField,
	linkFollowUp,
	recordExport,
	recordVisit,
	setResidentRemoved,
	restoreHousehold,
	setColour,
	setResidentTag
} from './commands';
import { listExports, listHouseholds, readHousehold } from './readers';
import {
	DAY,
	household,
	householdContext,
	idNumber,
	LI,
	resident,
	T0,
	WANG,
	ZHOU
} from './test-fixtures';

function must<T>(result: Result<T, string>): T {
	if (!result.ok) throw new Error(`refused: ${result.reason}`);
	return result.value;
}

const wang = (at: number) => householdContext(WANG, 'grid-member', at);
const li = (at: number) => householdContext(LI, 'secretary', at);
const PHOTO = {
	hash: 'a'.repeat(64),
	mime: 'image/jpeg',
	width: 800,
	height: 600,
	bytes: 12345
} as const;

function registered(doc = new Y.Doc()) {
	const id = must(
		createHousehold(
			doc,
			household('3号楼', '301室', {
				colour: 'yellow',
				colourReason: '独居老人',
				note: '  有一只狗 ',
				residents: [
					resident('张桂兰', {
						idNumber: idNumber('19450312'),
						phone: '138 1234 5678',
						tags: ['elderlyAlone'],
						birthYear: 1945
					})
				]
			}),
			wang(T0),
			{ buildingId: 'b-3' }
		)
	);
	return { doc, id };
}

describe('households: create and read', () => {
	it('registers a household with its address, colour, reason, note and residents, normalised', () => {
		const { doc, id } = registered();
		const snapshot = readHousehold(doc, id)!;
		expect(snapshot.address).toEqual({
			compound: '幸福里',
			building: '3号楼',
			unit: '2单元',
			room: '301室'
		});
		expect(snapshot.buildingId).toBe('b-3');
		expect(snapshot.note).toBe('有一只狗');
		expect(snapshot.colourState).toMatchObject({
			colour: 'yellow',
			reason: '独居老人',
			since: T0,
			conflict: null
		});
		expect(snapshot.colourState.history).toHaveLength(1);
		expect(snapshot.residents).toHaveLength(1);
		const zhang = snapshot.residents[0]!;
		expect(zhang.fields.phone.value).toBe('13812345678');
		expect(zhang.fields.idNumber.value).toBe(idNumber('19450312'));
		expect(zhang.masked).toEqual({
			phone: '138****5678',
			idNumber: `110105********${idNumber('19450312').slice(-4)}`
		});
		expect(zhang.tags).toEqual(['elderlyAlone']);
		expect(snapshot.tags).toEqual(['elderlyAlone']);
		expect(snapshot.registeredBy).toBe(WANG.name);
		expect(Object.isFrozen(snapshot)).toBe(true);
		expect(listHouseholds(doc).map((h) => h.id)).toEqual([id]);
	});

	it('refuses what the register may not hold, with the reason, writing nothing', () => {
		const doc = new Y.Doc();
		const cases: [Parameters<typeof household>[2], string][] = [
			[{ colour: 'red', colourReason: '  ' }, 'reason_required'],
			[{ address: { compound: 'x', building: '', unit: '', room: '' } }, 'address_required'],
			[{ residents: [resident('李四', { idNumber: '110105194503121230' })] }, 'id_check_digit'],
			[{ residents: [resident('李四', { phone: '12345' })] }, 'phone_format'],
			[{ residents: [resident(' ')] }, 'name_required']
		];
		for (const [more, reason] of cases) {
			expect(createHousehold(doc, household('1栋', '101', more), wang(T0))).toEqual({
				ok: false,
				reason
			});
		}
		expect(listHouseholds(doc)).toEqual([]);
		expect(doc.getMap('households').size).toBe(0);
	});

	it('lets only the secretary and the grid’s own members write', () => {
		const doc = new Y.Doc();
		const refused = { ok: false, reason: 'not_permitted' };
		const input = household('1栋', '101');
		expect(createHousehold(doc, input, householdContext(ZHOU, 'grid-member', T0, ['g2']))).toEqual(
			refused
		);
		expect(createHousehold(doc, input, householdContext(ZHOU, 'volunteer', T0))).toEqual(refused);
		expect(createHousehold(doc, input, householdContext(ZHOU, 'observer', T0))).toEqual(refused);
		expect(createHousehold(doc, input, li(T0)).ok).toBe(true);
		expect(createHousehold(doc, household('1栋', '102'), wang(T0)).ok).toBe(true);
	});

	it('never registers one address twice, however it is written', () => {
		const doc = new Y.Doc();
		must(createHousehold(doc, household('3号楼', '301室'), wang(T0)));
		expect(
			createHousehold(
				doc,
				{
					...household('3栋', '301'),
					address: { compound: '幸福里', building: '３栋', unit: '2', room: '301' }
				},
				wang(T0)
			)
		).toEqual({ ok: false, reason: 'duplicate_address' });
	});
});

describe('households: edits, colours, residents, tombstones', () => {
	it('edits fields, keeps the colour history with reasons, and refuses red without a reason', () => {
		const { doc, id } = registered();
		expect(must(editHouseholdField(doc, id, 'note', '狗已送走', wang(T0 + 1)))).toEqual({
			changed: true
		});
		expect(must(editHouseholdField(doc, id, 'note', '狗已送走', wang(T0 + 2)))).toEqual({
			changed: false
		});
		expect(setColour(doc, id, 'red', '', wang(T0 + 3))).toEqual({
			ok: false,
			reason: 'reason_required'
		});
		must(setColour(doc, id, 'red', '摔倒住院', wang(T0 + 4)));
		must(setColour(doc, id, 'green', '', li(T0 + 5)));
		const snapshot = readHousehold(doc, id)!;
		expect(snapshot.note).toBe('狗已送走');
		expect(snapshot.colour).toBe('green');
		expect(snapshot.colourSince).toBe(T0 + 5);
		expect(snapshot.colourState.history.map((c) => [c.colour, c.reason, c.by])).toEqual([
			['yellow', '独居老人', WANG.name],
			['red', '摔倒住院', WANG.name],
			['green', '', LI.name]
		]);
		expect(editHouseholdField(doc, id, 'visitIntervalDays', '400', wang(T0))).toEqual({
			ok: false,
			reason: 'interval_invalid'
		});
		must(editHouseholdField(doc, id, 'visitIntervalDays', '14', wang(T0 + 6)));
		expect(readHousehold(doc, id)!.visitIntervalDays).toBe(14);
	});

	it('an edit over heads that moved on (a form opened earlier) becomes a visible conflict', () => {
		const { doc, id } = registered();
		const seen = readHousehold(doc, id)!.fields.note.heads;
		must(editHouseholdField(doc, id, 'note', '已搬走', li(T0 + 1)));
		must(editHouseholdField(doc, id, 'note', '有护工', { ...wang(T0 + 2), seen }));
		const note = readHousehold(doc, id)!.fields.note;
		expect(note.conflict?.values.map((v) => v.value)).toEqual(['有护工', '已搬走']);
		expect(restoreHousehold(doc, id, householdContext(ZHOU, 'volunteer', T0))).toEqual({
			ok: false,
			reason: 'not_permitted'
		});
	});

	it('refuses moving a household onto another’s address', () => {
		const { doc, id } = registered();
		must(createHousehold(doc, household('3号楼', '302室'), wang(T0)));
		expect(editHouseholdField(doc, id, 'room', '302', wang(T0 + 1))).toEqual({
			ok: false,
			reason: 'duplicate_address'
		});
		expect(editHouseholdField(doc, id, 'room', '', wang(T0 + 1)).ok).toBe(true);
		expect(readHousehold(doc, id)!.address.room).toBe('');
	});

	it('adds, edits, tags and removes residents; removed ones stay readable', () => {
		const { doc, id } = registered();
		const son = must(
			addResident(
				doc,
				id,
				resident('王小明', { relation: 'child', idNumber: idNumber('19800101') }),
				wang(T0 + 1)
			)
		);
		// The birth year an ID number carries, when none was typed.
		expect(
			readHousehold(doc, id)!.residents.find((r) => r.id === son)!.fields.birthYear.value
		).toBe(1980);
		expect(editResidentField(doc, id, son, 'idNumber', '123', wang(T0 + 2))).toEqual({
			ok: false,
			reason: 'id_format'
		});
		must(editResidentField(doc, id, son, 'phone', '0571-88123456', wang(T0 + 3)));
		must(editResidentField(doc, id, son, 'birthYear', '1981', wang(T0 + 3)));
		must(setResidentTag(doc, id, son, 'veteran', true, wang(T0 + 4)));
		let snapshot = readHousehold(doc, id)!;
		const read = snapshot.residents.find((r) => r.id === son)!;
		expect(read.fields.phone.value).toBe('0571-88123456');
		expect(read.fields.birthYear.value).toBe(1981);
		expect(read.tags).toEqual(['veteran']);
		expect(snapshot.tags).toEqual(['elderlyAlone', 'veteran']);
		must(setResidentRemoved(doc, id, son, true, wang(T0 + 5)));
		snapshot = readHousehold(doc, id)!;
		expect(snapshot.residentCount).toBe(1);
		expect(snapshot.tags).toEqual(['elderlyAlone']);
		expect(snapshot.residents.map((r) => [r.id, r.removed])).toEqual([
			[snapshot.residents[0]!.id, false],
			[son, true]
		]);
		expect(listHouseholds(doc).find((h) => h.id === id)!.residentNames).not.toContain(
			read.fields.name.value
		);
		// The screen's undo: the resident comes back, the log keeps both edits.
		must(setResidentRemoved(doc, id, son, false, wang(T0 + 6)));
		snapshot = readHousehold(doc, id)!;
		expect(snapshot.residentCount).toBe(2);
		expect(snapshot.residentNames).toContain(read.fields.name.value);
		expect(snapshot.tags).toEqual(['elderlyAlone', 'veteran']);
		expect(editResidentField(doc, id, 'r-none' as ResidentId, 'note', 'x', wang(T0))).toEqual({
			ok: false,
			reason: 'resident_not_found'
		});
	});

	it('deletes and restores a household through its tombstone; a deleted one takes no edits', () => {
		const { doc, id } = registered();
		must(deleteHousehold(doc, id, wang(T0 + 1)));
		expect(readHousehold(doc, id)!.deleted).toBe(true);
		expect(setColour(doc, id, 'green', '', wang(T0 + 2))).toEqual({
			ok: false,
			reason: 'household_deleted'
		});
		// Its address is free again, and then the old one cannot come back over it.
		const other = must(createHousehold(doc, household('3号楼', '301室'), wang(T0 + 3)));
		expect(restoreHousehold(doc, id, li(T0 + 4))).toEqual({
			ok: false,
			reason: 'duplicate_address'
		});
		must(deleteHousehold(doc, other, li(T0 + 5)));
		must(restoreHousehold(doc, id, li(T0 + 6)));
		expect(readHousehold(doc, id)!.deleted).toBe(false);
		expect(deleteHousehold(doc, 'h-none' as HouseholdId, li(T0))).toEqual({
			ok: false,
			reason: 'household_not_found'
		});
	});
});

describe('households: visits, links and exports', () => {
	it('records visits with photos, newest first, and lists a visit’s follow-ups', () => {
		const { doc, id } = registered();
		const first = must(
			recordVisit(
				doc,
				id,
				{ visitedAt: T0 + DAY, visitors: [], findings: '身体尚可', photos: [PHOTO] },
				wang(T0 + DAY)
			)
		);
		const second = must(
			recordVisit(
				doc,
				id,
				{ visitedAt: T0 + 3 * DAY, visitors: ['王网格员', '李书记'], findings: '', photos: [] },
				li(T0 + 3 * DAY)
			)
		);
		must(
			linkFollowUp(
				doc,
				id,
				{ visitId: first, kind: 'case', targetId: 'c-1', gridId: 'g1' },
				wang(T0 + DAY)
			)
		);
		expect(
			linkFollowUp(
				doc,
				id,
				{ visitId: 'v-none' as never, kind: 'task', targetId: 't-1', gridId: 'g1' },
				wang(T0)
			)
		).toEqual({ ok: false, reason: 'visit_not_found' });
		const snapshot = readHousehold(doc, id)!;
		expect(snapshot.visits.map((v) => v.id)).toEqual([second, first]);
		expect(snapshot.lastVisit?.id).toBe(second);
		expect(snapshot.lastVisitAt).toBe(T0 + 3 * DAY);
		expect(snapshot.visits[1]!.visitors).toEqual([WANG.name]);
		expect(snapshot.visits[1]!.photos).toEqual([
			{ ...PHOTO, addedBy: WANG.name, deviceId: WANG.deviceId, at: T0 + DAY }
		]);
		expect(snapshot.visits[1]!.followUps.map((l) => [l.kind, l.targetId])).toEqual([
			['case', 'c-1']
		]);
		expect(snapshot.visits[0]!.followUps).toEqual([]);
		expect(
			recordVisit(
				doc,
				id,
				{ visitedAt: T0 + 9 * DAY, visitors: [], findings: '', photos: [] },
				wang(T0)
			)
		).toEqual({ ok: false, reason: 'visit_time_invalid' });
		expect(
			recordVisit(
				doc,
				id,
				{ visitedAt: T0, visitors: [], findings: '', photos: [{ ...PHOTO, hash: 'xyz' }] },
				wang(T0)
			)
		).toEqual({ ok: false, reason: 'bad_photo' });
	});

	it('records exports; a full or community export is the secretary’s', () => {
		const { doc } = registered();
		const input = { scope: 'grid', format: 'csv', full: false, households: 1 } as const;
		must(recordExport(doc, input, wang(T0 + 1)));
		expect(recordExport(doc, { ...input, full: true }, wang(T0 + 2))).toEqual({
			ok: false,
			reason: 'not_permitted'
		});
		expect(recordExport(doc, { ...input, scope: 'community' }, wang(T0 + 2))).toEqual({
			ok: false,
			reason: 'not_permitted'
		});
		must(
			recordExport(doc, { ...input, format: 'xlsx', full: true, scope: 'community' }, li(T0 + 3))
		);
		// The community ZIP's record (screens/export/zip-screen.svelte.ts).
		must(recordExport(doc, { ...input, format: 'zip', scope: 'community' }, li(T0 + 4)));
		expect(listExports(doc).map((e) => [e.by, e.format, e.full, e.scope])).toEqual([
			[LI.name, 'zip', false, 'community'],
			[LI.name, 'xlsx', true, 'community'],
			[WANG.name, 'csv', false, 'grid']
		]);
	});
});
