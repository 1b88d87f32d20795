import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../../domain/actor';
import type { MeetingId } from '../../domain/meeting-rules';
import type { CommandContext } from '../command-context';
import { listCases } from '../case/readers';
import {
	addAttendee,
	applyMeetingStatusAction,
	createMeeting,
	editMeetingField,
	removeAttendee
} from './commands';
import {
	createCaseFromAction,
	createTaskFromAction,
	followUpOwner,
	readCaseSource,
	readTaskSource
} from './follow-ups';
import { readTask } from '../work/readers';
import { deadlineOfDay } from '../../domain/due-date';
import { formatAssignee, isAssignedTo } from '../../domain/assignees';
import { createCase } from '../case/commands';
import { filterMeetings, listMeetings, readMediationTally, readMeeting } from './readers';
import {
	addAmendment,
	addMeetingItem,
	finishMeeting,
	minutesFragment,
	minutesPlainText,
	minutesToJson,
	readMeetingRecord
} from './record';
import { caseContext, LI, WANG, ZHAO } from '../testing/fixtures';
import { createReplicaNetwork } from '../testing/replica-network';

const T0 = 1_750_000_000_000;
/** Someone who may change meetings (a secretary), acting as `actor`. */
const EDITOR = { claims: { cid: 'demo', role: 'secretary', grids: [] }, memberId: 'mem-li' };
const as = (actor: Actor, at?: number): CommandContext =>
	at === undefined ? { actor, authority: EDITOR } : { actor, authority: EDITOR, at };

function newMeeting(doc: Y.Doc, title = '楼下议事：电动车充电'): MeetingId {
	const result = createMeeting(
		doc,
		{ title, type: 'tea_party', startsAt: T0, place: '3号楼架空层', agenda: '飞线充电' },
		as(WANG, T0)
	);
	if (!result.ok) throw new Error(result.reason);
	return result.value;
}

/** Writes a paragraph into the minutes the way y-tiptap does: an element with a text child. */
function writeParagraph(doc: Y.Doc, text: string): void {
	doc.transact(() => {
		const paragraph = new Y.XmlElement('paragraph');
		const xmlText = new Y.XmlText();
		xmlText.insert(0, text);
		paragraph.insert(0, [xmlText]);
		const fragment = minutesFragment(doc);
		fragment.insert(fragment.length, [paragraph]);
	});
}

