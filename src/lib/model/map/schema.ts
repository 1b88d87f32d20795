/**
 * The map document's Yjs layout (`c/{communityId}/map`) and its field logs:
 *
 *   doc.getMap('features'): featureId → Y.Map {
 *     id, kind: 'grid' | 'building', createdAt, createdBy (display name), createdByDevice,
 *     geometry: field log of GeoJSON geometry values ({type:'Polygon', coordinates:[ring]} for a
 *               grid area; {type:'Point', coordinates:[lng,lat]} or a Polygon for a building)
 *     name:     field log (a building's name; '' for a grid area)
 *     gridId:   field log (the grid a grid area outlines / a building belongs to; '' none)
 *     deletedAt?, deletedBy?                     (tombstone; never removed)
 *   }
 *
 * The logs are field logs (../field-log.ts): edits `{ id, value, bases, by, deviceId, at }`,
 * created with the feature, appended to afterwards (in the log itself, or in a `field~<clientID>`
 * slot, ../slots.ts), concurrent edits kept as a conflict. A geometry is an object, which field
 * logs do not compare: it is read through its canonical JSON text, so two people who drew the
 * same outline do not disagree.
 *
 * Invariant: a feature's Y.Map and its logs are created once, by the command that adds it; after
 * that its logs only grow and its tombstone is set once. The relay's rules for this layout:
 * src/lib/wire/write-rules-map.ts.
 */

import * as Y from 'yjs';
import type { Actor } from '../../domain/actor';
import { isMapGeometry, type MapGeometry } from '../../domain/geo';
import { isValidIdSegment, newEditId, type EditId } from '../../domain/ids';
import { parseFieldEdit, resolveFieldState, type FieldEdit } from '../field-log';
import { logSlots, writableLogSlot } from '../slots';

export type FeatureKind = 'grid' | 'building';
export const MAP_FIELDS = ['geometry', 'name', 'gridId'] as const;
export type MapField = (typeof MAP_FIELDS)[number];

export type MapCandidate<T> = Readonly<{ value: T; by: string; at: number; editId: EditId }>;

/** A field's state: the shown value (null for a geometry no edit holds), its heads, any conflict. */
export type MapFieldState<T> = Readonly<{
	value: T;
	/** Concurrent values, one per distinct value, the shown one first; null when none. */
	conflict: readonly MapCandidate<T>[] | null;
	/** What an editor "saw": pass back as `seen` so an edit arriving meanwhile stays visible. */
	heads: readonly EditId[];
}>;

export function featuresMap(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap<unknown>('features');
}

export function isFeatureKind(value: unknown): value is FeatureKind {
	return value === 'grid' || value === 'building';
}

const isString = (value: unknown): value is string => typeof value === 'string';

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The canonical text of a geometry: one key order, so equal geometries have equal text. */
function geometryText(geometry: MapGeometry): string {
	return JSON.stringify({ type: geometry.type, coordinates: geometry.coordinates });
}

function geometryOf(text: string): MapGeometry {
	const parsed = JSON.parse(text) as MapGeometry;
	return deepFreeze(parsed);
}

function deepFreeze<T>(value: T): T {
	if (typeof value === 'object' && value !== null) {
		for (const inner of Object.values(value)) deepFreeze(inner);
		Object.freeze(value);
	}
	return value;
}

/** A field's edits from all its slots, values as text (a geometry's canonical JSON). */
function readTextEdits(map: Y.Map<unknown>, field: MapField): FieldEdit<string>[] {
	const edits: FieldEdit<string>[] = [];
	for (const log of logSlots(map, field)) {
		for (const raw of log.toArray()) {
			let entry: unknown = raw;
			if (field === 'geometry') {
				if (!isRecord(raw) || !isMapGeometry(raw.value)) continue;
				entry = { ...raw, value: geometryText(raw.value) };
			}
			const edit = parseFieldEdit(entry, isString);
			if (edit) edits.push(edit);
		}
	}
	return edits;
}

export function readGeometryState(map: Y.Map<unknown>): MapFieldState<MapGeometry | null> {
	const state = resolveFieldState(readTextEdits(map, 'geometry'), '');
	return Object.freeze({
		value: state.value === '' ? null : geometryOf(state.value),
		conflict: state.conflict
			? Object.freeze(
					state.conflict.values.map((candidate) =>
						Object.freeze({ ...candidate, value: geometryOf(candidate.value) })
					)
				)
			: null,
		heads: state.heads
	});
}

export function readTextState(
	map: Y.Map<unknown>,
	field: 'name' | 'gridId'
): MapFieldState<string> {
	const state = resolveFieldState(readTextEdits(map, field), '');
	return Object.freeze({
		value: state.value,
		conflict: state.conflict ? state.conflict.values : null,
		heads: state.heads
	});
}

export function readFieldStateOf(
	map: Y.Map<unknown>,
	field: MapField
): MapFieldState<MapGeometry | string | null> {
	return field === 'geometry' ? readGeometryState(map) : readTextState(map, field);
}

type StoredValue = MapGeometry | string;

function newEdit(value: StoredValue, bases: readonly EditId[], actor: Actor, at: number) {
	return {
		id: newEditId(),
		value,
		bases: [...bases],
		by: actor.name,
		deviceId: actor.deviceId,
		at
	};
}

/** A new, not yet integrated log holding a first edit; set it into the feature's Y.Map. */
export function createMapFieldLog(value: StoredValue, actor: Actor, at: number): Y.Array<unknown> {
	const log = new Y.Array<unknown>();
	log.push([newEdit(value, [], actor, at)]);
	return log;
}

/**
 * Appends an edit superseding `seen` (default: the field's heads now). Call inside a
 * transaction. Returns the new edit's id.
 */
export function appendMapFieldEdit(
	map: Y.Map<unknown>,
	field: MapField,
	value: StoredValue,
	actor: Actor,
	at: number,
	seen?: readonly EditId[]
): EditId {
	const bases = seen ?? readFieldStateOf(map, field).heads;
	const edit = newEdit(value, bases, actor, at);
	writableLogSlot(map, field).push([edit]);
	return edit.id;
}

/** A feature as stored: its Y.Map, kind and creation; null when malformed. */
export type FeatureRecord = Readonly<{
	id: string;
	map: Y.Map<unknown>;
	kind: FeatureKind;
	createdAt: number;
	createdBy: string;
	deleted: boolean;
}>;

export function parseFeatureRecord(key: string, value: unknown): FeatureRecord | null {
	if (!(value instanceof Y.Map) || !isValidIdSegment(key)) return null;
	const kind = value.get('kind');
	const createdAt = value.get('createdAt');
	const createdBy = value.get('createdBy');
	if (!isFeatureKind(kind) || typeof createdAt !== 'number') return null;
	return {
		id: key,
		map: value,
		kind,
		createdAt,
		createdBy: typeof createdBy === 'string' ? createdBy : '',
		deleted: value.get('deletedAt') !== undefined
	};
}

/** A feature not tombstoned, or null. */
export function findLiveFeature(doc: Y.Doc, featureId: string): FeatureRecord | null {
	const record = parseFeatureRecord(featureId, featuresMap(doc).get(featureId));
	return record && !record.deleted ? record : null;
}
