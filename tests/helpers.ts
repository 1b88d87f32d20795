/**
 * Shared Playwright helpers: a "phone" is a browser context with its own IndexedDB and, once it
 * joined through an invite link, its own credential; `openControlled` makes sure the service
 * worker is installed and controls the page. Communities are created with the admin CLI against
 * the relay's DATA_DIR, exactly as an operator would.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';

const run = promisify(execFile);
const PORT = Number(process.env.E2E_PORT ?? 4319);
export const RELAY_ORIGIN = `http://127.0.0.1:${PORT}`;

export type Community = { communityId: string; name: string; inviteUrl: string; code: string };

/** `npm run admin -- create-community "<name>" --json` against the test relay's DATA_DIR. */
export async function createCommunity(
	name = '幸福社区',
	id = uniqueCommunity()
): Promise<Community> {
	const { stdout } = await run(
		process.execPath,
		[
			'--experimental-strip-types',
			'--experimental-sqlite',
			'--disable-warning=ExperimentalWarning',
			'sync-server/admin.ts',
			'create-community',
			name,
			'--id',
			id,
			'--json',
			'--url',
			RELAY_ORIGIN
		],
		{ env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR } }
	);
	return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Community;
}

/** Opens an invite link, enters the display name, joins, and lands on the community home. */
export async function joinThrough(page: Page, inviteUrl: string, name: string): Promise<void> {
	const code = new URL(inviteUrl).hash.slice(1);
	await page.goto(`/join#${code}`);
	await page.locator('#display-name').fill(name);
	await page.getByTestId('join-submit').click();
	await page.waitForURL(/\/c\/[^/]+$/);
	await expect(page.locator('main h1')).toBeVisible();
}

/** A phone signed in as a member of `community` (the secretary, when given its one-time link). */
export async function joinedPhone(
	browser: Browser,
	name: string,
	inviteUrl: string,
	options: { locale?: string; timezoneId?: string } = {}
): Promise<Phone> {
	const phone = await newPhone(browser, name, options);
	await joinThrough(phone.page, inviteUrl, name);
	return phone;
}

/** A fresh community and its secretary's phone, signed in, with the service worker in control. */
export async function secretaryPhone(
	browser: Browser,
	name: string,
	options: { locale?: string; timezoneId?: string } = {}
): Promise<Phone & { community: Community }> {
	const community = await createCommunity();
	const phone = await joinedPhone(browser, name, community.inviteUrl, options);
	await openControlled(phone.page, `/c/${community.communityId}`);
	return { ...phone, community };
}

/** Creates an invite through the relay API with the secretary phone's own token. */
export async function createInviteVia(
	page: Page,
	input: { role: string; grids?: string[]; maxUses?: number }
): Promise<string> {
	// The device fetches its first relay token right after sign-in, in the background.
	await page.waitForFunction(() => localStorage.getItem('gridboard:token') !== null);
	const code = await page.evaluate(async (body) => {
		const membership = JSON.parse(localStorage.getItem('gridboard:credential') ?? 'null');
		const { token } = JSON.parse(localStorage.getItem('gridboard:token') ?? 'null');
		const response = await fetch(`/api/communities/${membership.community.id}/invites`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
			body: JSON.stringify({ grids: [], maxUses: 1, expiresInHours: 24, ...body })
		});
		return (await response.json()).code as string;
	}, input);
	return `${RELAY_ORIGIN}/join#${code}`;
}

export type Phone = { context: BrowserContext; page: Page };

let counter = 0;

/** A community id no other test uses, so tests sharing one relay never see each other's data. */
export function uniqueCommunity(prefix = 'e2e'): string {
	counter++;
	// Workers are processes: two may ask in the same millisecond with the same counter.
	const worker = process.env.TEST_PARALLEL_INDEX ?? '0';
	return `${prefix}-${Date.now().toString(36)}-${worker}-${counter}`;
}

/**
 * Phones still open, by the spec file that opened them. Every phone of the run talks to one relay
 * from 127.0.0.1, and each holds a WebSocket per open document: a file that forgets to close its
 * phones would leave their sockets open for the rest of the run, until the relay's limit of
 * sockets per address refuses a later file's phone (which then shows "offline, never synced").
 * So a phone opened by one file closes every phone an earlier file left open.
 */
