/**
 * Drawing the map in headless Chromium (WebGL in SwiftShader, terra-draw's polygon mode driven
 * by mouse clicks on the map): the secretary outlines a grid by clicking its corners and adds a
 * named building (its grid suggested from where it stands); a grid member's phone sees the new
 * boundary and has no edit control, nor has a volunteer's; a boundary drawn offline reaches the
 * others once the phone is back online; the edit UI fits 320 px in both languages.
 *
 * The community is seeded through the app's model (bench/map/seed-relay.ts, grids and cases but
 * no map document), so every boundary here is drawn by the test.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import {
	createInviteVia,
	expectAllOnServer,
	goOffline,
	joinedPhone,
	openControlled,
	RELAY_ORIGIN,
	uniqueCommunity,
	type Phone
} from './helpers';

const run = promisify(execFile);

type Seeded = {
	communityId: string;
	grids: { id: string; name: string }[];
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
			...['--id', uniqueCommunity('draw'), '--grids', String(grids)],
			...['--cases', String(cases), '--placed', '1', '--url', RELAY_ORIGIN]
		],
		{ env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR } }
	);
	return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Seeded;
}

/** A phone whose maps the test can read (`window.__gridboardMaps`, MapView.svelte). */
async function mapPhone(phone: Phone): Promise<Phone> {
	await phone.context.addInitScript(() => {
		(window as unknown as { __gridboardMaps: unknown[] }).__gridboardMaps = [];
	});
	return phone;
}

/**
 * Whether the page has loaded terra-draw (a script holding its adapter base class): the drawing
 * tools load only when the secretary opens edit mode.
 */
function watchTerraDraw(page: Page): () => Promise<boolean> {
	let seen = false;
	const reads: Promise<void>[] = [];
	page.on('response', (response) => {
		if (!/\.js(\?|$)/.test(response.url())) return;
		reads.push(
			response.text().then(
				(body) => {
					if (body.includes('TerraDrawBaseAdapter')) seen = true;
				},
				() => undefined
			)
		);
	});
	return async () => {
		await Promise.all(reads);
		return seen;
	};
}

/** The grid areas drawn on screen: their grid ids, one per area. */
async function drawnAreas(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		type MapLike = {
			queryRenderedFeatures(options: { layers: string[] }): {
				properties: Record<string, unknown>;
			}[];
		};
		const map = (window as unknown as { __gridboardMaps: MapLike[] }).__gridboardMaps.at(-1);
		if (!map) return [];
		const ids = new Set(
			map
				.queryRenderedFeatures({ layers: ['grids-fill'] })
				.map((feature) => String(feature.properties.gridId))
		);
		return [...ids].sort();
	});
}

/**
 * The part of the map a finger can reach now (scrolled into view, clipped to the screen and the
 * bottom navigation): its centre and a size that fits inside it.
 */
async function mapArea(page: Page): Promise<{ x: number; y: number; r: number }> {
	await page
		.getByTestId('map')
		.evaluate((map) => map.scrollIntoView({ block: 'center', behavior: 'instant' }));
	await expect(page.getByTestId('map')).toHaveAttribute('data-state', 'idle');
	const box = (await page.getByTestId('map').boundingBox())!;
	const navTop = await page.evaluate(() =>
		Math.min(
			window.innerHeight,
			...[...document.querySelectorAll('nav')]
				.filter((nav) => getComputedStyle(nav).position === 'fixed')
				.map((nav) => nav.getBoundingClientRect().top)
		)
	);
	const top = Math.max(box.y, 0);
	const bottom = Math.min(box.y + box.height, navTop);
	return {
		x: box.x + box.width / 2,
		y: (top + bottom) / 2,
		r: Math.min(box.width, bottom - top) / 4
	};
}

/** Outlines a grid: clicks four corners around `at`, then the first again to close the shape. */
async function drawSquare(page: Page, at: { x: number; y: number }, r: number): Promise<void> {
	const corners = [
		[at.x - r, at.y - r],
		[at.x + r, at.y - r],
		[at.x + r, at.y + r],
		[at.x - r, at.y + r],
		[at.x - r, at.y - r]
	] as const;
	for (const [x, y] of corners) await page.mouse.click(x, y);
}

