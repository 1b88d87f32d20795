/**
 * The community map's edit mode (map-edit.svelte.ts) on real Y.Docs, without a browser: what
 * each role is offered (the secretary everything, anyone else nothing), saves reaching the map
 * commands (and the map screens), refusals kept for the view with their reason, delete with its
 * undo, and two secretaries' offline redraws of one boundary shown as a conflict and settled.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '$lib/domain/actor';
import type { LngLat, Ring } from '$lib/domain/geo';
import { readMap, type MapContext } from '$lib/model/map';
import { createReplicaNetwork } from '$lib/model/testing/replica-network';
import { DocSnapshot } from '$lib/reactive/doc-snapshot.svelte';
import { MAP_DOCUMENT } from './map-document';
import { MapEditScreen } from './map-edit.svelte';

const LI: Actor = { name: '李书记', deviceId: 'phone-li' };
const CHEN: Actor = { name: '陈书记', deviceId: 'pad-chen' };
const GRIDS = [
	{ id: 'g1', name: '第一网格' },
	{ id: 'g2', name: '第二网格' }
];

function member(actor: Actor, role: string) {
	const who = { role };
	const context = (): MapContext => ({ actor, authority: { claims: { role: who.role } } });
	return { who, context };
}

function screenOf(doc: Y.Doc, context: () => MapContext): MapEditScreen {
	return new MapEditScreen({ doc, snapshot: new DocSnapshot(doc, readMap) }, context, () => GRIDS);
}

const r7 = (x: number) => Math.round(x * 1e7) / 1e7;
function square(lng: number, lat: number, size = 0.002): Ring {
	const corners: LngLat[] = [
		[lng, lat],
		[lng + size, lat],
		[lng + size, lat + size],
		[lng, lat + size],
		[lng, lat]
	];
	return corners.map(([x, y]): LngLat => [r7(x), r7(y)]);
}

describe('MapEditScreen', () => {
	it('offers editing to the secretary only, and follows a role change', () => {
		const doc = new Y.Doc();
		const secretary = screenOf(doc, member(LI, 'secretary').context);
		expect(secretary.current.mayEdit).toBe(true);
		expect(secretary.current.gridsWithoutArea).toEqual(GRIDS);
		for (const role of ['grid-member', 'volunteer', 'observer']) {
			const other = member(CHEN, role);
			const theirs = screenOf(doc, other.context);
			expect(theirs.current).toEqual({
				mayEdit: false,
				gridsWithoutArea: [],
				features: [],
				conflicts: []
			});
			other.who.role = 'secretary';
			expect(theirs.current.mayEdit).toBe(true);
		}
	});

	it('saves a boundary and a named building through the commands; the map screens see them', () => {
		const doc = new Y.Doc();
		const screen = screenOf(doc, member(LI, 'secretary').context);
		const area = screen.addGridArea('g1', square(116.64, 36.93));
		expect(area.ok).toBe(true);
		expect(screen.refusal).toBeNull();
		expect(screen.current.gridsWithoutArea).toEqual([GRIDS[1]]);

		// The building's grid is suggested from where it stands.
		const point: LngLat = [116.641, 36.931];
		expect(screen.suggest({ point }).gridId).toBe('g1');
		expect(screen.suggest({ ring: square(116.6405, 36.9305, 0.0003) }).gridId).toBe('g1');
		expect(screen.suggest({ point: [116.7, 36.99] }).gridId).toBeNull();
		const building = screen.addBuilding({ name: ' 3号楼 ', gridId: 'g1', point });
		expect(building.ok).toBe(true);
		expect(screen.current.features).toEqual([
			{ featureId: area.ok && area.value, kind: 'grid', label: '第一网格', gridId: 'g1' },
			{ featureId: building.ok && building.value, kind: 'building', label: '3号楼', gridId: 'g1' }
		]);
		// What the map screens read (the one switch, map-document.ts) is the same document.
		const shown = MAP_DOCUMENT!.read(doc);
		expect(shown.grids.map((g) => g.gridId)).toEqual(['g1']);
		expect(shown.buildings.map((b) => b.name)).toEqual(['3号楼']);
	});

	it('edits move, rename and regrid over what the editor saw', () => {
		const doc = new Y.Doc();
		const screen = screenOf(doc, member(LI, 'secretary').context);
		screen.addGridArea('g1', square(116.64, 36.93));
		screen.addGridArea('g2', square(116.65, 36.93));
		const id = screen.addBuilding({ name: '1号楼', gridId: 'g1', point: [116.641, 36.931] });
		if (!id.ok) throw new Error(id.reason);
		const seen = screen.feature(id.value)!.heads;
		expect(screen.saveGeometry(id.value, { point: [116.651, 36.931] }, seen.geometry).ok).toBe(
			true
		);
		expect(screen.rename(id.value, '一号楼', seen.name).ok).toBe(true);
		expect(screen.setGrid(id.value, 'g2', seen.gridId).ok).toBe(true);
		expect(screen.feature(id.value)).toMatchObject({
			name: '一号楼',
			gridId: 'g2',
			geometry: { type: 'Point', coordinates: [116.651, 36.931] }
		});
	});

	it('keeps a refusal for the view and writes nothing; the next accepted write clears it', () => {
		const doc = new Y.Doc();
		const screen = screenOf(doc, member(LI, 'secretary').context);
		screen.addGridArea('g1', square(116.64, 36.93));
		const before = Y.encodeStateAsUpdate(doc);
		expect(screen.addGridArea('g1', square(116.66, 36.93))).toEqual({
			ok: false,
			reason: 'area_exists'
		});
		expect(screen.refusal).toBe('area_exists');
		expect(screen.addBuilding({ name: '  ', gridId: null, point: [116.6, 36.9] })).toEqual({
			ok: false,
			reason: 'name_required'
		});
		expect(screen.refusal).toBe('name_required');
		expect(screen.addGridArea('g2', square(116.6, 36.9).slice(0, 2))).toMatchObject({ ok: false });
		expect(Y.encodeStateAsUpdate(doc)).toEqual(before);

		const volunteer = screenOf(doc, member(CHEN, 'volunteer').context);
		expect(volunteer.addGridArea('g2', square(116.66, 36.93))).toEqual({
			ok: false,
			reason: 'not_permitted'
		});
		expect(volunteer.refusal).toBe('not_permitted');
		expect(Y.encodeStateAsUpdate(doc)).toEqual(before);

		expect(screen.addGridArea('g2', square(116.66, 36.93)).ok).toBe(true);
		expect(screen.refusal).toBeNull();
	});

	it('a delete leaves the map and its undo puts the same shape, name and grid back', () => {
		const doc = new Y.Doc();
		const screen = screenOf(doc, member(LI, 'secretary').context);
		const area = screen.addGridArea('g1', square(116.64, 36.93));
		const building = screen.addBuilding({
			name: '5号楼',
			gridId: 'g1',
			ring: square(116.641, 36.931, 0.0003)
		});
		if (!area.ok || !building.ok) throw new Error('refused');
		expect(screen.undoDelete()).toEqual({ ok: false, reason: 'nothing_deleted' });
		expect(screen.delete(area.value).ok).toBe(true);
		expect(screen.deleted?.feature.gridId).toBe('g1');
		expect(screen.current.gridsWithoutArea.map((g) => g.id)).toContain('g1');
		expect(screen.undoDelete().ok).toBe(true);
		expect(screen.deleted).toBeNull();
		expect(readMap(doc).grids).toMatchObject([{ gridId: 'g1', ring: square(116.64, 36.93) }]);

		expect(screen.delete(building.value).ok).toBe(true);
		expect(readMap(doc).buildings).toEqual([]);
		expect(screen.undoDelete().ok).toBe(true);
		expect(readMap(doc).buildings).toMatchObject([
			{ name: '5号楼', gridId: 'g1', ring: square(116.641, 36.931, 0.0003) }
		]);
	});

	it("two secretaries' offline redraws of one boundary show as a conflict, and a pick settles it", () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const mine = screenOf(a, member(LI, 'secretary').context);
		const theirs = screenOf(b, member(CHEN, 'secretary').context);
		const area = mine.addGridArea('g1', square(116.64, 36.93));
		if (!area.ok) throw new Error(area.reason);
		net.flush();
		const seenA = mine.feature(area.value)!.heads.geometry;
		const seenB = theirs.feature(area.value)!.heads.geometry;
		expect(mine.saveGeometry(area.value, { ring: square(116.641, 36.93) }, seenA).ok).toBe(true);
		expect(theirs.saveGeometry(area.value, { ring: square(116.642, 36.93) }, seenB).ok).toBe(true);
		net.flush();
		const [conflict] = mine.current.conflicts;
		expect(conflict).toMatchObject({ featureId: area.value, field: 'geometry' });
		expect(conflict!.values).toHaveLength(2);
		expect(theirs.current.conflicts).toHaveLength(1);

		const kept = conflict!.values.find((candidate) => candidate.by === CHEN.name)!;
		expect(mine.resolve(area.value, 'geometry', kept.editId).ok).toBe(true);
		net.flush();
		expect(theirs.current.conflicts).toEqual([]);
		expect(readMap(b).grids[0]!.ring).toEqual(square(116.642, 36.93));
		expect(mine.resolve(area.value, 'geometry', kept.editId)).toEqual({
			ok: false,
			reason: 'no_conflict'
		});
		expect(mine.refusal).toBe('no_conflict');
	});
});
