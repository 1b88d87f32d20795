import { expect, test } from '@playwright/test';
import {
	addGrid,
	createCommunity,
	expectAllOnServer,
	newPhone,
	openControlled,
	secretaryPhone,
	syncStatus
} from './helpers';

test('a device without a credential is welcomed and told what is wrong with an invite', async ({
	browser
}) => {
	const community = await createCommunity();
	const phone = await newPhone(browser, '新用户');
	const { page } = phone;
	await openControlled(page, '/');
	await expect(page.getByTestId('welcome')).toContainText('邀请链接');
	await expect(page.getByTestId('grid-list')).toHaveCount(0);

	// A pasted link leads to the join page.
	await page.locator('#invite-input').fill('https://example.org/join#nosuchcode123');
	await page.getByRole('button', { name: '继续' }).click();
	await page.locator('#display-name').fill('新用户');
	await page.getByTestId('join-submit').click();
	await expect(page.getByTestId('join-error')).toContainText('邀请无效');

	// Offline: said so, nothing sent.
	const code = new URL(community.inviteUrl).hash.slice(1);
	await page.goto(`/join#${code}`);
	await phone.context.setOffline(true);
	await page.locator('#display-name').fill('新用户');
	await page.getByTestId('join-submit').click();
	await expect(page.getByTestId('join-error')).toContainText('连不上服务器');
	await phone.context.setOffline(false);

	// The one-time secretary link works once…
	await page.getByTestId('join-submit').click();
	await page.waitForURL(`**/c/${community.communityId}`);
	// …and then is used up for everyone else.
	const other = await newPhone(browser, '另一个人');
	await other.page.goto(`/join#${code}`);
	await other.page.locator('#display-name').fill('另一个人');
	await other.page.getByTestId('join-submit').click();
	await expect(other.page.getByTestId('join-error')).toContainText('已用完');

	await phone.context.close();
	await other.context.close();
});

test('sign-out warns about changes not yet on the server, then wipes the device', async ({
	browser
}) => {
	const phone = await secretaryPhone(browser, '孙书记');
	const { page } = phone;
	await addGrid(page, '一号网格');
	await expectAllOnServer(page);

	// Offline (reload drops the open sockets), a change that cannot reach the server.
	await phone.context.setOffline(true);
	await page.reload();
	await expect(syncStatus(page)).toHaveAttribute('data-connection', 'offline');
	await addGrid(page, '二号网格');
	await expect(syncStatus(page)).toHaveAttribute('data-server', 'pending');

	await page.getByRole('link', { name: '设置' }).click();
	await page.getByTestId('sign-out').click();
	await expect(page.getByTestId('sign-out-warning')).toContainText('尚未保存到服务器');
	await page.getByTestId('sign-out-confirm').click();

	// Signing out ends with a full load of `/`: wait for it, not just for the welcome screen
	// (which shows a moment earlier, before the navigation).
	await page.waitForURL((url) => url.pathname === '/', { waitUntil: 'load' });
	await expect(page.getByTestId('welcome')).toBeVisible();
	expect(await page.evaluate(() => localStorage.getItem('gridboard:credential'))).toBeNull();
	expect(await page.evaluate(() => localStorage.getItem('gridboard:token'))).toBeNull();
	const databases = await page.evaluate(async () =>
		(await indexedDB.databases()).map((db) => db.name ?? '')
	);
	expect(databases.filter((name) => name.startsWith('gridboard:'))).toEqual([]);
	await phone.context.close();
});
