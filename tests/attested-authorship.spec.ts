import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test, type Locator } from '@playwright/test';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import {
	expectAllOnServer,
	openControlled,
	RELAY_ORIGIN,
	reportCase,
	twoPhonesOnNewBoard
} from './helpers';

/** A service credential from the admin CLI: the relay neither checks nor attests its writes. */
async function serviceToken(communityId: string): Promise<string> {
	const { stdout } = await promisify(execFile)(
		process.execPath,
		[
			'--experimental-strip-types',
			'--experimental-sqlite',
			'--disable-warning=ExperimentalWarning',
			'sync-server/admin.ts',
			'token',
			'--community',
			communityId,
			'--role',
			'secretary'
		],
		{ env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR } }
	);
	return stdout.trim().split('\n').pop() ?? '';
}

/**
 * A stock Yjs client (y-websocket) appends a comment signed `by` to a case's timeline, as a
 * script with a service credential or an old app before attestation would.
 */
async function appendUnattestedComment(
	docName: string,
	caseId: string,
	token: string,
	by: string
): Promise<void> {
	const doc = new Y.Doc();
	const provider = new WebsocketProvider(
		RELAY_ORIGIN.replace('http', 'ws') + '/sync',
		docName,
		doc,
		{
			WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
			disableBc: true,
			params: { token }
		}
	);
	try {
		await expect.poll(() => provider.synced).toBe(true);
		const timeline = (doc.getMap('cases').get(caseId) as Y.Map<unknown>).get(
			'timeline'
		) as Y.Array<unknown>;
		timeline.push([
			{
				id: 'e-script1',
				kind: 'comment',
				at: Date.now(),
				by,
				deviceId: 'd-script',
				text: '已处理完毕'
			}
		]);
		await expect.poll(() => provider.wsconnected && provider.synced).toBe(true);
	} finally {
		// Give the update time to leave before closing: wait until the socket has no buffered data.
		await expect.poll(() => provider.ws?.bufferedAmount ?? 0).toBe(0);
		provider.destroy();
		doc.destroy();
	}
}

/** The mark on an entry the server attested to the member whose name it shows. */
async function expectConfirmed(entry: Locator, name: string): Promise<void> {
	const mark = entry.getByTestId('author-mark');
	await expect(mark).toHaveAttribute('data-attest', 'confirmed');
	// The screen-reader text names the sender the server confirmed.
	await expect(mark).toHaveText(`✓服务器已确认：由${name}发送`);
}

test('the secretary’s phone shows a volunteer’s case, comment and task report as sent by that volunteer, confirmed by the server', async ({
	browser
}) => {
	const { secretary, volunteer } = await twoPhonesOnNewBoard(browser, '第三网格');
	const { communityId } = secretary.community;

	// The volunteer reports a problem and comments on it.
	await reportCase(volunteer.page, { title: '5号楼门禁坏了', location: '5号楼1单元' });
	await volunteer.page.locator('#comment-text').fill('晚上门一直开着');
	await volunteer.page.getByTestId('comment-submit').click();
	await expectAllOnServer(volunteer.page);
	const caseUrl = volunteer.page.url();

	// Once the relay has them, the volunteer's own phone shows them confirmed too.
	const own = volunteer.page.getByTestId('timeline');
	await expectConfirmed(own.locator('li[data-kind="comment"]'), '刘芳');

	// The secretary opens the case (a fresh start reads the roster, the volunteer in it).
	await openControlled(secretary.page, caseUrl);
	const timeline = secretary.page.getByTestId('timeline');
	await expect(timeline.locator('li[data-kind="comment"]')).toContainText('晚上门一直开着');
	await expectConfirmed(timeline.locator('li[data-kind="created"]'), '刘芳');
	await expectConfirmed(timeline.locator('li[data-kind="comment"]'), '刘芳');
	await expect(
		timeline.locator('[data-attest="unverified"], [data-attest="mismatch"]')
	).toHaveCount(0);

	// A task: the secretary posts it, the volunteer claims and completes it.
	const staff = secretary.page;
	await staff.goto(`/c/${communityId}/tasks/new`);
	await staff.locator('#task-title').fill('帮5号楼王奶奶买菜');
	await staff.locator('#task-needed').fill('1');
	await staff.getByTestId('task-submit').click();
	await expect(staff.getByTestId('task')).toHaveAttribute('data-status', 'open');
	await expectAllOnServer(staff);
	const taskUrl = staff.url();

	const phone = volunteer.page;
	await openControlled(phone, taskUrl);
	await phone.getByTestId('task-claim-button').click();
	await phone.locator('#task-note').fill('菜已送到');
	await phone.getByTestId('task-complete').click();
	await expect(phone.getByTestId('task')).toHaveAttribute('data-status', 'done');
	await expectAllOnServer(phone);

	await expect(staff.getByTestId('task')).toHaveAttribute('data-status', 'done');
	await expectConfirmed(staff.getByTestId('task-claim'), '刘芳');
	await expectConfirmed(staff.getByTestId('task-completions').locator('li').first(), '刘芳');

	// The secretary confirms: their own entry is confirmed once the relay has it.
	await staff.getByTestId('task-confirm').click();
	await expectAllOnServer(staff);
	await expectConfirmed(staff.getByTestId('task-confirmation'), '张志强');
	await expect(phone.getByTestId('task-confirmation')).toBeVisible();
	await expectConfirmed(phone.getByTestId('task-confirmation'), '张志强');

	await volunteer.context.close();
	await secretary.context.close();
});

test('an entry the server did not attest shows as unverified, in Chinese and English, at 320 px', async ({
	browser
}) => {
	const { secretary, volunteer } = await twoPhonesOnNewBoard(browser, '第四网格');
	await volunteer.context.close();
	const page = secretary.page;
	await page.setViewportSize({ width: 320, height: 700 });
	await reportCase(page, { title: '6号楼化粪池堵塞' });
	await expectAllOnServer(page);
	const [, communityId, gridId, caseId] =
		/\/c\/([^/]+)\/g\/([^/]+)\/cases\/([^/?#]+)/.exec(page.url()) ?? [];
	await appendUnattestedComment(
		`c/${communityId}/board/${gridId}`,
		caseId!,
		await serviceToken(communityId!),
		'刘芳'
	);

	const timeline = page.getByTestId('timeline');
	const forged = timeline.locator('li[data-kind="comment"]');
	await expect(forged).toContainText('已处理完毕');
	await expect(forged.getByTestId('author-mark')).toHaveAttribute('data-attest', 'unverified');
	await expect(forged.getByTestId('author-mark')).toHaveText('⚠ 未经核实：服务器未确认发送者');
	await expectConfirmed(timeline.locator('li[data-kind="created"]'), '张志强');
	const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
	expect(await fits()).toBe(true);
	await page.screenshot({ path: test.info().outputPath('unverified-320-zh.png'), fullPage: true });

	const caseUrl = page.url();
	await page.goto('/settings');
	await page.getByTestId('lang-en').click();
	await page.goto(caseUrl);
	await expect(forged.getByTestId('author-mark')).toHaveText(
		'⚠ Unverified: the server has not confirmed who sent this'
	);
	expect(await fits()).toBe(true);
	await page.screenshot({ path: test.info().outputPath('unverified-320-en.png'), fullPage: true });
	await secretary.context.close();
});
