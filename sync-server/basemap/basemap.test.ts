/**
 * The offline basemap on the relay: the PMTiles writer read back by the `pmtiles` package's own
 * reader, tiling into the six layers, the drawn features of a map document, refusals of bad
 * input that change nothing, the GCJ-02 transform on known point pairs, the size of a 2 km²
 * community, and the member-only HTTP route (ranges, ETags, 304, 416, 404 `no_basemap`).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PMTiles, type Source } from 'pmtiles';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MemoryStore } from '../storage/memory.ts';
import { makeTempDir, prng, removeDir, startTestRelay, type TestRelay } from '../test-helpers.ts';
import { basemapPath, buildArchive, buildBasemap } from './build.ts';
import { BasemapInputError } from './extract.ts';
import { syntheticExtract } from './fixture.ts';
import { gcj02ToWgs84, wgs84ToGcj02 } from './gcj02.ts';
import { addDrawnFeatures, mapDocName } from './map-doc.ts';
import { writePmtiles, type Tile } from './pmtiles-writer.ts';
import { parseRange } from './serve.ts';
import { emptyLayers } from './tiling.ts';

const run = promisify(execFile);
const ADMIN_FILE = fileURLToPath(new URL('../admin.ts', import.meta.url));

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
	cleanups = [];
});

function tempDir(): string {
	const dir = makeTempDir('gridboard-basemap-');
	cleanups.push(() => removeDir(dir));
	return dir;
}

/** The pmtiles reader over bytes in memory. */
function reader(bytes: Uint8Array): PMTiles {
	const source: Source = {
		getKey: () => 'memory',
		getBytes: async (offset, length) => ({
			data: Uint8Array.prototype.slice.call(bytes, offset, offset + length).buffer as ArrayBuffer
		})
	};
	return new PMTiles(source);
}

function writeExtract(dir: string, value: unknown, name = 'extract.geojson'): string {
	const file = path.join(dir, name);
	fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
	return file;
}

/** A field log with edits as the app writes them. */
function fieldLog(edits: { id: string; value: unknown; at: number }[]): Y.Array<unknown> {
	const log = new Y.Array<unknown>();
	log.push(edits.map((edit) => ({ ...edit, bases: [], by: 'S', deviceId: 'd1' })));
	return log;
}

function drawnDoc(): Y.Doc {
	const doc = new Y.Doc();
	const features = doc.getMap('features');
	const record = (
		id: string,
		kind: string,
		geometry: { id: string; value: unknown; at: number }[],
		name: string,
		gridId: string,
		deleted = false
	) => {
		const map = new Y.Map<unknown>();
		features.set(id, map);
		map.set('id', id);
		map.set('kind', kind);
		map.set('createdAt', 1);
		map.set('geometry', fieldLog(geometry));
		map.set('name', fieldLog([{ id: `${id}-n`, value: name, at: 1 }]));
		map.set('gridId', fieldLog([{ id: `${id}-g`, value: gridId, at: 1 }]));
		if (deleted) map.set('deletedAt', 5);
	};
	const square = (lng: number, lat: number, d: number) => ({
		type: 'Polygon',
		coordinates: [
			[
				[lng, lat],
				[lng + d, lat],
				[lng + d, lat + d],
				[lng, lat + d],
				[lng, lat]
			]
		]
	});
	doc.transact(() => {
		// The later edit (by at) is the grid's outline: the first one is far away.
		record(
			'g1',
			'grid',
			[
				{ id: 'e1', value: square(100, 10, 0.001), at: 1 },
				{ id: 'e2', value: square(116.64, 36.93, 0.004), at: 2 }
			],
			'',
			'grid-1'
		);
		record(
			'b1',
			'building',
			[{ id: 'e3', value: { type: 'Point', coordinates: [116.641, 36.931] }, at: 1 }],
			'3号楼',
			'grid-1'
		);
		record(
			'b2',
			'building',
			[{ id: 'e4', value: square(116.642, 36.932, 0.0002), at: 1 }],
			'5号楼',
			''
		);
		record('gone', 'grid', [{ id: 'e5', value: square(0, 0, 1), at: 1 }], '', 'old', true);
		// A drawing that is not WGS-84 is skipped, not fatal.
		record(
			'bad',
			'building',
			[{ id: 'e6', value: { type: 'Point', coordinates: [500, 95] }, at: 1 }],
			'x',
			''
		);
	});
	return doc;
}

