/**
 * The directory's screen models (community home, ledger settings) on real Y.Docs, without a
 * browser: what each member is offered, the command plumbing (the member's context read when a
 * command runs, what the form saw passed on) and refusals reaching the view with their reason.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '$lib/domain/actor';
import { DAY_MS } from '$lib/domain/case-deadline';
import type { GridId } from '$lib/domain/ids';
import { buildBoardSummary } from '$lib/domain/summaries';
import {
	readCommunitySettings,
	readDirectory,
	setDeadlineDays,
	type DirectoryContext,
	type GridSnapshot
} from '$lib/model/directory';
import { createReplicaNetwork } from '$lib/model/testing/replica-network';
import { DocSnapshot } from '$lib/reactive/doc-snapshot.svelte';
import { GridsScreen } from './grids-screen.svelte';
import { SettingsScreen } from './settings-screen.svelte';

const LI: Actor = { name: '李书记', deviceId: 'phone-li' };
const WANG: Actor = { name: '王网格员', deviceId: 'phone-wang' };

/** The member behind a screen; `role` can change while the screen is open. */
function member(actor: Actor, role: string) {
	const who = { role };
	const context = (): DirectoryContext => ({ actor, authority: { claims: { role: who.role } } });
	return { who, context };
}

function gridsScreen(doc: Y.Doc, context: () => DirectoryContext, ready = true) {
	return new GridsScreen({ doc, snapshot: new DocSnapshot(doc, readDirectory), ready }, context);
}

function settingsScreen(doc: Y.Doc, context: () => DirectoryContext) {
	const snapshot = new DocSnapshot(doc, readCommunitySettings);
	return new SettingsScreen({ doc, snapshot, ready: true }, context);
}

const only = (screen: GridsScreen): GridSnapshot => {
	const [grid] = screen.current.grids;
	if (!grid || screen.current.grids.length !== 1) throw new Error('expected one grid');
	return grid;
};

describe('GridsScreen', () => {
	it('offers editing to the secretary only, and follows a role change', () => {
		const doc = new Y.Doc();
		const secretary = gridsScreen(doc, member(LI, 'secretary').context);
		const gridMember = member(WANG, 'grid-member');
		const theirs = gridsScreen(doc, gridMember.context);
		expect(secretary.current.mayEdit).toBe(true);
		expect(theirs.current.mayEdit).toBe(false);
		gridMember.who.role = 'secretary';
		expect(theirs.current.mayEdit).toBe(true);
	});

	it('shows the added grid, and a refused add says why and writes nothing', () => {
		const doc = new Y.Doc();
		const screen = gridsScreen(doc, member(LI, 'secretary').context);
		expect(screen.addGrid('  ')).toEqual({ ok: false, reason: 'name_required' });
		expect(screen.current.grids).toEqual([]);
		const added = screen.addGrid(' 第一网格 ');
		expect(added.ok).toBe(true);
		expect(only(screen)).toMatchObject({ id: added.ok ? added.value : '', name: '第一网格' });

		const volunteer = gridsScreen(doc, member(WANG, 'volunteer').context);
		expect(volunteer.addGrid('第二网格')).toEqual({ ok: false, reason: 'not_permitted' });
		expect(volunteer.renameGrid(only(screen).id, '改名', only(screen).nameHeads)).toEqual({
			ok: false,
			reason: 'not_permitted'
		});
		expect(screen.current.grids.map((grid) => grid.name)).toEqual(['第一网格']);
	});

	it('a rename over what the form saw keeps a rename that arrived meanwhile, and a pick settles it', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const mine = gridsScreen(a, member(LI, 'secretary').context);
		const theirs = gridsScreen(b, member(WANG, 'secretary').context);
		mine.addGrid('第一网格');
		net.flush();
		const opened = only(mine);

		expect(theirs.renameGrid(opened.id, '幸福里网格', only(theirs).nameHeads).ok).toBe(true);
		net.flush();
		expect(mine.renameGrid(opened.id, '一号网格', opened.nameHeads).ok).toBe(true);
		net.flush();
		for (const screen of [mine, theirs]) {
			const values = only(screen).nameConflict?.values.map((v) => v.value);
			expect(values?.sort()).toEqual(['一号网格', '幸福里网格'].sort());
		}

		expect(theirs.pickGridName(only(theirs), '幸福里网格').ok).toBe(true);
		net.flush();
		for (const screen of [mine, theirs]) {
			expect(only(screen)).toMatchObject({ name: '幸福里网格', nameConflict: null });
		}
	});

	it("counts each grid's open and overdue cases from its board's summary, by the community's rules", () => {
		const doc = new Y.Doc();
		const { context } = member(LI, 'secretary');
		const at = Date.parse('2026-03-02T02:00:00Z');
		const item = (id: string, status: string, category: string) => ({
			id,
			title: id,
			category,
			location: '',
			status,
			tier: 'grid',
			tierSince: at,
			priority: 'normal',
			assignees: [],
			deadline: null,
			createdAt: at,
			createdBy: '李书记',
			updatedAt: at,
			hasConflict: false,
			firstPhoto: null,
			handlingType: 'supervised',
			resolvedAt: status === 'resolved' ? at : null,
			escalated: false,
			satisfaction: null,
			reviewedAt: null,
			point: null
		});
		const summary = buildBoardSummary([
			item('c3', 'reported', 'fire_safety'),
			item('c2', 'in_progress', 'sanitation'),
			item('c1', 'resolved', 'fire_safety')
		]);
		const found = { gridId: 'g1' as GridId, summary, asOf: at, live: false };
		const summaries = { of: (gridId: GridId) => (gridId === 'g1' ? found : null), ready: true };
		const screen = new GridsScreen(
			{ doc, snapshot: new DocSnapshot(doc, readDirectory), ready: true },
			context,
			summaries
		);
		expect(screen.countsReady).toBe(true);
		expect(screen.counts('g2' as GridId, at)).toBeNull();
		expect(screen.counts('g1' as GridId, at)).toEqual({
			open: 2,
			overdue: 0,
			live: false,
			asOf: at
		});
		// Two days on, the fire lane (one day at the grid) is overdue; sanitation has three.
		expect(screen.counts('g1' as GridId, at + 2 * DAY_MS)?.overdue).toBe(1);
		// The community gives sanitation one day: both are.
		expect(setDeadlineDays(doc, 'sanitation', 'grid', 1, context())).toEqual({
			ok: true,
			value: true
		});
		expect(screen.counts('g1' as GridId, at + 2 * DAY_MS)?.overdue).toBe(2);
	});

	it('is not ready until the stored directory is read', () => {
		const screen = gridsScreen(new Y.Doc(), member(LI, 'secretary').context, false);
		expect(screen.current).toEqual({ ready: false, grids: [], mayEdit: true });
	});
});