describe('meetings index', () => {
	it('two replicas edit the same field concurrently: both converge and both values stay visible', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const id = newMeeting(a);
		net.flush();
		expect(editMeetingField(a, id, 'place', '社区会议室', as(WANG, T0 + 1)).ok).toBe(true);
		expect(editMeetingField(b, id, 'place', '小区凉亭', as(LI, T0 + 2)).ok).toBe(true);
		expect(
			addAttendee(a, id, { name: '张经理', organisation: '恒安物业', role: 'outside' }, as(WANG)).ok
		).toBe(true);
		expect(
			addAttendee(b, id, { name: '刘主任', organisation: '业委会', role: 'outside' }, as(LI)).ok
		).toBe(true);
		net.flush({ shuffle: 7 });
		const [ma, mb] = [readMeeting(a, id), readMeeting(b, id)];
		expect(ma).toEqual(mb);
		expect(ma?.fields.place.conflict?.values.map((v) => v.value).sort()).toEqual(
			['小区凉亭', '社区会议室'].sort()
		);
		expect(ma?.attendees.map((x) => x.name).sort()).toEqual(['刘主任', '张经理'].sort());
		// Settling: writing the shown value over both heads.
		expect(editMeetingField(a, id, 'place', '社区会议室', as(WANG, T0 + 3)).ok).toBe(true);
		net.flush();
		expect(readMeeting(b, id)?.fields.place).toMatchObject({ value: '社区会议室', conflict: null });
	});

	it('a removed attendee stays removed; a finished meeting refuses field and attendee edits', () => {
		const doc = new Y.Doc();
		const id = newMeeting(doc);
		const added = addAttendee(doc, id, { name: '王大妈', role: 'party' }, as(WANG));
		if (!added.ok) throw new Error(added.reason);
		removeAttendee(doc, id, added.value, as(WANG));
		expect(readMeeting(doc, id)?.attendees).toEqual([]);
		expect(applyMeetingStatusAction(doc, id, 'start', as(WANG)).ok).toBe(true);
		expect(applyMeetingStatusAction(doc, id, 'finish', as(WANG)).ok).toBe(true);
		expect(editMeetingField(doc, id, 'title', '改名', as(WANG))).toEqual({
			ok: false,
			reason: 'meeting_finished'
		});
		expect(addAttendee(doc, id, { name: '迟到者', role: 'member' }, as(WANG))).toMatchObject({
			ok: false,
			reason: 'meeting_finished'
		});
		expect(applyMeetingStatusAction(doc, id, 'start', as(WANG))).toMatchObject({
			reason: 'meeting_finished'
		});
	});

	it('lists by grid and search, and tallies mediation outcomes', () => {
		const doc = new Y.Doc();
		const first = newMeeting(doc, '电梯维保报价三方协商');
		const mediation = createMeeting(
			doc,
			{ title: '漏水赔偿调解', type: 'mediation', startsAt: T0 + 5, gridId: 'g1' },
			as(WANG)
		);
		const failed = createMeeting(
			doc,
			{ title: '噪音调解', type: 'mediation', startsAt: T0 + 6, gridId: 'g1' },
			as(WANG)
		);
		if (!mediation.ok || !failed.ok) throw new Error('create');
		editMeetingField(doc, mediation.value, 'mediationOutcome', 'agreed', as(WANG));
		editMeetingField(doc, failed.value, 'mediationOutcome', 'not_agreed', as(WANG));
		addAttendee(
			doc,
			first,
			{ name: '张经理', organisation: '恒安物业', role: 'outside' },
			as(WANG)
		);
		const all = listMeetings(doc);
		expect(all.map((m) => m.title)).toEqual(['噪音调解', '漏水赔偿调解', '电梯维保报价三方协商']);
		expect(filterMeetings(all, { gridId: 'g1' }).length).toBe(2);
		expect(filterMeetings(all, { gridId: '' }).map((m) => m.id)).toEqual([first]);
		expect(filterMeetings(all, { query: '恒安' }).map((m) => m.id)).toEqual([first]);
		expect(readMediationTally(all)).toEqual({ sessions: 2, decided: 2, agreed: 1, rate: 0.5 });
	});
});

