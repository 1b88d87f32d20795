import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../../domain/actor';
import { ringCentroid, type LngLat, type Ring } from '../../domain/geo';
import type { Result } from '../../domain/result';
import { createReplicaNetwork } from '../testing/replica-network';
import {
	addBuilding,
	addGridArea,
	deleteFeature,
	editFeatureGeometry,
	readFeature,
	readMap,
	renameBuilding,
	resolveFeatureConflict,
	setFeatureGrid,
	type MapContext
} from '.';

const LI: Actor = { name: '李书记', deviceId: 'phone-li' };
const CHEN: Actor = { name: '陈书记', deviceId: 'pad-chen' };

const as = (actor: Actor, at?: number, role = 'secretary'): MapContext => ({
	actor,
	authority: { claims: { role } },
	at
});

const r7 = (x: number) => Math.round(x * 1e7) / 1e7;

/** A square of `size` degrees with its south-west corner at (lng, lat), as stored (7 decimals). */
function square(lng: number, lat: number, size = 0.001): Ring {
	const corners: Ring = [
		[lng, lat],
		[lng + size, lat],
		[lng + size, lat + size],
		[lng, lat + size],
		[lng, lat]
	];
	return corners.map(([x, y]): LngLat => [r7(x), r7(y)]);
}

function value<T>(result: Result<T, string>): T {
	if (!result.ok) throw new Error(`refused: ${result.reason}`);
	return result.value;
}

