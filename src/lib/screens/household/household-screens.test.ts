import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DEFAULT_VISIT_PLAN, type HouseholdId } from '$lib/domain/household';
import type { CaseId, CommunityId, GridId } from '$lib/domain/ids';
import { readCase } from '$lib/model/case';
import { readTask } from '$lib/model/work';
import {
	createHousehold,
	listHouseholds,
	readCaseVisitSource,
	readHousehold,
	recordVisit,
	setColour
} from '$lib/model/household';
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
} from '$lib/model/household/test-fixtures';
import { HouseholdScreen } from './household-screen.svelte';
import { myVisits } from './my-visits';
import { RegisterScreen } from './register-screen.svelte';
import { REVEAL_MS, type Timers } from './reveal.svelte';
import { VisitForm } from './visit-form.svelte';
import { visitSourceView } from './visit-source';

const SETTINGS = { current: { visitPlan: DEFAULT_VISIT_PLAN, timeZone: 'Asia/Shanghai' } };
const wang = () => householdContext(WANG, 'grid-member', T0);
const live = <T>(doc: Y.Doc, read: (doc: Y.Doc) => T) => ({
	get current() {
		return read(doc);
	}
});

function must<T>(result: { ok: true; value: T } | { ok: false; reason: string }): T {
	if (!result.ok) throw new Error(`refused: ${result.reason}`);
	return result.value;
}

/** A grid with a red household overdue by 3 days, a green one, a yellow one with 张奶奶. */
function register(now = T0 + 10 * DAY) {
	const doc = new Y.Doc();
	const red = must(
		createHousehold(
			doc,
			household('1号楼', '101室', { colour: 'red', colourReason: '独居老人' }),
			wang()
		)
	);
	must(
		recordVisit(
			doc,
			red,
			{ visitedAt: T0, visitors: [], findings: '', photos: [] },
			householdContext(WANG, 'grid-member', T0)
		)
	);
	const green = must(createHousehold(doc, household('2号楼', '201室'), wang()));
	const yellow = must(
		createHousehold(
			doc,
			household('3号楼', '301室', {
				colour: 'yellow',
				colourReason: '低保',
				residents: [resident('张奶奶', { tags: ['elderlyAlone'] })]
			}),
			wang()
		)
	);
	const screen = new RegisterScreen({
		doc,
		households: live(doc, listHouseholds),
		settings: SETTINGS,
		context: () => householdContext(WANG, 'grid-member', now),
		clock: () => now
	});
	return { doc, screen, red, green, yellow };
}

describe('RegisterScreen', () => {
	it('counts by colour and sorts red first, then the most overdue', () => {
		const { screen, red, yellow, green } = register();
		expect(screen.stats.byColour).toEqual({ green: 1, yellow: 1, red: 1 });
		expect(screen.rows.map((row) => row.household.id)).toEqual([red, yellow, green]);
		expect(screen.rows[0]!.due).toMatchObject({ state: 'overdue', overdueDays: 3 });
	});

	it('filters by colour and tag, and searches addresses and residents (full-width folded)', () => {
		const { screen, yellow, red } = register();
		screen.colour = 'red';
		expect(screen.rows.map((row) => row.household.id)).toEqual([red]);
		screen.colour = 'all';
		screen.tag = 'elderlyAlone';
		expect(screen.rows.map((row) => row.household.id)).toEqual([yellow]);
		screen.tag = 'all';
		screen.query = '张奶';
		expect(screen.rows.map((row) => row.household.id)).toEqual([yellow]);
		screen.query = '１号楼';
		expect(screen.rows.map((row) => row.household.id)).toEqual([red]);
		expect(screen.filtered).toBe(true);
		screen.clearFilters();
		expect(screen.rows).toHaveLength(3);
	});

	it('the add form shows every field problem at once and writes nothing until they are fixed', () => {
		const { doc, screen } = register();
		const form = screen.form;
		form.colour = 'red';
		form.residents[0]!.name = '李大爷';
		form.residents[0]!.idNumber = idNumber('19450101').slice(0, 17) + 'Y';
		form.residents[0]!.phone = '12345';
		expect(form.submit()).toBeNull();
		expect(form.errors).toEqual({ address: 'address_required', reason: 'reason_required' });
		expect(form.residents[0]!.errors).toEqual({ idNumber: 'id_format', phone: 'phone_format' });
		expect(listHouseholds(doc)).toHaveLength(3);

		form.compound = '幸福里';
		form.building = '1号楼';
		form.unit = '2单元';
		form.room = '101室';
		form.reason = '独居';
		form.residents[0]!.idNumber = idNumber('19450101');
		form.residents[0]!.phone = '13812345678';
		// The address is taken: the refusal shows beside the address and keeps what was typed.
		expect(form.submit()).toBeNull();
		expect(form.errors).toEqual({ address: 'duplicate_address' });
		expect(form.residents[0]!.name).toBe('李大爷');

		form.room = '102室';
		const id = form.submit();
		expect(id).not.toBeNull();
		expect(form.open).toBe(false);
		expect(form.residents[0]!.name).toBe('');
		const made = readHousehold(doc, id!)!;
		expect(made.colour).toBe('red');
		expect(made.residents[0]!.masked.phone).toBe('138****5678');
	});

	it('lists deleted households only when asked', () => {
		const { screen, doc, green } = register();
		const page = new HouseholdScreen({
			doc,
			household: live(doc, (d) => readHousehold(d, green)),
			householdId: green,
			context: wang
		});
		expect(page.delete()).toBe(true);
		expect(screen.rows).toHaveLength(2);
		expect(screen.deletedCount).toBe(1);
		screen.showDeleted = true;
		expect(screen.rows.map((row) => row.household.id)).toEqual([green]);
	});
});

