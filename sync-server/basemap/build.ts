/**
 * Builds a community's basemap: its drawn features (map document) plus an optional extract,
 * tiled and written as one PMTiles archive at `DATA_DIR/basemaps/{cid}.pmtiles`.
 *
 * Invariant: all or nothing. Every input is read and checked and the whole archive is built in
 * memory before anything is written; then it goes to a temp file beside the target, is fsynced,
 * renamed over the target and the directory fsynced. A refusal or a crash leaves the previous
 * archive (or none) as it was, and a reader sees the old file or the new one, never a mix.
 */
import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from '../backup/files.ts';
import type { DocStore } from '../storage/types.ts';
import { BasemapInputError, readExtract } from './extract.ts';
import { addDrawnFeatures, loadMapDoc } from './map-doc.ts';
import { writePmtiles, type Bounds } from './pmtiles-writer.ts';
import { coverage, cutTiles, emptyLayers, LAYERS } from './tiling.ts';

export const DEFAULT_MIN_ZOOM = 12;
export const DEFAULT_MAX_ZOOM = 18;

/** `DATA_DIR/basemaps/{cid}.pmtiles` */
export function basemapPath(dataDir: string, communityId: string): string {
	return path.join(dataDir, 'basemaps', `${communityId}.pmtiles`);
}

export type BuildOptions = {
	dataDir: string;
	store: DocStore;
	communityId: string;
	extract?: string;
	fromGcj02?: boolean;
	minZoom?: number;
	maxZoom?: number;
	/** Largest extract file accepted (default 200 MB). */
	maxExtractBytes?: number;
};

export type BuildResult = {
	file: string;
	bytes: number;
	tiles: number;
	bounds: Bounds;
	sha256: string;
	features: number;
	drawn: { grids: number; buildings: number };
};

/** The archive of a community, in memory: what `buildBasemap` writes. */
export async function buildArchive(options: Omit<BuildOptions, 'dataDir'>) {
	const minZoom = options.minZoom ?? DEFAULT_MIN_ZOOM;
	const maxZoom = options.maxZoom ?? DEFAULT_MAX_ZOOM;
	if (!Number.isInteger(minZoom) || !Number.isInteger(maxZoom) || minZoom < 0 || maxZoom > 22) {
		throw new BasemapInputError('zoom levels are whole numbers from 0 to 22');
	}
	if (minZoom > maxZoom) throw new BasemapInputError('--minzoom is above --maxzoom');
	const layers = emptyLayers();
	const doc = loadMapDoc(options.store, options.communityId);
	const drawn = doc ? addDrawnFeatures(doc, layers) : { grids: 0, buildings: 0 };
	doc?.destroy();
	if (options.extract) {
		await readExtract(options.extract, layers, {
			fromGcj02: options.fromGcj02,
			maxBytes: options.maxExtractBytes
		});
	}
	const covered = coverage(layers);
	if (!covered) {
		throw new BasemapInputError(
			'nothing to draw: the community has no grid areas or buildings and no extract feature is a road, building, water or land use'
		);
	}
	const tiles = cutTiles(layers, covered.bounds, minZoom, maxZoom);
	if (tiles.length === 0) throw new BasemapInputError('nothing to draw at these zoom levels');
	const archive = writePmtiles({
		tiles,
		tileGzip: true,
		minZoom,
		maxZoom,
		bounds: covered.bounds,
		metadata: {
			name: `gridboard ${options.communityId}`,
			format: 'pbf',
			generator: 'gridboard admin basemap',
			vector_layers: LAYERS.map((id) => ({ id, fields: {}, minzoom: minZoom, maxzoom: maxZoom }))
		}
	});
	return { archive, bounds: covered.bounds, features: covered.features, drawn };
}

/** Builds and writes the archive atomically (see the invariant above). */
export async function buildBasemap(options: BuildOptions): Promise<BuildResult> {
	const { archive, bounds, features, drawn } = await buildArchive(options);
	const file = basemapPath(options.dataDir, options.communityId);
	const dir = path.dirname(file);
	await fsp.mkdir(dir, { recursive: true });
	const tmp = path.join(dir, `.${options.communityId}.${randomBytes(6).toString('hex')}.tmp`);
	const handle = await fsp.open(tmp, 'wx', 0o644);
	let renamed = false;
	try {
		await handle.writeFile(archive.bytes);
		await handle.sync();
		await handle.close();
		await fsp.rename(tmp, file);
		renamed = true;
		await fsyncDir(dir);
	} finally {
		await handle.close().catch(() => {});
		if (!renamed) await fsp.rm(tmp, { force: true }).catch(() => {});
	}
	return {
		file,
		bytes: archive.bytes.length,
		tiles: archive.tileCount,
		bounds,
		sha256: createHash('sha256').update(archive.bytes).digest('hex'),
		features,
		drawn
	};
}
