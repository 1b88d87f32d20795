import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { boardDocName, type CommunityId } from '$lib/domain/ids';
import { dueDateToDeadline } from '$lib/domain/due-date';
import { tasksDocName } from '$lib/domain/task-rules';
import type { MeetingId } from '$lib/domain/meeting-rules';
import { listCases } from '$lib/model/case';
import { listTasks } from '$lib/model/work';
import {
	addMeetingItem,
	createMeeting,
	editMeetingField,
	listMeetings as listMeetingsOf,
	readMeeting,
	readMeetingRecord
} from '$lib/model/meeting';
import { DocSnapshot } from '$lib/reactive/doc-snapshot.svelte';
import { MeetingScreen, type MeetingApp } from './meeting-screen.svelte';
import { FollowUpForm } from './follow-up.svelte';
import { MeetingsScreen } from './meetings-screen.svelte';

const COMMUNITY = 'demo' as CommunityId;
const ZONE = 'Asia/Shanghai';
const T0 = Date.UTC(2026, 10, 2, 2, 0);

/** The app state a screen reads: who acts, their claims, and a registry of plain documents. */
function appAs(role: string, name = '王网格员') {
	const docs = new Map<string, Y.Doc>();
	const opened: string[] = [];
	const app = {
		actor: { name, deviceId: `phone-${role}` },
		claims: { cid: COMMUNITY, role, grids: role === 'grid-member' ? ['g1'] : [] },
		membership: { member: { id: `mem-${role}` } },
		registry: {
			acquire(docName: string) {
				opened.push(docName);
				let doc = docs.get(docName);
				if (!doc) docs.set(docName, (doc = new Y.Doc()));
				return { session: { doc }, release: () => {} };
			}
		}
	} as unknown as MeetingApp;
	return { app, docs, opened };
}

const SECRETARY_CONTEXT = {
	actor: { name: '李书记', deviceId: 'phone-li' },
	authority: { claims: { cid: COMMUNITY, role: 'secretary', grids: [] }, memberId: 'mem-li' },
	at: T0
};

function meetingOn(indexDoc: Y.Doc, type = 'tea_party'): MeetingId {
	const created = createMeeting(
		indexDoc,
		{
			title: '楼下议事',
			type,
			startsAt: T0,
			place: '3号楼架空层',
			agenda: '飞线充电',
			gridId: 'g1'
		},
		SECRETARY_CONTEXT
	);
	if (!created.ok) throw new Error(created.reason);
	return created.value;
}

function screenFor(role: string, indexDoc = new Y.Doc(), recordDoc = new Y.Doc(), id?: MeetingId) {
	const meetingId = id ?? meetingOn(indexDoc);
	const { app, docs, opened } = appAs(role);
	const screen = new MeetingScreen({
		communityId: COMMUNITY,
		meetingId,
		index: { doc: indexDoc, snapshot: new DocSnapshot(indexDoc, (d) => readMeeting(d, meetingId)) },
		record: { doc: recordDoc, snapshot: new DocSnapshot(recordDoc, readMeetingRecord) },
		app,
		zone: () => ZONE
	});
	return { screen, indexDoc, recordDoc, meetingId, docs, opened };
}