function fakeTimers() {
	const pending = new Map<number, () => void>();
	let next = 0;
	const timers: Timers = {
		set: (run) => {
			pending.set(++next, run);
			return next;
		},
		clear: (handle) => pending.delete(handle as number)
	};
	const fire = () => {
		for (const [id, run] of [...pending]) {
			pending.delete(id);
			run();
		}
	};
	return { timers, fire, pending };
}

function householdPage(context = wang) {
	const doc = new Y.Doc();
	const id = must(
		createHousehold(
			doc,
			household('5号楼', '502室', {
				residents: [
					resident('王大爷', { idNumber: idNumber('19400101'), phone: '13812345678' }),
					resident('王奶奶', { relation: 'spouse', phone: '13900001111' })
				]
			}),
			wang()
		)
	);
	const { timers, fire, pending } = fakeTimers();
	const screen = new HouseholdScreen({
		doc,
		household: live(doc, (d) => readHousehold(d, id)),
		householdId: id,
		context,
		clock: () => T0 + DAY,
		timers
	});
	return { doc, id, screen, fire, pending };
}

describe('HouseholdScreen', () => {
	it('shows phones and ID numbers masked; one revealed at a time, masked after 30 s or on leaving', () => {
		const { screen, fire, pending } = householdPage();
		const [grandpa, grandma] = screen.current!.residents;
		expect(screen.shown(grandpa!, 'idNumber')).toBe(
			'110105********123' + grandpa!.fields.idNumber.value.slice(-1)
		);
		expect(screen.shown(grandpa!, 'idNumber')).not.toBe(grandpa!.fields.idNumber.value);
		screen.reveal.show(grandpa!.id, 'idNumber');
		expect(screen.shown(grandpa!, 'idNumber')).toBe(grandpa!.fields.idNumber.value);
		screen.reveal.show(grandma!.id, 'phone');
		expect(screen.shown(grandpa!, 'idNumber')).toBe(grandpa!.masked.idNumber);
		expect(screen.shown(grandma!, 'phone')).toBe('13900001111');
		expect(pending.size).toBe(1);
		fire();
		expect(screen.shown(grandma!, 'phone')).toBe('139****1111');
		screen.reveal.show(grandma!.id, 'phone');
		screen.destroy();
		expect(screen.reveal.shown).toBeNull();
		expect(REVEAL_MS).toBe(30_000);
	});

	it('a yellow or red colour needs a reason; the change is in the history', () => {
		const { screen } = householdPage();
		screen.openColour();
		screen.colourDraft!.colour = 'red';
		expect(screen.saveColour()).toBe(false);
		expect(screen.problem).toEqual({ on: 'household', reason: 'reason_required' });
		expect(screen.colourDraft).not.toBeNull();
		screen.colourDraft!.reason = '老人摔倒后独居';
		expect(screen.saveColour()).toBe(true);
		expect(screen.problem).toBeNull();
		const history = screen.current!.colourState.history;
		expect(history.map((c) => [c.colour, c.reason])).toEqual([
			['green', ''],
			['red', '老人摔倒后独居']
		]);
		const colours = screen.timeline.filter((entry) => entry.kind === 'colour');
		expect(colours[0]).toMatchObject({ kind: 'colour', from: 'green' });
	});

	it('two colours set at once stay visible; "keep this one" settles it with its reason', () => {
		const { doc, id, screen } = householdPage();
		const other = new Y.Doc();
		Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
		must(setColour(doc, id, 'yellow', '低保', householdContext(WANG, 'grid-member', T0 + 1)));
		must(setColour(other, id, 'red', '独居', householdContext(ZHOU, 'grid-member', T0 + 2)));
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(other));
		expect(screen.current!.colourState.conflict?.values.map((c) => c.value).sort()).toEqual([
			'red',
			'yellow'
		]);
		expect(screen.pickColour('yellow')).toBe(true);
		expect(screen.current!.colourState.conflict).toBeNull();
		expect(screen.current!.colourState).toMatchObject({ colour: 'yellow', reason: '低保' });
	});

	it('removes a resident with an undo, and edits one over what was seen', () => {
		const { screen } = householdPage();
		const grandma = screen.current!.residents[1]!;
		expect(screen.removeResident(grandma.id)).toBe(true);
		expect(screen.current!.residentCount).toBe(1);
		expect(screen.undo).toBe(grandma.id);
		expect(screen.undoRemove()).toBe(true);
		expect(screen.current!.residentCount).toBe(2);

		screen.startEditing(grandma);
		// Phone and ID number start empty: left empty, they stay as they are.
		expect(screen.editing!.draft.values).toMatchObject({ phone: '', idNumber: '' });
		screen.editing!.draft.values!.birthYear = '2100';
		screen.editing!.draft.values!.note = '腿脚不便';
		expect(screen.saveResident()).toBe(false);
		expect(screen.editErrors).toEqual({ birthYear: 'birth_year' });
		screen.editing!.draft.values!.birthYear = '1942';
		expect(screen.saveResident()).toBe(true);
		const saved = screen.current!.residents[1]!;
		expect(saved.fields).toMatchObject({
			note: { value: '腿脚不便' },
			birthYear: { value: 1942 },
			phone: { value: '13900001111' }
		});
		expect(screen.setTag(saved.id, 'elderlyAlone', true)).toBe(true);
		expect(screen.current!.tags).toEqual(['elderlyAlone']);
	});

	it('edits the address, refuses a taken one in words, deletes and restores', () => {
		const { doc, screen } = householdPage();
		must(createHousehold(doc, household('5号楼', '503室'), wang()));
		screen.openAddress();
		screen.address.values!.room = '503室';
		expect(screen.saveAddress()).toBe(false);
		expect(screen.problem).toEqual({ on: 'household', reason: 'duplicate_address' });
		screen.address.values!.room = '504室';
		expect(screen.saveAddress()).toBe(true);
		expect(screen.current!.address.room).toBe('504室');
		expect(screen.delete()).toBe(true);
		expect(screen.current!.deleted).toBe(true);
		expect(screen.restore()).toBe(true);
		expect(screen.current!.deleted).toBe(false);
	});

	it('a volunteer is refused in words', () => {
		const { screen } = householdPage(() => householdContext(LI, 'volunteer', T0));
		expect(screen.mayWrite).toBe(false);
		expect(screen.delete()).toBe(false);
		expect(screen.problem).toEqual({ on: 'household', reason: 'not_permitted' });
	});

	it("only the secretary may look at the household as it was (the relay's rule)", () => {
		const as = (role: 'secretary' | 'grid-member' | 'volunteer' | 'observer') =>
			householdPage(() => householdContext(LI, role, T0)).screen.mayLookBack;
		expect(as('secretary')).toBe(true);
		expect(as('grid-member')).toBe(false);
		expect(as('volunteer')).toBe(false);
		expect(as('observer')).toBe(false);
	});
});