describe('PMTiles writer', () => {
	it('writes an archive the pmtiles reader reads: header, metadata, each tile, deduplicated runs', async () => {
		const tiles: Tile[] = [
			{ z: 12, x: 3375, y: 1595, data: new Uint8Array([1, 2, 3]) },
			{ z: 13, x: 6750, y: 3190, data: new Uint8Array([4, 5]) },
			{ z: 13, x: 6751, y: 3190, data: new Uint8Array([9]) },
			// Same bytes as the first: stored once.
			{ z: 13, x: 6751, y: 3191, data: new Uint8Array([1, 2, 3]) }
		];
		const { bytes, tileCount, tileContents } = writePmtiles({
			tiles,
			tileGzip: false,
			minZoom: 12,
			maxZoom: 13,
			bounds: { west: 116.6, south: 36.9, east: 116.7, north: 36.95 },
			metadata: { name: 'test' }
		});
		expect([tileCount, tileContents]).toEqual([4, 3]);
		const archive = reader(bytes);
		const header = await archive.getHeader();
		expect(header).toMatchObject({
			specVersion: 3,
			minZoom: 12,
			maxZoom: 13,
			clustered: true,
			numAddressedTiles: 4,
			numTileContents: 3,
			minLon: 116.6,
			maxLat: 36.95,
			tileType: 1
		});
		expect(await archive.getMetadata()).toEqual({ name: 'test' });
		for (const tile of tiles) {
			const found = await archive.getZxy(tile.z, tile.x, tile.y);
			expect(new Uint8Array(found!.data)).toEqual(tile.data);
		}
		expect(await archive.getZxy(13, 6750, 3191)).toBeUndefined();
	});

	it('splits a large directory into leaves the reader follows; the root stays in the first 16 KiB', async () => {
		// Scattered tiles of scattered sizes: a root of them all would not compress into 16 KiB.
		const random = prng(7);
		const seen = new Set<string>();
		const tiles: Tile[] = [];
		while (tiles.length < 30_000) {
			const x = Math.floor(random() * 4096);
			const y = Math.floor(random() * 4096);
			if (seen.has(`${x}/${y}`)) continue;
			seen.add(`${x}/${y}`);
			const data = new Uint8Array(4 + Math.floor(random() * 300)).fill(7);
			data.set([x >> 4, y >> 4, x & 15, y & 15]);
			tiles.push({ z: 12, x, y, data });
		}
		const { bytes } = writePmtiles({
			tiles,
			tileGzip: false,
			minZoom: 12,
			maxZoom: 12,
			bounds: { west: -180, south: -85, east: 180, north: 85 },
			metadata: {}
		});
		const archive = reader(bytes);
		const header = await archive.getHeader();
		expect(header.leafDirectoryLength).toBeGreaterThan(0);
		expect(header.rootDirectoryOffset + header.rootDirectoryLength).toBeLessThanOrEqual(16_384);
		for (const tile of [tiles[0]!, tiles[12_345]!, tiles[29_999]!]) {
			const found = await archive.getZxy(12, tile.x, tile.y);
			expect(new Uint8Array(found!.data)).toEqual(tile.data);
		}
		expect(await archive.getZxy(12, 4095, 4095)).toBe(
			seen.has('4095/4095') ? expect.anything() : undefined
		);
	});
});

