/**
 * Places on the map: WGS-84 longitude/latitude (what GPS reports and OpenStreetMap data uses),
 * the shapes the map document holds (grid areas and buildings) as plain values, and the case's
 * stored point (`mapPoint`, "lng,lat").
 *
 * Coordinates are WGS-84 everywhere in Gridboard: stored, sent and drawn. A basemap in GCJ-02
 * (the offset Chinese map providers use) must be converted to WGS-84 before it is tiled
 * (ARCHITECTURE.md, "The map").
 *
 * Also the geometry the map screens need: validating drawn rings, area, centroid, distance,
 * bounding box, point-in-polygon and `suggestPlace` (which grid and building a point is in).
 *
 * Invariant: plain frozen data; a position is [lng, lat] with lng in [-180, 180] and lat in
 * [-90, 90]; a ring is closed (first position equals last) with at least four positions.
 */

import {
	isPosition,
	isStoredGeometry,
	MAP_MAX_RING_POSITIONS,
	MAP_NAME_MAX
} from '../wire/map-geometry.ts';
import { err, ok, type Result } from './result';

/** The map document's name (`c/{communityId}/map`), the wire contract's builder. */
export { mapDocName } from '../wire/doc-names.ts';

export type LngLat = readonly [lng: number, lat: number];

/** A polygon's outer ring, closed. */
export type Ring = readonly LngLat[];

/** A grid's area on the map: the outline of one grid of the directory. */
export type GridArea = Readonly<{ featureId: string; gridId: string; ring: Ring }>;

/** A building: its name, a point to pin it, an optional outline and the grid it belongs to. */
export type Building = Readonly<{
	featureId: string;
	name: string;
	point: LngLat;
	ring: Ring | null;
	gridId: string | null;
}>;

export function isLngLat(value: unknown): value is LngLat {
	return isPosition(value);
}

/** The case's stored point ("lng,lat", up to 8 decimals) as a position; null when empty or bad. */
export function parseMapPoint(value: string): LngLat | null {
	const match = /^(-?\d{1,3}(?:\.\d{1,8})?),(-?\d{1,2}(?:\.\d{1,8})?)$/.exec(value.trim());
	if (!match) return null;
	const point: LngLat = [Number(match[1]), Number(match[2])];
	return isLngLat(point) ? point : null;
}

/** A position as the case stores it: "lng,lat" with 6 decimals (about 10 cm). */
export function formatMapPoint([lng, lat]: LngLat): string {
	return `${lng.toFixed(6)},${lat.toFixed(6)}`;
}

// ---- Geometry values of the map document ---------------------------------------------------

/** A GeoJSON Point: a building's pin. */
export type PointGeometry = Readonly<{ type: 'Point'; coordinates: LngLat }>;
/** A GeoJSON Polygon with one (outer) ring: a grid area or a building's outline. */
export type PolygonGeometry = Readonly<{ type: 'Polygon'; coordinates: readonly [Ring] }>;
export type MapGeometry = PointGeometry | PolygonGeometry;

/** The most positions a ring may have: a hand-drawn outline needs tens, a traced grid hundreds. */
export const MAX_RING_POSITIONS = MAP_MAX_RING_POSITIONS;
/** Positions are kept to 7 decimals (about 1 cm), so a ring's JSON stays small. */
const DECIMALS = 1e7;
/** A ring enclosing less than this is a line or a point drawn twice, not an area. */
const MIN_AREA_M2 = 0.5;

export type RingReason = 'out_of_range' | 'too_few_points' | 'too_many_points' | 'degenerate';

function samePosition(a: LngLat, b: LngLat): boolean {
	return a[0] === b[0] && a[1] === b[1];
}

function rounded(position: LngLat): LngLat {
	return Object.freeze([
		Math.round(position[0] * DECIMALS) / DECIMALS,
		Math.round(position[1] * DECIMALS) / DECIMALS
	]) as LngLat;
}

/** A position as stored: in range, rounded to 7 decimals; null when not a position. */
export function validatePoint(point: unknown): LngLat | null {
	return isLngLat(point) ? rounded(point) : null;
}

/**
 * A drawn outline as a stored ring: every position in WGS-84 range, rounded, consecutive
 * duplicates dropped, closed (the first position repeated at the end when it is not), at least
 * four positions (a triangle), at most MAX_RING_POSITIONS, enclosing a real area.
 */
export function validateRing(input: readonly unknown[]): Result<Ring, RingReason> {
	const positions: LngLat[] = [];
	for (const raw of input) {
		if (!isLngLat(raw)) return err('out_of_range');
		const position = rounded(raw);
		const last = positions[positions.length - 1];
		if (last === undefined || !samePosition(last, position)) positions.push(position);
	}
	const first = positions[0];
	const last = positions[positions.length - 1];
	if (first !== undefined && last !== undefined && !samePosition(first, last)) {
		positions.push(first);
	}
	if (positions.length < 4) return err('too_few_points');
	if (positions.length > MAX_RING_POSITIONS) return err('too_many_points');
	if (ringAreaM2(positions) < MIN_AREA_M2) return err('degenerate');
	return ok(Object.freeze(positions));
}

