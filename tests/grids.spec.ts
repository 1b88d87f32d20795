import { expect, test } from '@playwright/test';
import { addGrid, openControlled, reportCase, secretaryPhone } from './helpers';

test('grids are added and renamed; a board filters by status with counts; a case moves along its flow', async ({
	browser
}) => {
	const phone = await secretaryPhone(browser, '孙丽');
	const { page } = phone;
	await expect(page.getByTestId('empty-state')).toContainText('还没有网格');

	expect(await page.evaluate(() => localStorage.getItem('gridboard:persist-answer'))).toBeNull();
	await addGrid(page, '第三网格');
	// After the first change saved on the device, the app asked to keep its storage.
	await expect
		.poll(() => page.evaluate(() => localStorage.getItem('gridboard:persist-answer')))
		.toMatch(/^(granted|denied)$/);
	// The only grid: its text changes while it is being renamed, so find it by position.
	const row = page.getByTestId('grid-row').first();
	await row.getByRole('button', { name: '重命名' }).click();
	await row.locator('input').fill('第三网格（5-8栋）');
	await row.getByRole('button', { name: '保存' }).click();
	await expect(page.getByTestId('grid-row')).toHaveText(/第三网格（5-8栋）/);

	await page.getByRole('link', { name: '第三网格（5-8栋）' }).click();
	await reportCase(page, { title: '6栋飞线充电', category: 'flying_wire', location: '6栋 1单元' });
	await expect(page.getByTestId('case-detail').locator('[data-status]')).toHaveAttribute(
		'data-status',
		'reported'
	);
	// reported → in progress → resolved → reviewed, then reopened.
	for (const [action, status] of [
		['start', 'in_progress'],
		['resolve', 'resolved'],
		['review', 'reviewed'],
		['reopen', 'in_progress']
	] as const) {
		await page.getByTestId(`action-${action}`).click();
		if (action === 'review') {
			// The review is a return visit: it records the resident's satisfaction.
			await page.getByTestId('review-form').getByLabel('满意', { exact: true }).check();
			await page.getByTestId('review-confirm').click();
		}
		await expect(page.getByTestId('case-detail').locator('[data-status]')).toHaveAttribute(
			'data-status',
			status
		);
	}
	await expect(page.getByTestId('timeline').locator('li')).toHaveCount(5);
	await expect(page.getByTestId('timeline')).toContainText('孙丽');

	await page.getByRole('link', { name: /返回/ }).click();
	await reportCase(page, { title: '垃圾桶满溢', category: 'sanitation' });
	await page.getByRole('link', { name: /返回/ }).click();

	// Newest first, and counts per status.
	await expect(page.getByTestId('case-row').first()).toContainText('垃圾桶满溢');
	await expect(page.getByTestId('filter-all')).toContainText('2');
	await expect(page.getByTestId('filter-reported')).toContainText('1');
	await expect(page.getByTestId('filter-in_progress')).toContainText('1');
	await page.getByTestId('filter-in_progress').click();
	await expect(page.getByTestId('case-row')).toHaveCount(1);
	await expect(page.getByTestId('case-row')).toContainText('6栋飞线充电');
	await page.getByTestId('filter-resolved').click();
	await expect(page.getByTestId('empty-state')).toBeVisible();
	await phone.context.close();
});

test('the settings page shows the persistent-storage answer and the storage used', async ({
	browser
}) => {
	const phone = await secretaryPhone(browser, '吴刚');
	await openControlled(phone.page, '/settings');
	await expect(phone.page.getByTestId('storage-persisted')).toHaveAttribute(
		'data-persisted',
		/true|false/
	);
	await expect(phone.page.getByTestId('storage-usage')).toContainText(/B/);
	await phone.context.close();
});