const openPhones = new Map<BrowserContext, string>();

async function closePhonesOfOtherFiles(file: string): Promise<void> {
	for (const [context, openedBy] of [...openPhones]) {
		if (openedBy === file) continue;
		openPhones.delete(context);
		await context.close().catch(() => undefined);
	}
}

export async function newPhone(
	browser: Browser,
	name: string,
	/**
	 * The browser's own language (the app's language is chosen in its settings) and, when given,
	 * the phone clock's time zone (the app shows dates in the community's zone whatever it is).
	 */
	options: { locale?: string; timezoneId?: string } = {}
): Promise<Phone> {
	const file = test.info().file;
	await closePhonesOfOtherFiles(file);
	const context = await browser.newContext({
		viewport: { width: 360, height: 740 },
		isMobile: true,
		hasTouch: true,
		locale: options.locale ?? 'zh-CN',
		...(options.timezoneId ? { timezoneId: options.timezoneId } : {})
	});
	openPhones.set(context, file);
	context.on('close', () => openPhones.delete(context));
	const page = await context.newPage();
	test.info().annotations.push({ type: 'phone', description: name });
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

/**
 * The secretary and a volunteer on two phones, both on the (empty) board of a new grid that the
 * secretary added and the relay has durably stored.
 */
export async function twoPhonesOnNewBoard(
	browser: Browser,
	gridName: string
): Promise<{ secretary: Phone & { community: Community }; volunteer: Phone; boardUrl: string }> {
	const secretary = await secretaryPhone(browser, '张志强');
	const volunteer = await joinedPhone(
		browser,
		'刘芳',
		await createInviteVia(secretary.page, { role: 'volunteer' })
	);
	await addGrid(secretary.page, gridName);
	await secretary.page
		.getByTestId('grid-row')
		.filter({ hasText: gridName })
		.getByRole('link')
		.first()
		.click();
	await expect(secretary.page.getByTestId('empty-state')).toBeVisible();
	await expectAllOnServer(secretary.page);
	const boardUrl = secretary.page.url();
	await openControlled(volunteer.page, boardUrl);
	await expect(volunteer.page.getByTestId('empty-state')).toBeVisible();
	return { secretary, volunteer, boardUrl };
}

/**
 * The basement: no network. Open WebSockets survive `setOffline`, so the page reloads to drop
 * them (from the service worker and IndexedDB).
 */
export async function goOffline(phone: Phone): Promise<void> {
	await phone.context.setOffline(true);
	await phone.page.reload();
	await expect(syncStatus(phone.page)).toHaveAttribute('data-connection', 'offline');
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

/**
 * A real JPEG drawn and encoded by the browser, as a phone camera would hand it over. Its label
 * makes each photo's bytes (and so its content address) different.
 */
export async function cameraPhoto(
	page: Page,
	label: string,
	options: { width?: number; height?: number; background?: string } = {}
): Promise<Buffer> {
	const { width = 800, height = 600, background = '#e8d9b0' } = options;
	const base64 = await page.evaluate(
		async ({ text, width, height, background }) => {
			const canvas = document.createElement('canvas');
			canvas.width = width;
			canvas.height = height;
			const context = canvas.getContext('2d')!;
			context.fillStyle = background;
			context.fillRect(0, 0, width, height);
			context.fillStyle = '#b4232a';
			context.font = `bold ${Math.round(height / 7.5)}px sans-serif`;
			context.fillText(text, Math.round(width / 12), height / 2);
			const blob = await new Promise<Blob>((resolve) =>
				canvas.toBlob((b) => resolve(b!), 'image/jpeg', 0.9)
			);
			const bytes = new Uint8Array(await blob.arrayBuffer());
			let binary = '';
			for (const byte of bytes) binary += String.fromCharCode(byte);
			return btoa(binary);
		},
		{ text: label, width, height, background }
	);
	return Buffer.from(base64, 'base64');
}
