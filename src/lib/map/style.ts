/**
 * The map's style, bundled with the app (nothing fetched): a plain background, and when the
 * community's basemap is on the device, its vector layers (`landuse`, `water`, `buildings`,
 * `roads`, `labels`) from one PMTiles archive. No `glyphs` (labels render from local fonts, CJK
 * through `localIdeographFontFamily`) and no `sprite` (icons, if any, come from `map.addImage`).
 *
 * Invariant: a pure function of whether a basemap is given; every basemap layer names a
 * source-layer the archive may lack (maplibre draws nothing for a missing one).
 */
import type { LayerSpecification, StyleSpecification } from 'maplibre-gl';

export const BACKGROUND_COLOR = '#f2efe9';
const LABEL_FONT = ['sans-serif'];

function basemapLayers(): LayerSpecification[] {
	const source = 'basemap';
	return [
		{
			id: 'basemap-landuse',
			type: 'fill',
			source,
			'source-layer': 'landuse',
			paint: { 'fill-color': '#e3ead6', 'fill-opacity': 0.8 }
		},
		{
			id: 'basemap-water',
			type: 'fill',
			source,
			'source-layer': 'water',
			paint: { 'fill-color': '#aad3df' }
		},
		{
			id: 'basemap-buildings',
			type: 'fill',
			source,
			'source-layer': 'buildings',
			paint: { 'fill-color': '#ddd5cc', 'fill-outline-color': '#c6bcb1' }
		},
		{
			id: 'basemap-roads',
			type: 'line',
			source,
			'source-layer': 'roads',
			layout: { 'line-cap': 'round', 'line-join': 'round' },
			paint: {
				'line-color': '#ffffff',
				'line-width': ['interpolate', ['linear'], ['zoom'], 12, 1, 18, 10]
			}
		},
		{
			id: 'basemap-labels',
			type: 'symbol',
			source,
			'source-layer': 'labels',
			// The archive also labels the drawn grids (by id) and buildings as they were when it was
			// built; the app draws those from the live map document (layers.ts), names and all.
			filter: ['!', ['in', ['get', 'kind'], ['literal', ['grid', 'building']]]],
			layout: {
				'text-field': ['coalesce', ['get', 'name:zh'], ['get', 'name'], ''],
				'text-font': LABEL_FONT,
				'text-size': 12
			},
			paint: { 'text-color': '#5b564f', 'text-halo-color': '#ffffff', 'text-halo-width': 1.2 }
		}
	];
}

/** `basemapUrl`: the `pmtiles://` URL of the archive registered with the protocol, or null. */
export function mapStyle(basemapUrl: string | null): StyleSpecification {
	return {
		version: 8,
		sources: basemapUrl ? { basemap: { type: 'vector', url: basemapUrl } } : {},
		layers: [
			{ id: 'background', type: 'background', paint: { 'background-color': BACKGROUND_COLOR } },
			...(basemapUrl ? basemapLayers() : [])
		]
	};
}
