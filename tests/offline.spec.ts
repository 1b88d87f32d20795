import { expect, test } from '@playwright/test';
import {
	expectAllOnServer,
	goOffline,
	reportCase,
	syncStatus,
	twoPhonesOnNewBoard
} from './helpers';

test('a phone offline reloads, reports and edits a case, comes back and the other phone receives it', async ({
	browser
}) => {
	const { secretary: a, volunteer: b } = await twoPhonesOnNewBoard(browser, '二号网格');

	await goOffline(a);
	// The shell came from the service worker and the grid from IndexedDB.
	await expect(a.page.getByRole('heading', { level: 1 })).toContainText('二号网格');

	await reportCase(a.page, {
		title: '消防通道被电动车堵塞',
		category: 'fire_safety',
		location: '幸福小区 5栋 北侧'
	});
	await a.page.getByTestId('case-edit').click();
	await a.page.locator('#case-description').fill('三辆电动车停在消防通道上，已拍照。');
	await a.page.getByTestId('case-submit').click();
	await expect(a.page.getByTestId('case-description')).toHaveText(
		'三辆电动车停在消防通道上，已拍照。'
	);

	await expect(syncStatus(a.page)).toHaveAttribute('data-local', 'saved');
	await expect(syncStatus(a.page)).toHaveAttribute('data-server', 'pending');
	const pending = Number(await syncStatus(a.page).getAttribute('data-unconfirmed'));
	expect(pending).toBeGreaterThan(0);
	await expect(a.page.getByTestId('sync-server')).toContainText(String(pending));

	// A reload while still offline keeps the edits (IndexedDB) and the honest count.
	await a.page.reload();
	await expect(a.page.getByTestId('case-description')).toHaveText(
		'三辆电动车停在消防通道上，已拍照。'
	);
	await expect(syncStatus(a.page)).toHaveAttribute('data-server', 'pending');
	await expect(b.page.getByTestId('case-row')).toHaveCount(0);

	// Back above ground.
	await a.context.setOffline(false);
	await expectAllOnServer(a.page);
	await expect(a.page.getByTestId('sync-server')).toHaveText(/所有更改已保存到服务器/);

	const row = b.page.getByTestId('case-row').filter({ hasText: '消防通道被电动车堵塞' });
	await expect(row).toBeVisible();
	await row.click();
	await expect(b.page.getByTestId('case-description')).toHaveText(
		'三辆电动车停在消防通道上，已拍照。'
	);

	await a.context.close();
	await b.context.close();
});
