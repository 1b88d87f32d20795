/**
 * The sync status bar (issue 15): always on screen, never "waiting for the server" when nothing
 * waits, offline it says how old the data is (kept across restarts), and photos not yet uploaded
 * are counted like changes, also by sign-out.
 */
import { expect, test, type Page } from '@playwright/test';
import {
	addGrid,
	cameraPhoto,
	expectAllOnServer,
	goOffline,
	newPhone,
	reportCase,
	secretaryPhone,
	syncStatus
} from './helpers';

/** The bar is inside the viewport and on top (not covered) at its own centre line. */
function barOnScreen(page: Page): Promise<boolean> {
	return syncStatus(page).evaluate((bar) => {
		const box = bar.getBoundingClientRect();
		const hit = document.elementFromPoint(box.left + 8, box.top + box.height / 2);
		return (
			box.height > 0 &&
			box.top >= 0 &&
			box.bottom <= window.innerHeight &&
			hit !== null &&
			bar.contains(hit)
		);
	});
}

async function openNewBoard(page: Page, gridName: string): Promise<void> {
	await addGrid(page, gridName);
	await page
		.getByTestId('grid-row')
		.filter({ hasText: gridName })
		.getByRole('link')
		.first()
		.click();
	await expect(page.getByTestId('empty-state')).toBeVisible();
}

test('the status bar stays on screen at the bottom of a long case and while writing the minutes', async ({
	browser
}) => {
	const secretary = await secretaryPhone(browser, '周红');
	const { page } = secretary;
	await openNewBoard(page, '一号网格');
	await reportCase(page, {
		title: '3号楼楼道堆放杂物堵塞消防通道',
		description: '楼道里堆着旧家具和纸箱，住户反映多次，物业尚未处理。'.repeat(60)
	});
	await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
	await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(600);
	await expect.poll(() => barOnScreen(page)).toBe(true);

	// The minutes: the page scrolls with the caret while the secretary writes.
	await page.goto(`/c/${secretary.community.communityId}/meetings`);
	await page.getByTestId('meeting-new').click();
	await page.locator('#meeting-title').fill('楼下议事：消防通道');
	await page.locator('#meeting-place').fill('社区会议室');
	await page.getByTestId('meeting-create').click();
	await expect(page.getByTestId('meeting-title')).toHaveText('楼下议事：消防通道');
	const editor = page.getByTestId('minutes-editor');
	await editor.click();
	for (let line = 1; line <= 40; line++) {
		await page.keyboard.insertText(`第${line}条：楼道杂物本周内清理。`);
		await page.keyboard.press('Enter');
	}
	await expect(editor).toContainText('第40条');
	await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(600);
	await expect.poll(() => barOnScreen(page)).toBe(true);
	await expect(editor).toBeFocused();
	await secretary.context.close();
});

