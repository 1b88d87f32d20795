import { expect, test, type Response } from '@playwright/test';
import { readFile, stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { createCommunity, joinThrough } from './helpers';

/**
 * A newcomer opening an invite link on a weak link (issue 15, "First load on a weak link"):
 * `npm run bench:load` measures the times; this guards what they rest on.
 */
const BUILD_DIR = fileURLToPath(new URL('../build', import.meta.url));
/** The JavaScript of the join page, gzipped: the layout, the router and the form, no sync engine. */
const NEWCOMER_JS_BUDGET = 60 * 1024;
/** A string only Yjs contains (its double-import guard). */
const YJS_MARK = 'Yjs was already imported';

test('a newcomer gets the join page compressed and without the sync engine', async ({
	browser
}) => {
	const community = await createCommunity();
	const context = await browser.newContext({ serviceWorkers: 'block' });
	const page = await context.newPage();
	const scripts = new Map<string, string | undefined>();
	let documentEncoding: string | undefined;
	const onResponse = async (response: Response) => {
		const url = new URL(response.url());
		if (response.request().resourceType() === 'script') {
			scripts.set(url.pathname, (await response.allHeaders())['content-encoding']);
		}
		if (response.request().resourceType() === 'document') {
			documentEncoding = (await response.allHeaders())['content-encoding'];
		}
	};
	page.on('response', onResponse);
	await page.goto(`/join#${community.code}`);
	await expect(page.getByTestId('join')).toBeVisible();
	await page.waitForLoadState('networkidle');

	expect(documentEncoding).toBe('br');
	expect(scripts.size).toBeGreaterThan(0);
	let gzipped = 0;
	for (const [path, encoding] of scripts) {
		const source = await readFile(BUILD_DIR + path, 'utf8');
		expect(source, `${path} is Yjs`).not.toContain(YJS_MARK);
		gzipped += gzipSync(source, { level: 9 }).length;
		// Every script with a brotli twin arrives as brotli; the rest are too small to matter.
		const twin = await stat(BUILD_DIR + path + '.br').catch(() => null);
		expect(encoding, path).toBe(twin ? 'br' : undefined);
	}
	const kb = (gzipped / 1024).toFixed(1);
	test.info().annotations.push({ type: 'newcomer-js-gzip', description: `${kb} KB` });
	console.log(`join page: ${scripts.size} scripts, ${kb} KB gzipped JavaScript`);
	expect(gzipped).toBeLessThan(NEWCOMER_JS_BUDGET);
	// Measured: stop listening, so no header read is left pending when the context closes below
	// (signing in loads more chunks, whose answers could arrive as it closes).
	page.off('response', onResponse);

	// Signing in loads the sync engine: the community home opens its documents.
	await joinThrough(page, community.inviteUrl, '新志愿者');
	await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
	await context.close();
});

test('the boot bar paints before any script runs, and the app replaces it', async ({ browser }) => {
	const context = await browser.newContext({ serviceWorkers: 'block' });
	const page = await context.newPage();
	// Scripts held back: what shows is what the HTML alone paints. (`/join` is prerendered and
	// paints its own header and form instead: see the next test.)
	await page.route('**/*.js', (route) => route.abort());
	await page.goto('/');
	await expect(page.locator('#boot')).toBeVisible();
	await expect(page.locator('#boot svg')).toBeVisible();
	await page.unroute('**/*.js');

	await page.goto('/');
	await expect(page.getByTestId('welcome')).toBeVisible();
	await expect(page.locator('#boot')).toHaveCount(0);
	await context.close();
});

test('the join form is in the first HTML response and shows before any script runs', async ({
	browser,
	request
}) => {
	// The HTML the relay sends for the invite link already holds the heading, the form and its CSS.
	const response = await request.get('/join', {
		headers: { accept: 'text/html', 'accept-encoding': 'br, gzip' }
	});
	expect(response.status()).toBe(200);
	expect(response.headers()['content-encoding']).toBe('br');
	expect(response.headers()['cache-control']).toBe('no-cache');
	const html = await response.text();
	expect(html).toContain('data-testid="join"');
	expect(html).toMatch(/<form[^>]*>[\s\S]*id="display-name"[\s\S]*data-testid="join-submit"/);
	expect(html).toContain('<h1>加入社区</h1>');
	// CSS inlined: the stylesheets linked (for the cache) are disabled, nothing to wait for.
	expect(html).toContain('<style');
	for (const link of html.match(/<link[^>]*stylesheet[^>]*>/g) ?? []) {
		expect(link, 'no render-blocking stylesheet').toContain('disabled');
	}

	const community = await createCommunity();
	const context = await browser.newContext({ serviceWorkers: 'block' });
	const page = await context.newPage();
	await page.route('**/*.js', (route) => route.abort());
	await page.goto(`/join#${community.code}`);
	await expect(page.getByRole('heading', { level: 1, name: '加入社区' })).toBeVisible();
	await expect(page.locator('#display-name')).toBeVisible();
	await expect(page.getByTestId('join-submit')).toBeVisible();
	// Without the app's code the form cannot be sent (a bare submit would lose the invite code).
	await expect(page.getByTestId('join-submit')).toBeDisabled();
	await expect(page.locator('#boot')).toBeHidden();
	await page.unroute('**/*.js');

	// With the app's code the same form hydrates and works: the newcomer joins.
	await page.reload();
	await expect(page.getByTestId('join-submit')).toBeEnabled();
	await joinThrough(page, community.inviteUrl, '新志愿者');
	await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
	await context.close();
});