function visitForm() {
	const doc = new Y.Doc();
	const id = must(createHousehold(doc, household('7号楼', '701室'), wang()));
	const docs = new Map<string, Y.Doc>();
	const leases = {
		acquire: (name: string) => {
			if (!docs.has(name)) docs.set(name, new Y.Doc());
			return { session: { doc: docs.get(name)! }, release: () => undefined };
		}
	};
	const now = T0 + 2 * DAY;
	const form = new VisitForm({
		doc,
		householdId: id,
		communityId: 'demo' as CommunityId,
		gridId: 'g1' as GridId,
		docs: leases,
		context: () => householdContext(WANG, 'grid-member', now),
		zone: () => 'Asia/Shanghai',
		clock: () => now
	});
	return { doc, id, form, docs, now };
}

describe('VisitForm', () => {
	it('starts on today and me; a past day is recorded at midday; a bad day is refused in words', () => {
		const { doc, id, form, now } = visitForm();
		form.start();
		expect(form.day).toBe('2026-12-03');
		expect(form.visitors).toBe(WANG.name);
		form.day = 'not a day';
		expect(form.submit()).toBeNull();
		expect(form.problem).toEqual({ on: 'household', reason: 'visit_date_invalid' });
		form.day = '2026-12-04';
		expect(form.submit()).toBeNull();
		expect(form.problem).toEqual({ on: 'household', reason: 'visit_time_invalid' });
		form.day = '2026-12-01';
		form.findings = '老人身体尚可';
		form.addPhoto({
			hash: 'a'.repeat(64),
			mime: 'image/jpeg',
			width: 800,
			height: 600,
			bytes: 12345
		});
		expect(form.submit()).not.toBeNull();
		expect(form.open).toBe(false);
		expect(form.findings).toBe('');
		const visit = readHousehold(doc, id)!.visits[0]!;
		expect(visit).toMatchObject({ findings: '老人身体尚可', visitors: [WANG.name] });
		expect(visit.photos).toHaveLength(1);
		expect(visit.visitedAt).toBe(Date.UTC(2026, 11, 1, 4));
		form.start();
		expect(form.submit()).not.toBeNull();
		expect(readHousehold(doc, id)!.visits[0]!.visitedAt).toBe(now);
	});

	it('makes a case or a task from a visit, linked both ways; a refusal keeps the form open', () => {
		const { doc, id, form, docs } = visitForm();
		form.start();
		const visitId = form.submit()!;
		form.startFollowUp(visitId, 'case');
		expect(form.submitFollowUp()).toBeNull();
		expect(form.followUpProblem).toEqual({ on: 'case', reason: 'title_required' });
		expect(form.followUp).not.toBeNull();
		form.followUpTitle = '楼道扶手松动';
		const caseId = form.submitFollowUp()!;
		expect(form.followUp).toBeNull();
		const board = docs.get('c/demo/board/g1')!;
		expect(readCase(board, caseId as CaseId)?.fields.title.value).toBe('楼道扶手松动');
		expect(readCaseVisitSource(board, caseId)).toMatchObject({ householdId: id, visitId });
		form.startFollowUp(visitId, 'task');
		form.followUpTitle = '帮忙买菜';
		const taskId = form.submitFollowUp()!;
		expect(readTask(docs.get('c/demo/tasks')!, taskId)?.title).toBe('帮忙买菜');
		const links = readHousehold(doc, id)!.visits[0]!.followUps;
		// Both made in the same millisecond here: the reader orders ties by random link id.
		expect(links.map((link) => [link.kind, link.targetId]).sort()).toEqual([
			['case', caseId],
			['task', taskId]
		]);
	});
});

