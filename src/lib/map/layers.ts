/**
 * The map's layer registry: every thing Gridboard draws over the basemap is one entry here, a
 * GeoJSON source, its style layers and a function from one item to its features' properties.
 * Grid areas, buildings, cases and households (one marker per building, placed by the screen
 * model, only for people who may read that grid's register).
 *
 * Invariant: pure data and pure functions (no maplibre at run time, only its types), so the
 * features a screen hands the map are unit-tested without WebGL. Every style layer reads only
 * the properties its entry's `toFeatures` writes. Draw order is `MAP_LAYER_ORDER`.
 */
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { GeoJSONSourceSpecification, LayerSpecification } from 'maplibre-gl';
import type { Building, GridArea, LngLat } from '../domain/geo';
import { gridColor } from './grid-colors';

/** A case on the map: where it is, its status and whether it is overdue. */
export type MapPin = Readonly<{
	caseId: string;
	gridId: string;
	title: string;
	status: string;
	overdue: boolean;
	point: LngLat;
}>;

/**
 * A building's households on the map: one marker in the colour of its most attention-needing
 * household, with how many there are (screens/map/map-households.ts places them).
 */
export type HouseholdMarker = Readonly<{
	buildingId: string;
	/** The grid whose register the households are in. */
	gridId: string;
	colour: 'green' | 'yellow' | 'red';
	count: number;
	point: LngLat;
}>;

/** Everything drawn over the basemap, by registry entry. */
export type MapData = Readonly<{
	grids: readonly GridArea[];
	buildings: readonly Building[];
	cases: readonly MapPin[];
	households: readonly HouseholdMarker[];
}>;

type Properties = Record<string, string | number | boolean>;

export type MapLayer<T> = Readonly<{
	/** The GeoJSON source's options beyond its data (clustering). */
	source: Readonly<Omit<GeoJSONSourceSpecification, 'type' | 'data'>>;
	/** Style layers, bottom first; each names this entry's source id. */
	styleLayers: readonly LayerSpecification[];
	toFeatures: (item: T) => Feature<Geometry, Properties>[];
}>;

/** The style layer a tap on a pin hits, and the one of a cluster of pins. */
export const CASE_PIN_LAYER = 'cases-pin';
export const CASE_CLUSTER_LAYER = 'cases-cluster';
export const GRID_FILL_LAYER = 'grids-fill';
/** The style layer a tap on a building's household marker hits. */
export const HOUSEHOLD_MARKER_LAYER = 'households-marker';

/** Household colours (three-colour management: 平安 green, 关注 yellow, 重点 red). */
export const HOUSEHOLD_COLORS: Readonly<Record<HouseholdMarker['colour'], string>> = {
	green: '#2e7d32',
	yellow: '#e0a100',
	red: '#c62828'
};

/** Pin colours by case status (the board's status badges' hues). */
export const STATUS_COLORS: Readonly<Record<string, string>> = {
	reported: '#c62828',
	accepted: '#8a3a2c',
	in_progress: '#e0a100',
	resolved: '#2e7d32',
	reviewed: '#2c4a8a',
	closed: '#757575',
	duplicate: '#9e9e9e'
};
const OVERDUE_RING = '#000000';
/** Labels render from local fonts (no glyph server); CJK through `localIdeographFontFamily`. */
const LABEL_FONT = ['sans-serif'];

const polygon = (ring: readonly LngLat[]): Geometry => ({
	type: 'Polygon',
	coordinates: [ring.map(([lng, lat]) => [lng, lat])]
});

const GRID_LAYER: MapLayer<GridArea> = {
	source: {},
	styleLayers: [
		{
			id: GRID_FILL_LAYER,
			type: 'fill',
			source: 'grids',
			paint: { 'fill-color': ['get', 'color'], 'fill-opacity': 0.16 }
		},
		{
			id: 'grids-outline',
			type: 'line',
			source: 'grids',
			paint: { 'line-color': ['get', 'color'], 'line-width': 2.5 }
		}
	],
	toFeatures: (area) => [
		{
			type: 'Feature',
			geometry: polygon(area.ring),
			properties: { featureId: area.featureId, gridId: area.gridId, color: gridColor(area.gridId) }
		}
	]
};

const BUILDING_LAYER: MapLayer<Building> = {
	source: {},
	styleLayers: [
		{
			id: 'buildings-fill',
			type: 'fill',
			source: 'buildings',
			filter: ['==', ['geometry-type'], 'Polygon'],
			paint: { 'fill-color': '#b0a99f', 'fill-opacity': 0.45, 'fill-outline-color': '#6d665e' }
		},
		{
			id: 'buildings-label',
			type: 'symbol',
			source: 'buildings',
			filter: ['==', ['geometry-type'], 'Point'],
			minzoom: 15,
			layout: {
				'text-field': ['get', 'name'],
				'text-font': LABEL_FONT,
				'text-size': 12,
				'text-offset': [0, 1.1],
				'text-optional': true
			},
			paint: { 'text-color': '#3a3530', 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 }
		}
	],
	toFeatures: (building) => {
		const properties = { featureId: building.featureId, name: building.name };
		const point: Feature<Geometry, Properties> = {
			type: 'Feature',
			geometry: { type: 'Point', coordinates: [building.point[0], building.point[1]] },
			properties
		};
		return building.ring
			? [{ type: 'Feature', geometry: polygon(building.ring), properties }, point]
			: [point];
	}
};

