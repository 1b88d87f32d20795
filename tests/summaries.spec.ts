/**
 * Summaries on a phone: the community home shows each grid's open and overdue counts from its
 * board's stored summary (no board opened), with "as of" offline; the community board's first
 * rows come from the summaries while the boards' documents cannot load yet, and stay the same
 * rows when the boards go live.
 */
import { expect, test } from '@playwright/test';
import { addGrid, expectAllOnServer, goOffline, reportCase, secretaryPhone } from './helpers';

const DAY = 86_400_000;

test('home counts and the community board’s first rows come from summaries, offline', async ({
	browser
}) => {
	const phone = await secretaryPhone(browser, '周敏');
	const { page, community } = phone;
	const home = `/c/${community.communityId}`;
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
	await expectAllOnServer(page);

	await page.goto(home);
	const first = page.getByTestId('grid-row').filter({ hasText: '一网格' });
	const second = page.getByTestId('grid-row').filter({ hasText: '二网格' });
	await expect(first.getByTestId('grid-open')).toHaveAttribute('data-count', '2');
	await expect(first.getByTestId('grid-open')).toContainText('未办结 2 件');
	await expect(first.getByTestId('grid-overdue')).toHaveAttribute('data-count', '0');
	// A board never opened on this device has no summary yet: no made-up zeros.
	await expect(second.getByTestId('grid-counts')).toHaveCount(0);
	const gridId = await first.getAttribute('data-grid-id');

	// Offline, forty days on: the counts come from the stored summary, stamped "as of".
	await goOffline(phone);
	await page.clock.setFixedTime(Date.now() + 40 * DAY);
	await page.reload();
	await expect(first.getByTestId('grid-overdue')).toHaveAttribute('data-count', '2');
	await expect(first.getByTestId('grid-open')).toHaveAttribute('data-count', '2');
	await expect(first.getByTestId('grid-as-of')).toContainText('截至');

	// Another tab keeps the board's stored updates busy (a readwrite transaction that never
	// ends), so its document cannot load; its summary (the meta store) still reads.
	const holder = await phone.context.newPage();
	await holder.goto(home);
	await holder.evaluate(async (name) => {
		const state = window as unknown as { __hold: boolean };
		state.__hold = true;
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open(name);
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		const store = db.transaction('updates', 'readwrite').objectStore('updates');
		const spin = () => {
			if (state.__hold) store.count().onsuccess = spin;
		};
		spin();
	}, `gridboard:c/${community.communityId}/board/${gridId}`);

	await page.goto(`${home}/board`);
	const rows = page.getByTestId('case-row');
	await expect(rows).toHaveCount(2);
	await expect(rows.first()).toContainText('垃圾桶满溢');
	await expect(page.getByTestId('board-count')).toHaveAttribute('data-live', 'false');
	await expect(page.getByTestId('board-count')).toHaveAttribute('data-total', '2');
	const fromSummaries = await rows.evaluateAll((all) =>
		all.map((row) => row.getAttribute('data-case-id'))
	);

	// Let the board load: the live rows are the same rows, in the same order.
	await holder.evaluate(() => ((window as unknown as { __hold: boolean }).__hold = false));
	await expect(page.getByTestId('board-count')).toHaveAttribute('data-live', 'true');
	await expect(rows).toHaveCount(2);
	expect(
		await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-case-id')))
	).toEqual(fromSummaries);
	await phone.context.close();
});
