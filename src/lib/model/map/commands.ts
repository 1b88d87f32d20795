/**
 * Map commands: every write to a community's map (`c/{communityId}/map`, layout in schema.ts).
 * Each takes the document, its arguments and one context (model/command-context.ts); only a
 * secretary may write (docs/access.md), so each checks the role first and validates its input
 * (src/lib/domain/geo.ts) before one `doc.transact(fn, ORIGIN_LOCAL_EDIT)`.
 *
 * Edits take `seen`, the field's heads when the form or the drawing began (`readFeature`): an
 * edit that arrived meanwhile then stays visible as a conflict instead of being overwritten.
 *
 * Invariant: a refused command writes nothing and says why; an accepted one only adds a feature,
 * appends to a feature's logs, or sets its tombstone once. Nothing is changed or removed.
 */

import * as Y from 'yjs';
import { canAdminister, type AccessClaims } from '../../wire/access';
import {
	pointGeometry,
	polygonGeometry,
	validateBuildingName,
	validatePoint,
	validateRing,
	type BuildingNameReason,
	type LngLat,
	type MapGeometry,
	type RingReason
} from '../../domain/geo';
import { isValidIdSegment, newId, type EditId } from '../../domain/ids';
import { err, ok, type Result } from '../../domain/result';
import { sameHeads } from '../field-log';
import { ORIGIN_LOCAL_EDIT } from '../origins';
import { commandTime, type CommandContext } from '../command-context';
import {
	appendMapFieldEdit,
	createMapFieldLog,
	featuresMap,
	findLiveFeature,
	parseFeatureRecord,
	readFieldStateOf,
	type FeatureKind,
	type FeatureRecord,
	type MapField
} from './schema';

/** What the map's commands check: the acting member's role. */
export type MapAuthority = Readonly<{ claims: Pick<AccessClaims, 'role'> }>;
export type MapContext = CommandContext<MapAuthority>;

export type MapGeometryReason = RingReason | 'point_out_of_range' | 'geometry_required';
export type AddGridAreaReason = 'not_permitted' | 'bad_grid' | 'area_exists' | RingReason;
export type AddBuildingReason =
	'not_permitted' | 'bad_grid' | BuildingNameReason | MapGeometryReason;
export type EditGeometryReason =
	'not_permitted' | 'feature_not_found' | 'polygon_required' | MapGeometryReason;
export type RenameBuildingReason = 'not_permitted' | 'feature_not_found' | BuildingNameReason;
export type SetFeatureGridReason =
	'not_permitted' | 'feature_not_found' | 'bad_grid' | 'grid_required' | 'area_exists';
export type DeleteFeatureReason = 'not_permitted' | 'feature_not_found';
export type ResolveFeatureConflictReason =
	'not_permitted' | 'feature_not_found' | 'no_conflict' | 'unknown_candidate';

/** A building's shape as drawn: a pin, or an outline (its pin is then the outline's centroid). */
export type BuildingShape =
	| Readonly<{ point: LngLat; ring?: undefined }>
	| Readonly<{ ring: readonly LngLat[]; point?: undefined }>;

export type Changed = Readonly<{ changed: boolean }>;

/** The map is the secretary's to draw. */
export const mayEditMap = (context: MapContext): boolean =>
	canAdminister(context.authority.claims.role);

/** A drawn shape as a stored geometry: a validated pin, or a validated ring as a Polygon. */
function validateShape(
	shape: Readonly<{ point?: LngLat | undefined; ring?: readonly LngLat[] | undefined }>
): Result<MapGeometry, MapGeometryReason> {
	if (shape.ring !== undefined) {
		const ring = validateRing(shape.ring);
		return ring.ok ? ok(polygonGeometry(ring.value)) : ring;
	}
	if (shape.point !== undefined) {
		const point = validatePoint(shape.point);
		return point ? ok(pointGeometry(point)) : err('point_out_of_range');
	}
	return err('geometry_required');
}

