import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { MeetingId } from '../../domain/meeting-rules';
import type { CommandContext } from '../command-context';
import {
	addAttendee,
	applyMeetingStatusAction,
	createMeeting,
	editMeeting,
	editMeetingField,
	resolveMeetingFieldConflict
} from './commands';
import { readMeeting } from './readers';
import { addAmendment, addMeetingItem, finishMeeting, readMeetingRecord } from './record';
import { createCaseFromAction, createTaskFromAction } from './follow-ups';
import { LI, WANG, ZHAO } from '../testing/fixtures';
import { createReplicaNetwork } from '../testing/replica-network';

const T0 = 1_750_000_000_000;
const claims = (role: string) => ({
	cid: 'demo',
	role,
	grids: role === 'grid-member' ? ['g1'] : []
});
const SECRETARY: CommandContext = {
	actor: LI,
	authority: { claims: claims('secretary'), memberId: 'mem-li' }
};
const GRID_MEMBER: CommandContext = {
	actor: WANG,
	authority: { claims: claims('grid-member'), memberId: 'mem-wang' }
};
const VOLUNTEER: CommandContext = {
	actor: ZHAO,
	authority: { claims: claims('volunteer'), memberId: 'mem-zhao' }
};
const OBSERVER: CommandContext = {
	...VOLUNTEER,
	authority: { claims: claims('observer'), memberId: 'o' }
};

function newMeeting(doc: Y.Doc, context: CommandContext = SECRETARY): MeetingId {
	const result = createMeeting(
		doc,
		{ title: '楼下议事', type: 'mediation', startsAt: T0, place: '3号楼', agenda: '飞线充电' },
		{ ...context, at: T0 }
	);
	if (!result.ok) throw new Error(result.reason);
	return result.value;
}

describe('editMeeting: one form, one transaction, over what the form saw', () => {
	it('writes every changed field in one transaction', () => {
		const doc = new Y.Doc();
		const id = newMeeting(doc);
		const shown = readMeeting(doc, id)!;
		let transactions = 0;
		doc.on('afterTransaction', () => transactions++);
		const result = editMeeting(
			doc,
			id,
			{
				title: { value: '楼下议事（改期）', seen: shown.fields.title.heads },
				place: { value: '社区会议室', seen: shown.fields.place.heads }
			},
			GRID_MEMBER
		);
		expect(result).toEqual({ ok: true, value: { changed: true } });
		expect(transactions).toBe(1);
		expect(readMeeting(doc, id)).toMatchObject({ title: '楼下议事（改期）', place: '社区会议室' });
	});

	it('an invalid second field refuses the whole save and writes nothing', () => {
		const doc = new Y.Doc();
		const id = newMeeting(doc);
		const shown = readMeeting(doc, id)!;
		const before = Y.encodeStateVector(doc);
		const result = editMeeting(
			doc,
			id,
			{
				place: { value: '社区会议室', seen: shown.fields.place.heads },
				startsAt: { value: Number.NaN, seen: shown.fields.startsAt.heads }
			},
			SECRETARY
		);
		expect(result).toEqual({ ok: false, reason: 'time_invalid' });
		expect(Y.encodeStateVector(doc)).toEqual(before);
		expect(readMeeting(doc, id)?.place).toBe('3号楼');
	});

	it('keeps a value that arrived while the form was open as a conflict', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const id = newMeeting(a);
		net.flush();
		const opened = readMeeting(a, id)!;
		expect(editMeetingField(b, id, 'agenda', '电梯维保', GRID_MEMBER).ok).toBe(true);
		net.flush();
		const saved = editMeeting(
			a,
			id,
			{ agenda: { value: '飞线充电、楼道堆物', seen: opened.fields.agenda.heads } },
			SECRETARY
		);
		expect(saved.ok).toBe(true);
		net.flush();
		const values = readMeeting(b, id)?.fields.agenda.conflict?.values.map((v) => v.value);
		expect(values?.sort()).toEqual(['电梯维保', '飞线充电、楼道堆物'].sort());
	});

	it('a pick over a value that arrived later keeps the conflict; a pick over all settles it', () => {
		const [a, b, c] = [new Y.Doc(), new Y.Doc(), new Y.Doc()];
		const sync = (from: Y.Doc, to: Y.Doc) => Y.applyUpdate(to, Y.encodeStateAsUpdate(from));
		const id = newMeeting(a);
		sync(a, b);
		sync(a, c);
		editMeetingField(a, id, 'place', '社区会议室', SECRETARY);
		editMeetingField(b, id, 'place', '小区凉亭', GRID_MEMBER);
		editMeetingField(c, id, 'place', '架空层', GRID_MEMBER);
		sync(b, a);
		const shown = readMeeting(a, id)!.fields.place;
		expect(shown.conflict?.values.length).toBe(2);
		// A third value arrives after the choice was shown.
		sync(c, a);
		const picked = resolveMeetingFieldConflict(a, id, 'place', '小区凉亭', shown.heads, SECRETARY);
		expect(picked.ok).toBe(true);
		const after = readMeeting(a, id)!.fields.place;
		expect(after.conflict?.values.map((v) => v.value).sort()).toEqual(
			['小区凉亭', '架空层'].sort()
		);
		// Picking over everything now shown settles it.
		expect(resolveMeetingFieldConflict(a, id, 'place', '架空层', after.heads, SECRETARY).ok).toBe(
			true
		);
		expect(readMeeting(a, id)!.fields.place).toMatchObject({ value: '架空层', conflict: null });
		expect(resolveMeetingFieldConflict(a, id, 'place', '架空层', [], SECRETARY)).toEqual({
			ok: false,
			reason: 'no_conflict'
		});
	});
});