/**
 * Whether `value` is a geometry the map document stores (a Point, or a Polygon of one closed
 * ring): the relay's check (src/lib/wire/write-rules-map.ts), so app and relay agree.
 */
export function isMapGeometry(value: unknown): value is MapGeometry {
	return isStoredGeometry(value);
}

export function pointGeometry(point: LngLat): PointGeometry {
	return Object.freeze({ type: 'Point', coordinates: point });
}

export function polygonGeometry(ring: Ring): PolygonGeometry {
	return Object.freeze({ type: 'Polygon', coordinates: Object.freeze([ring]) as readonly [Ring] });
}

// ---- Names ----------------------------------------------------------------------------------

/** The longest building name, like a grid's: "幸福里小区3号楼" fits many times. */
export const BUILDING_NAME_MAX = MAP_NAME_MAX;
export type BuildingNameReason = 'name_required' | 'name_too_long';

/** A building's name as stored: trimmed, 1–BUILDING_NAME_MAX characters (code points). */
export function validateBuildingName(name: string): Result<string, BuildingNameReason> {
	const trimmed = name.trim();
	if (trimmed === '') return err('name_required');
	return [...trimmed].length > BUILDING_NAME_MAX ? err('name_too_long') : ok(trimmed);
}

// ---- Measures -------------------------------------------------------------------------------

/** The Earth's mean radius (IUGG), metres. */
const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** Great-circle distance in metres between two positions (haversine). */
export function distanceM(a: LngLat, b: LngLat): number {
	const dLat = (b[1] - a[1]) * RAD;
	const dLng = (b[0] - a[0]) * RAD;
	const h =
		Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * RAD) * Math.cos(b[1] * RAD) * Math.sin(dLng / 2) ** 2;
	return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * A ring projected to local metres (equirectangular around its first position): exact enough for
 * a grid or a building, a few kilometres across at most.
 */
function localMetres(ring: readonly LngLat[]): { xy: [number, number][]; origin: LngLat } {
	const origin = ring[0] ?? ([0, 0] as LngLat);
	const kx = EARTH_RADIUS_M * RAD * Math.cos(origin[1] * RAD);
	const ky = EARTH_RADIUS_M * RAD;
	const xy = ring.map(([lng, lat]): [number, number] => [
		(lng - origin[0]) * kx,
		(lat - origin[1]) * ky
	]);
	return { xy, origin };
}

/** Twice the signed area (shoelace) of a closed ring of local metres. */
function signedDoubleArea(xy: readonly [number, number][]): number {
	let sum = 0;
	for (let i = 0; i + 1 < xy.length; i++) {
		const [x0, y0] = xy[i] as [number, number];
		const [x1, y1] = xy[i + 1] as [number, number];
		sum += x0 * y1 - x1 * y0;
	}
	return sum;
}

/** The area a closed ring encloses, square metres (0 for fewer than four positions). */
export function ringAreaM2(ring: readonly LngLat[]): number {
	if (ring.length < 4) return 0;
	return Math.abs(signedDoubleArea(localMetres(ring).xy)) / 2;
}

/**
 * The centroid of the area a closed ring encloses (where a building's pin goes when only its
 * outline was drawn); the mean of its positions when it encloses no area.
 */
export function ringCentroid(ring: Ring): LngLat {
	const { xy, origin } = localMetres(ring);
	const double = signedDoubleArea(xy);
	const kx = EARTH_RADIUS_M * RAD * Math.cos(origin[1] * RAD);
	const ky = EARTH_RADIUS_M * RAD;
	let cx = 0;
	let cy = 0;
	if (Math.abs(double) > 1e-9) {
		for (let i = 0; i + 1 < xy.length; i++) {
			const [x0, y0] = xy[i] as [number, number];
			const [x1, y1] = xy[i + 1] as [number, number];
			const cross = x0 * y1 - x1 * y0;
			cx += (x0 + x1) * cross;
			cy += (y0 + y1) * cross;
		}
		cx /= 3 * double;
		cy /= 3 * double;
	} else {
		const open = xy.slice(0, Math.max(1, xy.length - 1));
		for (const [x, y] of open) {
			cx += x / open.length;
			cy += y / open.length;
		}
	}
	return rounded([origin[0] + cx / kx, origin[1] + cy / ky]);
}

/** [west, south, east, north] of a set of positions; null for none. */
export type BBox = readonly [west: number, south: number, east: number, north: number];

