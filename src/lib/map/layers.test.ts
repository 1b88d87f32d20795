import { describe, expect, it } from 'vitest';
import { GRID_PALETTE, gridColor } from './grid-colors';
import {
	CASE_PIN_LAYER,
	MAP_LAYERS,
	MAP_LAYER_ORDER,
	STATUS_COLORS,
	featureCollection
} from './layers';
import { mapStyle } from './style';

describe('grid colours', () => {
	it('are stable per grid id and from the palette', () => {
		expect(gridColor('g-abc')).toBe(gridColor('g-abc'));
		expect(GRID_PALETTE).toContain(gridColor('g-xyz'));
		const colors = new Set(['g1', 'g2', 'g3', 'g4', 'g5', 'g6'].map(gridColor));
		expect(colors.size).toBeGreaterThan(3);
	});
});

describe('the layer registry', () => {
	it('every style layer reads its own source, and every key is drawn once', () => {
		expect([...MAP_LAYER_ORDER].sort()).toEqual(Object.keys(MAP_LAYERS).sort());
		for (const key of MAP_LAYER_ORDER) {
			for (const layer of MAP_LAYERS[key].styleLayers) {
				expect('source' in layer && layer.source).toBe(key);
			}
		}
	});

	it('a case pin carries its ids, status colour and overdue mark', () => {
		const collection = featureCollection('cases', [
			{
				caseId: 'c1',
				gridId: 'g1',
				status: 'in_progress',
				overdue: true,
				point: [106.7, 26.5]
			}
		]);
		expect(collection.features[0]).toEqual({
			type: 'Feature',
			geometry: { type: 'Point', coordinates: [106.7, 26.5] },
			properties: {
				caseId: 'c1',
				gridId: 'g1',
				status: 'in_progress',
				overdue: true,
				color: STATUS_COLORS.in_progress
			}
		});
		expect(MAP_LAYERS.cases.source.cluster).toBe(true);
		expect(MAP_LAYERS.cases.styleLayers.map((l) => l.id)).toContain(CASE_PIN_LAYER);
	});

	it('a grid area is a polygon in its grid colour; a building a label point (and outline)', () => {
		const ring: [number, number][] = [
			[0, 0],
			[1, 0],
			[1, 1],
			[0, 0]
		];
		const [area] = featureCollection('grids', [{ featureId: 'f', gridId: 'g1', ring }]).features;
		expect(area?.geometry).toEqual({ type: 'Polygon', coordinates: [ring] });
		expect(area?.properties.color).toBe(gridColor('g1'));
		const building = featureCollection('buildings', [
			{ featureId: 'b', name: '3栋', point: [0.5, 0.5], ring, gridId: 'g1' }
		]).features;
		expect(building.map((f) => f.geometry.type)).toEqual(['Polygon', 'Point']);
		expect(building[1]?.properties.name).toBe('3栋');
	});
});

describe('the style', () => {
	it('fetches nothing: no glyphs, no sprite, no remote URL', () => {
		for (const style of [mapStyle(null), mapStyle('pmtiles://gridboard-basemap-1')]) {
			expect(style.glyphs).toBeUndefined();
			expect(style.sprite).toBeUndefined();
			expect(JSON.stringify(style)).not.toMatch(/https?:/);
		}
	});

	it('draws the basemap layers only when an archive is given', () => {
		expect(mapStyle(null).layers.map((l) => l.id)).toEqual(['background']);
		const withBasemap = mapStyle('pmtiles://k');
		const sourceLayers = withBasemap.layers.flatMap((l) =>
			'source-layer' in l ? [l['source-layer']] : []
		);
		expect(sourceLayers.sort()).toEqual(['buildings', 'labels', 'landuse', 'roads', 'water']);
	});
});