describe('MeetingScreen: what a person sees and may do', () => {
	it("a volunteer's screen offers no edits, no status actions, no follow-ups and no conflicts to settle", () => {
		const { screen, indexDoc, recordDoc, meetingId } = screenFor('volunteer');
		addMeetingItem(recordDoc, { kind: 'action', text: '清理楼道' }, SECRETARY_CONTEXT);
		const other = new Y.Doc();
		Y.applyUpdate(other, Y.encodeStateAsUpdate(indexDoc));
		editMeetingField(indexDoc, meetingId, 'place', '社区会议室', SECRETARY_CONTEXT);
		editMeetingField(other, meetingId, 'place', '小区凉亭', SECRETARY_CONTEXT);
		Y.applyUpdate(indexDoc, Y.encodeStateAsUpdate(other));
		const view = screen.current;
		expect(view.meeting?.fields.place.conflict).not.toBeNull();
		expect(view).toMatchObject({
			canRead: true,
			mayEdit: false,
			mayEditDetails: false,
			mayStart: false,
			mayFinish: false,
			mayAmend: false,
			detailConflicts: []
		});
		expect(view.items.map((i) => i.offersFollowUp)).toEqual([false]);
	});

	it('a refused command is kept as its reason, and nothing is written', () => {
		const { screen, indexDoc } = screenFor('volunteer');
		const before = Y.encodeStateVector(indexDoc);
		expect(screen.addAttendee({ name: '张三', role: 'member' })).toEqual({
			ok: false,
			reason: 'not_permitted'
		});
		expect(screen.refusal.attendees).toBe('not_permitted');
		expect(Y.encodeStateVector(indexDoc)).toEqual(before);
	});

	it('an observer of another community may not even read it', () => {
		const { screen } = screenFor('observer');
		expect(screen.current.canRead).toBe(true);
		const { app } = appAs('secretary');
		const foreign = new MeetingScreen({
			communityId: 'elsewhere' as CommunityId,
			meetingId: 'm-x' as MeetingId,
			index: { doc: new Y.Doc(), snapshot: { current: null } },
			record: { doc: new Y.Doc(), snapshot: { current: readMeetingRecord(new Y.Doc()) } },
			app,
			zone: () => ZONE
		});
		expect(foreign.current.canRead).toBe(false);
	});

	it('a meeting moves planned → started → finished; finishing locks the minutes and opens amendments', () => {
		const { screen } = screenFor('grid-member');
		expect(screen.current).toMatchObject({
			mayStart: true,
			mayFinish: false,
			shownStatus: 'planned'
		});
		// A planned meeting cannot be finished: the refusal is kept for the page to show.
		expect(screen.finish()).toEqual({ ok: false, reason: 'not_started' });
		expect(screen.refusal.status).toBe('not_started');
		expect(screen.start().ok).toBe(true);
		expect(screen.refusal.status).toBeUndefined();
		expect(screen.current).toMatchObject({
			mayStart: false,
			mayFinish: true,
			finishWarnsNoAttendees: true
		});
		expect(screen.finish().ok).toBe(true);
		expect(screen.current).toMatchObject({
			finished: true,
			shownStatus: 'finished',
			mayEditDetails: false,
			mayFinish: false,
			mayAmend: true
		});
		// Finished meanwhile (here: again) shows as finished; it is not news.
		expect(screen.finish()).toMatchObject({ ok: false, reason: 'meeting_finished' });
		expect(screen.refusal.status).toBeUndefined();
		expect(screen.addAmendment('补记：物业同意。').ok).toBe(true);
		expect(screen.current.record.amendments.map((a) => a.text)).toEqual(['补记：物业同意。']);
	});

	it('the same view object is returned until something changes', () => {
		const { screen } = screenFor('secretary');
		const first = screen.current;
		expect(screen.current).toBe(first);
		screen.addAttendee({ name: '张经理', organisation: '恒安物业', role: 'outside' });
		expect(screen.current).not.toBe(first);
		expect(screen.current.meeting?.attendees.map((a) => a.name)).toEqual(['张经理']);
	});
});

