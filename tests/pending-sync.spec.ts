import { expect, test, type Page } from '@playwright/test';
import {
	addGrid,
	expectAllOnServer,
	goOffline,
	reportCase,
	secretaryPhone,
	syncStatus,
	twoPhonesOnNewBoard
} from './helpers';

test('offline edits on a board nobody opens after a reload are counted, and sent once online', async ({
	browser
}) => {
	const { secretary: a, volunteer: b } = await twoPhonesOnNewBoard(browser, '三号网格');
	const homeUrl = new URL(`/c/${a.community.communityId}`, a.page.url()).href;

	// Offline, one case reported on the board.
	await goOffline(a);
	await reportCase(a.page, { title: '楼道灯不亮', category: 'other' });
	await expect(syncStatus(a.page)).toHaveAttribute('data-local', 'saved');
	const pending = Number(await syncStatus(a.page).getAttribute('data-unconfirmed'));
	expect(pending).toBeGreaterThan(0);

	// Reload on the community home page, still offline: no page opens the board.
	await a.page.goto(homeUrl);
	await expect(a.page.getByTestId('grid-row').filter({ hasText: '三号网格' })).toBeVisible();
	await expect(syncStatus(a.page)).toHaveAttribute('data-unconfirmed', String(pending));
	await expect(syncStatus(a.page)).toHaveAttribute('data-server', 'pending');
	await expect(a.page.getByTestId('sync-server')).toContainText(String(pending));

	// Online again, still on the home page: the case reaches the other phone.
	await a.context.setOffline(false);
	await expect(b.page.getByTestId('case-row').filter({ hasText: '楼道灯不亮' })).toBeVisible();
	await expectAllOnServer(a.page);
	await expect(a.page.getByTestId('sync-server')).toHaveText(/所有更改已保存到服务器/);
	expect(new URL(a.page.url()).pathname).toBe(new URL(homeUrl).pathname);

	await a.context.close();
	await b.context.close();
});

/**
 * Holds back the `success` of IndexedDB opens whose name contains `part` until the page calls
 * `window.__releaseIdb()`: a phone whose storage answers slowly.
 */
async function slowIndexedDb(page: Page, part: string): Promise<void> {
	await page.addInitScript((match: string) => {
		const held: (() => void)[] = [];
		let released = false;
		(window as unknown as { __releaseIdb: () => void }).__releaseIdb = () => {
			released = true;
			for (const run of held.splice(0)) run();
		};
		const open = IDBFactory.prototype.open;
		IDBFactory.prototype.open = function (this: IDBFactory, name: string, version?: number) {
			const request = open.call(this, name, version);
			if (!name.includes(match)) return request;
			let handler: ((event: Event) => void) | null = null;
			Object.defineProperty(request, 'onsuccess', {
				configurable: true,
				get: () => handler,
				set: (value: ((event: Event) => void) | null) => (handler = value)
			});
			request.addEventListener('success', (event) => {
				const run = () => handler?.call(request, event);
				if (released) run();
				else held.push(run);
			});
			return request;
		} as typeof open;
	}, part);
}

test('the community home and a board show a loading state, not an empty one, until the document is read', async ({
	browser
}) => {
	const a = await secretaryPhone(browser, '张志强');
	const homeUrl = a.page.url();
	await addGrid(a.page, '四号网格');
	await a.page
		.getByTestId('grid-row')
		.filter({ hasText: '四号网格' })
		.getByRole('link')
		.first()
		.click();
	await expect(a.page.getByTestId('empty-state')).toBeVisible();
	const boardUrl = a.page.url();
	await expectAllOnServer(a.page);

	const slow = await a.context.newPage();
	await slowIndexedDb(slow, '/directory');
	await slow.goto(homeUrl);
	await expect(slow.getByTestId('doc-loading')).toBeVisible();
	await expect(slow.getByTestId('empty-state')).toHaveCount(0);
	await expect(slow.getByTestId('grid-add')).toHaveCount(0);
	await slow.evaluate(() => (window as unknown as { __releaseIdb: () => void }).__releaseIdb());
	await expect(slow.getByTestId('grid-row').filter({ hasText: '四号网格' })).toBeVisible();
	await expect(slow.getByTestId('doc-loading')).toHaveCount(0);
	await expect(slow.getByTestId('grid-add')).toBeVisible();
	await slow.close();

	const slowBoard = await a.context.newPage();
	await slowIndexedDb(slowBoard, '/board/');
	await slowBoard.goto(boardUrl);
	await expect(slowBoard.getByTestId('doc-loading')).toBeVisible();
	await expect(slowBoard.getByTestId('empty-state')).toHaveCount(0);
	await expect(slowBoard.getByTestId('case-new')).toHaveCount(0);
	await slowBoard.evaluate(() =>
		(window as unknown as { __releaseIdb: () => void }).__releaseIdb()
	);
	await expect(slowBoard.getByTestId('empty-state')).toBeVisible();
	await expect(slowBoard.getByTestId('case-new')).toBeVisible();

	await a.context.close();
});