/** Outlines `gridId`'s area: a square centred `dx` half-sizes right of the map's centre. */
async function drawGrid(page: Page, gridId: string, dx = 0, scale = 1) {
	await page.getByTestId('map-draw-grid-pick').selectOption(gridId);
	await page.getByTestId('map-draw-grid').click();
	await expect(page.getByTestId('map-draw-hint')).toBeVisible();
	const area = await mapArea(page);
	const r = area.r * scale;
	await drawSquare(page, { x: area.x + dx * r, y: area.y }, r);
	await expect(page.getByTestId('map-draw-save')).toBeEnabled();
	await page.getByTestId('map-draw-save').click();
	await expect(page.getByTestId('map-draw-refusal')).toHaveCount(0);
	await expect(
		page.getByTestId('map-draw-grid-pick').locator(`option[value="${gridId}"]`)
	).toHaveCount(0);
}

test('the secretary outlines a grid and names a building; a grid member and a volunteer see them and cannot edit', async ({
	browser
}) => {
	const seeded = await seedMap(2, 4);
	const [first] = seeded.grids;
	const secretary = await mapPhone(await joinedPhone(browser, '李书记', seeded.inviteUrl));
	const { page } = secretary;
	const secretaryLoadedDraw = watchTerraDraw(page);
	await openControlled(page, `/c/${seeded.communityId}/map`);
	await expect(page.getByTestId('map')).toHaveAttribute('data-state', 'idle');
	await expect(page.getByTestId('map-no-boundaries')).toBeVisible();
	expect(await secretaryLoadedDraw(), 'terra-draw before edit mode').toBe(false);

	await page.getByTestId('map-draw-open').click();
	await expect(page.getByTestId('map-draw-grid')).toBeEnabled();
	expect(await secretaryLoadedDraw(), 'terra-draw in edit mode').toBe(true);
	await drawGrid(page, first!.id);
	await expect(page.getByTestId('map-no-boundaries')).toHaveCount(0);
	await expect.poll(() => drawnAreas(page)).toEqual([first!.id]);

	// A building pinned inside the new boundary: its grid is suggested, its name typed.
	await page.getByTestId('map-draw-building-point').click();
	const centre = await mapArea(page);
	await page.mouse.click(centre.x, centre.y);
	await expect(page.getByTestId('map-draw-save')).toBeEnabled();
	await expect(page.getByTestId('map-draw-building-grid')).toHaveValue(first!.id);
	await page.getByTestId('map-draw-name').fill('3号楼');
	await page.getByTestId('map-draw-save').click();
	await expect(page.getByTestId('map-draw-features').locator('li')).toHaveCount(2);
	await expect(page.getByTestId('map-draw-features')).toContainText('3号楼');
	// Picked again: renamed, then deleted and brought back with the undo.
	const row = (name: string) =>
		page.getByTestId('map-draw-features').locator('li').filter({ hasText: name });
	await row('3号楼').getByTestId('map-draw-edit').click();
	await page.getByTestId('map-draw-name').fill('三号楼');
	await page.getByTestId('map-draw-save').click();
	await expect(row('三号楼')).toHaveCount(1);
	await row('三号楼').getByTestId('map-draw-edit').click();
	await page.getByTestId('map-draw-delete').click();
	await expect(page.getByTestId('map-draw-deleted')).toContainText('三号楼');
	await expect(page.getByTestId('map-draw-features').locator('li')).toHaveCount(1);
	await page.getByTestId('map-draw-undo').click();
	await expect(page.getByTestId('map-draw-deleted')).toHaveCount(0);
	await expect(row('三号楼')).toHaveCount(1);
	await expectAllOnServer(page);

	// Another phone of the community, a grid member's: the boundary arrives, nothing to edit.
	const member = await mapPhone(
		await joinedPhone(
			browser,
			'王网格员',
			await createInviteVia(page, { role: 'grid-member', grids: [first!.id] })
		)
	);
	const volunteer = await mapPhone(
		await joinedPhone(browser, '刘芳', await createInviteVia(page, { role: 'volunteer' }))
	);
	for (const other of [member, volunteer]) {
		const loadedDraw = watchTerraDraw(other.page);
		await other.page.goto(`/c/${seeded.communityId}/map`);
		await expect(other.page.getByTestId('map')).toHaveAttribute('data-state', 'idle');
		await expect(other.page.getByTestId('map-no-boundaries')).toHaveCount(0);
		await expect.poll(() => drawnAreas(other.page)).toEqual([first!.id]);
		await expect(other.page.getByTestId('map-draw')).toHaveCount(0);
		await expect(other.page.locator('main').getByRole('button')).toHaveCount(0);
		await expect(other.page.locator('main input, main textarea, main select')).toHaveCount(0);
		expect(await loadedDraw(), 'terra-draw for a member who cannot draw').toBe(false);
		await other.context.close();
	}
	await secretary.context.close();
});

