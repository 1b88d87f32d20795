/**
 * GeoJSON → vector tiles: features sorted into the basemap's layers, cut with geojson-vt and
 * encoded with vt-pbf, z12–18 by default.
 *
 *   roads      extract features with `highway`               { class, name }
 *   buildings  extract `building` + the community's drawn buildings   { name }
 *   water      `natural=water`, `waterway`, `water`           { class }
 *   landuse    `landuse`, `leisure=park`                      { class }
 *   grids      the community's drawn grid areas               { gridId }
 *   labels     named points: drawn buildings, grid centres, extract points with a name  { name, kind }
 *
 * Invariants: input is WGS-84 lng/lat (checked before it gets here, extract.ts); a tile is
 * written only when some layer has a feature in it, and a tile's children are looked at only
 * when it has one, so the work follows the data, not the bounding box; tiles are gzipped.
 */
import { gzipSync } from 'node:zlib';
import { GeoJSONVT } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { Bounds, Tile } from './pmtiles-writer.ts';

export const LAYERS = ['roads', 'buildings', 'water', 'landuse', 'grids', 'labels'] as const;
export type LayerName = (typeof LAYERS)[number];

export type Feature = {
	type: 'Feature';
	geometry: { type: string; coordinates: unknown };
	properties: Record<string, string>;
};
export type Layers = Record<LayerName, Feature[]>;

export const emptyLayers = (): Layers => ({
	roads: [],
	buildings: [],
	water: [],
	landuse: [],
	grids: [],
	labels: []
});

const text = (value: unknown): string | null =>
	typeof value === 'string' && value !== ''
		? value
		: typeof value === 'number'
			? String(value)
			: null;

/**
 * The layer an extract feature (OpenStreetMap-like tags in `properties`) belongs to, and the
 * properties it keeps there; null for what the basemap does not draw.
 */
export function classify(
	geometryType: string,
	properties: Record<string, unknown>
): { layer: LayerName; properties: Record<string, string> } | null {
	const name = text(properties['name:zh'] ?? properties.name);
	const withName = (props: Record<string, string>) => (name ? { ...props, name } : props);
	const isPoint = geometryType === 'Point' || geometryType === 'MultiPoint';
	const highway = text(properties.highway);
	if (highway && !isPoint) return { layer: 'roads', properties: withName({ class: highway }) };
	const building = text(properties.building);
	if (building && !isPoint) return { layer: 'buildings', properties: withName({}) };
	const waterway = text(properties.waterway);
	if (waterway && !isPoint) return { layer: 'water', properties: { class: waterway } };
	if ((properties.natural === 'water' || text(properties.water)) && !isPoint) {
		return { layer: 'water', properties: { class: text(properties.water) ?? 'water' } };
	}
	const landuse = text(properties.landuse) ?? (properties.leisure === 'park' ? 'park' : null);
	if (landuse && !isPoint) return { layer: 'landuse', properties: { class: landuse } };
	if (isPoint && name) {
		const kind = text(properties.place) ?? text(properties.amenity) ?? 'place';
		return { layer: 'labels', properties: { name, kind } };
	}
	return null;
}

export type Coverage = { bounds: Bounds; features: number };

/** The bounding box of every coordinate in the layers (null when there is none). */
export function coverage(layers: Layers): Coverage | null {
	let west = Infinity;
	let south = Infinity;
	let east = -Infinity;
	let north = -Infinity;
	let features = 0;
	const visit = (value: unknown): void => {
		if (!Array.isArray(value)) return;
		if (typeof value[0] === 'number') {
			const [lng, lat] = value as number[];
			west = Math.min(west, lng!);
			east = Math.max(east, lng!);
			south = Math.min(south, lat!);
			north = Math.max(north, lat!);
			return;
		}
		for (const item of value) visit(item);
	};
	for (const name of LAYERS) {
		for (const feature of layers[name]) {
			features++;
			visit(feature.geometry.coordinates);
		}
	}
	return features > 0 && west <= east ? { bounds: { west, south, east, north }, features } : null;
}

function tileRange(bounds: Bounds, z: number): { x0: number; x1: number; y0: number; y1: number } {
	const n = 2 ** z;
	const clampLat = (lat: number) => Math.max(-85.0511, Math.min(85.0511, lat));
	const x = (lng: number) => Math.min(n - 1, Math.max(0, Math.floor(((lng + 180) / 360) * n)));
	const y = (lat: number) => {
		const rad = (clampLat(lat) * Math.PI) / 180;
		const value = (1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2;
		return Math.min(n - 1, Math.max(0, Math.floor(value * n)));
	};
	return { x0: x(bounds.west), x1: x(bounds.east), y0: y(bounds.north), y1: y(bounds.south) };
}

export const EXTENT = 4096;

/** Every tile from `minZoom` to `maxZoom` that holds a feature, gzipped MVT bytes. */
export function cutTiles(layers: Layers, bounds: Bounds, minZoom: number, maxZoom: number): Tile[] {
	const indexes = LAYERS.filter((name) => layers[name].length > 0).map(
		(name) =>
			[
				name,
				new GeoJSONVT(
					{ type: 'FeatureCollection', features: layers[name] } as ConstructorParameters<
						typeof GeoJSONVT
					>[0],
					{ maxZoom, indexMaxZoom: minZoom, extent: EXTENT, buffer: 64, tolerance: 3 }
				)
			] as const
	);
	const tiles: Tile[] = [];
	const visit = (z: number, x: number, y: number): void => {
		const found: Record<string, NonNullable<ReturnType<GeoJSONVT['getTile']>>> = {};
		let any = false;
		for (const [name, index] of indexes) {
			const tile = index.getTile(z, x, y);
			if (tile && tile.features.length > 0) {
				found[name] = tile;
				any = true;
			}
		}
		if (!any) return;
		const pbf = fromGeojsonVt(found, { version: 2, extent: EXTENT });
		tiles.push({ z, x, y, data: gzipSync(pbf, { level: 9 }) });
		if (z < maxZoom) {
			for (const [dx, dy] of [
				[0, 0],
				[1, 0],
				[0, 1],
				[1, 1]
			] as const) {
				visit(z + 1, x * 2 + dx, y * 2 + dy);
			}
		}
	};
	const { x0, x1, y0, y1 } = tileRange(bounds, minZoom);
	for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) visit(minZoom, x, y);
	return tiles;
}
