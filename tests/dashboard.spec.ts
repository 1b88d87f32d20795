/**
 * The secretary's picture on a phone (issue 19): the dashboard shows, offline, the same numbers
 * as the cases seeded (from the summaries stored on the device, each block stamped "as of"), its
 * charts loaded on demand with the numbers as tables; the community report prints to an A4 PDF
 * through Chromium with the right totals; a filtered board's ledger exports to CSV and XLSX that
 * parse back with the right rows; the dashboard and the report fit 320 px in zh-CN and en.
 *
 * What the PDF check asserts: Chromium's PDF compresses its text, so the totals are read from the
 * page as printed (print media: no nav, no status bar, the totals row) and the PDF itself is
 * checked to be A4 (595 × 842 pt media boxes) with a page per section.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import Papa from 'papaparse';
import {
	addGrid,
	createInviteVia,
	expectAllOnServer,
	goOffline,
	joinedPhone,
	reportCase,
	secretaryPhone
} from './helpers';

const cells = (page: Page, testid: string) =>
	page
		.getByTestId(testid)
		.locator('td')
		.evaluateAll((all) => all.map((cell) => cell.textContent?.trim() ?? ''));
const gridRow = (page: Page, name: string) =>
	page.getByTestId('grid-figures-row').filter({ hasText: name }).locator('td');
/** The seeded community's totals (collected, resolved, open, overdue, escalated, rate, median). */
const SEEDED_TOTALS = ['4', '1', '3', '0', '0', '25.0%', '0.0'];

/** Clicks the control `testid` that downloads a file and returns the file's bytes. */
async function downloadVia(page: Page, testid: string): Promise<Buffer> {
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByTestId(testid).click()
	]);
	return fs.readFileSync((await download.path())!);
}

async function seed(page: Page): Promise<void> {
	await addGrid(page, '一网格');
	await addGrid(page, '二网格');
	await page.getByRole('link', { name: '一网格', exact: true }).click();
	await reportCase(page, { title: '楼道灯不亮', location: '3栋' });
	await page.getByRole('link', { name: /返回/ }).click();
	await reportCase(page, { title: '垃圾桶满溢', location: '5栋' });
	await page.getByRole('link', { name: /返回/ }).click();
	await reportCase(page, { title: '井盖松动', location: '7栋' });
	await page.getByTestId('action-resolve').click();
	await expect(page.getByTestId('case-detail').locator('[data-status]')).toHaveAttribute(
		'data-status',
		'resolved'
	);
	await page.goto(page.url().replace(/\/g\/([^/]+)\/.*$/, ''));
	await page.getByRole('link', { name: '二网格', exact: true }).click();
	await reportCase(page, { title: '电动车飞线充电', location: '9栋' });
	await expectAllOnServer(page);
}