describe('MeetingScreen: forms edit over what they saw', () => {
	it('saves the changed details in one transaction, the start as a wall time in the community zone', () => {
		const { screen, indexDoc } = screenFor('secretary');
		screen.openDetails();
		expect(screen.details.values?.startsAt).toBe('2026-11-02T10:00');
		screen.details.values!.startsAt = '2026-11-03T19:30';
		screen.details.values!.place = '社区会议室';
		let transactions = 0;
		indexDoc.on('afterTransaction', () => transactions++);
		expect(screen.saveDetails().ok).toBe(true);
		expect(transactions).toBe(1);
		expect(screen.details.isOpen).toBe(false);
		expect(screen.current.meeting).toMatchObject({
			startsAt: Date.UTC(2026, 10, 3, 11, 30),
			place: '社区会议室',
			title: '楼下议事'
		});
	});

	it('an invalid field refuses the whole save: nothing written, the form stays open with the reason', () => {
		const { screen, indexDoc } = screenFor('secretary');
		screen.openDetails();
		screen.details.values!.place = '社区会议室';
		screen.details.values!.title = '   ';
		const before = Y.encodeStateVector(indexDoc);
		expect(screen.saveDetails()).toEqual({ ok: false, reason: 'title_required' });
		expect(Y.encodeStateVector(indexDoc)).toEqual(before);
		expect(screen.refusal.details).toBe('title_required');
		expect(screen.details.values?.place).toBe('社区会议室');
		screen.cancelDetails();
		expect(screen.refusal.details).toBeUndefined();
	});

	it('a save over an edit that arrived while the form was open leaves a conflict this person may settle', () => {
		const { screen, indexDoc, meetingId } = screenFor('secretary');
		screen.openDetails();
		// Another phone changes the agenda meanwhile.
		editMeetingField(indexDoc, meetingId, 'agenda', '电梯维保', SECRETARY_CONTEXT);
		screen.details.values!.agenda = '飞线充电、楼道堆物';
		expect(screen.saveDetails().ok).toBe(true);
		const [conflict] = screen.current.detailConflicts;
		expect(conflict?.field).toBe('agenda');
		expect(conflict?.values.map((v) => v.value).sort()).toEqual(
			['电梯维保', '飞线充电、楼道堆物'].sort()
		);
		expect(screen.pick(conflict!, '电梯维保').ok).toBe(true);
		expect(screen.current.detailConflicts).toEqual([]);
		expect(screen.current.meeting?.agenda).toBe('电梯维保');
	});

	it('a pick over a value that arrived after the choice was shown keeps the conflict', () => {
		const { screen, indexDoc, meetingId } = screenFor('secretary');
		const [b, c] = [new Y.Doc(), new Y.Doc()];
		Y.applyUpdate(b, Y.encodeStateAsUpdate(indexDoc));
		Y.applyUpdate(c, Y.encodeStateAsUpdate(indexDoc));
		editMeetingField(indexDoc, meetingId, 'place', '社区会议室', SECRETARY_CONTEXT);
		editMeetingField(b, meetingId, 'place', '小区凉亭', SECRETARY_CONTEXT);
		editMeetingField(c, meetingId, 'place', '架空层', SECRETARY_CONTEXT);
		Y.applyUpdate(indexDoc, Y.encodeStateAsUpdate(b));
		const [shown] = screen.current.detailConflicts;
		Y.applyUpdate(indexDoc, Y.encodeStateAsUpdate(c));
		expect(screen.pick(shown!, '小区凉亭').ok).toBe(true);
		const values = screen.current.detailConflicts[0]?.values.map((v) => v.value);
		expect(values?.sort()).toEqual(['小区凉亭', '架空层'].sort());
	});

	it("a mediation save's refusal is exposed, not dropped", () => {
		const indexDoc = new Y.Doc();
		const id = meetingOn(indexDoc, 'mediation');
		const { screen } = screenFor('secretary', indexDoc, new Y.Doc(), id);
		expect(screen.current.isMediation).toBe(true);
		screen.openMediation();
		screen.mediation.values!.mediationOutcome = 'agreed';
		screen.mediation.values!.agreementText = 'x'.repeat(5001);
		const result = screen.saveMediation();
		expect(result).toEqual({ ok: false, reason: 'text_too_long' });
		expect(screen.refusal.mediation).toBe('text_too_long');
		expect(screen.current.meeting?.mediationOutcome).toBe('pending');
		screen.mediation.values!.agreementText = '赔偿两千元';
		expect(screen.saveMediation().ok).toBe(true);
		expect(screen.current.meeting).toMatchObject({
			mediationOutcome: 'agreed',
			agreementText: '赔偿两千元'
		});
		expect(screen.refusal.mediation).toBeUndefined();
	});

	it('a marked passage becomes an item; once the minutes are locked it is refused with a reason', () => {
		const { screen } = screenFor('secretary');
		expect(screen.markItem('i-one' as never, 'action', '物业加装充电桩').ok).toBe(true);
		expect(screen.current.items.map((i) => [i.item.text, i.offersFollowUp])).toEqual([
			['物业加装充电桩', true]
		]);
		screen.start();
		screen.finish();
		expect(screen.markItem('i-two' as never, 'decision', '迟到')).toMatchObject({
			reason: 'meeting_finished'
		});
		expect(screen.refusal.items).toBe('meeting_finished');
	});
});

