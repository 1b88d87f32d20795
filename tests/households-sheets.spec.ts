/**
 * Household spreadsheets and the household map through the UI (issue 18), against the built app
 * and the real relay: a grid member imports the messy XLSX fixture (the preview shows its row
 * errors; rows with errors skipped; Confirm writes), a re-import and the GBK CSV find every
 * household already registered (nothing doubled), an export downloads a CSV that parses back
 * with masked numbers, the secretary's full export asks first and both exports are in the
 * record; the grid's map shows a building's household marker to the grid member, who opens the
 * building's page, and shows none to a volunteer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Papa from 'papaparse';
import { expect, test, type Page } from '@playwright/test';
import {
	RELAY_ORIGIN,
	createInviteVia,
	joinedPhone,
	openControlled,
	expectAllOnServer,
	uniqueCommunity
} from './helpers';

const run = promisify(execFile);
const FIXTURES = path.resolve(import.meta.dirname, 'fixtures/households');
const FULL_ID = '11010519491231002X';

type Seeded = {
	communityId: string;
	grids: { id: string; name: string }[];
	buildings: { featureId: string; name: string; gridId: string }[];
	inviteUrl: string;
};

async function seed(): Promise<Seeded> {
	const { stdout } = await run(
		process.execPath,
		[
			'--experimental-strip-types',
			'--experimental-sqlite',
			'--disable-warning=ExperimentalWarning',
			'tests/fixtures/households/seed-map-relay.ts',
			'--id',
			uniqueCommunity('hh'),
			'--url',
			RELAY_ORIGIN
		],
		{ env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR } }
	);
	return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Seeded;
}

/** Picks a file on the import page and waits for its preview. */
async function pick(page: Page, file: string | { name: string; buffer: Buffer }): Promise<void> {
	await page
		.getByTestId('import-file')
		.setInputFiles(
			typeof file === 'string'
				? path.join(FIXTURES, file)
				: { name: file.name, mimeType: 'text/csv', buffer: file.buffer }
		);
	await expect(page.getByTestId('import-summary')).toBeVisible();
}

/** Exports and downloads; the file's rows as papaparse reads them. */
async function download(page: Page): Promise<string[][]> {
	const link = page.getByTestId('export-download');
	await expect(link).toBeVisible();
	const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
	const text = fs.readFileSync((await file.path())!, 'utf8');
	expect(text.charCodeAt(0)).toBe(0xfeff);
	return Papa.parse<string[]>(text.slice(1).trim()).data;
}

