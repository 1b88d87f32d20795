/**
 * Contract: what the app's household commands write passes the relay's household rules for the
 * grid's member and the secretary; the same writes forged by a volunteer, an observer or a member
 * of another grid are refused, and so is anything that changes or removes history or names
 * another author (src/lib/wire/write-rules-households.ts, sync-server/write-guard.ts). The
 * visit follow-ups' writes to the board and the tasks pass their documents' rules too.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	idCheckCharacter,
	type HouseholdId,
	type HouseholdInput,
	type ResidentId,
	type VisitId
} from '../../src/lib/domain/household';
import {
	addResident,
	createCaseFromVisit,
	createHousehold,
	createTaskFromVisit,
	deleteHousehold,
	editHouseholdField,
	editResidentField,
	importHouseholds,
	linkFollowUp,
	readHousehold,
	recordExport,
	recordVisit,
	setResidentRemoved,
	restoreHousehold,
	setColour,
	setResidentTag,
	type HouseholdContext
} from '../../src/lib/model/household';
import type { Writer } from '../../src/lib/wire';
import { BOARD_RULES } from '../../src/lib/wire/write-rules-board';
import { HOUSEHOLDS_RULES } from '../../src/lib/wire/write-rules-households';
import { TASKS_RULES } from '../../src/lib/wire/write-rules-tasks';
import { contextOf, relayCopy, writeAttestation, WRITERS } from './write-rules-harness';

const TARGET = { kind: 'households', id: 'g1' } as const;
const { secretary, gridMember, volunteer, observer } = WRITERS;
const otherGrid: Writer = {
	memberId: 'm-zhou',
	name: '周网格员',
	role: 'grid-member',
	grids: ['g2']
};

/** The context `writer` writes with on grid g1 (claiming `role`: forgers lie about it). */
function as(writer: Writer, at: number, role: string = writer.role): HouseholdContext {
	const context = contextOf(writer, at, role);
	return {
		...context,
		authority: {
			...context.authority,
			claims: { ...context.authority.claims, grids: role === 'grid-member' ? ['g1'] : [] },
			gridId: 'g1'
		}
	} as HouseholdContext;
}

function must<T>(result: { ok: true; value: T } | { ok: false; reason: string }): T {
	if (!result.ok) throw new Error(`refused: ${result.reason}`);
	return result.value;
}

const first17 = '11010519450312123';
const ID_NUMBER = `${first17}${idCheckCharacter(first17)}`;
const INPUT: HouseholdInput = {
	address: { compound: '幸福里', building: '3号楼', unit: '2单元', room: '301室' },
	colour: 'yellow',
	colourReason: '独居老人',
	note: '',
	residents: [
		{
			name: '张桂兰',
			relation: 'head',
			phone: '13812345678',
			idNumber: ID_NUMBER,
			birthYear: 1945,
			tags: ['elderlyAlone'],
			note: ''
		}
	]
};
const PHOTO = { hash: 'b'.repeat(64), mime: 'image/jpeg', width: 8, height: 6, bytes: 99 } as const;
const VISIT = { visitedAt: 5, visitors: [], findings: '身体尚可', photos: [PHOTO] };

type Ids = { household: HouseholdId; resident: ResidentId; visit: VisitId };

/** A register holding one household with a resident and a visit, written by `writer`. */
function seeded(writer: Writer) {
	const relay = relayCopy(HOUSEHOLDS_RULES, TARGET);
	const ids = {} as Ids;
	const accepted = (fn: (phone: Y.Doc) => void) =>
		expect(relay.write(writer, fn)).toEqual({ ok: true, unattested: expect.any(Map) });
	accepted((phone) => {
		ids.household = must(createHousehold(phone, INPUT, as(writer, 1), { buildingId: 'b-3' }));
	});
	accepted((phone) => {
		ids.resident = readHousehold(phone, ids.household)!.residents[0]!.id;
		ids.visit = must(recordVisit(phone, ids.household, VISIT, as(writer, 5)));
	});
	return { relay, ids, accepted };
}