describe('building a basemap', () => {
	it('tiles a 2 km² community into the six layers at z12–18, under 5 MB, only tiles that hold something', async () => {
		const dir = tempDir();
		const extract = writeExtract(dir, syntheticExtract());
		const store = new MemoryStore();
		const { archive, bounds, features } = await buildArchive({
			store,
			communityId: 'demo',
			extract
		});
		expect(archive.bytes.length).toBeLessThan(5 * 1024 * 1024);
		expect(features).toBeGreaterThan(300);
		expect(bounds.west).toBeGreaterThan(116.62);
		expect(bounds.east).toBeLessThan(116.66);
		const pm = reader(archive.bytes);
		const header = await pm.getHeader();
		expect([header.minZoom, header.maxZoom]).toEqual([12, 18]);
		// Every zoom level has tiles, and an empty corner of the world has none.
		const centre = (z: number) => {
			const n = 2 ** z;
			const rad = (36.93 * Math.PI) / 180;
			return [
				Math.floor(((116.64 + 180) / 360) * n),
				Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n)
			] as const;
		};
		for (let z = 12; z <= 18; z++) {
			const [x, y] = centre(z);
			const tile = await pm.getZxy(z, x, y);
			expect(tile, `z${z}`).toBeDefined();
			// The reader hands tiles back decompressed.
			const pbf = Buffer.from(tile!.data);
			expect(pbf.includes('roads') || pbf.includes('buildings'), `z${z}`).toBe(true);
		}
		expect(await pm.getZxy(18, 0, 0)).toBeUndefined();
		const [x12, y12] = centre(12);
		const low = Buffer.from((await pm.getZxy(12, x12, y12))!.data);
		for (const layer of ['roads', 'buildings', 'water', 'landuse', 'labels']) {
			expect(low.includes(layer), layer).toBe(true);
		}
		expect(low.includes('社区服务中心')).toBe(true);
	});

	it("reads the community's drawn grid areas and buildings: last edit by (at, id), tombstones and bad drawings skipped", () => {
		const layers = emptyLayers();
		expect(addDrawnFeatures(drawnDoc(), layers)).toEqual({ grids: 1, buildings: 2 });
		expect(layers.grids).toHaveLength(1);
		expect(layers.grids[0]!.properties).toEqual({ gridId: 'grid-1' });
		expect((layers.grids[0]!.geometry.coordinates as number[][][])[0]![0]).toEqual([116.64, 36.93]);
		expect(layers.buildings).toHaveLength(1);
		expect(layers.labels.map((label) => label.properties.name).sort()).toEqual([
			'3号楼',
			'5号楼',
			'grid-1'
		]);
	});

	it('builds from the stored map document alone, written atomically into DATA_DIR/basemaps', async () => {
		const dataDir = tempDir();
		const store = new MemoryStore();
		store.appendBatch([{ doc: mapDocName('demo'), update: Y.encodeStateAsUpdate(drawnDoc()) }]);
		const result = await buildBasemap({ dataDir, store, communityId: 'demo' });
		expect(result.file).toBe(basemapPath(dataDir, 'demo'));
		expect(fs.statSync(result.file).size).toBe(result.bytes);
		expect(result.drawn).toEqual({ grids: 1, buildings: 2 });
		expect(fs.readdirSync(path.dirname(result.file))).toEqual(['demo.pmtiles']);
		const header = await reader(fs.readFileSync(result.file)).getHeader();
		expect(header.minLon).toBeCloseTo(116.64, 5);
	});

	it('refuses bad input with a clear message and leaves the previous archive untouched', async () => {
		const dataDir = tempDir();
		const store = new MemoryStore();
		const good = writeExtract(dataDir, syntheticExtract({ areaKm2: 0.2 }), 'good.geojson');
		const built = await buildBasemap({ dataDir, store, communityId: 'demo', extract: good });
		const before = fs.readFileSync(built.file);
		const cases: [unknown, RegExp, number?][] = [
			['{ not json', /is not JSON/],
			[{ type: 'Topology', objects: {} }, /is not GeoJSON/],
			[
				{
					type: 'FeatureCollection',
					features: [
						{
							type: 'Feature',
							properties: { highway: 'residential' },
							geometry: {
								type: 'LineString',
								coordinates: [
									[116.6, 36.9],
									[216.6, 36.9]
								]
							}
						}
					]
				},
				/feature 0: coordinate \[216\.6, 36\.9\] is outside WGS-84/
			],
			[
				{
					type: 'FeatureCollection',
					features: [{ type: 'Feature', geometry: { type: 'Circle' } }]
				},
				/unsupported geometry/
			],
			[
				{
					type: 'FeatureCollection',
					features: [
						{
							type: 'Feature',
							properties: { highway: 'primary' },
							geometry: { type: 'GeometryCollection', geometries: [] }
						},
						{
							type: 'Feature',
							properties: { shop: 'bakery' },
							geometry: {
								type: 'Polygon',
								coordinates: [
									[
										[1, 1],
										[1, 2],
										[2, 2],
										[1, 1]
									]
								]
							}
						}
					]
				},
				/nothing to draw/
			],
			[syntheticExtract({ areaKm2: 0.2 }), /the limit is/, 1000]
		];
		for (const [value, message, maxExtractBytes] of cases) {
			const extract = writeExtract(dataDir, value, 'bad.geojson');
			const attempt = buildBasemap({
				dataDir,
				store,
				communityId: 'demo',
				extract,
				maxExtractBytes
			});
			await expect(attempt).rejects.toThrow(message);
			await expect(attempt).rejects.toBeInstanceOf(BasemapInputError);
			expect(fs.readFileSync(built.file).equals(before)).toBe(true);
			expect(fs.readdirSync(path.dirname(built.file))).toEqual(['demo.pmtiles']);
		}
		// Nothing at all (no drawn features, no extract): refused, nothing written.
		const empty = tempDir();
		await expect(buildBasemap({ dataDir: empty, store, communityId: 'demo' })).rejects.toThrow(
			/nothing to draw/
		);
		expect(fs.existsSync(path.join(empty, 'basemaps', 'demo.pmtiles'))).toBe(false);
	});
});

