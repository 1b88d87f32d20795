/**
 * Placing a case (the case form's Place control) on a phone, against the demo community (its map
 * document has an area for every grid and five buildings in each, sync-server/demo.ts): a
 * volunteer places a case by tapping the map picker and the case shows at that point on the
 * grid's map; a granted position shows its accuracy and suggests the building; picking a
 * building in another grid says so and links to report it there; a refused position is said;
 * the typed coordinates field is gone; the control fits 320 px and passes axe in both languages.
 *
 * The picker's map is read through `window.__gridboardMaps` (MapView.svelte).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { createInviteVia, joinedPhone, RELAY_ORIGIN, uniqueCommunity } from './helpers';

const run = promisify(execFile);

type Demo = { communityId: string; grids: { id: string; name: string }[]; inviteUrl: string };

async function seedDemo(): Promise<Demo> {
	const { stdout } = await run(
		process.execPath,
		[
			'--experimental-strip-types',
			'--experimental-sqlite',
			'--disable-warning=ExperimentalWarning',
			'sync-server/demo.ts',
			'--id',
			uniqueCommunity('place'),
			'--cases',
			'12',
			'--json',
			'--url',
			RELAY_ORIGIN
		],
		{ env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR } }
	);
	return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Demo;
}

type MapLike = {
	getCenter(): { lng: number; lat: number };
	unproject(point: [number, number]): { lng: number; lat: number };
	project(point: [number, number]): { x: number; y: number };
	queryRenderedFeatures(options: { layers: string[] }): {
		properties: Record<string, unknown>;
		geometry: { coordinates: [number, number] };
	}[];
	getCanvas(): HTMLCanvasElement;
};

/** The stored point the control shows ("lng,lat"), as numbers. */
async function shownPoint(page: Page): Promise<[number, number]> {
	const text = (await page.getByTestId('place-point').textContent()) ?? '';
	const match = /(-?\d+\.\d+),(-?\d+\.\d+)/.exec(text);
	expect(match, text).not.toBeNull();
	return [Number(match![1]), Number(match![2])];
}

async function pickBuilding(page: Page, name: string): Promise<void> {
	await page.getByTestId('place-pick-building').click();
	await page.getByTestId('place-building-search').fill(name);
	await expect(page.getByTestId('place-building-option')).toHaveText([name]);
	await page.getByTestId('place-building-option').click();
	await expect(page.getByTestId('place-building')).toContainText(name);
}

