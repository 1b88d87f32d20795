/**
 * The app under its Content-Security-Policy (issue 20, the edges): the main screens (welcome,
 * join, community home, a board, a case, a meeting with the minutes editor) open without a
 * single CSP violation, the relay sends the security headers, and user text that looks like
 * HTML (a case title, meeting minutes) is shown as text, never run.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { addGrid, createCommunity, expectAllOnServer, joinThrough, newPhone } from './helpers';

const EVIL = '<img src=x onerror="window.__xss=1">';

/** Collects CSP violations: the console's "Refused to …" and securitypolicyviolation events. */
async function watchViolations(context: BrowserContext): Promise<string[]> {
	const violations: string[] = [];
	await context.addInitScript(() => {
		document.addEventListener('securitypolicyviolation', (event) => {
			console.error(
				`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`
			);
		});
	});
	context.on('console', (message) => {
		const text = message.text();
		if (/Refused to|Content Security Policy|CSP violation/.test(text)) violations.push(text);
	});
	return violations;
}

async function expectNoScriptRan(page: Page): Promise<void> {
	expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
}

test('the main screens open under the CSP without a violation; HTML-like text stays text', async ({
	browser
}) => {
	const phone = await newPhone(browser, '王书记');
	const violations = await watchViolations(phone.context);
	const { page } = phone;

	// Welcome: the headers and the page's own policy.
	const response = await page.goto('/');
	await expect(page.getByTestId('welcome')).toBeVisible();
	const headers = response!.headers();
	expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
	expect(headers['x-frame-options']).toBe('DENY');
	expect(headers['x-content-type-options']).toBe('nosniff');
	expect(headers['referrer-policy']).toBe('no-referrer');
	expect(headers['permissions-policy']).toContain('geolocation=(self)');
	expect(headers['permissions-policy']).toContain('camera=(self)');
	const policy = await page
		.locator('meta[http-equiv="content-security-policy"]')
		.getAttribute('content');
	expect(policy).toMatch(/script-src 'self' 'sha256-[^']+'(;|$)/);
	expect(policy).toContain("connect-src 'self'");
	expect(policy).not.toMatch(/https?:|script-src[^;]*unsafe-inline/);

	// Join (prerendered), then the community home.
	const community = await createCommunity();
	await joinThrough(page, community.inviteUrl, '王书记');

	// A board, and a case whose title looks like HTML.
	await addGrid(page, '第一网格');
	await page.getByTestId('grid-row').first().getByRole('link').first().click();
	await page.waitForURL(/\/g\/[^/]+$/);
	const boardUrl = page.url();
	await page.getByTestId('case-new').click();
	await page.locator('#case-title').fill(EVIL);
	await page.getByTestId('case-submit').click();
	await expect(page.getByTestId('case-title')).toHaveText(EVIL);
	await expect(page.locator('main img[src="x"]')).toHaveCount(0);
	await expectAllOnServer(page);
	await page.goto(boardUrl);
	await expect(page.getByText(EVIL).first()).toBeVisible();
	await expect(page.locator('main img[src="x"]')).toHaveCount(0);

	// A meeting: minutes typed as HTML-like text stay text in the editor.
	await page.goto(`/c/${community.communityId}/meetings`);
	await page.getByTestId('meeting-new').click();
	await page.locator('#meeting-title').fill(EVIL);
	await page.locator('#meeting-place').fill('社区会议室');
	await page.getByTestId('meeting-create').click();
	await expect(page.getByTestId('meeting-title')).toHaveText(EVIL);
	const editor = page.getByTestId('minutes-editor');
	await editor.click();
	await page.keyboard.type(EVIL);
	await expect(editor).toContainText(EVIL);
	await expect(editor.locator('img')).toHaveCount(0);
	await expectAllOnServer(page);
	await page.reload();
	await expect(page.getByTestId('minutes-editor')).toContainText(EVIL);
	await expect(page.locator('main img[src="x"]')).toHaveCount(0);

	await expectNoScriptRan(page);
	expect(violations).toEqual([]);
	await phone.context.close();
});

test('a join refused for too many attempts says to wait, at 320 px', async ({ browser }) => {
	const phone = await newPhone(browser, '刘芳');
	await phone.page.setViewportSize({ width: 320, height: 640 });
	await phone.page.route('**/api/join', (route) =>
		route.fulfill({
			status: 429,
			headers: { 'Retry-After': '30', 'Content-Type': 'application/json' },
			body: JSON.stringify({ error: 'rate_limited' })
		})
	);
	await phone.page.goto('/join#some-code');
	await phone.page.locator('#display-name').fill('刘芳');
	await phone.page.getByTestId('join-submit').click();
	await expect(phone.page.getByText('请等一分钟再试')).toBeVisible();
	await phone.context.close();
});