describe('a meeting document', () => {
	it('items, locking and amendments converge; a finished meeting refuses new items; late offline text is reported, not recorded', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		writeParagraph(a, '决定：周三前清理飞线。');
		const decision = addMeetingItem(a, { kind: 'decision', text: '周三前清理飞线' }, as(WANG, T0));
		const action = addMeetingItem(b, { kind: 'action', text: '物业加装充电桩' }, as(LI, T0 + 1));
		expect(decision.ok && action.ok).toBe(true);
		net.flush();
		// B is offline and keeps typing while A finishes the meeting.
		writeParagraph(b, '补充：晚上巡查。');
		const indexDoc = new Y.Doc();
		const id = newMeeting(indexDoc);
		expect(applyMeetingStatusAction(indexDoc, id, 'start', as(WANG, T0 + 9)).ok).toBe(true);
		expect(finishMeeting(indexDoc, a, id, as(WANG, T0 + 10)).ok).toBe(true);
		expect(readMeeting(indexDoc, id)?.status).toBe('finished');
		expect(addMeetingItem(a, { kind: 'action', text: '迟到的行动' }, as(WANG))).toEqual({
			ok: false,
			reason: 'meeting_finished'
		});
		expect(addAmendment(b, '更正', as(LI))).toEqual({ ok: false, reason: 'not_finished' });
		net.flush({ shuffle: 3 });
		const [ra, rb] = [readMeetingRecord(a), readMeetingRecord(b)];
		expect(ra).toEqual(rb);
		expect(ra.items.map((i) => i.kind)).toEqual(['decision', 'action']);
		expect(ra.lock && minutesPlainText(ra.lock.minutes)).toBe('决定：周三前清理飞线。\n');
		expect(ra.lateChanges).toBe(true);
		expect(minutesPlainText(minutesToJson(a))).toContain('补充：晚上巡查。');
		expect(addAmendment(b, '更正：巡查改为周四。', as(LI, T0 + 20)).ok).toBe(true);
		expect(addAmendment(a, '补记：物业同意。', as(WANG, T0 + 21)).ok).toBe(true);
		net.flush();
		expect(readMeetingRecord(a).amendments.map((x) => [x.by, x.text])).toEqual([
			[LI.name, '更正：巡查改为周四。'],
			[WANG.name, '补记：物业同意。']
		]);
		expect(readMeetingRecord(b)).toEqual(readMeetingRecord(a));
		// The relay attests B's phone: B's amendment names its sender, A's (and the lock) do not yet.
		b.getMap('attest').set(String(b.clientID), { member: 'm-li', from: 0 });
		net.flush();
		const record = readMeetingRecord(a);
		const byText = (text: string) => record.amendments.find((x) => x.text === text)!.id;
		expect(record.authorship[byText('更正：巡查改为周四。')]).toEqual({
			kind: 'attested',
			memberId: 'm-li'
		});
		expect(record.authorship[byText('补记：物业同意。')]).toEqual({ kind: 'unattested' });
		expect(record.authorship[record.lock!.id]).toEqual({ kind: 'unattested' });
	});

	it('a meeting still planned is not finished: refused before the minutes are locked', () => {
		const doc = new Y.Doc();
		writeParagraph(doc, '会前草稿');
		const indexDoc = new Y.Doc();
		const id = newMeeting(indexDoc);
		expect(finishMeeting(indexDoc, doc, id, as(WANG, T0 + 5))).toEqual({
			ok: false,
			reason: 'not_started'
		});
		expect(readMeeting(indexDoc, id)?.status).toBe('planned');
		expect(readMeetingRecord(doc).lock).toBeNull();
		// Started, it finishes.
		expect(applyMeetingStatusAction(indexDoc, id, 'start', as(WANG, T0 + 6)).ok).toBe(true);
		expect(finishMeeting(indexDoc, doc, id, as(WANG, T0 + 7)).ok).toBe(true);
		expect(readMeeting(indexDoc, id)?.status).toBe('finished');
	});

	it('two people finishing at once agree on one record', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		writeParagraph(a, '一');
		net.flush();
		writeParagraph(b, '二');
		const ia = new Y.Doc();
		const ib = new Y.Doc();
		const started = (doc: Y.Doc) => {
			const id = newMeeting(doc);
			applyMeetingStatusAction(doc, id, 'start', as(WANG, T0 + 4));
			return id;
		};
		finishMeeting(ia, a, started(ia), as(WANG, T0 + 5));
		finishMeeting(ib, b, started(ib), as(LI, T0 + 6));
		net.flush();
		expect(readMeetingRecord(a).lock).toEqual(readMeetingRecord(b).lock);
		expect(readMeetingRecord(a).lock?.by).toBe(WANG.name);
	});

	it('an action becomes a case on a grid board in one step, linked both ways', () => {
		const board = new Y.Doc();
		const meeting = new Y.Doc();
		const meetingId = 'm-test' as MeetingId;
		const item = addMeetingItem(meeting, { kind: 'action', text: '清理消防通道' }, as(WANG));
		if (!item.ok) throw new Error(item.reason);
		const created = createCaseFromAction(
			board,
			meeting,
			{
				meetingId,
				itemId: item.value,
				gridId: 'g1',
				title: '清理消防通道',
				description: '会议决定',
				category: 'fire_safety',
				owner: '王网格员',
				deadline: T0 + 86_400_000,
				tier: 'community'
			},
			as(ZHAO)
		);
		if (!created.ok) throw new Error(created.reason);
		expect(listCases(board).find((c) => c.id === created.value)).toMatchObject({
			title: '清理消防通道',
			channel: 'meeting',
			deadline: T0 + 86_400_000,
			assignees: ['王网格员'],
			tier: 'community'
		});
		expect(readCaseSource(board, created.value)).toEqual({
			kind: 'meeting',
			meetingId,
			itemId: item.value
		});
		expect(readMeetingRecord(meeting).items[0]?.followUps).toMatchObject([
			{ kind: 'case', gridId: 'g1', targetId: created.value, owner: '王网格员', tier: 'community' }
		]);
		const decision = addMeetingItem(meeting, { kind: 'decision', text: '决定' }, as(WANG));
		if (!decision.ok) throw new Error(decision.reason);
		expect(
			createCaseFromAction(
				board,
				meeting,
				{
					meetingId,
					itemId: decision.value,
					gridId: 'g1',
					title: 'x',
					description: '',
					category: 'fire_safety',
					owner: '',
					deadline: null,
					tier: 'grid'
				},
				as(ZHAO)
			)
		).toMatchObject({ ok: false, reason: 'not_an_action' });
	});
});