describe('GCJ-02', () => {
	// Published pairs (eviltransform's tests): [wgsLng, wgsLat, gcjLng, gcjLat].
	const PAIRS = [
		[121.5272106, 31.1774276, 121.531541859215, 31.17530398364597], // Shanghai
		[113.912316, 22.543847, 113.9171764808363, 22.540796131694766], // Shenzhen
		[116.377817, 39.911954, 116.38404722455657, 39.91334545536069] // Beijing
	] as const;

	it('converts known point pairs both ways, and leaves positions outside China as they are', () => {
		for (const [wLng, wLat, gLng, gLat] of PAIRS) {
			const [lng, lat] = wgs84ToGcj02(wLng, wLat);
			expect(lng).toBeCloseTo(gLng, 7);
			expect(lat).toBeCloseTo(gLat, 7);
			const [backLng, backLat] = gcj02ToWgs84(gLng, gLat);
			expect(backLng).toBeCloseTo(wLng, 7);
			expect(backLat).toBeCloseTo(wLat, 7);
		}
		expect(gcj02ToWgs84(2.35, 48.85)).toEqual([2.35, 48.85]);
	});

	it('--from-gcj02 moves an extract onto WGS-84 before tiling', async () => {
		const dir = tempDir();
		const [wLng, wLat, gLng, gLat] = PAIRS[2];
		const extract = writeExtract(dir, {
			type: 'Feature',
			properties: { highway: 'primary' },
			geometry: {
				type: 'LineString',
				coordinates: [
					[gLng, gLat],
					[gLng + 0.001, gLat]
				]
			}
		});
		const { bounds } = await buildArchive({
			store: new MemoryStore(),
			communityId: 'demo',
			extract,
			fromGcj02: true
		});
		expect(bounds.west).toBeCloseTo(wLng, 6);
		expect(bounds.south).toBeCloseTo(wLat, 5);
	});
});