describe('SettingsScreen', () => {
	it('adds, renames and hides categories and sets deadline days typed in the table', () => {
		const doc = new Y.Doc();
		const screen = settingsScreen(doc, member(LI, 'secretary').context);
		const added = screen.addCategory('电梯困人');
		expect(added.ok).toBe(true);
		const id = added.ok ? String(added.value) : '';
		expect(screen.renameCategory(id, '电梯故障').ok).toBe(true);
		expect(screen.setCategoryHidden('parking', true).ok).toBe(true);
		expect(screen.setDeadlineDays(id, 'grid', '4').ok).toBe(true);
		const { settings } = screen.current;
		expect(settings.categories.find((c) => c.id === id)).toMatchObject({ label: '电梯故障' });
		expect(settings.categories.find((c) => c.id === 'parking')?.hidden).toBe(true);
		expect(settings.deadlineRules[id]?.grid).toBe(4);
	});

	it("passes a refusal's reason on and writes nothing", () => {
		const doc = new Y.Doc();
		const before = Y.encodeStateAsUpdate(doc);
		const gridMember = settingsScreen(doc, member(WANG, 'grid-member').context);
		expect(gridMember.current.mayEdit).toBe(false);
		expect(gridMember.addCategory('高空抛物')).toEqual({ ok: false, reason: 'not_permitted' });
		expect(gridMember.setTimeZone('Asia/Urumqi')).toEqual({ ok: false, reason: 'not_permitted' });

		const secretary = settingsScreen(doc, member(LI, 'secretary').context);
		expect(secretary.setDeadlineDays('noise', 'grid', '')).toEqual({
			ok: false,
			reason: 'days_invalid'
		});
		expect(secretary.setTimeZone('Mars/Olympus')).toEqual({
			ok: false,
			reason: 'time_zone_invalid'
		});
		expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
	});

	it('saves the typed zone, and an empty field saves the zone shown', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const mine = settingsScreen(a, member(LI, 'secretary').context);
		const theirs = settingsScreen(b, member(WANG, 'secretary').context);
		expect(mine.setTimeZone(' Asia/Urumqi ').ok).toBe(true);
		expect(theirs.setTimeZone('America/New_York').ok).toBe(true);
		net.flush();
		expect(mine.current.settings.timeZoneConflict).not.toBeNull();
		const shown = mine.current.settings.timeZone;
		expect(mine.setTimeZone('').ok).toBe(true);
		net.flush();
		for (const screen of [mine, theirs]) {
			expect(screen.current.settings).toMatchObject({ timeZone: shown, timeZoneConflict: null });
		}
	});
});
