/**
 * A grid's public notice board end to end (issue 19): members agree (or not) to show a phone,
 * the secretary composes, previews and publishes; a fresh browser with no sign-in opens the
 * public URL (the one the poster's QR code carries) and sees the team with only agreed phones;
 * the poster prints on one A4 page with its QR code; withdrawn, the page says it is gone;
 * the compose screen and the public page fit 320 px in both languages.
 */
import { expect, test, type Page } from '@playwright/test';
import { addGrid, createInviteVia, joinedPhone, secretaryPhone } from './helpers';

async function agreeToPhone(page: Page, communityId: string, phone: string): Promise<void> {
	await page.goto(`/c/${communityId}/settings`);
	const card = page.getByTestId('notice-phone');
	await card.getByLabel('电话号码').fill(phone);
	await card.getByRole('button', { name: '同意公开这个号码' }).click();
}

/** Neither the document nor any element reaches past the right edge. */
async function fitsWidth(page: Page, width: number): Promise<void> {
	await page.setViewportSize({ width, height: 740 });
	const over = await page.evaluate((w) => {
		const out: string[] = [];
		if (document.documentElement.scrollWidth > w)
			out.push(`document ${document.documentElement.scrollWidth}`);
		for (const el of document.body.querySelectorAll('*')) {
			const box = el.getBoundingClientRect();
			if (box.width > 0 && box.right > w + 0.5)
				out.push(`${el.tagName}.${el.className} ${box.right}`);
		}
		return out;
	}, width);
	expect(over).toEqual([]);
}

test('the secretary publishes a grid notice; anyone sees it without signing in; withdrawn, it is gone', async ({
	browser
}) => {
	test.setTimeout(120_000);
	const secretary = await secretaryPhone(browser, '王书记');
	const { page } = secretary;
	const cid = secretary.community.communityId;
	await addGrid(page, '第一网格');
	const gridId = await page.getByTestId('grid-row').first().getAttribute('data-grid-id');
	expect(gridId).toBeTruthy();

	const worker = await joinedPhone(
		browser,
		'李敏',
		await createInviteVia(page, { role: 'grid-member', grids: [gridId!] })
	);
	const volunteer = await joinedPhone(
		browser,
		'赵志',
		await createInviteVia(page, { role: 'volunteer' })
	);
	await agreeToPhone(worker.page, cid, '138 0013 8000');
	await expect(worker.page.getByTestId('notice-phone-state')).toHaveText('公示上显示：13800138000');
	// The volunteer agrees, then changes their mind: their number must never be shown.
	await agreeToPhone(volunteer.page, cid, '13900139000');
	await expect(volunteer.page.getByTestId('notice-phone-state')).toContainText('13900139000');
	await volunteer.page.getByRole('button', { name: '不公开我的号码' }).click();
	await expect(volunteer.page.getByTestId('notice-phone-state')).toHaveText(
		'公示上不显示您的号码。'
	);

	// Compose: the grid's own member is on the team already; add the volunteer and the hours.
	await page.goto(`/c/${cid}/settings`);
	await page.getByTestId('notices-card').getByRole('link', { name: '第一网格' }).click();
	await expect(page.getByTestId('notice-state')).toContainText('尚未发布');
	const candidates = page.getByTestId('notice-candidate');
	await expect(candidates).toHaveCount(3);
	await expect(candidates.first()).toContainText('公开电话：13800138000');
	await candidates.filter({ hasText: '赵志' }).getByRole('checkbox').check();
	await page.getByTestId('notice-hours').fill('周一至周五 9:00–17:30');
	const preview = page.getByTestId('notice-preview');
	await expect(preview.getByTestId('notice-member')).toHaveCount(2);
	await expect(preview).toContainText('网格员');
	await expect(preview).toContainText('志愿者');
	await expect(preview).not.toContainText('13900139000');
	await fitsWidth(page, 320);
	await page.getByTestId('notice-publish').click();
	await expect(page.getByTestId('notice-status')).toHaveText('已发布。');
	const url = await page.getByTestId('notice-url').getAttribute('href');
	expect(url).toMatch(/\/n\/[A-Za-z0-9_-]{22}$/);

	// English compose screen at 320 px.
	await page.evaluate(() => localStorage.setItem('PARAGLIDE_LOCALE', 'en'));
	await page.reload();
	await expect(page.getByTestId('notice-publish')).toHaveText('Publish changes');
	await fitsWidth(page, 320);
	await page.evaluate(() => localStorage.setItem('PARAGLIDE_LOCALE', 'zh-CN'));

	// The poster: its QR code carries the same URL; it prints on one A4 page.
	await page.goto(`/c/${cid}/g/${gridId}/notice/poster`);
	const poster = page.getByTestId('notice-poster');
	await expect(poster.getByTestId('notice-qr')).toBeVisible();
	await expect(poster).toContainText('第一网格');
	await expect(poster).toContainText('13800138000');
	await expect(poster).not.toContainText('13900139000');
	await page.emulateMedia({ media: 'print' });
	const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
	const pages = pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? [];
	expect(pages).toHaveLength(1);
	expect(pdf.toString('latin1')).toMatch(/\/MediaBox\s*\[\s*0 0 59[45]\.\d* 841\.\d*\]/);
	await page.emulateMedia({ media: 'screen' });

	// A resident: a fresh browser, never signed in.
	for (const [locale, heading] of [
		['zh-CN', '网格服务团队'],
		['en-US', 'Grid service team']
	] as const) {
		const resident = await browser.newContext({ locale, viewport: { width: 320, height: 640 } });
		const residentPage = await resident.newPage();
		const response = await residentPage.goto(url!);
		expect(response?.status()).toBe(200);
		await expect(residentPage.locator('h2')).toHaveText(heading);
		await expect(residentPage.locator('h1')).toHaveText('第一网格');
		await expect(residentPage.locator('[data-member]')).toHaveCount(2);
		await expect(residentPage.locator('body')).toContainText('李敏');
		await expect(residentPage.locator('body')).toContainText('赵志');
		await expect(residentPage.locator('a[href^="tel:"]')).toHaveCount(1);
		await expect(residentPage.locator('a[href^="tel:"]')).toHaveText('13800138000');
		await expect(residentPage.locator('body')).not.toContainText('13900139000');
		await expect(residentPage.locator('script')).toHaveCount(0);
		await fitsWidth(residentPage, 320);
		await resident.close();
	}

	// Withdraw: the public page says the notice is gone.
	await page.goto(`/c/${cid}/g/${gridId}/notice`);
	await page.getByTestId('notice-withdraw').click();
	await page.getByTestId('notice-withdraw-confirm-confirm').click();
	await expect(page.getByTestId('notice-status')).toContainText('已撤下');
	const later = await browser.newContext({ locale: 'zh-CN' });
	const laterPage = await later.newPage();
	const gone = await laterPage.goto(url!);
	expect(gone?.status()).toBe(410);
	await expect(laterPage.locator('h1')).toHaveText('公示已撤下');
	await expect(laterPage.locator('body')).not.toContainText('李敏');
	await later.close();
	for (const phone of [secretary, worker, volunteer]) await phone.context.close();
});
