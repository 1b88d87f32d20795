import { expect, test } from '@playwright/test';
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { createCommunity, joinedPhone } from './helpers';

/** The JavaScript budget of the first screen (gzipped), from the README. Map, editor and charts load lazily. */
const FIRST_SCREEN_JS_BUDGET = 150 * 1024;
const BUILD_DIR = fileURLToPath(new URL('../build', import.meta.url));

/** Paths (as requested) of the built chunks whose code contains `marker`. */
async function chunksContaining(marker: string): Promise<string[]> {
	const dir = `${BUILD_DIR}/_app/immutable/chunks`;
	const found: string[] = [];
	for (const name of await readdir(dir)) {
		if (!name.endsWith('.js')) continue;
		if ((await readFile(`${dir}/${name}`, 'utf8')).includes(marker)) {
			found.push(`/_app/immutable/chunks/${name}`);
		}
	}
	return found;
}

test('the first screen loads less than 150 KB of gzipped JavaScript, and not the map', async ({
	browser
}) => {
	// Sign in on another phone, then hand its credential to a clean context: the first screen of
	// a signed-in device, with nothing cached from the join page.
	const community = await createCommunity();
	const joined = await joinedPhone(browser, '测试', community.inviteUrl);
	const credential = await joined.page.evaluate(() => localStorage.getItem('gridboard:credential'));
	await joined.context.close();
	expect(credential).toBeTruthy();

	// No service worker: every script the first screen needs shows up as a network request.
	const context = await browser.newContext({ serviceWorkers: 'block' });
	await context.addInitScript((value) => {
		if (!localStorage.getItem('gridboard:credential')) {
			localStorage.setItem('gridboard:credential', value ?? '');
		}
	}, credential);
	const page = await context.newPage();
	const scripts = new Set<string>();
	page.on('request', (request) => {
		if (request.resourceType() === 'script') scripts.add(new URL(request.url()).pathname);
	});
	await page.goto(`/c/${community.communityId}`);
	await expect(page.getByTestId('empty-state')).toBeVisible();
	await page.waitForLoadState('networkidle');

	let total = 0;
	for (const path of scripts) {
		total += gzipSync(await readFile(BUILD_DIR + path), { level: 9 }).length;
	}
	const kb = (total / 1024).toFixed(1);
	test.info().annotations.push({ type: 'first-screen-js-gzip', description: `${kb} KB` });
	console.log(`first screen: ${scripts.size} scripts, ${kb} KB gzipped JavaScript`);
	expect(scripts.size).toBeGreaterThan(0);
	expect(total).toBeLessThan(FIRST_SCREEN_JS_BUDGET);

	// The map (maplibre, about 290 KB gzipped) loads only when a map screen opens.
	const mapChunks = await chunksContaining('getClusterExpansionZoom');
	expect(mapChunks.length, 'the maplibre chunk is in the build').toBeGreaterThan(0);
	for (const chunk of mapChunks) expect([...scripts]).not.toContain(chunk);
	await page.goto(`/c/${community.communityId}/map`);
	await expect(page.getByTestId('map')).toBeVisible();
	for (const chunk of mapChunks) expect([...scripts]).toContain(chunk);
	await context.close();
});
