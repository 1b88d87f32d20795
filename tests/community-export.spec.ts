/**
 * The community ZIP from the app (issue 21, "From the app"), against the built app and the real
 * relay: the secretary reports a case with a photo and imports households, goes offline, and
 * downloads the community's ZIP from the phone's copy: the progress bar reaches its end, each kind
 * of document says how current it is, and the ZIP holds the manifest (as of, counts, every file's
 * size and SHA-256), the board's CSV, the households' XLSX with ID numbers and phones masked, and
 * the photo's bytes under its hash. Back online, the download's record in the register reaches
 * the relay (its write rules accept it) and shows in the export record.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import Papa from 'papaparse';
import readXlsxFile from 'read-excel-file/node';
import { expect, test } from '@playwright/test';
import {
	addGrid,
	cameraPhoto,
	expectAllOnServer,
	reportCase,
	secretaryPhone,
	syncStatus
} from './helpers';

const FIXTURES = path.resolve(import.meta.dirname, 'fixtures/households');
const FULL_ID = '11010519491231002X';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

test('the secretary downloads the community ZIP offline, from the phone', async ({ browser }) => {
	test.setTimeout(240_000);
	const secretary = await secretaryPhone(browser, '李书记');
	const { page } = secretary;
	const communityId = secretary.community.communityId;

	let hash = '';
	let boardUrl = '';
	await test.step('a case with a photo, and households imported', async () => {
		await addGrid(page, '一网格');
		await page
			.getByTestId('grid-row')
			.filter({ hasText: '一网格' })
			.getByRole('link')
			.first()
			.click();
		await expect(page.getByTestId('empty-state')).toBeVisible();
		boardUrl = page.url();
		await reportCase(page, { title: '楼道灯不亮', location: '3号楼' });
		const jpeg = await cameraPhoto(page, '楼道灯');
		await page
			.getByTestId('photo-input')
			.setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: jpeg });
		const item = page.getByTestId('photo-item');
		await expect(item.getByTestId('photo-state')).toHaveAttribute('data-status', 'stored', {
			timeout: 30_000
		});
		hash = (await item.getAttribute('data-hash')) ?? '';
		expect(hash).toMatch(/^[0-9a-f]{64}$/);

		await page.goto(`${boardUrl}/households/import`);
		await page.getByTestId('import-file').setInputFiles(path.join(FIXTURES, 'households.xlsx'));
		await expect(page.getByTestId('import-summary')).toBeVisible();
		await page.getByTestId('import-skip-errors').check();
		await page.getByTestId('import-confirm').click();
		await expect(page.getByTestId('import-done')).toContainText('新增 4 户');
		await expectAllOnServer(page);
	});

	await test.step('offline: the ZIP is built from the phone with a progress bar', async () => {
		await page.goto(`/c/${communityId}/settings`);
		await secretary.context.setOffline(true);
		await page.reload();
		await expect(syncStatus(page)).toHaveAttribute('data-connection', 'offline');
		await page.getByTestId('zip-link').click();
		await page.getByTestId('zip-build').click();
		await expect(page.getByTestId('zip-ready')).toBeVisible({ timeout: 60_000 });
		const progress = page.getByTestId('zip-progress');
		const max = await progress.getAttribute('max');
		expect(Number(max)).toBeGreaterThan(1);
		await expect(progress).toHaveAttribute('value', max!);
		await expect(page.getByTestId('zip-status')).toContainText(`${max}`);
		// Each kind says how current it is: the board was heard from the relay before going offline.
		await expect(page.locator('[data-testid="zip-as-of"][data-kind="board"]')).toContainText(
			'截至'
		);
	});

	await test.step('the ZIP: manifest, board CSV, masked household XLSX, the photo by hash', async () => {
		const [download] = await Promise.all([
			page.waitForEvent('download'),
			page.getByTestId('zip-download').click()
		]);
		expect(download.suggestedFilename()).toMatch(new RegExp(`^gridboard-${communityId}-.*\\.zip$`));
		const files = unzipSync(new Uint8Array(fs.readFileSync((await download.path())!)));
		const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json'])) as {
			community: { id: string };
			counts: Record<string, number>;
			documents: { name: string; kind: string; asOf: string | null }[];
			photos: { included: string[]; missing: string[] };
			files: Record<string, { bytes: number; sha256: string }>;
		};
		expect(manifest.community.id).toBe(communityId);
		expect(manifest.counts).toMatchObject({ grids: 1, cases: 1, households: 4, photos: 1 });
		expect(manifest.photos.included).toEqual([hash]);
		const board = manifest.documents.find((d) => d.kind === 'board')!;
		expect(board.asOf).not.toBeNull();
		for (const [name, entry] of Object.entries(manifest.files)) {
			expect(files[name], name).toBeDefined();
			expect(files[name]!.byteLength, name).toBe(entry.bytes);
			expect(sha256(files[name]!), name).toBe(entry.sha256);
		}
		const gridId = board.name.split('/')[1]!;

		const csv = new TextDecoder('utf-8', { ignoreBOM: true }).decode(files[`boards/${gridId}.csv`]);
		expect(csv.charCodeAt(0)).toBe(0xfeff);
		const rows = Papa.parse<string[]>(csv.slice(1).trim()).data;
		expect(rows).toHaveLength(2);
		expect(rows[1]).toContain('楼道灯不亮');
		expect(rows[1]!.join('\n')).toContain(hash);

		const sheets = await readXlsxFile(Buffer.from(files[`households/${gridId}.xlsx`]!));
		const people = sheets[0]!.data.map((row) => row.map((cell) => String(cell ?? '')));
		const zhang = people.find((row) => row.some((cell) => cell.includes('张伟')))!;
		expect(zhang).toContain('138****5678');
		expect(zhang.join()).not.toContain(FULL_ID);
		expect(zhang).toContain(`${FULL_ID.slice(0, 6)}********${FULL_ID.slice(-4)}`);

		const photo = files[`photos/${hash}.jpg`]!;
		expect(sha256(photo)).toBe(hash);
		expect([...photo.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
	});

	await test.step('back online: the download is on record in the register', async () => {
		await secretary.context.setOffline(false);
		await expectAllOnServer(page);
		await page.goto(`${boardUrl}/households/exports`);
		await expect(page.getByTestId('export-log-entry').filter({ hasText: 'ZIP' })).toHaveCount(1);
	});
});
