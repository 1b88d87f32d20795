/**
 * Contract: what the meeting commands and the minutes editor (Tiptap over y-tiptap) write passes
 * the relay's meetings rules (index and record) for both staff roles, and the same writes forged
 * by a volunteer or observer, under another name, or removing what is append-only are refused
 * (src/lib/wire/write-rules-meetings.ts).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { getSchema } from '@tiptap/core';
import type { Node as PmNode } from '@tiptap/pm/model';
import { initProseMirrorDoc, updateYFragment } from '@tiptap/y-tiptap';
import { minutesExtensions } from '../../src/lib/editor/minutes-editor';
import type { MeetingId } from '../../src/lib/domain/meeting-rules';
import {
	addAttendee,
	applyMeetingStatusAction,
	createMeeting,
	editMeeting,
	editMeetingField,
	removeAttendee,
	resolveMeetingFieldConflict
} from '../../src/lib/model/meeting/commands';
import { createCaseFromAction, createTaskFromAction } from '../../src/lib/model/meeting/follow-ups';
import { readMeeting } from '../../src/lib/model/meeting/readers';
import {
	addAmendment,
	addMeetingItem,
	finishMeeting,
	linkFollowUp,
	lockMinutes,
	minutesFragment
} from '../../src/lib/model/meeting/record';
import type { Writer } from '../../src/lib/wire';
import { BOARD_RULES } from '../../src/lib/wire/write-rules-board';
import { MEETING_LOG_FIELDS, meetingRules } from '../../src/lib/wire/write-rules-meetings';
import { MEETING_FIELDS } from '../../src/lib/model/meeting/schema';
import { contextOf, relayCopy, writeAttestation, WRITERS, type Phone } from './write-rules-harness';

const INDEX = { kind: 'meetings', id: 'index' } as const;
const RECORD = { kind: 'meetings', id: 'm-1' } as const;
const { secretary, gridMember, volunteer, observer } = WRITERS;
const T0 = 1_750_000_000_000;
const STAFF = [secretary, gridMember];

function must<T>(result: { ok: true; value: T } | { ok: false; reason: string }): T {
	if (!result.ok) throw new Error(`refused: ${result.reason}`);
	return result.value;
}
let clock = T0;
const as = (writer: Writer, role?: string) => contextOf(writer, ++clock, role);

type Relay = ReturnType<typeof relayCopy>;
function accepted<T>(relay: Relay, writer: Writer, fn: (phone: Y.Doc) => T): T {
	let out: T | undefined;
	expect(relay.write(writer, (phone) => (out = fn(phone)))).toEqual(
		expect.objectContaining({ ok: true })
	);
	return out as T;
}
function refused(relay: Relay, writer: Writer, fn: (phone: Y.Doc) => unknown, reason: string) {
	expect(relay.write(writer, fn)).toMatchObject({ ok: false, reason });
}

const INPUT = {
	title: '楼下议事：电动车充电',
	type: 'tea_party',
	startsAt: T0,
	place: '3号楼架空层',
	agenda: '飞线充电'
} as const;

const meetingMap = (phone: Y.Doc, id: string) => phone.getMap('meetings').get(id) as Y.Map<unknown>;

/** The minutes editor on a phone: the ProseMirror schema of the app, written through y-tiptap. */
function editor(phone: Y.Doc) {
	const schema = getSchema(minutesExtensions());
	const fragment = minutesFragment(phone);
	const { meta } = initProseMirrorDoc(fragment, schema);
	return {
		/** Makes the minutes say `json` (a ProseMirror doc), as typing would. */
		show(json: object) {
			const node: PmNode = schema.nodeFromJSON(json);
			updateYFragment(phone, fragment, node, meta);
		}
	};
}
const paragraph = (...content: object[]) => ({ type: 'paragraph', content });
const text = (value: string, marks?: object[]) =>
	marks ? { type: 'text', text: value, marks } : { type: 'text', text: value };

