/**
 * A removed member's phone forgets the community: the relay's removal signal stops its sync at
 * once, the phone shows what had not been sent (a case and a photo made offline), and only after
 * the person acknowledges does it delete the community's databases, credential and token. A
 * reload before that still shows the notice; a reload after it shows the welcome page saying why.
 */
import { expect, test, type Page } from '@playwright/test';
import { cameraPhoto, goOffline, reportCase, syncStatus, twoPhonesOnNewBoard } from './helpers';

const gridboardDatabases = (page: Page) =>
	page.evaluate(async () =>
		(await indexedDB.databases())
			.map((info) => info.name ?? '')
			.filter((name) => name.startsWith('gridboard:'))
	);

const membershipKeys = (page: Page) =>
	page.evaluate(() =>
		['gridboard:credential', 'gridboard:token', 'gridboard:roster'].filter(
			(key) => localStorage.getItem(key) !== null
		)
	);

test('a removed volunteer sees what was not sent, acknowledges, and the phone forgets the community', async ({
	browser
}) => {
	const { secretary, volunteer, boardUrl } = await twoPhonesOnNewBoard(browser, '四号网格');
	const s = secretary.page;
	const v = volunteer.page;

	// In the basement the volunteer reports a case with a photo: neither reaches the relay.
	await goOffline(volunteer);
	await reportCase(v, { title: '楼道堆放杂物', category: 'other' });
	await v.getByTestId('photo-input').setInputFiles({
		name: 'IMG_0007.jpg',
		mimeType: 'image/jpeg',
		buffer: await cameraPhoto(v, '杂物')
	});
	await expect(v.getByTestId('photo-item')).toHaveCount(1);
	await expect(syncStatus(v)).not.toHaveAttribute('data-unconfirmed', '0');
	await expect(syncStatus(v)).toHaveAttribute('data-photos', '1');
	expect((await gridboardDatabases(v)).length).toBeGreaterThan(1);
	expect(await membershipKeys(v)).toContain('gridboard:credential');

	// Meanwhile the secretary removes the volunteer.
	await s.goto(boardUrl.replace(/\/g\/.*$/, '/members'));
	const row = s.getByTestId('member-row').filter({ hasText: '刘芳' });
	await row.getByTestId('member-remove').click();
	await row.getByTestId('remove-confirm').click();
	await expect(s.getByTestId('member-row').filter({ hasText: '刘芳' })).toHaveCount(0);

	// Back in signal, the relay tells the phone: the notice lists what will be lost.
	await volunteer.context.setOffline(false);
	const notice = v.getByTestId('member-removed');
	await expect(notice).toBeVisible();
	await expect(notice.getByTestId('removed-unsent-changes')).toBeVisible();
	await expect(notice.getByTestId('removed-unsent-photos')).toHaveAttribute('data-count', '1');
	await expect(notice.getByTestId('removed-unsent-photos')).toContainText('1 张照片尚未上传');
	// The changes by document: the case went into the grid's board.
	await expect(
		notice.getByTestId('removed-unsent-document').and(notice.locator('[data-kind="board"]'))
	).toContainText('网格看板');
	// It fits a 320 px phone.
	await v.setViewportSize({ width: 320, height: 640 });
	expect(await v.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
	// The boards are no longer shown, and nothing is wiped yet.
	await expect(v.getByTestId('case-title')).toHaveCount(0);
	expect((await gridboardDatabases(v)).length).toBeGreaterThan(1);

	// A reload before acknowledging: still the notice with the same list, and the phone asks the
	// relay for nothing (no socket, no token, no upload) though its unsent documents are open.
	const asked: string[] = [];
	v.on('websocket', (socket) => asked.push(socket.url()));
	v.on('request', (request) => {
		if (request.url().includes('/api/')) asked.push(request.url());
	});
	await v.reload();
	await expect(notice).toBeVisible();
	await expect(notice.getByTestId('removed-unsent-changes')).toBeVisible();
	await expect(notice.getByTestId('removed-unsent-photos')).toHaveAttribute('data-count', '1');
	await expect(syncStatus(v)).toHaveAttribute('data-close-code', '4403');
	expect(asked).toEqual([]);

	// Acknowledged: everything of the community is gone, and the welcome page says why.
	await notice.getByTestId('removed-acknowledge').click();
	await expect(v.getByTestId('welcome')).toBeVisible();
	await expect(v.getByTestId('welcome-removed')).toContainText('您已被移出');
	await expect.poll(() => gridboardDatabases(v)).toEqual([]);
	expect(await membershipKeys(v)).toEqual([]);
	await v.reload();
	await expect(v.getByTestId('welcome')).toBeVisible();
	await expect(v.getByTestId('member-removed')).toHaveCount(0);
	expect(await gridboardDatabases(v)).toEqual([]);

	// The secretary never received what the removed phone had not sent.
	await s.goto(boardUrl);
	await expect(s.getByTestId('case-row').filter({ hasText: '楼道堆放杂物' })).toHaveCount(0);

	await secretary.context.close();
	await volunteer.context.close();
});
