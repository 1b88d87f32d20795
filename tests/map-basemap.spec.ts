/**
 * The stored basemap on the map, offline, on a phone: the demo community (its map document has an
 * area for every grid, sync-server/demo.ts, around the same place as the synthetic extract of
 * sync-server/basemap/fixture.ts) gets its basemap from the admin command; the secretary's phone
 * downloads it through the offline-map card, loses the network, and opens a grid's map. The
 * basemap's water, buildings and roads (style.ts) and the grid's boundary (its colour from
 * grid-colors.ts) are drawn: asked of the map (`queryRenderedFeatures` on the basemap's layers,
 * through `window.__gridboardMaps`, MapView.svelte) and checked in the drawn canvas's pixels at
 * points where the map says each one is (a screenshot is attached). The archive's label of a grid
 * (its raw id) is not drawn.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { syntheticExtract } from '../sync-server/basemap/fixture.ts';
import { gridColor } from '../src/lib/map/grid-colors';
import { goOffline, joinedPhone, openControlled, RELAY_ORIGIN, uniqueCommunity } from './helpers';

const run = promisify(execFile);
const NODE_FLAGS = [
	'--experimental-strip-types',
	'--experimental-sqlite',
	'--disable-warning=ExperimentalWarning'
];

type Demo = { communityId: string; grids: { id: string; name: string }[]; inviteUrl: string };

async function seedDemo(): Promise<Demo> {
	const { stdout } = await run(
		process.execPath,
		[
			...NODE_FLAGS,
			'sync-server/demo.ts',
			'--id',
			uniqueCommunity('basemap'),
			'--cases',
			'4',
			'--json',
			'--url',
			RELAY_ORIGIN
		],
		{ env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR } }
	);
	return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Demo;
}

/** `npm run admin -- basemap <cid> --extract <file>` against the test relay's DATA_DIR. */
async function buildBasemap(communityId: string): Promise<void> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-extract-'));
	const extract = path.join(dir, 'extract.geojson');
	fs.writeFileSync(extract, JSON.stringify(syntheticExtract()));
	const { stdout } = await run(
		process.execPath,
		[...NODE_FLAGS, 'sync-server/admin.ts', 'basemap', communityId, '--extract', extract],
		{ env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR } }
	);
	expect(stdout).toMatch(/\d+ tiles, zoom 12–18/);
	fs.rmSync(dir, { recursive: true, force: true });
}

/** How many features the map draws on screen in each of `layers` (0 for a layer it lacks). */
async function renderedCounts(page: Page, layers: string[]): Promise<Record<string, number>> {
	return page.evaluate((layers) => {
		type MapLike = {
			getLayer(id: string): unknown;
			queryRenderedFeatures(options: { layers: string[] }): unknown[];
		};
		const map = (window as unknown as { __gridboardMaps: MapLike[] }).__gridboardMaps.at(-1)!;
		return Object.fromEntries(
			layers.map((id) => [
				id,
				map.getLayer(id) ? map.queryRenderedFeatures({ layers: [id] }).length : 0
			])
		);
	}, layers);
}

type Sample = {
	kind: 'water' | 'buildings' | 'roads' | 'grid';
	tinted: boolean;
	x: number;
	y: number;
	/** The drawn canvas's RGBA there. */
	pixel?: number[];
};

/**
 * Points of the map's canvas (CSS px from its corner, every 6, where the canvas is not covered)
 * at which the map says it draws only one thing of interest on top: water, a building, a road, or
 * the grid's outline (with or without the grid's translucent fill under it), and no label, pin or
 * drawn building; with the canvas's pixel there, read in the frame just drawn.
 */
