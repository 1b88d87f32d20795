import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { secretaryPhone } from './helpers';

test('the manifest makes the app installable', async ({ request }) => {
	const response = await request.get('/manifest.webmanifest');
	expect(response.ok()).toBe(true);
	expect(response.headers()['content-type']).toContain('application/manifest+json');
	const manifest = await response.json();
	expect(manifest).toMatchObject({
		name: expect.any(String),
		short_name: 'Gridboard',
		description: expect.any(String),
		start_url: '/',
		display: 'standalone',
		lang: 'zh-CN',
		theme_color: expect.stringMatching(/^#/)
	});
	const icons: { src: string; sizes: string; purpose?: string }[] = manifest.icons;
	expect(icons.some((icon) => icon.sizes === '192x192')).toBe(true);
	expect(icons.some((icon) => icon.sizes === '512x512' && icon.purpose !== 'maskable')).toBe(true);
	expect(icons.some((icon) => icon.purpose?.includes('maskable'))).toBe(true);
	for (const icon of icons) {
		const image = await request.get(icon.src);
		expect(image.ok(), icon.src).toBe(true);
		expect(image.headers()['content-type']).toBe('image/png');
	}
});

test('the page is controlled by the service worker after a reload, and deep links open offline', async ({
	browser
}) => {
	const phone = await secretaryPhone(browser, '陈静');
	const community = phone.community.communityId;
	const manifestHref = await phone.page.locator('link[rel="manifest"]').getAttribute('href');
	expect(manifestHref).toBe('/manifest.webmanifest');

	await phone.context.setOffline(true);
	for (const path of [
		`/c/${community}/g/g-offline`,
		'/settings',
		`/c/${community}/g/g-offline/new`
	]) {
		await phone.page.goto(path);
		await expect(phone.page.locator('main h1')).toBeVisible();
		expect(await phone.page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
	}
	await phone.context.close();
});

test('a newly deployed version is offered through the update prompt', async ({ browser }) => {
	const phone = await secretaryPhone(browser, '周敏');
	const { page } = phone;
	await expect(page.locator('main h1')).toBeVisible();

	// Deploy "v2": the relay serves build/ from disk, so a changed service worker script is a new
	// version as far as the browser is concerned.
	const swPath = fileURLToPath(new URL('../build/sw.js', import.meta.url));
	const original = await readFile(swPath, 'utf8');
	try {
		await writeFile(swPath, `${original}\n// deployed ${Date.now()}\n`);
		await page.evaluate(async () => {
			const registration = await navigator.serviceWorker.getRegistration();
			await registration?.update();
		});
		const toast = page.getByTestId('pwa-toast');
		await expect(toast).toContainText('有新版本可用');
		const reloaded = page.waitForEvent('framenavigated');
		await toast.getByRole('button', { name: '刷新' }).click();
		await reloaded;
		await expect(page.locator('main h1')).toBeVisible();
		await expect(page.getByTestId('pwa-toast')).toHaveCount(0);
	} finally {
		await writeFile(swPath, original);
	}
	await phone.context.close();
});
