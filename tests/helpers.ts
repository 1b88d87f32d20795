/**
 * Shared Playwright helpers: a "phone" is a browser context with its own IndexedDB, a display
 * name already chosen, and the service worker installed and controlling the page.
 */
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

export type Phone = { context: BrowserContext; page: Page };

let counter = 0;

/** A community id no other test uses, so tests sharing one relay never see each other's data. */
export function uniqueCommunity(prefix = 'e2e'): string {
	counter++;
	return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

export async function newPhone(
	browser: Browser,
	name: string,
	/** The browser's own language; the app's language is chosen in its settings. */
	options: { locale?: string } = {}
): Promise<Phone> {
	const context = await browser.newContext({
		viewport: { width: 360, height: 740 },
		isMobile: true,
		hasTouch: true,
		locale: options.locale ?? 'zh-CN'
	});
	await context.addInitScript((displayName) => {
		if (!localStorage.getItem('gridboard:displayName')) {
			localStorage.setItem('gridboard:displayName', displayName);
		}
	}, name);
	const page = await context.newPage();
	return { context, page };
}

/** Opens a URL and makes sure the service worker controls the page (the first visit is not). */
export async function openControlled(page: Page, url: string): Promise<void> {
	await page.goto(url);
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
	});
	if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) {
		await page.reload();
	}
	await expect
		.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null))
		.toBe(true);
}

export function syncStatus(page: Page) {
	return page.getByTestId('sync-status');
}

/** Waits until every change this phone made is durably stored on the relay. */
export async function expectAllOnServer(page: Page): Promise<void> {
	await expect(syncStatus(page)).toHaveAttribute('data-server', 'all');
	await expect(syncStatus(page)).toHaveAttribute('data-unconfirmed', '0');
}

export async function addGrid(page: Page, name: string): Promise<void> {
	await page.getByTestId('grid-add').first().click();
	await page.locator('#grid-name').fill(name);
	await page.locator('#grid-name').press('Enter');
	await expect(page.getByTestId('grid-row').filter({ hasText: name })).toBeVisible();
}

export async function reportCase(
	page: Page,
	fields: { title: string; description?: string; category?: string; location?: string }
): Promise<void> {
	await page.getByTestId('case-new').click();
	await page.locator('#case-title').fill(fields.title);
	if (fields.category) await page.locator('#case-category').selectOption(fields.category);
	if (fields.location) await page.locator('#case-location').fill(fields.location);
	if (fields.description) await page.locator('#case-description').fill(fields.description);
	await page.getByTestId('case-submit').click();
	await expect(page.getByTestId('case-title')).toHaveText(fields.title);
}