describe('meetings index write rules', () => {
	it('know every field log the index keeps', () => {
		expect([...MEETING_LOG_FIELDS]).toEqual([...MEETING_FIELDS]);
	});

	it('accept every index command by either staff role', () => {
		const relay = relayCopy(meetingRules(INDEX), INDEX);
		for (const staff of STAFF) {
			const id = accepted(relay, staff, (p) => must(createMeeting(p, INPUT, as(staff))));
			accepted(relay, staff, (p) => must(editMeetingField(p, id, 'place', '会议室', as(staff))));
			const heads = readMeeting(relay.doc, id)!.fields;
			accepted(relay, staff, (p) =>
				must(
					editMeeting(
						p,
						id,
						{
							title: { value: '议事（改期）', seen: heads.title.heads },
							mediationClaim: { value: '赔偿', seen: heads.mediationClaim.heads }
						},
						as(staff)
					)
				)
			);
			// Two phones set the agenda at once; the conflict is settled by a pick.
			const a = relay.open();
			const b = relay.open();
			must(editMeetingField(a.doc, id, 'agenda', '电梯', as(secretary)));
			must(editMeetingField(b.doc, id, 'agenda', '堆物', as(gridMember)));
			expect(a.send(secretary).ok).toBe(true);
			expect(b.send(gridMember).ok).toBe(true);
			const conflict = readMeeting(relay.doc, id)!.fields.agenda;
			expect(conflict.conflict).not.toBeNull();
			accepted(relay, staff, (p) =>
				must(resolveMeetingFieldConflict(p, id, 'agenda', '电梯', conflict.heads, as(staff)))
			);
			const attendee = accepted(relay, staff, (p) =>
				must(addAttendee(p, id, { name: '张三', organisation: '物业', role: 'party' }, as(staff)))
			);
			accepted(relay, staff, (p) => must(removeAttendee(p, id, attendee, as(staff))));
			accepted(relay, staff, (p) => must(applyMeetingStatusAction(p, id, 'start', as(staff))));
			accepted(relay, staff, (p) => must(applyMeetingStatusAction(p, id, 'finish', as(staff))));
		}
	});

	it('refuse commands forged by a volunteer or observer, another name, removals and the attestation', () => {
		const relay = relayCopy(meetingRules(INDEX), INDEX);
		const id = accepted(relay, secretary, (p) => must(createMeeting(p, INPUT, as(secretary))));
		accepted(relay, secretary, (p) =>
			must(addAttendee(p, id, { name: '张三', role: 'party' }, as(secretary)))
		);
		for (const writer of [volunteer, observer]) {
			const staffAs = as(writer, 'secretary');
			refused(relay, writer, (p) => must(createMeeting(p, INPUT, staffAs)), 'not_permitted');
			refused(
				relay,
				writer,
				(p) => must(editMeetingField(p, id, 'place', 'x', staffAs)),
				'not_permitted'
			);
			refused(
				relay,
				writer,
				(p) => must(addAttendee(p, id, { name: '李四', role: 'party' }, staffAs)),
				'not_permitted'
			);
			refused(
				relay,
				writer,
				(p) => must(applyMeetingStatusAction(p, id, 'start', staffAs)),
				'not_permitted'
			);
		}
		const posing = { ...gridMember, name: secretary.name };
		refused(
			relay,
			gridMember,
			(p) => must(editMeetingField(p, id, 'place', 'x', as(posing))),
			'author'
		);
		refused(relay, gridMember, (p) => must(createMeeting(p, INPUT, as(posing))), 'author');
		const record = (p: Y.Doc) => meetingMap(p, id);
		const fields = (p: Y.Doc) => record(p).get('fields') as Y.Map<unknown>;
		refused(
			relay,
			secretary,
			(p) => (record(p).get('attendees') as Y.Array<unknown>).delete(0, 1),
			'history'
		);
		refused(
			relay,
			secretary,
			(p) => (fields(p).get('title') as Y.Array<unknown>).delete(0, 1),
			'history'
		);
		refused(relay, secretary, (p) => fields(p).set('title', new Y.Array()), 'history');
		refused(relay, secretary, (p) => record(p).set('createdBy', secretary.name), 'history');
		refused(relay, secretary, (p) => p.getMap('meetings').delete(id), 'history');
		refused(relay, secretary, (p) => fields(p).set('budget', new Y.Array()), 'shape');
		refused(relay, secretary, writeAttestation, 'not_permitted');
		// The index has no minutes: the record's roots are not the index's.
		refused(relay, secretary, (p) => minutesFragment(p).insert(0, [new Y.XmlText('x')]), 'shape');
	});
});