const CASE_LAYER: MapLayer<MapPin> = {
	source: {
		cluster: true,
		clusterRadius: 44,
		clusterMaxZoom: 17,
		// A cluster holding an overdue case is marked like an overdue pin.
		clusterProperties: { overdue: ['+', ['case', ['get', 'overdue'], 1, 0]] }
	},
	styleLayers: [
		{
			id: CASE_CLUSTER_LAYER,
			type: 'circle',
			source: 'cases',
			filter: ['has', 'point_count'],
			paint: {
				'circle-color': '#b4232a',
				'circle-opacity': 0.85,
				'circle-radius': ['step', ['get', 'point_count'], 15, 20, 19, 100, 24, 1000, 30],
				'circle-stroke-color': ['case', ['>', ['get', 'overdue'], 0], OVERDUE_RING, '#ffffff'],
				'circle-stroke-width': ['case', ['>', ['get', 'overdue'], 0], 3, 2]
			}
		},
		{
			id: 'cases-cluster-count',
			type: 'symbol',
			source: 'cases',
			filter: ['has', 'point_count'],
			layout: {
				'text-field': ['get', 'point_count_abbreviated'],
				'text-font': LABEL_FONT,
				'text-size': 13,
				'text-allow-overlap': true
			},
			paint: { 'text-color': '#ffffff' }
		},
		{
			id: CASE_PIN_LAYER,
			type: 'circle',
			source: 'cases',
			filter: ['!', ['has', 'point_count']],
			paint: {
				'circle-color': ['get', 'color'],
				'circle-radius': 9,
				'circle-stroke-color': ['case', ['get', 'overdue'], OVERDUE_RING, '#ffffff'],
				'circle-stroke-width': ['case', ['get', 'overdue'], 3.5, 2]
			}
		}
	],
	toFeatures: (pin) => [
		{
			type: 'Feature',
			geometry: { type: 'Point', coordinates: [pin.point[0], pin.point[1]] },
			properties: {
				caseId: pin.caseId,
				gridId: pin.gridId,
				status: pin.status,
				overdue: pin.overdue,
				color: STATUS_COLORS[pin.status] ?? '#555555'
			}
		}
	]
};

const HOUSEHOLD_LAYER: MapLayer<HouseholdMarker> = {
	source: {},
	styleLayers: [
		{
			id: HOUSEHOLD_MARKER_LAYER,
			type: 'circle',
			source: 'households',
			paint: {
				'circle-color': ['get', 'color'],
				'circle-radius': 12,
				'circle-stroke-color': '#ffffff',
				'circle-stroke-width': 2
			}
		},
		{
			id: 'households-count',
			type: 'symbol',
			source: 'households',
			layout: {
				'text-field': ['to-string', ['get', 'count']],
				'text-font': LABEL_FONT,
				'text-size': 12,
				'text-allow-overlap': true
			},
			paint: { 'text-color': '#ffffff' }
		}
	],
	toFeatures: (marker) => [
		{
			type: 'Feature',
			geometry: { type: 'Point', coordinates: [marker.point[0], marker.point[1]] },
			properties: {
				buildingId: marker.buildingId,
				gridId: marker.gridId,
				colour: marker.colour,
				count: marker.count,
				color: HOUSEHOLD_COLORS[marker.colour]
			}
		}
	]
};

/** The registry: one entry per key of `MapData`. */
export const MAP_LAYERS: { readonly [K in keyof MapData]: MapLayer<MapData[K][number]> } = {
	grids: GRID_LAYER,
	buildings: BUILDING_LAYER,
	cases: CASE_LAYER,
	households: HOUSEHOLD_LAYER
};

/** Bottom to top: areas under buildings under household markers under pins. */
export const MAP_LAYER_ORDER: readonly (keyof MapData)[] = [
	'grids',
	'buildings',
	'households',
	'cases'
];

/** One registry entry's items as the GeoJSON its source holds. */
export function featureCollection<K extends keyof MapData>(
	key: K,
	items: MapData[K]
): FeatureCollection<Geometry, Properties> {
	const layer = MAP_LAYERS[key] as MapLayer<MapData[K][number]>;
	return { type: 'FeatureCollection', features: items.flatMap((item) => layer.toFeatures(item)) };
}