test('a volunteer places a case by tapping the map picker; the grid map shows it there', async ({
	browser
}) => {
	const demo = await seedDemo();
	const grid = demo.grids[0]!;
	const secretary = await joinedPhone(browser, '李书记', demo.inviteUrl);
	const volunteer = await joinedPhone(
		browser,
		'刘芳',
		await createInviteVia(secretary.page, { role: 'volunteer' })
	);
	await volunteer.context.addInitScript(() => {
		(window as unknown as { __gridboardMaps: unknown[] }).__gridboardMaps = [];
	});
	const { page } = volunteer;
	await page.goto(`/c/${demo.communityId}/g/${grid.id}/new`);
	await expect(page.getByTestId('case-form')).toBeVisible();
	// The typed coordinates field is gone; the map is not loaded until asked for.
	await expect(page.locator('#case-map-point, [name="mapPoint"]')).toHaveCount(0);
	await expect(page.getByTestId('place-none')).toBeVisible();
	await expect(page.getByTestId('map')).toHaveCount(0);
	const maps = () =>
		page.evaluate(
			() => (window as unknown as { __gridboardMaps: unknown[] }).__gridboardMaps.length
		);
	expect(await maps()).toBe(0);

	const title = `地图上标的井盖 ${Date.now()}`;
	await page.locator('#case-title').fill(title);
	await page.getByTestId('place-pick-map').click();
	const map = page.getByTestId('place-picker').getByTestId('map');
	await expect(map).toHaveAttribute('data-state', 'idle');

	// Two taps: the second moves the marker. (The form above the map grows as the point shows,
	// so each tap reads where the map is now, and the point under the finger from the map itself.)
	const tapAt = async (dx: number, dy: number): Promise<[number, number]> => {
		await map.scrollIntoViewIfNeeded();
		const box = (await map.boundingBox())!;
		const x = box.width / 2 + dx;
		const y = box.height / 2 + dy;
		const under = await page.evaluate(
			([x, y]) => {
				const map = (window as unknown as { __gridboardMaps: MapLike[] }).__gridboardMaps.at(-1)!;
				const { lng, lat } = map.unproject([x!, y!]);
				return [lng, lat] as [number, number];
			},
			[x, y]
		);
		await page.touchscreen.tap(box.x + x, box.y + y);
		return under;
	};
	await tapAt(-30, -20);
	await expect(page.getByTestId('place-point')).toBeVisible();
	await expect(page.getByTestId('map-marker')).toBeVisible();
	const first = await shownPoint(page);
	const target = await tapAt(25, 15);
	await expect.poll(async () => (await shownPoint(page))[0]).not.toBe(first[0]);
	const placed = await shownPoint(page);
	expect(placed[0]).toBeCloseTo(target[0], 5);
	expect(placed[1]).toBeCloseTo(target[1], 5);
	await expect(page.getByTestId('map-marker')).toHaveCount(1);
	// The picker opens on this grid's area: the point is in this grid, nothing to warn about.
	await expect(page.getByTestId('place-other-grid')).toHaveCount(0);

	await page.getByTestId('case-submit').click();
	await expect(page.getByTestId('case-title')).toHaveText(title);
	const caseId = /\/cases\/([^/?#]+)$/.exec(page.url())![1]!;
	const stored = `${placed[0].toFixed(6)},${placed[1].toFixed(6)}`;
	await expect(page.getByTestId('case-map-point')).toContainText(stored);

	// The grid's map, narrowed to this case by the board's search: one pin, at the point.
	await page.goto(`/c/${demo.communityId}/g/${grid.id}/map?q=${encodeURIComponent(title)}`);
	const gridMap = page.getByTestId('map');
	await expect(gridMap).toHaveAttribute('data-pins', '1');
	await expect(gridMap).toHaveAttribute('data-state', 'idle');
	const pins = await page.evaluate(() => {
		const map = (window as unknown as { __gridboardMaps: MapLike[] }).__gridboardMaps.at(-1)!;
		return map.queryRenderedFeatures({ layers: ['cases-pin'] }).map((feature) => ({
			caseId: feature.properties.caseId,
			at: feature.geometry.coordinates
		}));
	});
	expect(pins).toHaveLength(1);
	expect(pins[0]!.caseId).toBe(caseId);
	expect(pins[0]!.at[0]).toBeCloseTo(placed[0], 5);
	expect(pins[0]!.at[1]).toBeCloseTo(placed[1], 5);

	// Editing the case shows its stored point in the Place control (no typed field there either).
	const staff = secretary.page;
	await staff.goto(`/c/${demo.communityId}/g/${grid.id}/cases/${caseId}`);
	await staff.getByTestId('case-edit').click();
	await expect(staff.getByTestId('place-point')).toContainText(stored);
	await expect(staff.locator('#case-map-point, [name="mapPoint"]')).toHaveCount(0);
	await secretary.context.close();
	await volunteer.context.close();
});

test('my location: the accuracy is shown and the building suggested; another grid is said', async ({
	browser
}) => {
	const demo = await seedDemo();
	const [first, , third] = demo.grids;
	const phone = await joinedPhone(browser, '李书记', demo.inviteUrl);
	const { page, context } = phone;
	await context.grantPermissions(['geolocation'], { origin: new URL(page.url()).origin });
	await page.goto(`/c/${demo.communityId}/g/${first!.id}/new`);

	// A building of this grid, from the list: its point, and its name as the location.
	await pickBuilding(page, '锦绣花园1栋');
	await expect(page.locator('#case-location')).toHaveValue('锦绣花园1栋');
	await expect(page.getByTestId('place-other-grid')).toHaveCount(0);
	const building = await shownPoint(page);
	await page.getByTestId('place-clear').click();
	await expect(page.getByTestId('place-none')).toBeVisible();
	await page.locator('#case-location').fill('');

	// The phone stands a few metres from it.
	await context.setGeolocation({
		longitude: building[0] + 0.00003,
		latitude: building[1] + 0.00002,
		accuracy: 12
	});
	await page.getByTestId('place-use-location').click();
	await expect(page.getByTestId('place-accuracy')).toContainText('±12');
	await expect(page.getByTestId('place-building')).toContainText('锦绣花园1栋');
	await expect(page.locator('#case-location')).toHaveValue('锦绣花园1栋');
	const located = await shownPoint(page);
	expect(located[0]).toBeCloseTo(building[0] + 0.00003, 6);

	// A building of 第三网格: said, not moved; the link opens that grid's form at the point.
	await page.locator('#case-location').fill('');
	await pickBuilding(page, '玉城小区1栋');
	await expect(page.getByTestId('place-accuracy')).toHaveCount(0);
	await expect(page.getByTestId('place-other-grid')).toContainText(third!.name);
	const there = await shownPoint(page);
	await page.getByTestId('place-report-there').click();
	await page.waitForURL(new RegExp(`/g/${third!.id}/new\\?at=`));
	await expect(page.getByTestId('place-point')).toBeVisible();
	expect(await shownPoint(page)).toEqual(there);
	await expect(page.getByTestId('place-other-grid')).toHaveCount(0);
	await context.close();
});

test('my location refused is said; the control fits 320 px and passes axe in both languages', async ({
	browser
}) => {
	const demo = await seedDemo();
	const phone = await joinedPhone(browser, '李书记', demo.inviteUrl);
	const { page, context } = phone;
	await page.goto(`/c/${demo.communityId}/g/${demo.grids[0]!.id}/new`);
	await page.getByTestId('place-use-location').click();
	const failure = page.getByTestId('place-failure');
	await expect(failure).toHaveAttribute('data-reason', 'denied');
	await expect(failure).toContainText('没有定位权限');
	await expect(page.getByTestId('place-none')).toBeVisible();

	await page.setViewportSize({ width: 320, height: 700 });
	for (const language of ['zh-CN', 'en']) {
		await page.evaluate((locale) => localStorage.setItem('PARAGLIDE_LOCALE', locale), language);
		await page.reload();
		await page.getByTestId('place-use-location').click();
		await expect(page.getByTestId('place-failure')).toContainText(
			language === 'en' ? 'Location permission was refused' : '没有定位权限'
		);
		await pickBuilding(page, '玉城小区1栋');
		await expect(page.getByTestId('place-other-grid')).toBeVisible();
		await page.getByTestId('place-pick-map').click();
		await expect(page.getByTestId('place-picker').getByTestId('map')).toHaveAttribute(
			'data-state',
			'idle'
		);
		// The control with its notes and the picker open: no serious or critical axe finding.
		const axe = await new AxeBuilder({ page })
			.setLegacyMode()
			.include('[data-testid="place"]')
			.options({ resultTypes: ['violations'] })
			.analyze();
		const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
		expect(serious.map((v) => `${v.id}: ${v.nodes[0]?.target.join(' ')}`)).toEqual([]);
		const wide = await page.evaluate(() => document.scrollingElement!.scrollWidth);
		expect(wide, language).toBeLessThanOrEqual(320);
		for (const id of ['place', 'place-pick-map', 'place-use-location', 'place-pick-building']) {
			const box = (await page.getByTestId(id).first().boundingBox())!;
			expect(box.x + box.width, `${id} in ${language}`).toBeLessThanOrEqual(320);
		}
	}
	await context.close();
});