test('before sign-in and offline with nothing pending it never says "waiting for the server"; offline it says when it last synced, also after a restart', async ({
	browser
}) => {
	// The welcome page before anyone signed in: nothing is waiting for the server.
	const stranger = await newPhone(browser, '路人');
	await stranger.page.goto('/');
	await expect(syncStatus(stranger.page)).toBeVisible();
	await expect(syncStatus(stranger.page)).toHaveAttribute('data-server', 'none');
	await expect(syncStatus(stranger.page)).not.toContainText('等待服务器确认');
	await stranger.context.close();

	const secretary = await secretaryPhone(browser, '吴敏');
	const { page } = secretary;
	await openNewBoard(page, '二号网格');
	const before = Date.now();
	await expectAllOnServer(page);
	// Every document on screen was confirmed by the relay by now.
	const after = Date.now();

	// The phone loses signal and the app is started again (goOffline reloads): nothing is pending,
	// and the bar says how old the board on screen is.
	await goOffline(secretary);
	await expect(page.getByTestId('empty-state')).toBeVisible();
	const status = syncStatus(page);
	await expect(status).toHaveAttribute('data-server', 'idle');
	await expect(status).toHaveAttribute('data-unconfirmed', '0');
	await expect(status).not.toContainText('等待服务器确认');
	await expect(status).toContainText('没有待上传的内容');
	await expect(page.getByTestId('sync-last-synced')).toContainText('最后同步');
	const lastSynced = Number(await status.getAttribute('data-last-synced'));
	expect(lastSynced).toBeGreaterThan(before - 60_000);
	expect(lastSynced).toBeLessThanOrEqual(after);
	const shown = await page.evaluate(
		(at) =>
			// In the community's zone (Asia/Shanghai by default), like every date in the app.
			new Intl.DateTimeFormat('zh-CN', {
				timeZone: 'Asia/Shanghai',
				month: 'short',
				day: 'numeric',
				hour: '2-digit',
				minute: '2-digit'
			}).format(at),
		lastSynced
	);
	await expect(page.getByTestId('sync-last-synced')).toHaveText(`最后同步 ${shown}`);

	// A second restart later: still the same moment (stored on the device, not "now").
	await page.reload();
	await expect(page.getByTestId('empty-state')).toBeVisible();
	await expect(status).toHaveAttribute('data-last-synced', String(lastSynced));
	await expect(status).toHaveAttribute('data-server', 'idle');

	// Back online: all saved again, and no "last synced" line.
	await secretary.context.setOffline(false);
	await expectAllOnServer(page);
	await expect(page.getByTestId('sync-last-synced')).toHaveCount(0);
	await secretary.context.close();
});

test('photos waiting to upload are counted in the status bar, and sign-out warns about them', async ({
	browser
}) => {
	const secretary = await secretaryPhone(browser, '郑丽');
	const { page } = secretary;
	await openNewBoard(page, '三号网格');
	await reportCase(page, { title: '路灯不亮' });
	await expectAllOnServer(page);
	const jpegs = [await cameraPhoto(page, '路灯'), await cameraPhoto(page, '灯杆')];

	await goOffline(secretary);
	await page.getByTestId('photo-input').setInputFiles([
		{ name: 'IMG_1.jpg', mimeType: 'image/jpeg', buffer: jpegs[0]! },
		{ name: 'IMG_2.jpg', mimeType: 'image/jpeg', buffer: jpegs[1]! }
	]);
	await expect(page.getByTestId('photo-item').getByTestId('photo-img')).toHaveCount(2);
	const status = syncStatus(page);
	await expect(status).toHaveAttribute('data-photos', '2');
	await expect(status).toHaveAttribute('data-server', 'pending');
	await expect(page.getByTestId('sync-photos')).toHaveText('2 张照片尚未上传');

	// After a restart (still offline) they are still counted.
	await page.reload();
	await expect(status).toHaveAttribute('data-photos', '2');
	await expect(page.getByTestId('sync-photos')).toHaveText('2 张照片尚未上传');

	// Sign-out warns before deleting them.
	await page.getByRole('link', { name: '设置' }).click();
	await page.getByTestId('sign-out').click();
	await expect(page.getByTestId('sign-out-photos-warning')).toContainText('2 张照片尚未上传');
	await expect(page.getByTestId('sign-out-confirm')).toHaveText('仍然退出');
	await page.getByRole('button', { name: '取消' }).click();
	await page.goBack();
	await expect(page.getByTestId('case-title')).toHaveText('路灯不亮');

	// Signal again: the photos go up and the bar says everything is on the server.
	await secretary.context.setOffline(false);
	await expect(status).toHaveAttribute('data-photos', '0', { timeout: 10_000 });
	await expectAllOnServer(page);
	await expect(page.getByTestId('sync-photos')).toHaveCount(0);
	await page.getByRole('link', { name: '设置' }).click();
	await page.getByTestId('sign-out').click();
	await expect(page.getByTestId('sign-out-photos-warning')).toHaveCount(0);
	await secretary.context.close();
});