test('a boundary drawn offline reaches the other phones once back online; the edit UI fits 320 px', async ({
	browser
}) => {
	const seeded = await seedMap(2, 4);
	const [first, second] = seeded.grids;
	const secretary = await mapPhone(await joinedPhone(browser, '李书记', seeded.inviteUrl));
	const { page } = secretary;
	const mapUrl = `/c/${seeded.communityId}/map`;
	await openControlled(page, mapUrl);
	const member = await mapPhone(
		await joinedPhone(
			browser,
			'王网格员',
			await createInviteVia(page, { role: 'grid-member', grids: [first!.id] })
		)
	);
	await member.page.goto(mapUrl);
	await expect(member.page.getByTestId('map')).toHaveAttribute('data-state', 'idle');
	await expect(member.page.getByTestId('map-no-boundaries')).toBeVisible();

	await goOffline(secretary);
	await expect(page.getByTestId('map')).toHaveAttribute('data-state', 'idle');
	await page.getByTestId('map-draw-open').click();
	await expect(page.getByTestId('map-draw-grid')).toBeEnabled();
	await drawGrid(page, first!.id, -1.2, 0.5);
	await drawGrid(page, second!.id, 1.2, 0.5);
	await expect.poll(() => drawnAreas(page)).toEqual([first!.id, second!.id].sort());
	await expect(member.page.getByTestId('map-no-boundaries')).toBeVisible();

	await secretary.context.setOffline(false);
	await expectAllOnServer(page);
	await expect(member.page.getByTestId('map-no-boundaries')).toHaveCount(0);
	await expect.poll(() => drawnAreas(member.page)).toEqual([first!.id, second!.id].sort());
	await member.context.close();

	// The edit UI at 320 px, in both languages: nothing wider than the screen.
	await page.setViewportSize({ width: 320, height: 700 });
	for (const language of ['zh-CN', 'en']) {
		await page.evaluate((locale) => localStorage.setItem('PARAGLIDE_LOCALE', locale), language);
		await page.reload();
		await page.getByTestId('map-draw-open').click();
		await expect(page.getByTestId('map-draw-building-point')).toBeEnabled();
		const widths = async () =>
			page.evaluate(() => ({
				page: document.scrollingElement!.scrollWidth,
				panel: Math.ceil(
					document.querySelector('[data-testid="map-draw"]')!.getBoundingClientRect().right
				)
			}));
		expect(await widths(), `${language}: the menu`).toEqual({
			page: 320,
			panel: expect.any(Number)
		});
		expect((await widths()).panel).toBeLessThanOrEqual(320);
		await page.getByTestId('map-draw-edit').first().click();
		await expect(page.getByTestId('map-draw-delete')).toBeVisible();
		expect((await widths()).page, `${language}: editing a boundary`).toBe(320);
		expect((await widths()).panel).toBeLessThanOrEqual(320);
		await page.getByTestId('map-draw-cancel').click();
		await page.getByTestId('map-draw-building-outline').click();
		await expect(page.getByTestId('map-draw-name')).toBeVisible();
		expect((await widths()).page, `${language}: a new building`).toBe(320);
		expect((await widths()).panel).toBeLessThanOrEqual(320);
		await page.screenshot({ path: test.info().outputPath(`map-draw-320-${language}.png`) });
	}
	await secretary.context.close();
});
