/**
 * The community's own drawn features, read from its map document as the relay stores it
 * (`c/{cid}/map`, ARCHITECTURE.md "The map"): root map `features`, featureId → record with
 * `kind` ('grid' | 'building'), field logs `geometry`, `name`, `gridId`, and a tombstone
 * (`deletedAt`).
 *
 * Invariants: read-only; a field log's value is its last edit by (at, id) (a conflict draws its
 * displayed value); tombstoned records and records whose geometry is not valid WGS-84 are
 * skipped, never fatal (a member's bad drawing must not stop the secretary's basemap); the relay
 * reads the layout here by itself, importing nothing of the app's model.
 */
import * as Y from 'yjs';
import type { DocStore } from '../storage/types.ts';
import { BasemapInputError, checkGeometry } from './extract.ts';
import type { Feature, Layers } from './tiling.ts';

export const mapDocName = (communityId: string): string => `c/${communityId}/map`;

type Edit = { id: string; value: unknown; at: number };

/** The value of a field log: its edit with the greatest (at, id); undefined when it has none. */
function lastValue(log: unknown): unknown {
	if (!(log instanceof Y.Array)) return undefined;
	let best: Edit | null = null;
	for (const item of log.toArray()) {
		const edit = item as Partial<Edit> | null;
		if (typeof edit !== 'object' || edit === null) continue;
		if (typeof edit.at !== 'number' || typeof edit.id !== 'string' || !('value' in edit)) continue;
		if (!best || edit.at > best.at || (edit.at === best.at && edit.id > best.id)) {
			best = edit as Edit;
		}
	}
	return best?.value;
}

function geometryOf(value: unknown, where: string): Feature['geometry'] | null {
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch {
			return null;
		}
	}
	try {
		return checkGeometry(parsed, where);
	} catch (error) {
		if (error instanceof BasemapInputError) return null;
		throw error;
	}
}

/** A ring's centre of mass of its vertices: where a grid's label goes. */
function centre(ring: number[][]): [number, number] {
	const points = ring.length > 1 ? ring.slice(0, -1) : ring;
	let lngSum = 0;
	let latSum = 0;
	for (const [lng, lat] of points) {
		lngSum += lng ?? 0;
		latSum += lat ?? 0;
	}
	return [lngSum / points.length, latSum / points.length];
}

/** Adds the map document's grid areas and buildings to the layers; returns how many. */
export function addDrawnFeatures(doc: Y.Doc, into: Layers): { grids: number; buildings: number } {
	const features = doc.getMap('features');
	let grids = 0;
	let buildings = 0;
	for (const [featureId, record] of features.entries()) {
		if (!(record instanceof Y.Map)) continue;
		if (record.get('deletedAt') !== undefined && record.get('deletedAt') !== null) continue;
		const kind = record.get('kind');
		const geometry = geometryOf(lastValue(record.get('geometry')), `feature ${featureId}`);
		if (!geometry) continue;
		const name = lastValue(record.get('name'));
		const gridId = lastValue(record.get('gridId'));
		const label = typeof name === 'string' && name !== '' ? name : null;
		if (kind === 'grid' && geometry.type === 'Polygon') {
			const grid = typeof gridId === 'string' ? gridId : '';
			into.grids.push({ type: 'Feature', geometry, properties: { gridId: grid } });
			const ring = (geometry.coordinates as number[][][])[0] ?? [];
			if (grid !== '' && ring.length > 0) {
				into.labels.push({
					type: 'Feature',
					geometry: { type: 'Point', coordinates: centre(ring) },
					properties: { name: grid, kind: 'grid' }
				});
			}
			grids++;
		} else if (kind === 'building') {
			if (geometry.type === 'Polygon') {
				into.buildings.push({
					type: 'Feature',
					geometry,
					properties: label ? { name: label } : {}
				});
			}
			const point =
				geometry.type === 'Point'
					? (geometry.coordinates as [number, number])
					: geometry.type === 'Polygon'
						? centre((geometry.coordinates as number[][][])[0] ?? [])
						: null;
			if (label && point) {
				into.labels.push({
					type: 'Feature',
					geometry: { type: 'Point', coordinates: point },
					properties: { name: label, kind: 'building' }
				});
			}
			buildings++;
		}
	}
	return { grids, buildings };
}

/** The stored map document of a community, or null when it has none. */
export function loadMapDoc(store: DocStore, communityId: string): Y.Doc | null {
	const name = mapDocName(communityId);
	if (!store.hasDoc(name)) return null;
	const stored = store.load(name);
	const doc = new Y.Doc({ gc: true });
	if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
	for (const update of stored.updates) Y.applyUpdate(doc, update);
	return doc;
}