export function bboxOf(positions: Iterable<LngLat>): BBox | null {
	let west = Infinity;
	let south = Infinity;
	let east = -Infinity;
	let north = -Infinity;
	for (const [lng, lat] of positions) {
		west = Math.min(west, lng);
		south = Math.min(south, lat);
		east = Math.max(east, lng);
		north = Math.max(north, lat);
	}
	return west === Infinity ? null : Object.freeze([west, south, east, north]);
}

/** Whether `point` lies on the segment a–b (within a tolerance of about 1 mm in degrees). */
function onSegment(point: LngLat, a: LngLat, b: LngLat): boolean {
	const EPS = 1e-8;
	const cross = (b[0] - a[0]) * (point[1] - a[1]) - (b[1] - a[1]) * (point[0] - a[0]);
	const length = Math.hypot(b[0] - a[0], b[1] - a[1]);
	if (Math.abs(cross) > EPS * Math.max(length, EPS)) return false;
	return (
		point[0] >= Math.min(a[0], b[0]) - EPS &&
		point[0] <= Math.max(a[0], b[0]) + EPS &&
		point[1] >= Math.min(a[1], b[1]) - EPS &&
		point[1] <= Math.max(a[1], b[1]) + EPS
	);
}

/**
 * Whether `point` is inside the closed ring (ray casting). A point on the outline (a vertex or
 * an edge) counts as inside: a case reported at a grid's boundary belongs to a grid.
 */
export function pointInRing(point: LngLat, ring: Ring): boolean {
	let inside = false;
	for (let i = 0; i + 1 < ring.length; i++) {
		const a = ring[i] as LngLat;
		const b = ring[i + 1] as LngLat;
		if (onSegment(point, a, b)) return true;
		// Half-open rule on latitude: a vertex the ray passes through is counted once.
		if (a[1] > point[1] !== b[1] > point[1]) {
			const lngAtLat = a[0] + ((point[1] - a[1]) / (b[1] - a[1])) * (b[0] - a[0]);
			if (point[0] < lngAtLat) inside = !inside;
		}
	}
	return inside;
}

// ---- Placing a point ------------------------------------------------------------------------

/** How near a building's pin a point must be to suggest that building, metres. */
export const NEAR_BUILDING_M = 60;

export type PlaceSuggestion = Readonly<{ gridId: string | null; buildingId: string | null }>;

/**
 * A ring's bounding box and area, computed once per ring: the rings of `readMap` are frozen
 * values, so `suggestPlace` over thousands of points tests most rings by their box alone.
 */
const ringFacts = new WeakMap<Ring, Readonly<{ box: BBox | null; area: number }>>();

function factsOf(ring: Ring): Readonly<{ box: BBox | null; area: number }> {
	let facts = ringFacts.get(ring);
	if (!facts) {
		facts = { box: bboxOf(ring), area: ringAreaM2(ring) };
		ringFacts.set(ring, facts);
	}
	return facts;
}

/** Whether `point` is in the box, with the tolerance `pointInRing` gives a point on an edge. */
function inBox([lng, lat]: LngLat, box: BBox | null): boolean {
	const EPS = 1e-8;
	if (box === null) return false;
	return lng >= box[0] - EPS && lng <= box[2] + EPS && lat >= box[1] - EPS && lat <= box[3] + EPS;
}

/** Of the rings holding `point`, the index of the smallest (the most specific); -1 for none. */
function smallestHolding(point: LngLat, rings: readonly (Ring | null)[]): number {
	let best = -1;
	let bestArea = Infinity;
	rings.forEach((ring, index) => {
		if (ring === null) return;
		const { box, area } = factsOf(ring);
		if (!inBox(point, box) || area >= bestArea || !pointInRing(point, ring)) return;
		best = index;
		bestArea = area;
	});
	return best;
}

/**
 * Where a point on the map most likely belongs: the grid whose area holds it (the smallest, if
 * areas overlap), and the building whose outline holds it, else the building whose pin is nearest
 * within NEAR_BUILDING_M. A suggestion only: the person placing the point confirms it.
 */
export function suggestPlace(
	point: LngLat,
	map: Readonly<{ grids: readonly GridArea[]; buildings: readonly Building[] }>
): PlaceSuggestion {
	const gridIndex = smallestHolding(
		point,
		map.grids.map((grid) => grid.ring)
	);
	const outlineIndex = smallestHolding(
		point,
		map.buildings.map((building) => building.ring)
	);
	let building = map.buildings[outlineIndex] ?? null;
	if (building === null) {
		let nearest = NEAR_BUILDING_M;
		for (const candidate of map.buildings) {
			const distance = distanceM(point, candidate.point);
			if (distance <= nearest) {
				nearest = distance;
				building = candidate;
			}
		}
	}
	return Object.freeze({
		gridId: map.grids[gridIndex]?.gridId ?? null,
		buildingId: building?.featureId ?? null
	});
}
