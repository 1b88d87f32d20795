import { expect, test, type Route } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createCommunity, joinThrough, syncStatus } from './helpers';

/**
 * A returning member's first screen on a weak link (issue 15, "First load": ≤ 1 s, measured by
 * `npm run bench:load`): the community home's heading and the shell around it render from the
 * stored credential, without waiting for the sync engine (Yjs) to arrive and run.
 */
const BUILD_DIR = fileURLToPath(new URL('../build', import.meta.url));
/** A string only Yjs contains (its double-import guard). */
const YJS_MARK = 'Yjs was already imported';

test('the community home shows its heading, navigation and an honest status bar while Yjs is held back', async ({
	browser
}) => {
	const community = await createCommunity('幸福社区');
	// No service worker: every script request goes through the route below.
	const context = await browser.newContext({ serviceWorkers: 'block' });
	const page = await context.newPage();
	await joinThrough(page, community.inviteUrl, '回访志愿者');

	const held: Route[] = [];
	let holding = true;
	await page.route('**/_app/immutable/**/*.js', async (route) => {
		const path = new URL(route.request().url()).pathname;
		const source = await readFile(BUILD_DIR + path, 'utf8').catch(() => '');
		if (holding && source.includes(YJS_MARK)) held.push(route);
		else await route.fallback();
	});
	await page.reload();

	await expect(page.getByRole('heading', { level: 1, name: '社区网格' })).toBeVisible();
	await expect(page.getByTestId('community-name')).toHaveText('社区：幸福社区');
	await expect(page.getByTestId('nav-board')).toBeVisible();
	await expect(page.getByTestId('doc-loading')).toBeVisible();
	// Nothing is known about the documents yet: loading, never "saved".
	await expect(page.getByTestId('sync-local')).toHaveText('正在读取本机数据…');
	await expect(syncStatus(page)).not.toHaveAttribute('data-server', 'all');
	expect(held.length, 'the Yjs chunk was asked for and held back').toBeGreaterThan(0);

	// Once the engine arrives, the home's documents open.
	holding = false;
	for (const route of held.splice(0)) await route.fallback();
	await expect(page.getByTestId('doc-loading')).toHaveCount(0);
	await expect(page.getByTestId('empty-state')).toBeVisible();
	await expect(page.getByTestId('sync-local')).not.toHaveText('正在读取本机数据…');
	await context.close();
});
