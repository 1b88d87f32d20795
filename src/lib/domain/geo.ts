/**
 * Places on the map: WGS-84 longitude/latitude (what GPS reports and OpenStreetMap data uses),
 * the shapes the map document holds (grid areas and buildings) as plain values, and the case's
 * stored point (`mapPoint`, "lng,lat").
 *
 * Coordinates are WGS-84 everywhere in Gridboard: stored, sent and drawn. A basemap in GCJ-02
 * (the offset Chinese map providers use) must be converted to WGS-84 before it is tiled
 * (ARCHITECTURE.md, "The map").
 *
 * Invariant: plain frozen data; a position is [lng, lat] with lng in [-180, 180] and lat in
 * [-90, 90]; a ring is closed (first position equals last) with at least four positions.
 */

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
