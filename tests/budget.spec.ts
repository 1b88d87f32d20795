import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { uniqueCommunity } from './helpers';

/** The JavaScript budget of the first screen (gzipped), from the README. Map, editor and charts load lazily. */
const FIRST_SCREEN_JS_BUDGET = 150 * 1024;
const BUILD_DIR = fileURLToPath(new URL('../build', import.meta.url));

test('the first screen loads less than 150 KB of gzipped JavaScript', async ({ browser }) => {
	// No service worker: every script the first screen needs shows up as a network request.
	const context = await browser.newContext({ serviceWorkers: 'block' });
	await context.addInitScript(() => localStorage.setItem('gridboard:displayName', '测试'));
	const page = await context.newPage();
	const scripts = new Set<string>();
	page.on('request', (request) => {
		if (request.resourceType() === 'script') scripts.add(new URL(request.url()).pathname);
	});
	await page.goto(`/c/${uniqueCommunity()}`);
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
	await context.close();
});