function liveGridArea(doc: Y.Doc, gridId: string): boolean {
	for (const [key, value] of featuresMap(doc).entries()) {
		const record = parseFeatureRecord(key, value);
		if (!record || record.deleted || record.kind !== 'grid') continue;
		const state = readFieldStateOf(record.map, 'gridId');
		if (state.value === gridId) return true;
	}
	return false;
}

function createFeature(
	doc: Y.Doc,
	kind: FeatureKind,
	values: Readonly<{ geometry: MapGeometry; name: string; gridId: string }>,
	context: MapContext
): string {
	const { actor } = context;
	const at = commandTime(context);
	const id = newId();
	doc.transact(() => {
		const feature = new Y.Map<unknown>();
		featuresMap(doc).set(id, feature);
		feature.set('id', id);
		feature.set('kind', kind);
		feature.set('createdAt', at);
		feature.set('createdBy', actor.name);
		feature.set('createdByDevice', actor.deviceId);
		feature.set('geometry', createMapFieldLog(values.geometry, actor, at));
		feature.set('name', createMapFieldLog(values.name, actor, at));
		feature.set('gridId', createMapFieldLog(values.gridId, actor, at));
	}, ORIGIN_LOCAL_EDIT);
	return id;
}

/**
 * Outlines a grid of the directory on the map. One area per grid: a grid that already has one
 * is refused (`area_exists`; edit its geometry instead). Returns the new feature's id.
 */
export function addGridArea(
	doc: Y.Doc,
	input: Readonly<{ gridId: string; ring: readonly LngLat[] }>,
	context: MapContext
): Result<string, AddGridAreaReason> {
	if (!mayEditMap(context)) return err('not_permitted');
	if (!isValidIdSegment(input.gridId)) return err('bad_grid');
	const ring = validateRing(input.ring);
	if (!ring.ok) return ring;
	if (liveGridArea(doc, input.gridId)) return err('area_exists');
	const geometry = polygonGeometry(ring.value);
	return ok(createFeature(doc, 'grid', { geometry, name: '', gridId: input.gridId }, context));
}

/** Adds a named building, pinned (`point`) or outlined (`ring`), in a grid or none (null). */
export function addBuilding(
	doc: Y.Doc,
	input: Readonly<{ name: string; gridId: string | null }> & BuildingShape,
	context: MapContext
): Result<string, AddBuildingReason> {
	if (!mayEditMap(context)) return err('not_permitted');
	const name = validateBuildingName(input.name);
	if (!name.ok) return name;
	if (input.gridId !== null && !isValidIdSegment(input.gridId)) return err('bad_grid');
	const geometry = validateShape(input);
	if (!geometry.ok) return geometry;
	return ok(
		createFeature(
			doc,
			'building',
			{ geometry: geometry.value, name: name.value, gridId: input.gridId ?? '' },
			context
		)
	);
}

/**
 * Appends `value` to a field unless it is already shown there with no conflict and the editor
 * saw the current heads (then nothing is written: `changed: false`).
 */
function appendIfNew(
	doc: Y.Doc,
	feature: FeatureRecord,
	field: MapField,
	value: MapGeometry | string,
	seen: readonly EditId[] | undefined,
	context: MapContext
): Changed {
	const current = readFieldStateOf(feature.map, field);
	const sawCurrent = seen === undefined || sameHeads(seen, current.heads);
	const same =
		typeof value === 'string'
			? current.value === value
			: current.value !== null &&
				typeof current.value !== 'string' &&
				JSON.stringify(current.value) === JSON.stringify(value);
	if (same && current.conflict === null && sawCurrent) return { changed: false };
	const at = commandTime(context);
	doc.transact(() => {
		appendMapFieldEdit(feature.map, field, value, context.actor, at, seen);
	}, ORIGIN_LOCAL_EDIT);
	return { changed: true };
}

/**
 * Redraws a feature: a grid area takes a ring; a building a pin or an outline (either may replace
 * the other).
 */