describe('an action owned by a member (issue 15)', () => {
	const member = formatAssignee({ name: '王秀英', memberId: 'm1f2e3d4c5b6a7980' });

	it('gives the case that member entry as assignee, so it is theirs by id', () => {
		const board = new Y.Doc();
		const meeting = new Y.Doc();
		const item = addMeetingItem(meeting, { kind: 'action', text: '清理消防通道' }, as(WANG));
		if (!item.ok) throw new Error(item.reason);
		const created = createCaseFromAction(
			board,
			meeting,
			{
				meetingId: 'm-test' as MeetingId,
				itemId: item.value,
				gridId: 'g1',
				title: '清理消防通道',
				description: '会议决定',
				category: 'fire_safety',
				owner: member,
				deadline: null,
				tier: 'grid'
			},
			as(ZHAO)
		);
		if (!created.ok) throw new Error(created.reason);
		const made = listCases(board).find((c) => c.id === created.value);
		expect(made?.assignees).toEqual([member]);
		expect(
			isAssignedTo(made?.assignees ?? [], { memberId: 'm1f2e3d4c5b6a7980', name: '王姐' })
		).toBe(true);
		const link = readMeetingRecord(meeting).items[0]?.followUps[0];
		expect(link?.owner).toBe(member);
		expect(followUpOwner(link!)).toEqual({ name: '王秀英', memberId: 'm1f2e3d4c5b6a7980' });
		expect(followUpOwner({ owner: '物业张经理' })).toEqual({ name: '物业张经理', memberId: null });
	});

	it('a task made from it keeps the member entry on the link, read back as the name', () => {
		const tasksDoc = new Y.Doc();
		const meeting = new Y.Doc();
		const item = addMeetingItem(meeting, { kind: 'action', text: '志愿者巡查飞线' }, as(WANG));
		if (!item.ok) throw new Error(item.reason);
		const created = createTaskFromAction(
			tasksDoc,
			meeting,
			{
				meetingId: 'm-test' as MeetingId,
				itemId: item.value,
				gridId: '',
				title: '志愿者巡查飞线',
				details: '来自会议',
				owner: member,
				deadline: null
			},
			as(LI)
		);
		if (!created.ok) throw new Error(created.reason);
		const link = readMeetingRecord(meeting).items[0]?.followUps[0];
		expect(link?.owner).toBe(member);
		expect(followUpOwner(link!).name).toBe('王秀英');
	});
});

