/**
 * The map screens in headless Chromium (WebGL drawn in software by SwiftShader), on a phone,
 * against a community seeded through the app's model (bench/map/seed-relay.ts): a grid's map
 * draws its case pins offline, tapping a pin opens the case, tapping a cluster zooms in, the
 * board ↔ map toggle keeps the board's filters (the map shows exactly what the board shows), a
 * volunteer sees the map with no editing controls, and the empty states explain what is missing.
 *
 * The map is read through `window.__gridboardMaps`, which the page fills only when a test has
 * created it before load (MapView.svelte); the pixels are read from a real screenshot.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import {
	createInviteVia,
	goOffline,
	joinedPhone,
	openControlled,
	RELAY_ORIGIN,
	uniqueCommunity
} from './helpers';

const run = promisify(execFile);

type Seeded = {
	communityId: string;
	grids: { id: string; name: string }[];
	cases: { id: string; gridId: string; title: string; status: string; point: number[] | null }[];
	inviteUrl: string;
};

async function seedMap(grids: number, cases: number): Promise<Seeded> {
	const { stdout } = await run(
		process.execPath,
		[
			'--experimental-strip-types',
			'--experimental-sqlite',
			'--disable-warning=ExperimentalWarning',
			'bench/map/seed-relay.ts',
			'--id',
			uniqueCommunity('map'),
			'--grids',
			String(grids),
			'--cases',
			String(cases),
			'--placed',
			'0.7',
			'--url',
			RELAY_ORIGIN
		],
		{ env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR } }
	);
	return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Seeded;
}

type Rendered = { layer: string; caseId?: string; color?: string; x: number; y: number };

/** The features drawn on screen in the pin and cluster layers, with their screen positions. */
async function renderedPins(page: Page): Promise<Rendered[]> {
	await expect(page.getByTestId('map')).toHaveAttribute('data-state', 'idle');
	return page.evaluate(() => {
		type MapLike = {
			queryRenderedFeatures(options: { layers: string[] }): {
				layer: { id: string };
				properties: Record<string, unknown>;
				geometry: { coordinates: [number, number] };
			}[];
			project(point: [number, number]): { x: number; y: number };
			getCanvas(): HTMLCanvasElement;
		};
		const map = (window as unknown as { __gridboardMaps: MapLike[] }).__gridboardMaps.at(-1)!;
		const box = map.getCanvas().getBoundingClientRect();
		return map.queryRenderedFeatures({ layers: ['cases-pin', 'cases-cluster'] }).map((feature) => {
			const at = map.project(feature.geometry.coordinates);
			return {
				layer: feature.layer.id,
				caseId: feature.properties.caseId as string | undefined,
				color: feature.properties.color as string | undefined,
				x: box.left + at.x,
				y: box.top + at.y
			};
		});
	});
}

/** The colour of the screenshot's pixel at a page position, as #rrggbb. */
async function pixelAt(page: Page, x: number, y: number): Promise<string> {
	const png = (await page.screenshot()).toString('base64');
	return page.evaluate(
		async ({ png, x, y }) => {
			const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
			const blob = new Blob([bytes], { type: 'image/png' });
			const bitmap = await createImageBitmap(blob);
			const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
			const context = canvas.getContext('2d')!;
			context.drawImage(bitmap, 0, 0);
			const scale = bitmap.width / window.innerWidth;
			const [r, g, b] = context.getImageData(
				Math.round(x * scale),
				Math.round(y * scale),
				1,
				1
			).data;
			return '#' + [r, g, b].map((v) => v!.toString(16).padStart(2, '0')).join('');
		},
		{ png, x, y }
	);
}

/** The zoom of the map on screen. */
async function zoomOf(page: Page): Promise<number> {
	return page.evaluate(() =>
		(window as unknown as { __gridboardMaps: { getZoom(): number }[] }).__gridboardMaps
			.at(-1)!
			.getZoom()
	);
}

