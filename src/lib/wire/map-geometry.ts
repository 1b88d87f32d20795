/**
 * The map document's geometry values as the wire contract defines them (WGS-84 positions, the
 * Point and one-ring Polygon the map stores, the size caps), shared by the relay's write rules
 * (write-rules-map.ts) and the app's geometry (src/lib/domain/geo.ts).
 *
 * Invariant: pure predicates and constants, no module-level work, so importing it costs a page
 * nothing beyond what it uses.
 */

import { isPlainObject } from './write-rules.ts';

/** The most positions one ring may have (the geometry's size cap). */
export const MAP_MAX_RING_POSITIONS = 1000;
/** The longest building name, in code points. */
export const MAP_NAME_MAX = 40;
export const MAP_FEATURE_KINDS = ['grid', 'building'] as const;

/** A WGS-84 position `[lng, lat]` (src/lib/domain/geo.ts `isLngLat` is this check). */
export function isPosition(value: unknown): value is readonly [number, number] {
	return (
		Array.isArray(value) &&
		value.length === 2 &&
		typeof value[0] === 'number' &&
		typeof value[1] === 'number' &&
		Number.isFinite(value[0]) &&
		Number.isFinite(value[1]) &&
		Math.abs(value[0]) <= 180 &&
		Math.abs(value[1]) <= 90
	);
}

function isClosedRing(value: unknown): boolean {
	if (!Array.isArray(value) || value.length < 4 || value.length > MAP_MAX_RING_POSITIONS) {
		return false;
	}
	if (!value.every(isPosition)) return false;
	const first: unknown = value[0];
	const last: unknown = value[value.length - 1];
	return isPosition(first) && isPosition(last) && first[0] === last[0] && first[1] === last[1];
}

/** Whether `value` is a geometry the map stores: a Point, or a Polygon with one closed ring. */
export function isStoredGeometry(value: unknown): boolean {
	if (!isPlainObject(value) || Object.keys(value).length !== 2) return false;
	const { type, coordinates } = value;
	if (type === 'Point') return isPosition(coordinates);
	if (type === 'Polygon') {
		return Array.isArray(coordinates) && coordinates.length === 1 && isClosedRing(coordinates[0]);
	}
	return false;
}
