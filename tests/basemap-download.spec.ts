/**
 * The offline basemap, end to end: the secretary's admin command builds the community's archive
 * on the relay; a phone opens the "Offline map" card, starts the download, the connection drops
 * mid-body, the download resumes from what was stored (a Range request under If-Range) and
 * completes; then, with no network at all, the page still shows the stored map and
 * the archive read back from device storage (OPFS) is the relay's file, byte for byte, a PMTiles
 * v3 archive. Sign-out deletes it.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { syntheticExtract } from '../sync-server/basemap/fixture.ts';
import { goOffline, openControlled, secretaryPhone } from './helpers';

const run = promisify(execFile);

/** `npm run admin -- basemap <cid> --extract <file>` against the test relay's DATA_DIR. */
async function buildBasemap(communityId: string): Promise<Buffer> {
	const dataDir = process.env.E2E_DATA_DIR!;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-extract-'));
	const extract = path.join(dir, 'extract.geojson');
	fs.writeFileSync(extract, JSON.stringify(syntheticExtract()));
	const { stdout } = await run(
		process.execPath,
		[
			'--experimental-strip-types',
			'--experimental-sqlite',
			'--disable-warning=ExperimentalWarning',
			'sync-server/admin.ts',
			'basemap',
			communityId,
			'--extract',
			extract
		],
		{ env: { ...process.env, DATA_DIR: dataDir } }
	);
	expect(stdout).toMatch(/\d+ tiles, zoom 12–18/);
	fs.rmSync(dir, { recursive: true, force: true });
	return fs.readFileSync(path.join(dataDir, 'basemaps', `${communityId}.pmtiles`));
}

test('a phone downloads the basemap, resumes after the network drops, and reads it offline', async ({
	browser
}) => {
	const phone = await secretaryPhone(browser, '书记');
	const { page, context } = phone;
	const cid = phone.community.communityId;
	const archive = await buildBasemap(cid);
	const etag = `"${createHash('sha256').update(archive).digest('hex')}"`;

	const requests: Record<string, string>[] = [];
	page.on('request', (request) => {
		if (request.url().endsWith(`/api/communities/${cid}/basemap`) && request.method() === 'GET') {
			requests.push(request.headers());
		}
	});

	// From the device settings (the nav's 设置) to the community's offline map card.
	await openControlled(page, '/settings');
	await page.getByTestId('offline-map-link').click();
	await page.waitForURL(`**/c/${cid}/settings`);
	const card = page.getByTestId('offline-map');
	await expect(card).toContainText('尚未下载');
	const download = page.getByTestId('offline-map-download');
	await expect(download).toHaveText('下载地图');

	// The connection drops mid-body: the first answer stops after a third of the archive (its
	// headers still announce the whole size).
	const cut = Math.floor(archive.length / 3);
	await page.route(
		`**/api/communities/${cid}/basemap`,
		async (route) => {
			const response = await route.fetch();
			const body = await response.body();
			await route.fulfill({ response, body: body.subarray(0, cut) });
		},
		{ times: 1 }
	);
	await download.click();
	const progress = page.getByTestId('offline-map-progress');
	await expect(page.getByTestId('offline-map-error')).toBeVisible();
	await expect(page.getByTestId('offline-map-error')).toContainText('下载中断');
	await expect(progress).toHaveAttribute('max', String(archive.length));
	await expect(progress).toHaveAttribute('value', String(cut));
	await expect(download).toHaveText('继续下载');

	// The rest comes as a range of the same archive.
	await download.click();
	await expect(page.getByTestId('offline-map-stored')).toBeVisible({ timeout: 20_000 });
	await expect(download).toBeHidden();
	const resumed = requests.at(-1)!;
	expect(resumed.range).toBe(`bytes=${cut}-`);
	expect(resumed['if-range']).toBe(etag);

	// No network at all: the card reads the stored map, and the archive is whole on the device.
	await goOffline(phone);
	await expect(page.getByTestId('offline-map-stored')).toBeVisible();
	const stored = await page.evaluate(async () => {
		const root = await navigator.storage.getDirectory();
		const dir = await root.getDirectoryHandle('gridboard-basemaps');
		const names: string[] = [];
		for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) {
			names.push(name);
		}
		const archiveName = names.find((name) => name.endsWith('.pmtiles'))!;
		const file = await (await dir.getFileHandle(archiveName)).getFile();
		const bytes = new Uint8Array(await file.arrayBuffer());
		const digest = await crypto.subtle.digest('SHA-256', bytes);
		return {
			names: names.sort(),
			size: file.size,
			magic: new TextDecoder().decode(bytes.subarray(0, 7)),
			version: bytes[7],
			minZoom: bytes[100],
			maxZoom: bytes[101],
			sha: [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
		};
	});
	expect(stored).toMatchObject({
		size: archive.length,
		magic: 'PMTiles',
		version: 3,
		minZoom: 12,
		maxZoom: 18,
		sha: etag.slice(1, -1)
	});
	// The index and one archive: the interrupted part became the archive, nothing left over.
	expect(stored.names).toHaveLength(2);

	// Sign-out wipes the map with the community's other data.
	await page.goto('/settings');
	await page.getByTestId('sign-out').click();
	await page.getByTestId('sign-out-confirm').click();
	await page.waitForURL((url) => url.pathname === '/', { waitUntil: 'load' });
	await expect(page.getByTestId('welcome')).toBeVisible();
	const left = await page.evaluate(async () => {
		const names: string[] = [];
		const root = await navigator.storage.getDirectory();
		for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) {
			names.push(name);
		}
		return names;
	});
	expect(left).not.toContain('gridboard-basemaps');
	await context.close();
});