describe('map commands', () => {
	it('only a secretary draws; a refused command writes nothing', () => {
		const doc = new Y.Doc();
		const area = value(addGridArea(doc, { gridId: 'g1', ring: square(116.64, 36.93) }, as(LI, 1)));
		const before = Y.encodeStateAsUpdate(doc);
		for (const role of ['grid-member', 'volunteer', 'observer', 'none']) {
			const context = as(LI, 2, role);
			const refused = { ok: false, reason: 'not_permitted' };
			expect(addGridArea(doc, { gridId: 'g2', ring: square(116.65, 36.93) }, context)).toEqual(
				refused
			);
			expect(
				addBuilding(doc, { name: '1号楼', point: [116.6405, 36.9305], gridId: null }, context)
			).toEqual(refused);
			expect(
				editFeatureGeometry(doc, area, { ring: square(116.64, 36.93, 0.002) }, context)
			).toEqual(refused);
			expect(renameBuilding(doc, area, { name: 'x' }, context)).toEqual(refused);
			expect(setFeatureGrid(doc, area, { gridId: 'g2' }, context)).toEqual(refused);
			expect(deleteFeature(doc, area, context)).toEqual(refused);
			expect(
				resolveFeatureConflict(doc, area, { field: 'geometry', editId: 'x' as never }, context)
			).toEqual(refused);
		}
		expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
	});

	it('validates before writing: rings, points, names, grid ids', () => {
		const doc = new Y.Doc();
		const context = as(LI, 1);
		const line: LngLat[] = [
			[116.64, 36.93],
			[116.641, 36.93],
			[116.64, 36.93]
		];
		expect(addGridArea(doc, { gridId: 'g1', ring: line }, context)).toEqual({
			ok: false,
			reason: 'too_few_points'
		});
		expect(addGridArea(doc, { gridId: 'G 1', ring: square(116.64, 36.93) }, context)).toEqual({
			ok: false,
			reason: 'bad_grid'
		});
		expect(addBuilding(doc, { name: '  ', point: [116.64, 36.93], gridId: null }, context)).toEqual(
			{ ok: false, reason: 'name_required' }
		);
		expect(addBuilding(doc, { name: '1号楼', point: [200, 36.93], gridId: null }, context)).toEqual(
			{ ok: false, reason: 'point_out_of_range' }
		);
		expect(addBuilding(doc, { name: '1号楼', gridId: null } as never, context)).toEqual({
			ok: false,
			reason: 'geometry_required'
		});
		expect(featureCount(doc)).toBe(0);
		value(addGridArea(doc, { gridId: 'g1', ring: square(116.64, 36.93) }, context));
		expect(addGridArea(doc, { gridId: 'g1', ring: square(116.65, 36.93) }, context)).toEqual({
			ok: false,
			reason: 'area_exists'
		});
		const area = readMap(doc).grids[0]!.featureId;
		expect(editFeatureGeometry(doc, area, { point: [116.64, 36.93] }, context)).toEqual({
			ok: false,
			reason: 'polygon_required'
		});
		expect(setFeatureGrid(doc, area, { gridId: null }, context)).toEqual({
			ok: false,
			reason: 'grid_required'
		});
		value(addGridArea(doc, { gridId: 'g2', ring: square(116.65, 36.93) }, context));
		expect(setFeatureGrid(doc, area, { gridId: 'g2' }, context)).toEqual({
			ok: false,
			reason: 'area_exists'
		});
		expect(setFeatureGrid(doc, area, { gridId: 'g3' }, context)).toEqual({
			ok: true,
			value: { changed: true }
		});
		expect(renameBuilding(doc, area, { name: '网格' }, context)).toEqual({
			ok: false,
			reason: 'feature_not_found'
		});
	});

	it('adds, edits and deletes; the reader shows the latest of each field', () => {
		const doc = new Y.Doc();
		const area = value(addGridArea(doc, { gridId: 'g1', ring: square(116.64, 36.93) }, as(LI, 1)));
		const pinned = value(
			addBuilding(doc, { name: ' 1号楼 ', point: [116.6403, 36.9303], gridId: 'g1' }, as(LI, 2))
		);
		const outlined = value(
			addBuilding(
				doc,
				{ name: '2号楼', ring: square(116.6405, 36.9305, 0.0002), gridId: null },
				as(LI, 3)
			)
		);
		let map = readMap(doc);
		expect(map.grids).toEqual([{ featureId: area, gridId: 'g1', ring: square(116.64, 36.93) }]);
		expect(map.buildings).toEqual([
			{ featureId: pinned, name: '1号楼', point: [116.6403, 36.9303], ring: null, gridId: 'g1' },
			{
				featureId: outlined,
				name: '2号楼',
				point: ringCentroid(square(116.6405, 36.9305, 0.0002)),
				ring: square(116.6405, 36.9305, 0.0002),
				gridId: null
			}
		]);
		expect(map.conflicts).toEqual([]);
		expect(Object.isFrozen(map.buildings[0]!.point)).toBe(true);

		expect(renameBuilding(doc, pinned, { name: '1号楼' }, as(LI, 4))).toEqual({
			ok: true,
			value: { changed: false }
		});
		value(renameBuilding(doc, pinned, { name: '一号楼' }, as(LI, 5)));
		value(setFeatureGrid(doc, outlined, { gridId: 'g1' }, as(LI, 6)));
		value(editFeatureGeometry(doc, pinned, { ring: square(116.6401, 36.9301, 0.0001) }, as(LI, 7)));
		value(editFeatureGeometry(doc, area, { ring: square(116.64, 36.93, 0.002) }, as(LI, 8)));
		map = readMap(doc);
		expect(map.grids[0]!.ring).toEqual(square(116.64, 36.93, 0.002));
		expect(map.buildings.map((b) => [b.name, b.gridId, b.ring !== null])).toEqual([
			['一号楼', 'g1', true],
			['2号楼', 'g1', true]
		]);

		value(deleteFeature(doc, pinned, as(LI, 9)));
		expect(readMap(doc).buildings.map((b) => b.featureId)).toEqual([outlined]);
		expect(readFeature(doc, pinned)).toBeNull();
		expect(deleteFeature(doc, pinned, as(LI, 10))).toEqual({
			ok: false,
			reason: 'feature_not_found'
		});
		// The record and its history stay.
		const record = doc.getMap('features').get(pinned) as Y.Map<unknown>;
		expect(record.get('deletedBy')).toBe(LI.name);
		expect((record.get('name') as Y.Array<unknown>).length).toBe(2);
		// A deleted grid area frees its grid for a new one.
		value(deleteFeature(doc, area, as(LI, 11)));
		value(addGridArea(doc, { gridId: 'g1', ring: square(116.64, 36.93) }, as(LI, 12)));
	});

	it('readFeature gives the heads an editor passes back as what they saw', () => {
		const doc = new Y.Doc();
		const id = value(
			addBuilding(doc, { name: '1号楼', point: [116.64, 36.93], gridId: null }, as(LI, 1))
		);
		const opened = readFeature(doc, id)!;
		expect(opened).toMatchObject({
			kind: 'building',
			name: '1号楼',
			gridId: null,
			createdBy: LI.name,
			geometry: { type: 'Point', coordinates: [116.64, 36.93] }
		});
		// Someone renames while the form is open; saving the form keeps both names visible.
		value(renameBuilding(doc, id, { name: '甲楼' }, as(CHEN, 2)));
		value(renameBuilding(doc, id, { name: '乙楼', seen: opened.heads.name }, as(LI, 3)));
		expect(readFeature(doc, id)!.conflicts.map((c) => c.values.map((v) => v.value))).toEqual([
			['乙楼', '甲楼']
		]);
	});
});

