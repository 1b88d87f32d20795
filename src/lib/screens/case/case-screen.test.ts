import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { CaseId, GridId } from '$lib/domain/ids';
import { createCase, editCase, readCase } from '$lib/model/case';
import { readCommunitySettings } from '$lib/model/directory';
import { DocSnapshot } from '$lib/reactive/doc-snapshot.svelte';
import { caseContext, CORRIDOR_LIGHT, created, FIRE_LANE, LI } from '$lib/model/testing/fixtures';
import { createReplicaNetwork } from '$lib/model/testing/replica-network';
import { CaseScreen, caseBoardReader, type CaseMember } from './case-screen.svelte';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 2, 2, 0); // 10:00 in Shanghai
const GRID = 'g1' as GridId;

function member(role: string, name = '王网格员', grids: string[] = ['g1']): CaseMember {
	return {
		actor: { name, deviceId: `phone-${role}` },
		claims: { cid: 'demo', role, grids },
		membership: { member: { id: `m-${role}` } },
		displayName: name
	} as unknown as CaseMember;
}

function screenOn(doc: Y.Doc, caseId: CaseId, who: CaseMember, clock = () => T0 + 1000) {
	return new CaseScreen({
		doc,
		board: new DocSnapshot(doc, caseBoardReader(caseId)),
		settings: new DocSnapshot(new Y.Doc(), readCommunitySettings),
		member: who,
		gridId: GRID,
		caseId,
		clock
	});
}

function withCase(input = CORRIDOR_LIGHT) {
	const doc = new Y.Doc();
	const id = created(createCase(doc, input, caseContext(LI, T0)));
	return { doc, id };
}

describe('CaseScreen: what each person is offered', () => {
	it("a volunteer's screen offers no status action, tier move, assigning or deadline", () => {
		const { doc, id } = withCase();
		const facts = screenOn(doc, id, member('volunteer', '赵志愿者', [])).current;
		expect(facts).toMatchObject({
			canWrite: true,
			isOpen: true,
			statusActions: [],
			tierMoves: [],
			mayAssign: false,
			maySetDeadline: false,
			staffFields: false,
			mayFollowUp: false
		});
	});

	it("a grid member's screen offers the status flow and escalation, not hand-back", () => {
		const { doc, id } = withCase();
		const facts = screenOn(doc, id, member('grid-member')).current;
		expect(facts?.statusActions).toEqual(['accept', 'start', 'resolve', 'mark_duplicate']);
		expect(facts?.tierMoves).toEqual([{ action: 'escalate', to: 'community' }]);
		expect(facts).toMatchObject({ mayAssign: true, maySetDeadline: true, mayFollowUp: true });
	});

	it('an observer reads the case but may write nothing', () => {
		const { doc, id } = withCase();
		const facts = screenOn(doc, id, member('observer', '观察员', [])).current;
		expect(facts).toMatchObject({ canWrite: false, statusActions: [], tierMoves: [] });
	});

	it('a closed case is not open: no tier moves, not overdue even long after its deadline', () => {
		const { doc, id } = withCase(FIRE_LANE);
		const secretary = member('secretary', '李书记', []);
		const screen = screenOn(doc, id, secretary, () => T0 + 30 * DAY);
		expect(screen.current).toMatchObject({ isOpen: true, overdue: true });
		for (const action of ['start', 'resolve'] as const) screen.act(action);
		screen.review('satisfied', '');
		screen.act('close');
		expect(screen.current).toMatchObject({
			isOpen: false,
			overdue: false,
			tierMoves: [],
			statusActions: ['reopen']
		});
	});

	it('is null for a case the board does not hold', () => {
		const { doc } = withCase();
		expect(screenOn(doc, 'nope' as CaseId, member('secretary')).current).toBeNull();
	});
});

describe('CaseScreen: the clock', () => {
	it('turns overdue and suggests escalating when the tier deadline passes, as time moves on', () => {
		const { doc, id } = withCase(FIRE_LANE); // fire safety: 1 day at the grid
		let now = T0 + 1000;
		const screen = screenOn(doc, id, member('grid-member'), () => now);
		expect(screen.current).toMatchObject({ overdue: false, suggestion: null });
		now = T0 + 2 * DAY;
		expect(screen.current?.overdue).toBe(false); // not until the screen ticks
		screen.tick();
		expect(screen.current).toMatchObject({ overdue: true, suggestion: 'community' });
		expect(screen.current?.dueAt).toBe(T0 + DAY);
	});
});

