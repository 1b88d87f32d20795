/**
 * Drawing on the map (terra-draw with its maplibre adapter): outline a polygon by tapping its
 * corners (tap the first corner again to close it), place a pin, and move an outline's corners or
 * a pin before saving. Imported only by dynamic import when the secretary opens the map's edit
 * mode, so terra-draw is on no other screen.
 *
 * Invariant: at most one shape is on the drawing layer at a time (drawing or editing clears the
 * last); `shape()` is that shape in the map document's terms ([lng, lat] positions, a closed
 * ring), or null when there is none. Nothing here writes the map document.
 */
import type { Map as MapLibre } from 'maplibre-gl';
import {
	TerraDraw,
	TerraDrawPointMode,
	TerraDrawPolygonMode,
	TerraDrawSelectMode,
	type GeoJSONStoreFeatures
} from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';
import type { LngLat } from '../domain/geo';

export type DrawnShape =
	| Readonly<{ point: LngLat; ring?: undefined }>
	| Readonly<{ ring: readonly LngLat[]; point?: undefined }>;

export type MapDrawing = Readonly<{
	/** Starts drawing a new shape; `done` gets it when closed (a polygon) or placed (a pin). */
	draw(kind: 'polygon' | 'point', done: (shape: DrawnShape) => void): void;
	/** Puts a stored shape on the drawing layer, selected, its corners or pin draggable. */
	edit(shape: DrawnShape): void;
	shape(): DrawnShape | null;
	clear(): void;
	destroy(): void;
}>;

const toShape = (feature: GeoJSONStoreFeatures | undefined): DrawnShape | null => {
	const geometry = feature?.geometry;
	if (geometry?.type === 'Point')
		return { point: [geometry.coordinates[0]!, geometry.coordinates[1]!] };
	if (geometry?.type === 'Polygon')
		return { ring: geometry.coordinates[0]!.map(([lng, lat]) => [lng!, lat!] as const) };
	return null;
};

export function startDrawing(map: MapLibre): MapDrawing {
	const editable = {
		feature: { draggable: true, coordinates: { draggable: true, midpoints: true, deletable: true } }
	};
	const draw = new TerraDraw({
		adapter: new TerraDrawMapLibreGLAdapter({ map }),
		modes: [
			new TerraDrawPolygonMode(),
			new TerraDrawPointMode({ editable: true }),
			new TerraDrawSelectMode({
				flags: { polygon: editable, point: { feature: { draggable: true } } }
			})
		]
	});
	draw.start();
	let current: string | number | null = null;
	let onDone: ((shape: DrawnShape) => void) | null = null;

	draw.on('finish', (id) => {
		if (!onDone) return;
		current = id;
		const shape = toShape(draw.getSnapshotFeature(id));
		const done = onDone;
		onDone = null;
		draw.setMode('select');
		draw.selectFeature(id);
		if (shape) done(shape);
	});

	function clear(): void {
		onDone = null;
		current = null;
		draw.clear();
	}

	return {
		draw(kind, done) {
			clear();
			onDone = done;
			draw.setMode(kind);
		},
		edit(shape) {
			clear();
			draw.setMode('select');
			const geometry = shape.ring
				? { type: 'Polygon' as const, coordinates: [shape.ring.map(([lng, lat]) => [lng, lat])] }
				: { type: 'Point' as const, coordinates: [shape.point[0], shape.point[1]] };
			const mode = shape.ring ? 'polygon' : 'point';
			const [added] = draw.addFeatures([{ type: 'Feature', geometry, properties: { mode } }]);
			if (added?.valid && added.id !== undefined) {
				current = added.id;
				draw.selectFeature(added.id);
			}
		},
		shape() {
			return current === null ? null : toShape(draw.getSnapshotFeature(current));
		},
		clear,
		destroy() {
			clear();
			draw.stop();
		}
	};
}
