/**
 * Map readers: the map document as frozen plain values for the screens. `readMap` gives what a
 * map draws (grid areas, buildings, open conflicts); `readFeature` one feature with the heads of
 * its fields, for the forms and the drawing tools that edit it.
 *
 * Invariant: pure functions of the document state; replicas holding the same updates return
 * deeply equal snapshots (features ordered by (createdAt, id), a field's value the head with the
 * greatest (at, id)). Tombstoned and malformed features are left out. `readMap` is memoised per
 * document and recomputed only after the document changed.
 */

import * as Y from 'yjs';
import {
	isMapGeometry,
	ringCentroid,
	type Building,
	type GridArea,
	type MapGeometry
} from '../../domain/geo';
import type { EditId } from '../../domain/ids';
import { compareByAtThenId } from '../../domain/ordering';
import {
	featuresMap,
	MAP_FIELDS,
	parseFeatureRecord,
	readGeometryState,
	readTextState,
	type FeatureKind,
	type FeatureRecord,
	type MapCandidate,
	type MapField
} from './schema';

/** Concurrent values of one field of one feature, the shown one first. */
export type MapConflict = Readonly<{
	featureId: string;
	kind: FeatureKind;
	field: MapField;
	values: readonly MapCandidate<MapGeometry | string>[];
}>;

export type MapSnapshot = Readonly<{
	grids: readonly GridArea[];
	buildings: readonly Building[];
	conflicts: readonly MapConflict[];
}>;

/** One feature with what its editors need: every field's value and heads, and its conflicts. */
export type FeatureSnapshot = Readonly<{
	featureId: string;
	kind: FeatureKind;
	createdAt: number;
	createdBy: string;
	geometry: MapGeometry;
	/** A building's name; '' for a grid area. */
	name: string;
	gridId: string | null;
	/** Each field's heads: pass as `seen` to the command that edits it. */
	heads: Readonly<Record<MapField, readonly EditId[]>>;
	conflicts: readonly MapConflict[];
}>;

function readRecord(record: FeatureRecord): FeatureSnapshot | null {
	const geometry = readGeometryState(record.map);
	const name = readTextState(record.map, 'name');
	const gridId = readTextState(record.map, 'gridId');
	if (geometry.value === null || !isMapGeometry(geometry.value)) return null;
	const conflicts: MapConflict[] = [];
	const states = { geometry, name, gridId };
	for (const field of MAP_FIELDS) {
		const values = states[field].conflict;
		if (values) {
			conflicts.push(
				Object.freeze({
					featureId: record.id,
					kind: record.kind,
					field,
					values: values as MapConflict['values']
				})
			);
		}
	}
	return Object.freeze({
		featureId: record.id,
		kind: record.kind,
		createdAt: record.createdAt,
		createdBy: record.createdBy,
		geometry: geometry.value,
		name: name.value,
		gridId: gridId.value === '' ? null : gridId.value,
		heads: Object.freeze({ geometry: geometry.heads, name: name.heads, gridId: gridId.heads }),
		conflicts: Object.freeze(conflicts)
	});
}

/** One live feature, or null when there is none by that id (or it was deleted). */
export function readFeature(doc: Y.Doc, featureId: string): FeatureSnapshot | null {
	const record = parseFeatureRecord(featureId, featuresMap(doc).get(featureId));
	return record && !record.deleted ? readRecord(record) : null;
}

function toGridArea(feature: FeatureSnapshot): GridArea | null {
	if (feature.geometry.type !== 'Polygon' || feature.gridId === null) return null;
	return Object.freeze({
		featureId: feature.featureId,
		gridId: feature.gridId,
		ring: feature.geometry.coordinates[0]
	});
}

function toBuilding(feature: FeatureSnapshot): Building {
	const ring = feature.geometry.type === 'Polygon' ? feature.geometry.coordinates[0] : null;
	return Object.freeze({
		featureId: feature.featureId,
		name: feature.name,
		point: ring ? ringCentroid(ring) : (feature.geometry.coordinates as Building['point']),
		ring,
		gridId: feature.gridId
	});
}

function computeMap(doc: Y.Doc): MapSnapshot {
	const features: FeatureSnapshot[] = [];
	for (const [key, value] of featuresMap(doc).entries()) {
		const record = parseFeatureRecord(key, value);
		if (!record || record.deleted) continue;
		const feature = readRecord(record);
		if (feature) features.push(feature);
	}
	features.sort((a, b) =>
		compareByAtThenId({ at: a.createdAt, id: a.featureId }, { at: b.createdAt, id: b.featureId })
	);
	const grids: GridArea[] = [];
	const buildings: Building[] = [];
	const conflicts: MapConflict[] = [];
	for (const feature of features) {
		if (feature.kind === 'grid') {
			const area = toGridArea(feature);
			if (area) grids.push(area);
		} else buildings.push(toBuilding(feature));
		conflicts.push(...feature.conflicts);
	}
	return Object.freeze({
		grids: Object.freeze(grids),
		buildings: Object.freeze(buildings),
		conflicts: Object.freeze(conflicts)
	});
}

/**
 * The memo: the last snapshot of each document, dropped by any change under `features` (an
 * `observeDeep` registered on first read). A screen re-renders on every remote update of any
 * document; the map is read again only when the map changed.
 */
type MapMemo = { snapshot: MapSnapshot | null };
const memos = new WeakMap<Y.Doc, MapMemo>();

function memoOf(doc: Y.Doc): MapMemo {
	let memo = memos.get(doc);
	if (memo) return memo;
	const created: MapMemo = { snapshot: null };
	featuresMap(doc).observeDeep(() => {
		created.snapshot = null;
	});
	memos.set(doc, created);
	memo = created;
	return memo;
}

/** The map: its live grid areas and buildings (oldest first) and the conflicts to settle. */
export function readMap(doc: Y.Doc): MapSnapshot {
	const memo = memoOf(doc);
	memo.snapshot ??= computeMap(doc);
	return memo.snapshot;
}