describe('CaseScreen: commands', () => {
	it('saving an edit over a concurrent one leaves a visible conflict, not an overwrite', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const id = created(createCase(a, CORRIDOR_LIGHT, caseContext(LI, T0)));
		net.flush();
		const screen = screenOn(a, id, member('grid-member'));
		screen.startEdit();
		// Another phone changes the title while the form is open.
		const title = readCase(b, id)!.fields.title;
		editCase(
			b,
			id,
			{ title: { value: '楼道灯跳闸', seen: title.heads } },
			caseContext(LI, T0 + 10)
		);
		net.flush();
		const saved = screen.saveEdit({ ...screen.draft.opened!, title: '3号楼楼道灯短路' });
		expect(saved).toEqual({ ok: true, value: { changed: true } });
		expect(screen.draft.isOpen).toBe(false);
		const conflict = screen.current?.item.fields.title.conflict;
		expect(conflict?.values.map((v) => v.value).sort()).toEqual(['3号楼楼道灯短路', '楼道灯跳闸']);
		expect(screen.current?.settleable).toEqual(['title']);
		expect(screen.settle('title', '楼道灯跳闸').ok).toBe(true);
		expect(screen.current?.item.fields.title).toMatchObject({
			value: '楼道灯跳闸',
			conflict: null
		});
	});

	it("a volunteer may settle a text conflict but not a status one (that is the staff's)", () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const id = created(createCase(a, CORRIDOR_LIGHT, caseContext(LI, T0)));
		net.flush();
		screenOn(a, id, member('secretary', '李书记', [])).act('start');
		screenOn(b, id, member('secretary', '李书记', [])).act('accept');
		const title = readCase(a, id)!.fields.title;
		editCase(a, id, { title: { value: 'A', seen: title.heads } }, caseContext(LI, T0 + 1));
		editCase(b, id, { title: { value: 'B', seen: title.heads } }, caseContext(LI, T0 + 1));
		net.flush();
		const volunteer = screenOn(a, id, member('volunteer', '赵志愿者', []));
		expect(volunteer.current?.settleable).toEqual(['title']);
		expect(volunteer.settle('status', 'accepted')).toEqual({ ok: false, reason: 'not_permitted' });
		expect(volunteer.problem).toEqual({ command: 'conflict', reason: 'not_permitted' });
		expect(screenOn(a, id, member('grid-member')).current?.settleable).toEqual(['title', 'status']);
	});

	it("a refused command's reason is exposed and nothing is written", () => {
		const { doc, id } = withCase();
		const observer = screenOn(doc, id, member('observer', '观察员', []));
		const before = Y.encodeStateVector(doc);
		observer.act('accept');
		expect(observer.problem).toEqual({ command: 'status', reason: 'not_permitted' });
		expect(observer.comment('看到了')).toEqual({ ok: false, reason: 'not_permitted' });
		expect(Y.encodeStateVector(doc)).toEqual(before);
	});

	it('review and mark-duplicate open their panel first; a review needs the satisfaction', () => {
		const { doc, id } = withCase();
		const screen = screenOn(doc, id, member('grid-member'));
		screen.act('start');
		screen.act('resolve');
		screen.act('review');
		expect(screen.panel).toBe('review');
		expect(screen.review(undefined, '')).toEqual({ ok: false, reason: 'satisfaction_required' });
		expect(screen.panel).toBe('review');
		expect(screen.review('satisfied', '回访：灯已修好').ok).toBe(true);
		expect(screen.panel).toBe('none');
		expect(screen.current?.item.lastReview).toMatchObject({ satisfaction: 'satisfied' });
	});

	it("marks a duplicate of another case and shows that case's title", () => {
		const { doc, id } = withCase();
		const original = created(createCase(doc, FIRE_LANE, caseContext(LI, T0)));
		const screen = screenOn(doc, id, member('grid-member'));
		expect(screen.current?.otherCases.map((c) => c.id)).toEqual([original]);
		screen.act('mark_duplicate');
		expect(screen.panel).toBe('duplicate');
		expect(screen.markDuplicate(original).ok).toBe(true);
		expect(screen.current?.duplicateOf).toEqual({ id: original, title: FIRE_LANE.title });
	});

	it('a due day already over keeps the deadline editor open with its reason', () => {
		const { doc, id } = withCase();
		const screen = screenOn(doc, id, member('grid-member'));
		screen.panel = 'deadline';
		expect(screen.setDeadline('2026-03-01')).toEqual({ ok: false, reason: 'deadline_in_past' });
		expect(screen.panel).toBe('deadline');
		expect(screen.setDeadline('2026-03-05').ok).toBe(true);
		expect(screen.panel).toBe('none');
		// The end of 5 March in Shanghai.
		expect(screen.current?.item.fields.deadline.value).toBe(Date.UTC(2026, 2, 5, 15, 59, 59, 999));
		expect(screen.setDeadline('').ok).toBe(true);
		expect(screen.current?.item.fields.deadline.value).toBeNull();
	});

	it('assigns over the heads shown, and suggests the names seen on the case', () => {
		const { doc, id } = withCase({ ...CORRIDOR_LIGHT, reporterName: '张阿姨' });
		const screen = screenOn(doc, id, member('grid-member'));
		screen.panel = 'assign';
		expect(screen.assign(['王网格员', '刘师傅']).ok).toBe(true);
		expect(screen.panel).toBe('none');
		expect(screen.current?.assignees).toEqual(['刘师傅', '王网格员']);
		expect(screen.current?.peopleSeen).toEqual(['刘师傅', '张阿姨', '李书记', '王网格员']);
	});
});