describe('the basemap route', () => {
	it('parses one byte range', () => {
		expect(parseRange(undefined, 100)).toBeNull();
		expect(parseRange('bytes=10-19', 100)).toEqual({ start: 10, end: 19 });
		expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
		expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
		expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
		expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
		expect(parseRange('bytes=5-1', 100)).toBeNull();
		expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
		expect(parseRange('items=0-1', 100)).toBeNull();
	});

	async function relayWithBasemap(): Promise<{ r: TestRelay; bytes: Buffer; url: string }> {
		const r = await startTestRelay();
		cleanups.push(() => removeDir(r.dataDir));
		cleanups.push(() => r.relay.close());
		const extract = writeExtract(r.dataDir, syntheticExtract(), 'x.geojson');
		const result = await buildBasemap({
			dataDir: r.dataDir,
			store: new MemoryStore(),
			communityId: 'demo',
			extract
		});
		return {
			r,
			bytes: fs.readFileSync(result.file),
			url: `${r.relay.url}/api/communities/demo/basemap`
		};
	}

	it('serves members the archive whole or by range, with a sha-256 ETag, 304, If-Range and 416', async () => {
		const { r, bytes, url } = await relayWithBasemap();
		const auth = { Authorization: `Bearer ${r.token}` };
		const whole = await fetch(url, { headers: auth });
		expect(whole.status).toBe(200);
		expect(whole.headers.get('content-length')).toBe(String(bytes.length));
		expect(whole.headers.get('cache-control')).toContain('no-cache');
		expect(whole.headers.get('accept-ranges')).toBe('bytes');
		const etag = whole.headers.get('etag')!;
		const { createHash } = await import('node:crypto');
		expect(etag).toBe(`"${createHash('sha256').update(bytes).digest('hex')}"`);
		expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);

		const head = await fetch(url, { method: 'HEAD', headers: auth });
		expect([head.status, head.headers.get('etag'), head.headers.get('content-length')]).toEqual([
			200,
			etag,
			String(bytes.length)
		]);

		const part = await fetch(url, { headers: { ...auth, Range: 'bytes=1000-', 'If-Range': etag } });
		expect(part.status).toBe(206);
		expect(part.headers.get('content-range')).toBe(
			`bytes 1000-${bytes.length - 1}/${bytes.length}`
		);
		expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(1000))).toBe(true);

		// The phone's partial copy is of another archive: the whole new one comes back.
		const changed = await fetch(url, {
			headers: { ...auth, Range: 'bytes=1000-', 'If-Range': '"old"' }
		});
		expect(changed.status).toBe(200);
		expect(Buffer.from(await changed.arrayBuffer()).length).toBe(bytes.length);

		const same = await fetch(url, { headers: { ...auth, 'If-None-Match': etag } });
		expect(same.status).toBe(304);

		const past = await fetch(url, { headers: { ...auth, Range: `bytes=${bytes.length}-` } });
		expect(past.status).toBe(416);
		expect(past.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
	});

	it('refuses without a token, for another community, and says no_basemap when none was built', async () => {
		const { r, url } = await relayWithBasemap();
		expect((await fetch(url)).status).toBe(401);
		const other = r.relay.mintToken({
			communityId: 'elsewhere',
			role: 'secretary',
			ttlSeconds: 60
		});
		const forbidden = await fetch(url, { headers: { Authorization: `Bearer ${other}` } });
		expect([forbidden.status, await forbidden.json()]).toEqual([403, { error: 'forbidden' }]);
		const none = await fetch(`${r.relay.url}/api/communities/elsewhere/basemap`, {
			headers: { Authorization: `Bearer ${other}` }
		});
		expect([none.status, await none.json()]).toEqual([404, { error: 'no_basemap' }]);
		const post = await fetch(url, {
			method: 'POST',
			headers: { Authorization: `Bearer ${r.token}` }
		});
		expect(post.status).toBe(405);
	});
});

describe('admin basemap', () => {
	const admin = (dataDir: string, ...args: string[]) =>
		run(
			process.execPath,
			[
				'--experimental-strip-types',
				'--experimental-sqlite',
				'--disable-warning=ExperimentalWarning',
				ADMIN_FILE,
				...args
			],
			{ env: { ...process.env, DATA_DIR: dataDir, PUBLIC_URL: '' } }
		);

	it('builds from an extract and prints size, tile count and bounds; bad input exits 1 and writes nothing', async () => {
		const dataDir = tempDir();
		await admin(dataDir, 'create-community', '河畔社区', '--id', 'riverside');
		const extract = writeExtract(dataDir, syntheticExtract());
		const { stdout } = await admin(dataDir, 'basemap', 'riverside', '--extract', extract);
		expect(stdout).toMatch(/MB \(\d+ bytes\), \d+ tiles, zoom 12–18/);
		expect(stdout).toMatch(/bounds 116\.63\d+,36\.92\d+,116\.64\d+,36\.93\d+ \(WGS-84\)/);
		const file = basemapPath(dataDir, 'riverside');
		const before = fs.readFileSync(file);

		const bad = writeExtract(dataDir, '{"type":"FeatureCollection"', 'bad.geojson');
		const refused = admin(dataDir, 'basemap', 'riverside', '--extract', bad);
		await expect(refused).rejects.toMatchObject({
			code: 1,
			stderr: expect.stringMatching(/is not JSON/)
		});
		expect(fs.readFileSync(file).equals(before)).toBe(true);

		await expect(admin(dataDir, 'basemap', 'nowhere', '--extract', extract)).rejects.toMatchObject({
			code: 1,
			stderr: expect.stringMatching(/no community nowhere/)
		});
		await expect(
			admin(dataDir, 'basemap', 'riverside', '--minzoom', '19', '--maxzoom', '18')
		).rejects.toMatchObject({ code: 2 });
		await expect(admin(dataDir, 'basemap', 'riverside', '--from-gcj02')).rejects.toMatchObject({
			code: 2
		});
	});
});