describe('an action becomes a task', () => {
	it('through the tasks model, linked both ways', () => {
		const tasksDoc = new Y.Doc();
		const meeting = new Y.Doc();
		const item = addMeetingItem(meeting, { kind: 'action', text: '志愿者巡查飞线' }, as(WANG));
		if (!item.ok) throw new Error(item.reason);
		const created = createTaskFromAction(
			tasksDoc,
			meeting,
			{
				meetingId: 'm-test' as MeetingId,
				itemId: item.value,
				gridId: '',
				title: '志愿者巡查飞线',
				details: '来自会议',
				owner: '赵志愿者',
				deadline: null
			},
			as(LI)
		);
		if (!created.ok) throw new Error(created.reason);
		expect(readTask(tasksDoc, created.value)).toMatchObject({
			title: '志愿者巡查飞线',
			status: 'open'
		});
		expect(readTaskSource(tasksDoc, created.value)).toEqual({
			kind: 'meeting',
			meetingId: 'm-test',
			itemId: item.value
		});
		expect(readMeetingRecord(meeting).items[0]?.followUps).toMatchObject([
			{ kind: 'task', targetId: created.value, owner: '赵志愿者' }
		]);
		// A task has no tier: none is asked for, none is recorded.
		expect(readMeetingRecord(meeting).items[0]?.followUps[0]?.tier).toBeNull();
	});
});

describe('an action due on day D: the same deadline as a case given D, whatever the phone zone', () => {
	const deviceZone = process.env.TZ;
	// The phone's clock is far from the community (UTC+14): before, the task's due day came from
	// the phone's own calendar and read a day late.
	const rows: [string, string, string][] = [
		['Asia/Shanghai', 'Pacific/Kiritimati', '2026-12-15'],
		['Asia/Shanghai', 'America/Los_Angeles', '2026-12-15'],
		['America/New_York', 'Asia/Shanghai', '2026-11-01']
	];
	it.each(rows)('community %s, phone %s, due %s', (zone, phoneZone, day) => {
		process.env.TZ = phoneZone;
		try {
			const board = new Y.Doc();
			const tasksDoc = new Y.Doc();
			const meeting = new Y.Doc();
			const deadline = deadlineOfDay(day, zone);
			const action = addMeetingItem(meeting, { kind: 'action', text: '清理楼道' }, as(WANG));
			const task = addMeetingItem(meeting, { kind: 'action', text: '志愿者巡查' }, as(WANG));
			if (!action.ok || !task.ok) throw new Error('item');
			const input = {
				meetingId: 'm-test' as MeetingId,
				gridId: 'g1',
				title: '清理楼道',
				owner: '王网格员',
				deadline,
				tier: 'grid' as const,
				timeZone: zone
			};
			const fromAction = createCaseFromAction(
				board,
				meeting,
				{ ...input, itemId: action.value, description: '', category: 'sanitation' },
				as(ZHAO, deadline - 86_400_000)
			);
			const direct = createCase(
				board,
				{ title: '清理楼道', category: 'sanitation', deadline },
				caseContext(ZHAO, deadline - 86_400_000)
			);
			if (!fromAction.ok || !direct.ok) throw new Error('case');
			const cases = listCases(board);
			const dueOf = (id: string) => cases.find((c) => c.id === id)?.deadline;
			expect(dueOf(fromAction.value)).toBe(dueOf(direct.value));
			expect(dueOf(fromAction.value)).toBe(deadline);
			const taskMade = createTaskFromAction(
				tasksDoc,
				meeting,
				{ ...input, itemId: task.value, details: '' },
				as(LI, deadline - 86_400_000)
			);
			if (!taskMade.ok) throw new Error(taskMade.reason);
			expect(readTask(tasksDoc, taskMade.value)?.due).toBe(day);
		} finally {
			if (deviceZone === undefined) delete process.env.TZ;
			else process.env.TZ = deviceZone;
		}
	});
});