test('dashboard offline, the report as an A4 PDF, the ledger export parsed back', async ({
	browser
}, testInfo) => {
	const phone = await secretaryPhone(browser, '周敏');
	const { page, community } = phone;
	const home = `/c/${community.communityId}`;
	await seed(page);

	// The community home offers the dashboard to the secretary.
	await page.goto(home);
	await page.getByTestId('dashboard-link').click();
	await expect(gridRow(page, '一网格').first()).toHaveText('3');
	await expectAllOnServer(page);

	// Offline: the figures come from the stored summaries, each block stamped.
	await goOffline(phone);
	await page.goto(`${home}/dashboard?period=month`);
	// Collected, resolved, open, overdue, escalated, rate, median days.
	await expect(gridRow(page, '一网格')).toHaveText(['3', '1', '2', '0', '0', '33.3%', '0.0']);
	await expect(gridRow(page, '二网格')).toHaveText(['1', '0', '1', '0', '0', '0.0%', '—']);
	expect(await cells(page, 'grid-figures-total')).toEqual(SEEDED_TOTALS);
	await expect(page.getByTestId('case-figures').getByTestId('as-of')).toContainText('截至');
	// Charts are drawn (uPlot, loaded now) and their numbers are a table beside them.
	await expect(page.getByTestId('chart-trend').locator('canvas')).toHaveCount(1);
	const trend = page.getByTestId('chart-trend').getByTestId('chart-table');
	await expect(trend.locator('tbody tr').last().locator('td')).toHaveText(['4', '1']);
	await expect(
		page.getByTestId('chart-category').getByTestId('chart-table').locator('tbody td')
	).toHaveText(['4']);
	await page.getByTestId('chart-trend').getByRole('button').click();
	await expect(trend).toBeVisible();

	// The report for this month, printed.
	await page.getByTestId('report-link').click();
	await expect(page.getByTestId('report-heading')).toContainText('工作报表');
	await expect(page.getByTestId('report-period')).toContainText('统计时段');
	await expect(page.getByTestId('report-as-of')).toContainText('数据截至');
	await page.emulateMedia({ media: 'print' });
	await expect(page.getByTestId('bottom-nav')).toBeHidden();
	await expect(page.getByTestId('sync-bar')).toBeHidden();
	await expect(page.getByTestId('report-print')).toBeHidden();
	expect(await cells(page, 'grid-figures-total')).toEqual(SEEDED_TOTALS);
	await expect(page.getByTestId('report-trend').getByTestId('chart-table')).toBeVisible();
	const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
	await page.emulateMedia({ media: 'screen' });
	const text = pdf.toString('latin1');
	expect(text.startsWith('%PDF-')).toBe(true);
	const boxes = [...text.matchAll(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/g)];
	expect(boxes.length).toBeGreaterThanOrEqual(3);
	for (const [, width, height] of boxes) {
		expect(Math.round(Number(width))).toBe(595);
		expect(Math.round(Number(height))).toBe(842);
	}
	await testInfo.attach('report.pdf', { body: pdf, contentType: 'application/pdf' });
	// The PDF's own text (poppler's pdftotext, installed by .ci/run): the heading and the totals
	// row as printed on paper, not only as shown on screen.
	const pdfPath = testInfo.outputPath('report.pdf');
	fs.writeFileSync(pdfPath, pdf);
	const printed = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
	expect(printed).toContain('工作报表');
	const totalLine = printed.split('\n').find((line) => line.trim().startsWith('全部网格'));
	expect(totalLine?.trim().split(/\s+/).slice(1)).toEqual(SEEDED_TOTALS);

	// The workbook of the same report.
	const { default: readXlsxFile } = await import('read-excel-file/node');
	const sheets = await readXlsxFile(await downloadVia(page, 'report-xlsx'));
	expect(sheets.length).toBeGreaterThanOrEqual(5);
	const total = sheets[0]!.data.find((row) => row[0] === '全部网格')!;
	expect(total.slice(1, 7)).toEqual([4, 1, 3, 0, 0, 25]);

	// A grid board filtered to open cases, exported.
	await page.goto(home);
	await page.getByRole('link', { name: '一网格', exact: true }).click();
	await page.goto(`${page.url()}?status=reported`);
	await expect(page.getByTestId('case-row')).toHaveCount(2);
	await page.getByTestId('ledger-export').locator('summary').click();
	const csv = (await downloadVia(page, 'ledger-csv')).toString('utf8');
	expect(csv.charCodeAt(0)).toBe(0xfeff);
	const rows = Papa.parse<string[]>(csv.slice(1), { skipEmptyLines: true }).data;
	expect(rows[0]!.slice(0, 3)).toEqual(['案件编号', '网格', '标题']);
	expect(rows.slice(1).map((row) => row[2])).toEqual(['垃圾桶满溢', '楼道灯不亮']);
	expect(rows.slice(1).map((row) => row[1])).toEqual(['一网格', '一网格']);
	const ledger = await readXlsxFile(await downloadVia(page, 'ledger-xlsx'));
	expect(ledger[0]!.data.slice(1).map((row) => row[2])).toEqual(['垃圾桶满溢', '楼道灯不亮']);
	expect(ledger[0]!.data[0]).toEqual(rows[0]);
	await phone.context.close();
});

test('dashboard and report fit 320 px in zh-CN and en; other roles are not offered them', async ({
	browser
}) => {
	const phone = await secretaryPhone(browser, '周敏');
	const { page, community } = phone;
	const home = `/c/${community.communityId}`;
	await addGrid(page, '一网格');
	await page.getByRole('link', { name: '一网格', exact: true }).click();
	await reportCase(page, { title: '楼道灯不亮', location: '3栋' });
	await expectAllOnServer(page);
	await page.setViewportSize({ width: 320, height: 700 });
	for (const language of ['zh-CN', 'en']) {
		await page.evaluate((locale) => localStorage.setItem('PARAGLIDE_LOCALE', locale), language);
		for (const url of [`${home}/dashboard`, `${home}/report`]) {
			await page.goto(url);
			await expect(page.locator('html')).toHaveAttribute('lang', language);
			await expect(page.getByTestId('grid-figures-total').locator('td').first()).toHaveText('1');
			await expect(page.locator('canvas').first()).toBeVisible();
			const width = await page.evaluate(() => document.scrollingElement!.scrollWidth);
			expect(width, `${language} ${url}`).toBeLessThanOrEqual(320);
		}
	}
	await page.evaluate(() => localStorage.setItem('PARAGLIDE_LOCALE', 'zh-CN'));

	// An observer reads the dashboard without households; a volunteer is not offered it.
	const observer = await joinedPhone(
		browser,
		'陈观察',
		await createInviteVia(page, { role: 'observer' })
	);
	await expect(observer.page.getByTestId('dashboard-link')).toBeVisible();
	await observer.page.goto(`${home}/dashboard`);
	await expect(observer.page.getByTestId('grid-figures-total').locator('td').first()).toHaveText(
		'1'
	);
	await expect(observer.page.getByTestId('household-figures')).toHaveCount(0);
	const volunteer = await joinedPhone(
		browser,
		'刘芳',
		await createInviteVia(page, { role: 'volunteer' })
	);
	await expect(volunteer.page.getByTestId('community-board-link')).toBeVisible();
	await expect(volunteer.page.getByTestId('dashboard-link')).toHaveCount(0);
	await volunteer.page.goto(`${home}/dashboard`);
	await expect(volunteer.page.getByTestId('not-allowed')).toBeVisible();
	await page.goto(`${home}/dashboard`);
	await expect(page.getByTestId('household-figures')).toBeVisible();
	await Promise.all([phone, observer, volunteer].map((p) => p.context.close()));
});
