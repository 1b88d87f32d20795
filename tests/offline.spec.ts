import { expect, test } from '@playwright/test';
import {
	addGrid,
	expectAllOnServer,
	createInviteVia,
	joinedPhone,
	openControlled,
	reportCase,
	secretaryPhone,
	syncStatus
} from './helpers';

test('a phone offline reloads, reports and edits a case, comes back and the other phone receives it', async ({
	browser
}) => {
	const a = await secretaryPhone(browser, '张志强');
	const b = await joinedPhone(
		browser,
		'刘芳',
		await createInviteVia(a.page, { role: 'volunteer' })
	);

	await addGrid(a.page, '二号网格');
	await a.page
		.getByTestId('grid-row')
		.filter({ hasText: '二号网格' })
		.getByRole('link')
		.first()
		.click();
	await expect(a.page.getByTestId('empty-state')).toBeVisible();
	await expectAllOnServer(a.page);
	const boardUrl = a.page.url();

	await openControlled(b.page, boardUrl);
	await expect(b.page.getByTestId('empty-state')).toBeVisible();

	// The basement: no network. Open WebSockets survive setOffline, so reload to drop them.
	await a.context.setOffline(true);
	await a.page.reload();
	await expect(syncStatus(a.page)).toHaveAttribute('data-connection', 'offline');
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