export function editFeatureGeometry(
	doc: Y.Doc,
	featureId: string,
	input: BuildingShape & Readonly<{ seen?: readonly EditId[] }>,
	context: MapContext
): Result<Changed, EditGeometryReason> {
	if (!mayEditMap(context)) return err('not_permitted');
	const feature = findLiveFeature(doc, featureId);
	if (!feature) return err('feature_not_found');
	if (feature.kind === 'grid' && input.ring === undefined) return err('polygon_required');
	const geometry = validateShape(input);
	if (!geometry.ok) return geometry;
	return ok(appendIfNew(doc, feature, 'geometry', geometry.value, input.seen, context));
}

export function renameBuilding(
	doc: Y.Doc,
	featureId: string,
	input: Readonly<{ name: string; seen?: readonly EditId[] }>,
	context: MapContext
): Result<Changed, RenameBuildingReason> {
	if (!mayEditMap(context)) return err('not_permitted');
	const name = validateBuildingName(input.name);
	if (!name.ok) return name;
	const feature = findLiveFeature(doc, featureId);
	if (!feature || feature.kind !== 'building') return err('feature_not_found');
	return ok(appendIfNew(doc, feature, 'name', name.value, input.seen, context));
}

/**
 * The grid a building belongs to (null: none), or the grid a grid area outlines (required; not a
 * grid that has an area already).
 */
export function setFeatureGrid(
	doc: Y.Doc,
	featureId: string,
	input: Readonly<{ gridId: string | null; seen?: readonly EditId[] }>,
	context: MapContext
): Result<Changed, SetFeatureGridReason> {
	if (!mayEditMap(context)) return err('not_permitted');
	const feature = findLiveFeature(doc, featureId);
	if (!feature) return err('feature_not_found');
	if (input.gridId === null && feature.kind === 'grid') return err('grid_required');
	if (input.gridId !== null && !isValidIdSegment(input.gridId)) return err('bad_grid');
	if (feature.kind === 'grid' && input.gridId !== null) {
		const current = readFieldStateOf(feature.map, 'gridId').value;
		if (current !== input.gridId && liveGridArea(doc, input.gridId)) return err('area_exists');
	}
	return ok(appendIfNew(doc, feature, 'gridId', input.gridId ?? '', input.seen, context));
}

/** Tombstones a feature: it leaves the map; its record and history stay in the document. */
export function deleteFeature(
	doc: Y.Doc,
	featureId: string,
	context: MapContext
): Result<Changed, DeleteFeatureReason> {
	if (!mayEditMap(context)) return err('not_permitted');
	const feature = findLiveFeature(doc, featureId);
	if (!feature) return err('feature_not_found');
	const at = commandTime(context);
	doc.transact(() => {
		feature.map.set('deletedAt', at);
		feature.map.set('deletedBy', context.actor.name);
	}, ORIGIN_LOCAL_EDIT);
	return ok({ changed: true });
}

/**
 * Settles a conflict in one field by keeping one of its candidates (`MapConflict.values[i]
 * .editId`): appends that value over every current head.
 */
export function resolveFeatureConflict(
	doc: Y.Doc,
	featureId: string,
	input: Readonly<{ field: MapField; editId: EditId }>,
	context: MapContext
): Result<Changed, ResolveFeatureConflictReason> {
	if (!mayEditMap(context)) return err('not_permitted');
	const feature = findLiveFeature(doc, featureId);
	if (!feature) return err('feature_not_found');
	const state = readFieldStateOf(feature.map, input.field);
	if (state.conflict === null) return err('no_conflict');
	const chosen = state.conflict.find((candidate) => candidate.editId === input.editId);
	if (!chosen) return err('unknown_candidate');
	const at = commandTime(context);
	doc.transact(() => {
		const { value } = chosen;
		if (value !== null)
			appendMapFieldEdit(feature.map, input.field, value, context.actor, at, state.heads);
	}, ORIGIN_LOCAL_EDIT);
	return ok({ changed: true });
}