test("a grid's map draws its pins offline; a cluster zooms in, a pin opens the case", async ({
	browser
}) => {
	const seeded = await seedMap(2, 10);
	const grid = seeded.grids[0]!;
	const placed = seeded.cases.filter((c) => c.gridId === grid.id && c.point);
	const unplaced = seeded.cases.filter((c) => c.gridId === grid.id && !c.point);
	expect(placed.length).toBeGreaterThan(1);

	const phone = await joinedPhone(browser, '李书记', seeded.inviteUrl);
	await phone.context.addInitScript(() => {
		(window as unknown as { __gridboardMaps: unknown[] }).__gridboardMaps = [];
	});
	// The map's worker and styles run under the app's Content-Security-Policy.
	const violations: string[] = [];
	phone.page.on('console', (message) => {
		if (/Refused to|Content Security Policy/.test(message.text())) violations.push(message.text());
	});
	const mapUrl = `/c/${seeded.communityId}/g/${grid.id}/map`;
	await openControlled(phone.page, mapUrl);
	await expect(phone.page.getByTestId('map')).toHaveAttribute('data-state', 'idle');
	await goOffline(phone);
	const { page } = phone;

	const map = page.getByTestId('map');
	await expect(map).toHaveAttribute('data-pins', String(placed.length));
	await expect(map).toHaveAttribute('data-renderer', /.+/);
	test.info().annotations.push({
		type: 'webgl-renderer',
		description: (await map.getAttribute('data-renderer')) ?? ''
	});
	// No grid drawn yet and no basemap on the phone: both said, the pins still drawn.
	await expect(page.getByTestId('map-no-boundaries')).toBeVisible();
	await expect(page.getByTestId('map-no-basemap')).toBeVisible();
	if (unplaced.length > 0) {
		await expect(page.getByTestId('map-unplaced')).toContainText(String(unplaced.length));
	}

	// Tap clusters until pins stand alone, then the canvas has the pin's colour under it.
	let pins = await renderedPins(page);
	for (let step = 0; step < 6 && !pins.some((p) => p.layer === 'cases-pin'); step++) {
		const cluster = pins.find((p) => p.layer === 'cases-cluster')!;
		const before = await zoomOf(page);
		await page.touchscreen.tap(cluster.x, cluster.y);
		await expect.poll(() => zoomOf(page)).toBeGreaterThan(before);
		pins = await renderedPins(page);
	}
	const pin = pins.find((p) => p.layer === 'cases-pin')!;
	expect(pin, JSON.stringify(pins)).toBeTruthy();
	// The screenshot has the pin's status colour where the pin is (not the plain background).
	const drawn = await pixelAt(page, pin.x, pin.y);
	const channels = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
	const distance = Math.max(
		...channels(drawn).map((value, i) => Math.abs(value - channels(pin.color!)[i]!))
	);
	expect(distance, `pixel ${drawn}, pin ${pin.color}`).toBeLessThan(24);

	await page.touchscreen.tap(pin.x, pin.y);
	await page.waitForURL(new RegExp(`/cases/${pin.caseId}$`));
	const title = seeded.cases.find((c) => c.id === pin.caseId)!.title;
	await expect(page.getByTestId('case-title')).toHaveText(title);
	expect(violations).toEqual([]);
	await phone.context.close();
});

test("the board ↔ map toggle keeps the board's filters; the map shows what the board shows", async ({
	browser
}) => {
	const seeded = await seedMap(2, 16);
	const grid = seeded.grids[0]!;
	const phone = await joinedPhone(browser, '李书记', seeded.inviteUrl);
	const { page } = phone;

	const status = 'reported';
	await page.goto(`/c/${seeded.communityId}/g/${grid.id}?status=${status}`);
	const shown = seeded.cases.filter((c) => c.gridId === grid.id && c.status === status);
	await expect(page.getByTestId('case-row')).toHaveCount(shown.length);
	await page.getByTestId('view-map').click();
	await page.waitForURL(new RegExp(`/g/${grid.id}/map\\?status=${status}$`));
	await expect(page.getByTestId('map')).toHaveAttribute(
		'data-pins',
		String(shown.filter((c) => c.point).length)
	);
	await page.getByTestId('view-list').click();
	await page.waitForURL(new RegExp(`/g/${grid.id}\\?status=${status}$`));
	await expect(page.getByTestId('case-row')).toHaveCount(shown.length);

	// The community board: every grid's open cases, same filter, same cases on the map.
	await page.goto(`/c/${seeded.communityId}/board?status=${status}`);
	await page.getByTestId('view-map').click();
	await page.waitForURL(new RegExp(`/c/${seeded.communityId}/map\\?status=${status}$`));
	const everywhere = seeded.cases.filter((c) => c.status === status && c.point);
	await expect(page.getByTestId('map')).toHaveAttribute('data-pins', String(everywhere.length));
	await phone.context.close();
});

test('a volunteer sees the map and no editing controls', async ({ browser }) => {
	const seeded = await seedMap(1, 4);
	const secretary = await joinedPhone(browser, '李书记', seeded.inviteUrl);
	const volunteer = await joinedPhone(
		browser,
		'刘芳',
		await createInviteVia(secretary.page, { role: 'volunteer' })
	);
	const { page } = volunteer;
	await page.goto(`/c/${seeded.communityId}/map`);
	const placed = seeded.cases.filter((c) => c.point).length;
	await expect(page.getByTestId('map')).toHaveAttribute('data-pins', String(placed));
	await expect(page.getByTestId('map')).toHaveAttribute('data-state', 'idle');
	await expect(page.locator('main').getByRole('button')).toHaveCount(0);
	await expect(page.locator('main input, main textarea, main select')).toHaveCount(0);
	await secretary.context.close();
	await volunteer.context.close();
});