describe('FollowUpForm: an action becomes a case or a task', () => {
	const community = {
		roster: () => [
			{ id: 'm1f2e3d4c5b6a7980', displayName: '王秀英', role: 'grid-member', grids: ['g1'] }
		],
		deadlineOf: (day: string) => dueDateToDeadline(day, T0, ZONE),
		zone: () => ZONE
	} as const;

	function actionOn() {
		const made = screenFor('secretary');
		const item = made.screen.markItem('i-act' as never, 'action', '清理消防通道');
		if (!item.ok) throw new Error(item.reason);
		return { ...made, item: made.screen.current.items[0]!.item };
	}

	it('makes a case on the chosen board, owned by the picked member, and links it', () => {
		const { screen, item, docs, opened } = actionOn();
		const form = new FollowUpForm(screen, item, community, 'g1');
		form.open = 'case';
		form.ownerMemberId = 'm1f2e3d4c5b6a7980';
		form.deadline = '2026-11-05';
		form.tier = 'community';
		const result = form.submit('来自会议：楼下议事');
		expect(result.ok).toBe(true);
		expect(form.open).toBeNull();
		expect(opened).toEqual([boardDocName(COMMUNITY, 'g1')]);
		const board = docs.get(boardDocName(COMMUNITY, 'g1'))!;
		expect(listCases(board)[0]).toMatchObject({
			title: '清理消防通道',
			channel: 'meeting',
			tier: 'community',
			assignees: ['王秀英#m1f2e3d4c5b6a7980']
		});
		expect(screen.current.items[0]).toMatchObject({ offersFollowUp: false });
	});

	it('refuses what the form can tell is wrong before anything is written, and says why', () => {
		const { screen, item, opened } = actionOn();
		const form = new FollowUpForm(screen, item, community, '');
		form.open = 'case';
		expect(form.submit('')).toEqual({ ok: false, reason: 'grid_required' });
		form.gridId = 'g1';
		form.deadline = '2026-11-01';
		expect(form.submit('')).toEqual({ ok: false, reason: 'date_in_past' });
		expect(form.refusal).toBe('date_in_past');
		form.deadline = '';
		form.ownerTyped = '王秀英#m1f2e3d4c5b6a7980';
		expect(form.submit('')).toEqual({ ok: false, reason: 'owner_invalid' });
		expect(opened).toEqual([]);
		expect(form.open).toBe('case');
	});

	it('makes a volunteer task in the tasks document, for the whole community', () => {
		const { screen, item, docs } = actionOn();
		const form = new FollowUpForm(screen, item, community, 'g1');
		form.open = 'task';
		form.gridId = '';
		form.ownerTyped = '赵志愿者';
		expect(form.submit('来自会议').ok).toBe(true);
		const tasks = listTasks(docs.get(tasksDocName(COMMUNITY))!);
		expect(tasks.map((t) => t.title)).toEqual(['清理消防通道']);
		expect(screen.current.record.items[0]?.followUps).toMatchObject([
			{ kind: 'task', owner: '赵志愿者', tier: null }
		]);
	});
});

describe('MeetingsScreen', () => {
	function listFor(role: string) {
		const doc = new Y.Doc();
		meetingOn(doc, 'mediation');
		const { app } = appAs(role);
		const screen = new MeetingsScreen(
			COMMUNITY,
			{ doc, snapshot: new DocSnapshot(doc, (d) => listMeetingsOf(d)) },
			app,
			() => ZONE,
			null
		);
		return { screen, doc };
	}

	it('offers creating meetings to those who may change them, and filters by grid and search', () => {
		expect(listFor('volunteer').screen.current.mayCreate).toBe(false);
		const { screen } = listFor('grid-member');
		expect(screen.current.mayCreate).toBe(true);
		expect(screen.current.shown.length).toBe(1);
		screen.gridFilter = '';
		expect(screen.current.shown.length).toBe(0);
		screen.gridFilter = '*';
		screen.query = '不存在';
		expect(screen.current.shown.length).toBe(0);
	});

	it("keeps a refused create's reason with the form open, and closes on success", () => {
		const { screen } = listFor('secretary');
		screen.openCreate(T0);
		expect(screen.draft?.time).toBe('2026-11-02T10:00');
		expect(screen.create()).toEqual({ ok: false, reason: 'title_required' });
		expect(screen.refusal).toBe('title_required');
		screen.draft!.title = '三方协商';
		const made = screen.create();
		expect(made.ok).toBe(true);
		expect(screen.draft).toBeNull();
		expect(screen.current.all.map((m) => m.title).sort()).toEqual(['三方协商', '楼下议事'].sort());
	});
});