describe('meeting record write rules', () => {
	function withItem(staff: Writer) {
		const relay = relayCopy(meetingRules(RECORD), RECORD);
		accepted(relay, staff, (p) =>
			editor(p).show({ type: 'doc', content: [paragraph(text('议定：下周修灯'))] })
		);
		const itemId = accepted(relay, staff, (p) =>
			must(addMeetingItem(p, { kind: 'action', text: '下周修灯' }, as(staff)))
		);
		return { relay, itemId };
	}

	it('accept the minutes editor, items, follow-ups, the lock and amendments by either staff role', () => {
		for (const staff of STAFF) {
			const { relay, itemId } = withItem(staff);
			// Typing, marking an item, formatting, a heading, a list; then deleting text and a block.
			accepted(relay, staff, (p) =>
				editor(p).show({
					type: 'doc',
					content: [
						{ type: 'heading', attrs: { level: 2 }, content: [text('议题')] },
						paragraph(
							text('议定：'),
							text('下周修灯', [{ type: 'meetingItem', attrs: { kind: 'action', itemId } }]),
							text('，', [{ type: 'bold' }])
						),
						{
							type: 'bulletList',
							content: [{ type: 'listItem', content: [paragraph(text('物业出人'))] }]
						}
					]
				})
			);
			accepted(relay, staff, (p) =>
				editor(p).show({ type: 'doc', content: [paragraph(text('议定：下周'))] })
			);
			// Raw XML types too, as any y-prosemirror binding writes them.
			accepted(relay, staff, (p) => {
				const element = new Y.XmlElement('paragraph');
				element.setAttribute('textAlign', 'left');
				const xmlText = new Y.XmlText();
				xmlText.insert(0, '补充', { italic: true });
				element.insert(0, [xmlText]);
				minutesFragment(p).insert(1, [element]);
			});
			accepted(relay, staff, (p) => {
				const first = minutesFragment(p).get(0) as Y.XmlElement;
				(first.get(0) as Y.XmlText).delete(0, 2);
				minutesFragment(p).delete(1, 1);
			});
			// Follow-ups: a case and a task made from the action; the case's board accepts it too.
			const boardRelay = relayCopy(BOARD_RULES, { kind: 'board', id: 'g1' });
			const board = boardRelay.open();
			const tasks = new Y.Doc();
			const follow = {
				meetingId: 'm-1' as MeetingId,
				itemId: itemId,
				gridId: 'g1',
				owner: staff.name,
				deadline: null
			};
			accepted(relay, staff, (p) =>
				must(
					createCaseFromAction(
						board.doc,
						p,
						{
							...follow,
							title: '修灯',
							description: '',
							category: 'public_facilities',
							tier: 'grid'
						},
						as(staff)
					)
				)
			);
			expect(board.send(staff)).toEqual(expect.objectContaining({ ok: true }));
			accepted(relay, staff, (p) =>
				must(createTaskFromAction(tasks, p, { ...follow, title: '修灯', details: '' }, as(staff)))
			);
			accepted(relay, staff, (p) =>
				must(
					linkFollowUp(
						p,
						itemId,
						{ kind: 'task', gridId: '', targetId: 't-9', owner: '', deadline: null, tier: null },
						as(staff)
					)
				)
			);
			accepted(relay, staff, (p) => must(lockMinutes(p, as(staff))));
			accepted(relay, staff, (p) => must(addAmendment(p, '补记：物业已确认', as(staff))));
			// An edit typed offline before the lock arrived still merges (shown as late).
			accepted(relay, staff, (p) => minutesFragment(p).insert(0, [new Y.XmlElement('paragraph')]));
		}
	});

	it('finishing a meeting writes the lock and the index status, both accepted', () => {
		const index = relayCopy(meetingRules(INDEX), INDEX);
		const id = accepted(index, gridMember, (p) => must(createMeeting(p, INPUT, as(gridMember))));
		accepted(index, gridMember, (p) =>
			must(applyMeetingStatusAction(p, id, 'start', as(gridMember)))
		);
		const record = relayCopy(meetingRules({ kind: 'meetings', id }), { kind: 'meetings', id });
		const indexPhone: Phone = index.open();
		const recordPhone: Phone = record.open();
		must(finishMeeting(indexPhone.doc, recordPhone.doc, id, as(gridMember)));
		expect(recordPhone.send(gridMember).ok).toBe(true);
		expect(indexPhone.send(gridMember).ok).toBe(true);
		expect(readMeeting(index.doc, id)?.status).toBe('finished');
	});

	it('refuse the editor and record commands forged by a volunteer or observer', () => {
		const { relay, itemId } = withItem(secretary);
		for (const writer of [volunteer, observer]) {
			const staffAs = as(writer, 'secretary');
			refused(
				relay,
				writer,
				(p) => editor(p).show({ type: 'doc', content: [paragraph(text('改写'))] }),
				'not_permitted'
			);
			refused(relay, writer, (p) => minutesFragment(p).delete(0, 1), 'not_permitted');
			refused(
				relay,
				writer,
				(p) => {
					const first = minutesFragment(p).get(0) as Y.XmlElement;
					(first.get(0) as Y.XmlText).format(0, 2, { bold: true });
				},
				'not_permitted'
			);
			refused(
				relay,
				writer,
				(p) => must(addMeetingItem(p, { kind: 'decision', text: '同意' }, staffAs)),
				'not_permitted'
			);
			refused(relay, writer, (p) => must(lockMinutes(p, staffAs)), 'not_permitted');
			refused(
				relay,
				writer,
				(p) =>
					must(
						linkFollowUp(
							p,
							itemId,
							{ kind: 'task', gridId: '', targetId: 't-9', owner: '', deadline: null, tier: null },
							staffAs
						)
					),
				'not_permitted'
			);
		}
	});

	it('refuse another name, removing what is append-only, changing an item, and the attestation', () => {
		const { relay, itemId } = withItem(secretary);
		accepted(relay, secretary, (p) => must(lockMinutes(p, as(secretary))));
		accepted(relay, secretary, (p) => must(addAmendment(p, '补记', as(secretary))));
		const posing = { ...gridMember, name: secretary.name };
		refused(relay, gridMember, (p) => must(addAmendment(p, '补记', as(posing))), 'author');
		refused(
			relay,
			gridMember,
			(p) =>
				must(
					linkFollowUp(
						p,
						itemId,
						{ kind: 'task', gridId: '', targetId: 't-9', owner: '', deadline: null, tier: null },
						as(posing)
					)
				),
			'author'
		);
		const item = (p: Y.Doc) => p.getMap('items').get(itemId) as Y.Map<unknown>;
		refused(relay, secretary, (p) => p.getArray('lock').delete(0, 1), 'history');
		refused(relay, secretary, (p) => p.getArray('amendments').delete(0, 1), 'history');
		refused(relay, secretary, (p) => item(p).set('text', '改过的'), 'history');
		refused(relay, secretary, (p) => p.getMap('items').delete(itemId), 'history');
		refused(relay, secretary, (p) => p.getMap('votes').set('x', 1), 'shape');
		refused(relay, secretary, writeAttestation, 'not_permitted');
	});
});
