/**
 * An imported extract (a GeoJSON FeatureCollection, e.g. exported from OpenStreetMap) read and
 * checked before anything is tiled: a file over the size limit, text that is not JSON, JSON that
 * is not GeoJSON, or a coordinate outside WGS-84 is refused with a message that names the
 * problem (and, for a coordinate, the feature it is in).
 *
 * Invariant: this module only reads; a refusal leaves nothing behind.
 */
import fsp from 'node:fs/promises';
import { gcj02ToWgs84 } from './gcj02.ts';
import { classify, type Feature, type Layers } from './tiling.ts';

export const MAX_EXTRACT_BYTES = 200 * 1024 * 1024;

/** A refusal of the input, for the admin command to print. */
export class BasemapInputError extends Error {}

const GEOMETRY_DEPTH: Record<string, number> = {
	Point: 0,
	MultiPoint: 1,
	LineString: 1,
	MultiLineString: 2,
	Polygon: 2,
	MultiPolygon: 3
};

/** Checks a geometry's nesting and that every position is a finite lng in ±180, lat in ±90. */
export function checkGeometry(geometry: unknown, where: string): Feature['geometry'] {
	if (typeof geometry !== 'object' || geometry === null) {
		throw new BasemapInputError(`${where}: no geometry`);
	}
	const { type, coordinates } = geometry as { type?: unknown; coordinates?: unknown };
	const depth = typeof type === 'string' ? GEOMETRY_DEPTH[type] : undefined;
	if (depth === undefined) {
		throw new BasemapInputError(`${where}: unsupported geometry type ${JSON.stringify(type)}`);
	}
	const visit = (value: unknown, level: number): void => {
		if (!Array.isArray(value)) throw new BasemapInputError(`${where}: malformed coordinates`);
		if (level > 0) {
			for (const item of value) visit(item, level - 1);
			return;
		}
		const [lng, lat] = value as unknown[];
		if (typeof lng !== 'number' || typeof lat !== 'number' || value.length < 2) {
			throw new BasemapInputError(`${where}: a position is not [longitude, latitude]`);
		}
		if (
			!Number.isFinite(lng) ||
			!Number.isFinite(lat) ||
			Math.abs(lng) > 180 ||
			Math.abs(lat) > 90
		) {
			throw new BasemapInputError(
				`${where}: coordinate [${lng}, ${lat}] is outside WGS-84 (longitude ±180, latitude ±90)`
			);
		}
	};
	visit(coordinates, depth);
	return { type, coordinates } as Feature['geometry'];
}

/** Every position of a checked geometry through `transform`. */
function mapPositions(
	geometry: Feature['geometry'],
	transform: (lng: number, lat: number) => [number, number]
): Feature['geometry'] {
	const visit = (value: unknown): unknown => {
		const list = value as unknown[];
		if (typeof list[0] === 'number') return transform(list[0], list[1] as number);
		return list.map(visit);
	};
	return { type: geometry.type, coordinates: visit(geometry.coordinates) };
}

export type ExtractOptions = { fromGcj02?: boolean; maxBytes?: number };

/** Reads an extract file into the basemap's layers (added to `into`); returns features kept. */
export async function readExtract(
	file: string,
	into: Layers,
	options: ExtractOptions = {}
): Promise<{ read: number; kept: number }> {
	const maxBytes = options.maxBytes ?? MAX_EXTRACT_BYTES;
	let size: number;
	try {
		size = (await fsp.stat(file)).size;
	} catch {
		throw new BasemapInputError(`cannot read ${file}`);
	}
	if (size > maxBytes) {
		throw new BasemapInputError(
			`${file} is ${Math.round(size / 1e6)} MB; the limit is ${Math.round(maxBytes / 1e6)} MB`
		);
	}
	const text = await fsp.readFile(file, 'utf8');
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		throw new BasemapInputError(`${file} is not JSON`);
	}
	return addGeoJson(json, into, file, options);
}

/** Adds a parsed GeoJSON FeatureCollection (or one Feature) to the layers. */
export function addGeoJson(
	json: unknown,
	into: Layers,
	name: string,
	options: ExtractOptions = {}
): { read: number; kept: number } {
	const root = json as { type?: unknown; features?: unknown };
	let features: unknown[];
	if (root?.type === 'FeatureCollection' && Array.isArray(root.features)) features = root.features;
	else if (root?.type === 'Feature') features = [root];
	else throw new BasemapInputError(`${name} is not GeoJSON (no FeatureCollection)`);
	let kept = 0;
	features.forEach((raw, i) => {
		const feature = raw as { type?: unknown; geometry?: unknown; properties?: unknown };
		const where = `${name}: feature ${i}`;
		if (feature?.type !== 'Feature') throw new BasemapInputError(`${where} is not a Feature`);
		// No geometry, or a collection of them (rare in extracts): nothing this basemap draws.
		const type = (feature.geometry as { type?: unknown } | null)?.type;
		if (feature.geometry === null || type === 'GeometryCollection') return;
		let geometry = checkGeometry(feature.geometry, where);
		if (options.fromGcj02) geometry = mapPositions(geometry, gcj02ToWgs84);
		const properties =
			typeof feature.properties === 'object' && feature.properties !== null
				? (feature.properties as Record<string, unknown>)
				: {};
		const sorted = classify(geometry.type, properties);
		if (!sorted) return;
		into[sorted.layer].push({ type: 'Feature', geometry, properties: sorted.properties });
		kept++;
	});
	return { read: features.length, kept };
}