describe('my visits and "from a visit"', () => {
	it('lists visits due across grids, overdue first and red first; leaves out deleted and far ones', () => {
		const a = register(T0 + 10 * DAY);
		const b = new Y.Doc();
		const redB = must(
			createHousehold(
				b,
				household('9号楼', '901室', { colour: 'red', colourReason: '重病' }),
				householdContext(WANG, 'grid-member', T0 + 2 * DAY, ['g1', 'g2'], 'g2')
			)
		);
		const rows = myVisits(
			[
				{ gridId: 'g1', households: listHouseholds(a.doc) },
				{ gridId: 'g2', households: listHouseholds(b) }
			],
			DEFAULT_VISIT_PLAN,
			T0 + 10 * DAY
		);
		// g1's red is 3 days overdue, g2's red 1 day; yellow is due in 20 days, green in 80: left out.
		expect(rows.map((row) => [row.gridId, row.household.id, row.due.overdueDays])).toEqual([
			['g1', a.red, 3],
			['g2', redB as HouseholdId, 1]
		]);
	});

	it('links back to the household only for those who may read it', () => {
		const source = {
			kind: 'visit' as const,
			gridId: 'g1',
			householdId: 'h1' as HouseholdId,
			visitId: 'v1' as never
		};
		const claims = (role: string, grids: string[] = []) => ({ cid: 'demo', role, grids });
		expect(visitSourceView(source, claims('secretary'))?.link).toEqual({
			gridId: 'g1',
			householdId: 'h1'
		});
		expect(visitSourceView(source, claims('grid-member', ['g1']))?.link).not.toBeNull();
		expect(visitSourceView(source, claims('grid-member', ['g2']))?.link).toBeNull();
		expect(visitSourceView(source, claims('volunteer'))).toEqual({ link: null });
		expect(visitSourceView(null, claims('secretary'))).toBeNull();
	});
});