async function samples(page: Page): Promise<Sample[]> {
	return page.evaluate(async () => {
		type MapLike = {
			once(event: 'render', listener: () => void): void;
			triggerRepaint(): void;
			queryRenderedFeatures(at: [number, number] | [[number, number], [number, number]]): {
				layer: { id: string };
			}[];
			getCanvas(): HTMLCanvasElement;
		};
		const map = (window as unknown as { __gridboardMaps: MapLike[] }).__gridboardMaps.at(-1)!;
		const canvas = map.getCanvas();
		const box = canvas.getBoundingClientRect();
		const basemap = ['basemap-landuse', 'basemap-water', 'basemap-buildings', 'basemap-roads'];
		const only = (ids: Set<string>, allowed: string[]) =>
			[...ids].every((id) => allowed.includes(id) || id === 'grids-fill');
		const found: Sample[] = [];
		for (let y = 3; y < box.height - 3; y += 6) {
			for (let x = 3; x < box.width - 3; x += 6) {
				if (document.elementFromPoint(box.left + x, box.top + y) !== canvas) continue;
				const at = new Set(map.queryRenderedFeatures([x, y]).map((f) => f.layer.id));
				const near = new Set(
					map
						.queryRenderedFeatures([
							[x - 2, y - 2],
							[x + 2, y + 2]
						])
						.map((f) => f.layer.id)
				);
				let kind: Sample['kind'] | null = null;
				if (at.has('grids-outline') && only(near, [...basemap, 'grids-outline'])) kind = 'grid';
				else if (near.has('grids-outline')) kind = null;
				else if (at.has('basemap-roads') && only(near, basemap)) kind = 'roads';
				else if (at.has('basemap-buildings') && only(near, basemap.slice(0, 3))) kind = 'buildings';
				else if (at.has('basemap-water') && only(near, basemap.slice(0, 2))) kind = 'water';
				if (kind) {
					found.push({ kind, tinted: at.has('grids-fill'), x, y });
				}
			}
		}
		// The drawn pixels under each point, read in the frame just drawn (the canvas keeps no copy).
		const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl'))!;
		const scale = canvas.width / box.width;
		await new Promise<void>((resolve) => {
			map.once('render', () => {
				const rgba = new Uint8Array(4);
				for (const sample of found) {
					const px = Math.round(sample.x * scale);
					const py = canvas.height - 1 - Math.round(sample.y * scale);
					gl.readPixels(px, py, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, rgba);
					sample.pixel = [...rgba];
				}
				resolve();
			});
			map.triggerRepaint();
		});
		return found;
	});
}

const channels = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/**
 * How many of each kind's samples have the kind's colour in the drawn canvas (±12 a channel; the
 * outline ±48). The screenshot is attached for a person to look at.
 */
async function matching(
	page: Page,
	found: Sample[],
	colours: Record<Sample['kind'], string>,
	grid: string
): Promise<Record<string, { samples: number; matching: number }>> {
	const file = test.info().outputPath('map.png');
	const canvas = page.locator('[data-testid="map"] canvas');
	await canvas.screenshot({ path: file });
	await test.info().attach('map', { path: file, contentType: 'image/png' });
	// Under the grid's fill (fill-opacity 0.16, layers.ts) a colour is mixed with the grid's.
	const expected = (kind: Sample['kind'], tinted: boolean) =>
		channels(colours[kind]).map((v, i) =>
			tinted && kind !== 'grid' ? v * 0.84 + channels(grid)[i]! * 0.16 : v
		);
	const pixels = found.map((sample) => sample.pixel!);
	const result: Record<string, { samples: number; matching: number }> = {};
	found.forEach((sample, i) => {
		const want = expected(sample.kind, sample.tinted);
		// The 2.5 px outline is antialiased: its pixels lean towards what is under it.
		const tolerance = sample.kind === 'grid' ? 48 : 12;
		const ok = want.every((v, c) => Math.abs(v - pixels[i]![c]!) <= tolerance);
		const entry = (result[sample.kind] ??= { samples: 0, matching: 0 });
		entry.samples++;
		if (ok) entry.matching++;
	});
	return result;
}