describe('household write rules', () => {
	for (const writer of [gridMember, secretary]) {
		it(`accept every command of the grid's ${writer.role}`, async () => {
			const { relay, ids, accepted } = seeded(writer);
			const h = ids.household;
			accepted((p) => must(editHouseholdField(p, h, 'note', '有一只狗', as(writer, 6))));
			accepted((p) => must(editHouseholdField(p, h, 'visitIntervalDays', '14', as(writer, 6))));
			accepted((p) => must(setColour(p, h, 'red', '摔倒住院', as(writer, 7))));
			let son = '' as ResidentId;
			accepted((p) => {
				son = must(addResident(p, h, { ...INPUT.residents[0]!, name: '王小明' }, as(writer, 8)));
			});
			accepted((p) => must(editResidentField(p, h, son, 'phone', '0571-88123456', as(writer, 9))));
			accepted((p) => must(setResidentTag(p, h, son, 'veteran', true, as(writer, 9))));
			accepted((p) => must(setResidentRemoved(p, h, son, true, as(writer, 10))));
			accepted((p) =>
				must(
					linkFollowUp(
						p,
						h,
						{ visitId: ids.visit, kind: 'case', targetId: 'c-1', gridId: 'g1' },
						as(writer, 11)
					)
				)
			);
			accepted((p) => must(deleteHousehold(p, h, as(writer, 12))));
			accepted((p) => must(restoreHousehold(p, h, as(writer, 13))));
			const full = writer.role === 'secretary';
			accepted((p) =>
				must(
					recordExport(
						p,
						{ scope: full ? 'community' : 'grid', format: 'xlsx', full, households: 1 },
						as(writer, 14)
					)
				)
			);
			// Two phones recording a first visit of a new household offline: both slots pass.
			const phone = relay.open();
			const rows = [
				{ ...INPUT, address: { ...INPUT.address, room: '302' } },
				{ ...INPUT, address: { ...INPUT.address, room: '301' }, residents: [] }
			];
			const decisions = { '幸福里|3|2|301': 'merge' } as const;
			must(await importHouseholds(phone.doc, rows, decisions, as(writer, 15)));
			expect(phone.send(writer)).toEqual({ ok: true, unattested: expect.any(Map) });
			const snapshot = readHousehold(relay.doc, h)!;
			expect(snapshot.colour).toBe('red');
			expect(snapshot.visits[0]!.followUps).toHaveLength(1);
			expect(snapshot.residents.map((r) => r.removed)).toEqual([false, true]);
		});
	}

	it('refuse the same commands forged by a volunteer, an observer or another grid’s member', () => {
		const { relay, ids } = seeded(gridMember);
		const h = ids.household;
		for (const writer of [volunteer, observer, otherGrid]) {
			const forged: ((p: Y.Doc) => void)[] = [
				(p) =>
					must(
						createHousehold(
							p,
							{ ...INPUT, address: { ...INPUT.address, room: '9' } },
							as(writer, 2, 'secretary')
						)
					),
				(p) => must(editHouseholdField(p, h, 'note', 'x', as(writer, 2, 'secretary'))),
				(p) => must(setColour(p, h, 'green', '', as(writer, 2, 'secretary'))),
				(p) => must(addResident(p, h, INPUT.residents[0]!, as(writer, 2, 'secretary'))),
				(p) => must(setResidentTag(p, h, ids.resident, 'vacant', true, as(writer, 2, 'secretary'))),
				(p) => must(recordVisit(p, h, { ...VISIT, photos: [] }, as(writer, 2, 'secretary'))),
				(p) => must(deleteHousehold(p, h, as(writer, 2, 'secretary'))),
				(p) =>
					must(
						recordExport(
							p,
							{ scope: 'grid', format: 'csv', full: false, households: 1 },
							as(writer, 2, 'secretary')
						)
					)
			];
			for (const fn of forged) {
				expect(relay.write(writer, fn)).toMatchObject({ ok: false, reason: 'not_permitted' });
			}
		}
	});

	it('refuse changing or removing history, another author, bad shapes, even from the secretary', () => {
		const { relay, ids } = seeded(secretary);
		const h = ids.household;
		const household = (p: Y.Doc) => p.getMap('households').get(h) as Y.Map<unknown>;
		const slotOf = (map: Y.Map<unknown>, base: string) =>
			[...map.keys()].find((key) => key.startsWith(`${base}~`))!;
		const visits = (p: Y.Doc) =>
			household(p).get(slotOf(household(p), 'visits')) as Y.Array<unknown>;
		const refused = (reason: string, fn: (p: Y.Doc) => void, writer: Writer = secretary) =>
			expect(relay.write(writer, fn)).toMatchObject({ ok: false, reason });

		refused('history', (p) =>
			household(p).set('initial', { ...(household(p).get('initial') as object) })
		);
		refused('history', (p) => visits(p).delete(0, 1));
		refused('history', (p) => p.getMap('households').delete(h));
		refused('history', (p) =>
			(household(p).get('residents') as Y.Map<unknown>).delete(ids.resident)
		);
		// Another member's name on an edit, a visit, a photo.
		refused('author', (p) => must(setColour(p, h, 'green', '', as(gridMember, 3))));
		refused('author', (p) => must(recordVisit(p, h, VISIT, as(gridMember, 3))));
		refused('author', (p) =>
			visits(p).push([
				{
					...(visits(p).get(0) as object),
					id: 'v-2',
					photos: [{ ...PHOTO, addedBy: gridMember.name, deviceId: 'd', at: 3 }]
				}
			])
		);
		refused('author', (p) =>
			visits(p).push([{ ...(visits(p).get(0) as object), id: 'v-3', memberId: 'm-wang' }])
		);
		// Shapes: a colour that is none, a plain (non-slot) list key, another client's slot, an
		// unknown key, an unknown root.
		const colourEdit = (value: unknown) => ({
			id: 'e-1',
			value,
			reason: '',
			bases: [],
			by: secretary.name,
			deviceId: 'd',
			at: 3
		});
		refused('shape', (p) => {
			const log = new Y.Array<unknown>();
			log.push([colourEdit('blue')]);
			household(p).set(`colours~${p.clientID}`, log);
		});
		refused('shape', (p) => household(p).set('visits', new Y.Array<unknown>()));
		refused('shape', (p) => household(p).set('visits~1', new Y.Array<unknown>()));
		refused('shape', (p) => household(p).set('name', '王家'));
		refused('shape', (p) => p.getMap('elsewhere').set('x', 1));
		refused('not_permitted', writeAttestation);
		// A full export is the secretary's, whatever the grid member's phone says.
		refused(
			'not_permitted',
			(p) =>
				p.getArray('exports').push([
					{
						id: 'x-1',
						at: 3,
						by: gridMember.name,
						memberId: gridMember.memberId,
						deviceId: 'd',
						scope: 'grid',
						format: 'csv',
						full: true,
						households: 1
					}
				]),
			gridMember
		);
	});

	it('a visit’s follow-ups pass the board’s and the tasks’ rules, naming ids only', () => {
		const { relay, ids } = seeded(gridMember);
		const ref = { householdId: ids.household, visitId: ids.visit };
		const households = relay.open();
		const board = relayCopy(BOARD_RULES, { kind: 'board', id: 'g1' });
		const tasks = relayCopy(TASKS_RULES, { kind: 'tasks', id: null });
		const onBoard = board.open();
		const onTasks = tasks.open();
		must(
			createCaseFromVisit(
				onBoard.doc,
				households.doc,
				ref,
				{ title: '楼道灯坏', category: 'public_facilities' },
				as(gridMember, 6)
			)
		);
		must(
			createTaskFromVisit(
				onTasks.doc,
				households.doc,
				ref,
				{
					title: '陪同就医',
					details: '',
					place: '',
					gridId: 'g1',
					due: '',
					volunteersNeeded: 1,
					hours: 2
				},
				as(gridMember, 7)
			)
		);
		for (const phone of [onBoard, onTasks, households]) {
			expect(phone.send(gridMember)).toEqual({ ok: true, unattested: expect.any(Map) });
		}
		// A source carrying anything more than ids is refused.
		expect(
			board.write(gridMember, (p) => {
				const id = [...p.getMap('cases').keys()][0]!;
				const map = new Y.Map<unknown>();
				p.getMap('cases').set(`${id}x`, map);
				map.set('source', { kind: 'visit', ...ref, gridId: 'g1', name: '张桂兰' });
			})
		).toMatchObject({ ok: false, reason: 'shape' });
		expect(readHousehold(relay.doc, ids.household)!.links.map((l) => l.kind)).toEqual([
			'case',
			'task'
		]);
	});
});