test('import the messy XLSX and the GBK CSV, export masked and in full, households on the map', async ({
	browser
}) => {
	test.setTimeout(240_000);
	const seeded = await seed();
	const grid = seeded.grids[0]!;
	const building = seeded.buildings[0]!;
	const base = `/c/${seeded.communityId}/g/${grid.id}`;
	const secretary = await joinedPhone(browser, '李书记', seeded.inviteUrl);
	const member = await joinedPhone(
		browser,
		'王网格员',
		await createInviteVia(secretary.page, { role: 'grid-member', grids: [grid.id] })
	);
	const volunteer = await joinedPhone(
		browser,
		'赵大爷',
		await createInviteVia(secretary.page, { role: 'volunteer' })
	);
	const page = member.page;

	await test.step('the messy XLSX: errors shown, skipped, nothing written before Confirm', async () => {
		await openControlled(page, `${base}/households/import`);
		await pick(page, 'households.xlsx');
		await expect(page.getByTestId('import-column-4')).toHaveValue('name');
		await expect(page.getByTestId('import-error')).toHaveCount(2);
		await expect(page.getByTestId('import-error').first()).toHaveAttribute('data-row', '9');
		await expect(page.getByTestId('import-error').first()).toContainText('身份证号');
		await expect(page.getByTestId('import-confirm')).toBeDisabled();
		// The preview fits a 320 px phone (its sample table scrolls inside its own box).
		await page.setViewportSize({ width: 320, height: 740 });
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
			320
		);
		await page.screenshot({ path: test.info().outputPath('preview-320.png'), fullPage: true });
		await page.setViewportSize({ width: 360, height: 740 });
		await page.getByTestId('import-skip-errors').check();
		await expect(page.getByTestId('import-summary')).toContainText('新增 4 户');
		await page.getByTestId('import-confirm').click();
		await expect(page.getByTestId('import-done')).toContainText('新增 4 户');
	});

	await test.step('a re-import and the GBK CSV find every household registered', async () => {
		for (const file of ['households.xlsx', 'households-gbk.csv']) {
			await page
				.getByRole('button', { name: '再导入一个文件' })
				.or(page.getByRole('button', { name: '换一个文件' }))
				.click();
			await pick(page, file);
			await expect(page.getByTestId('import-sample')).toContainText('张伟');
			await expect(page.getByTestId('import-duplicate')).toHaveCount(4);
			await expect(page.getByTestId('import-summary')).toContainText('新增 0 户');
			await page.getByTestId('import-skip-errors').check();
			await expect(page.getByTestId('import-confirm')).toBeDisabled();
		}
		await page.getByRole('button', { name: '换一个文件' }).click();
		const csv = `楼栋,门牌号,颜色,颜色原因\n${building.name},101,红,独居老人\n${building.name},102,绿,\n`;
		await pick(page, { name: 'map.csv', buffer: Buffer.from(csv) });
		await page.getByTestId('import-confirm').click();
		await expect(page.getByTestId('import-done')).toContainText('新增 2 户');
		await expectAllOnServer(page);
	});

	await test.step('a grid member exports masked, with no full option', async () => {
		await page.goto(`${base}/households/export`);
		await expect(page.getByTestId('export-count')).toContainText('6');
		await expect(page.getByTestId('export-full')).toHaveCount(0);
		await page.getByTestId('export-go').click();
		const rows = await download(page);
		expect(rows[0]!.slice(0, 4)).toEqual(['小区', '楼栋', '单元', '门牌号']);
		const zhang = rows.find((row) => row.includes('张伟'))!;
		expect(zhang).toContain('138****5678');
		expect(zhang.join()).not.toContain(FULL_ID);
		expect(zhang).toContain('红色');
		// One row per resident: 6 households, 3 residents at 301, 2 households without any.
		expect(rows).toHaveLength(1 + 8);
		await expectAllOnServer(page);
	});

	await test.step("the secretary's full export asks first; the record shows both", async () => {
		const s = secretary.page;
		await openControlled(s, `${base}/households/export`);
		await expect(s.getByTestId('export-count')).toContainText('6');
		await s.getByTestId('export-full').check();
		await s.getByTestId('export-go').click();
		await s.getByTestId('export-full-confirm-confirm').click();
		const rows = await download(s);
		expect(rows.find((row) => row.includes('张伟'))).toContain(FULL_ID);
		await s.getByTestId('export-log-link').click();
		await expect(s.getByTestId('export-log-entry')).toHaveCount(2);
		await expect(s.locator('[data-testid="export-log-entry"][data-full="true"]')).toContainText(
			'李书记'
		);
		await expect(s.locator('[data-testid="export-log-entry"][data-full="false"]')).toContainText(
			'王网格员'
		);
	});

	await test.step("the map: the grid member sees the building's households, a volunteer none", async () => {
		await page.addInitScript(() => {
			(window as unknown as { __gridboardMaps: unknown[] }).__gridboardMaps = [];
		});
		await page.goto(`${base}/map`);
		// The marker on the map itself: a tap opens the building's page.
		await expect(page.getByTestId('map')).toHaveAttribute('data-state', 'idle');
		const drawn = await page.evaluate(() => {
			type MapLike = {
				queryRenderedFeatures(options: { layers: string[] }): {
					properties: Record<string, unknown>;
					geometry: { coordinates: [number, number] };
				}[];
				project(point: [number, number]): { x: number; y: number };
				getCanvas(): HTMLCanvasElement;
			};
			const map = (window as unknown as { __gridboardMaps: MapLike[] }).__gridboardMaps.at(-1)!;
			const box = map.getCanvas().getBoundingClientRect();
			return map.queryRenderedFeatures({ layers: ['households-marker'] }).map((feature) => {
				const at = map.project(feature.geometry.coordinates);
				return { ...feature.properties, x: box.left + at.x, y: box.top + at.y };
			});
		});
		expect(drawn).toMatchObject([{ buildingId: building.featureId, count: 2, colour: 'red' }]);
		await page.mouse.click(drawn[0]!.x, drawn[0]!.y);
		await expect(page.getByTestId('building-title')).toContainText(building.name);
		await page.goBack();
		const marker = page.getByTestId('household-building');
		await expect(marker).toHaveCount(1);
		await expect(marker).toHaveAttribute('data-colour', 'red');
		await marker.click();
		await expect(page.getByTestId('building-title')).toContainText(building.name);
		await expect(page.getByTestId('building-household')).toHaveCount(2);
		await expect(page.getByTestId('building-household').first()).toHaveAttribute(
			'data-colour',
			'red'
		);
		await openControlled(volunteer.page, `${base}/map`);
		await expect(volunteer.page.getByTestId('map-count')).toBeVisible();
		await expect(volunteer.page.getByTestId('household-buildings')).toHaveCount(0);
		await volunteer.page.goto(`${base}/map/building/${building.featureId}`);
		await expect(volunteer.page.getByTestId('not-allowed')).toBeVisible();
	});
});