function featureCount(doc: Y.Doc): number {
	return doc.getMap('features').size;
}

describe('map on two replicas', () => {
	it('two secretaries redraw one boundary offline: both kept as a conflict, then settled', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const area = value(addGridArea(a, { gridId: 'g1', ring: square(116.64, 36.93) }, as(LI, 1)));
		net.flush();
		value(editFeatureGeometry(a, area, { ring: square(116.64, 36.93, 0.002) }, as(LI, 10)));
		value(editFeatureGeometry(b, area, { ring: square(116.639, 36.93, 0.0015) }, as(CHEN, 20)));
		net.flush();
		const onA = readMap(a);
		expect(onA).toEqual(readMap(b));
		// The later edit (at 20) is shown; both stay listed.
		expect(onA.grids[0]!.ring).toEqual(square(116.639, 36.93, 0.0015));
		expect(onA.conflicts).toHaveLength(1);
		const conflict = onA.conflicts[0]!;
		expect(conflict).toMatchObject({ featureId: area, kind: 'grid', field: 'geometry' });
		expect(conflict.values.map((v) => [v.by, v.at])).toEqual([
			[CHEN.name, 20],
			[LI.name, 10]
		]);

		// Li keeps his outline.
		const lis = conflict.values[1]!.editId;
		value(resolveFeatureConflict(a, area, { field: 'geometry', editId: lis }, as(LI, 30)));
		expect(resolveFeatureConflict(a, area, { field: 'geometry', editId: lis }, as(LI, 31))).toEqual(
			{ ok: false, reason: 'no_conflict' }
		);
		net.flush();
		for (const doc of [a, b]) {
			expect(readMap(doc).conflicts).toEqual([]);
			expect(readMap(doc).grids[0]!.ring).toEqual(square(116.64, 36.93, 0.002));
		}
		net.destroy();
	});

	it('the same outline drawn on both is no conflict; concurrent adds and a delete converge', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const id = value(
			addBuilding(a, { name: '1号楼', point: [116.64, 36.93], gridId: null }, as(LI, 1))
		);
		net.flush();
		value(editFeatureGeometry(a, id, { ring: square(116.64, 36.93, 0.0002) }, as(LI, 2)));
		value(editFeatureGeometry(b, id, { ring: square(116.64, 36.93, 0.0002) }, as(CHEN, 3)));
		value(addBuilding(a, { name: '2号楼', point: [116.641, 36.93], gridId: null }, as(LI, 4)));
		value(addBuilding(b, { name: '3号楼', point: [116.642, 36.93], gridId: null }, as(CHEN, 5)));
		value(renameBuilding(b, id, { name: '一号楼' }, as(CHEN, 6)));
		value(deleteFeature(a, id, as(LI, 7)));
		net.flush({ shuffle: 7 });
		expect(readMap(a)).toEqual(readMap(b));
		expect(readMap(a).buildings.map((x) => x.name)).toEqual(['2号楼', '3号楼']);
		expect(readMap(a).conflicts).toEqual([]);
		net.destroy();
	});
});

describe('readMap memo', () => {
	it('returns the same snapshot until the map changes, then a new one', () => {
		const doc = new Y.Doc();
		const first = readMap(doc);
		expect(first).toEqual({ grids: [], buildings: [], conflicts: [] });
		expect(readMap(doc)).toBe(first);
		doc.getMap('other').set('x', 1);
		expect(readMap(doc)).toBe(first);
		const id = value(
			addBuilding(doc, { name: '1号楼', point: [116.64, 36.93], gridId: null }, as(LI, 1))
		);
		const second = readMap(doc);
		expect(second).not.toBe(first);
		expect(second.buildings).toHaveLength(1);
		value(renameBuilding(doc, id, { name: '甲楼' }, as(LI, 2)));
		expect(readMap(doc).buildings[0]!.name).toBe('甲楼');
	});

	it('leaves out malformed features instead of failing', () => {
		const doc = new Y.Doc();
		doc.transact(() => {
			doc.getMap('features').set('bad', new Y.Map());
			doc.getMap('features').set('Not An Id', 5);
		});
		expect(readMap(doc)).toEqual({ grids: [], buildings: [], conflicts: [] });
	});
});