describe('who may change meetings (domain/meeting-permissions.ts)', () => {
	it('a volunteer or an observer is refused every meeting command, and nothing is written', () => {
		const index = new Y.Doc();
		const record = new Y.Doc();
		const id = newMeeting(index);
		const item = addMeetingItem(record, { kind: 'action', text: '清理楼道' }, SECRETARY);
		if (!item.ok) throw new Error(item.reason);
		const before = [Y.encodeStateVector(index), Y.encodeStateVector(record)];
		for (const context of [VOLUNTEER, OBSERVER]) {
			const refused = [
				createMeeting(index, { title: 'x', type: 'tea_party', startsAt: T0 }, context),
				editMeeting(index, id, { title: { value: 'x', seen: [] } }, context),
				editMeetingField(index, id, 'title', 'x', context),
				resolveMeetingFieldConflict(index, id, 'title', 'x', [], context),
				applyMeetingStatusAction(index, id, 'start', context),
				addAttendee(index, id, { name: '张三', role: 'member' }, context),
				addMeetingItem(record, { kind: 'decision', text: '决定' }, context),
				finishMeeting(index, record, id, context),
				addAmendment(record, '更正', context),
				createCaseFromAction(
					new Y.Doc(),
					record,
					{
						meetingId: id,
						itemId: item.value,
						gridId: 'g1',
						title: '清理楼道',
						description: '',
						category: 'sanitation',
						owner: '',
						deadline: null,
						tier: 'grid'
					},
					context
				),
				createTaskFromAction(
					new Y.Doc(),
					record,
					{
						meetingId: id,
						itemId: item.value,
						gridId: '',
						title: '清理楼道',
						details: '',
						owner: '',
						deadline: null
					},
					context
				)
			];
			for (const result of refused) expect(result).toEqual({ ok: false, reason: 'not_permitted' });
		}
		expect([Y.encodeStateVector(index), Y.encodeStateVector(record)]).toEqual(before);
		expect(readMeetingRecord(record).items[0]?.followUps).toEqual([]);
	});

	it('a grid member may run a meeting as a secretary does', () => {
		const index = new Y.Doc();
		const record = new Y.Doc();
		const id = newMeeting(index, GRID_MEMBER);
		expect(applyMeetingStatusAction(index, id, 'start', GRID_MEMBER).ok).toBe(true);
		expect(finishMeeting(index, record, id, GRID_MEMBER).ok).toBe(true);
		expect(addAmendment(record, '补记', GRID_MEMBER).ok).toBe(true);
	});

	it('a follow-up on a decision is refused before any case is made', () => {
		const board = new Y.Doc();
		const record = new Y.Doc();
		const item = addMeetingItem(record, { kind: 'decision', text: '决定' }, SECRETARY);
		if (!item.ok) throw new Error(item.reason);
		const before = Y.encodeStateVector(board);
		const result = createCaseFromAction(
			board,
			record,
			{
				meetingId: 'm-x' as MeetingId,
				itemId: item.value,
				gridId: 'g1',
				title: '决定',
				description: '',
				category: 'sanitation',
				owner: '',
				deadline: null,
				tier: 'grid'
			},
			SECRETARY
		);
		expect(result).toEqual({ ok: false, reason: 'not_an_action' });
		expect(Y.encodeStateVector(board)).toEqual(before);
	});
});