test('a downloaded basemap and the grid boundary draw on the map offline', async ({ browser }) => {
	const demo = await seedDemo();
	const grid = demo.grids[0]!;
	const cid = demo.communityId;
	await buildBasemap(cid);

	const phone = await joinedPhone(browser, '李书记', demo.inviteUrl);
	await phone.context.addInitScript(() => {
		(window as unknown as { __gridboardMaps: unknown[] }).__gridboardMaps = [];
	});
	const { page } = phone;
	await openControlled(page, `/c/${cid}/settings`);
	await page.getByTestId('offline-map-download').click();
	await expect(page.getByTestId('offline-map-stored')).toBeVisible({ timeout: 20_000 });

	const mapUrl = `/c/${cid}/g/${grid.id}/map`;
	await openControlled(page, mapUrl);
	// The map document has reached the phone (its grid is in the legend), then the network goes.
	await expect(page.getByTestId('map-legend').locator(`[data-grid="${grid.id}"]`)).toBeVisible();
	await goOffline(phone);
	const map = page.getByTestId('map');
	await expect(map).toHaveAttribute('data-state', 'idle');
	await expect(page.getByTestId('map-no-basemap')).toHaveCount(0);
	await expect(page.getByTestId('map-no-boundaries')).toHaveCount(0);

	// The map draws the archive's layers (style.ts names them after the archive's source-layers)
	// and the grid's boundary.
	const layers = ['basemap-water', 'basemap-buildings', 'basemap-roads', 'grids-outline'];
	await expect
		.poll(async () => Math.min(...Object.values(await renderedCounts(page, layers))), {
			message: `features drawn in each of ${layers.join(', ')}`,
			timeout: 15_000
		})
		.toBeGreaterThan(0);

	// And the canvas has them where the map says they are: the water, building and road
	// colours of style.ts, the grid's own colour on its outline.
	const colour = gridColor(grid.id);
	const camera = () =>
		page.evaluate(() => {
			type MapLike = { getCenter(): unknown; getZoom(): number; isMoving(): boolean };
			const map = (window as unknown as { __gridboardMaps: MapLike[] }).__gridboardMaps.at(-1)!;
			return JSON.stringify([map.getCenter(), map.getZoom(), map.isMoving()]);
		});
	// Sampled and photographed with the map at rest: the same view before and after.
	await expect(async () => {
		await expect(map).toHaveAttribute('data-state', 'idle');
		const before = await camera();
		const found = await samples(page);
		const shares = await matching(
			page,
			found,
			{ water: '#aad3df', buildings: '#ddd5cc', roads: '#ffffff', grid: colour },
			colour
		);
		expect(await camera()).toBe(before);
		test.info().annotations.push({ type: 'pixels', description: JSON.stringify(shares) });
		for (const kind of ['water', 'buildings', 'roads', 'grid']) {
			const share = shares[kind] ?? { samples: 0, matching: 0 };
			expect(share.samples, `${kind}: ${JSON.stringify(shares)}`).toBeGreaterThanOrEqual(5);
			expect(share.matching / share.samples, `${kind}: ${JSON.stringify(shares)}`).toBeGreaterThan(
				0.7
			);
		}
	}).toPass({ timeout: 20_000 });
	// The archive's own label of a drawn grid (its id) is not drawn: the app draws the grids from
	// the map document. (The app's building labels are hidden first: they would crowd it out.)
	const labels = await page.evaluate(async () => {
		type MapLike = {
			setLayoutProperty(layer: string, name: string, value: unknown): void;
			once(event: 'idle', listener: () => void): void;
			triggerRepaint(): void;
			queryRenderedFeatures(options: { layers: string[] }): {
				properties: Record<string, unknown>;
			}[];
		};
		const map = (window as unknown as { __gridboardMaps: MapLike[] }).__gridboardMaps.at(-1)!;
		const idle = new Promise<void>((resolve) => map.once('idle', resolve));
		map.setLayoutProperty('buildings-label', 'visibility', 'none');
		map.triggerRepaint();
		await idle;
		return map.queryRenderedFeatures({ layers: ['basemap-labels'] }).map((f) => f.properties);
	});
	expect(labels.filter((label) => label.kind === 'grid' || label.name === grid.id)).toEqual([]);
	await phone.context.close();
});
