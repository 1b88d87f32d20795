import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import {
	addGrid,
	cameraPhoto,
	createInviteVia,
	expectAllOnServer,
	joinedPhone,
	openControlled,
	reportCase,
	secretaryPhone,
	syncStatus
} from './helpers';

/** What the relay answers for a photo blob, asked with this phone's own token. */
function blobStatus(page: Page, communityId: string, hash: string): Promise<number> {
	return page.evaluate(
		async ({ cid, hash }) => {
			const { token } = JSON.parse(localStorage.getItem('gridboard:token') ?? 'null');
			const response = await fetch(`/api/communities/${cid}/blobs/${hash}`, {
				headers: { authorization: `Bearer ${token}` }
			});
			return response.status;
		},
		{ cid: communityId, hash }
	);
}

test('a volunteer offline claims and completes a task with a photo, reloads, comes online; staff confirm; hours export opens in Excel', async ({
	browser
}) => {
	const secretary = await secretaryPhone(browser, '李书记');
	const staff = secretary.page;
	const { communityId } = secretary.community;

	// The secretary posts a task through the Work tab.
	await staff.getByTestId('nav-work').click();
	await staff.getByTestId('work-link-tasks').click();
	await staff.getByTestId('task-new').click();
	await staff.locator('#task-title').fill('帮5号楼王奶奶买菜');
	await staff.locator('#task-place').fill('5号楼2单元');
	await staff.locator('#task-needed').fill('1');
	await staff.locator('#task-hours').fill('2');
	await staff.getByTestId('task-submit').click();
	await expect(staff.getByTestId('task-title')).toHaveText('帮5号楼王奶奶买菜');
	await expect(staff.getByTestId('task')).toHaveAttribute('data-status', 'open');
	await expectAllOnServer(staff);
	const taskUrl = staff.url();

	const volunteer = await joinedPhone(
		browser,
		'刘芳',
		await createInviteVia(staff, { role: 'volunteer' })
	);
	const phone = volunteer.page;
	await openControlled(phone, taskUrl);
	await expect(phone.getByTestId('task-title')).toHaveText('帮5号楼王奶奶买菜');
	// Observers' and volunteers' screens show no staff controls.
	await expect(phone.getByTestId('task-confirm')).toHaveCount(0);
	const jpeg = await cameraPhoto(phone, '买菜', { width: 1200, height: 900 });

	// No signal in the stairwell. Open WebSockets survive setOffline, so reload to drop them.
	await volunteer.context.setOffline(true);
	await phone.reload();
	await expect(syncStatus(phone)).toHaveAttribute('data-connection', 'offline');
	await expect(phone.getByTestId('task-title')).toHaveText('帮5号楼王奶奶买菜');

	await phone.getByTestId('task-claim-button').click();
	await expect(phone.getByTestId('task')).toHaveAttribute('data-status', 'claimed');
	await phone.locator('#task-note').fill('菜已送到，老人很满意');
	await phone
		.getByTestId('task-photo-input')
		.setInputFiles({ name: 'IMG_2231.jpg', mimeType: 'image/jpeg', buffer: jpeg });
	await expect(phone.getByTestId('task-complete-form').getByTestId('photo-img')).toBeVisible();
	await phone.getByTestId('task-complete').click();
	await expect(phone.getByTestId('task')).toHaveAttribute('data-status', 'done');
	await expect(phone.getByTestId('task-completion-note')).toHaveText('菜已送到，老人很满意');
	await expect(phone.getByTestId('task-completion-photos').getByTestId('photo-img')).toBeVisible();

	// My work, still offline: the claimed task and the changes waiting to sync.
	await phone.getByTestId('nav-work').click();
	await expect(phone.getByTestId('my-claimed')).toContainText('帮5号楼王奶奶买菜');
	await expect(phone.getByTestId('my-work-pending')).toBeVisible();

	// A reload, still offline: everything is still on the phone.
	await phone.goto(taskUrl);
	await phone.reload();
	await expect(phone.getByTestId('task')).toHaveAttribute('data-status', 'done');
	await expect(phone.getByTestId('task-completion-note')).toHaveText('菜已送到，老人很满意');
	await expect(phone.getByTestId('task-completion-photos').getByTestId('photo-img')).toBeVisible();
	await expect(syncStatus(phone)).toHaveAttribute('data-server', 'pending');
	await expect(staff.getByTestId('task')).toHaveAttribute('data-status', 'open');

	// Signal again.
	await volunteer.context.setOffline(false);
	await expectAllOnServer(phone);

	// The secretary sees it done, with the note and the photo, and confirms.
	await expect(staff.getByTestId('task')).toHaveAttribute('data-status', 'done');
	await expect(staff.getByTestId('task-completion-note')).toHaveText('菜已送到，老人很满意');
	await expect(staff.getByTestId('task-completion-photos').getByTestId('photo-img')).toBeVisible({
		timeout: 30_000
	});
	await staff.getByTestId('task-confirm').click();
	await expect(staff.getByTestId('task')).toHaveAttribute('data-status', 'confirmed');
	await expectAllOnServer(staff);

	// The volunteer's own total.
	await phone.goto(`/c/${communityId}/hours`);
	await expect(phone.getByTestId('hours-mine-total')).toContainText('2');
	await expect(phone.getByTestId('hours-export')).toHaveCount(0);

	// Staff: the month's list by volunteer and a CSV that Excel reads as UTF-8.
	await staff.goto(`/c/${communityId}/hours`);
	await expect(staff.getByTestId('hours-volunteer-row')).toContainText('刘芳');
	const [download] = await Promise.all([
		staff.waitForEvent('download'),
		staff.getByTestId('hours-export').click()
	]);
	expect(download.suggestedFilename()).toMatch(/^service-hours-.+\.csv$/);
	const bytes = await readFile((await download.path())!);
	expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
	const text = bytes.toString('utf8').slice(1);
	const lines = text.split('\r\n');
	expect(lines[0]).toBe('"日期","月份","志愿者","小时","类型","内容"');
	expect(lines[1]).toMatch(
		/^"\d{4}-\d{2}-\d{2}","\d{4}-\d{2}","刘芳","2","任务","帮5号楼王奶奶买菜"$/
	);
	expect(lines[2]).toBe('');

	await secretary.context.close();
	await volunteer.context.close();
});

test('a patrol finding becomes a case, with its photo, that the secretary sees on the grid board', async ({
	browser
}) => {
	const secretary = await secretaryPhone(browser, '王书记');
	const staff = secretary.page;
	await addGrid(staff, '一号网格');
	await addGrid(staff, '二号网格');
	await expectAllOnServer(staff);

	await staff.getByTestId('nav-work').click();
	await staff.getByTestId('work-link-patrols').click();
	await staff.getByTestId('patrol-route-new').click();
	await staff.locator('#route-name').fill('啄木鸟巡查 东片');
	await staff.locator('#route-area').fill('幸福里小区');
	await staff.locator('#route-grid').selectOption({ label: '二号网格' });
	await staff.locator('#route-checklist').fill('消防通道畅通\n无飞线充电\n门前三包\n垃圾清运');
	await staff.getByTestId('patrol-route-submit').click();
	await expect(staff.getByTestId('patrol-route-row')).toContainText('啄木鸟巡查 东片');
	await expect(staff.getByTestId('patrol-route-row')).toContainText('周三');
	await expectAllOnServer(staff);
	const patrolsUrl = staff.url();

	const volunteer = await joinedPhone(
		browser,
		'赵大爷',
		await createInviteVia(staff, { role: 'volunteer' })
	);
	const phone = volunteer.page;
	await openControlled(phone, patrolsUrl);
	await phone.getByTestId('patrol-route-row').getByRole('link').click();
	await phone.getByTestId('patrol-start').click();
	await phone.waitForURL(/\/patrols\/run\//);
	await phone.getByTestId('patrol-checklist').getByLabel('消防通道畅通').check();
	await phone.getByTestId('patrol-checklist').getByLabel('门前三包').check();
	await phone.locator('#finding-note').fill('7号楼北侧飞线充电');
	await phone.getByTestId('finding-photo-input').setInputFiles({
		name: 'IMG_0007.jpg',
		mimeType: 'image/jpeg',
		buffer: await cameraPhoto(phone, '飞线', { width: 1200, height: 900 })
	});
	await expect(phone.getByTestId('patrol-finding-form').getByTestId('photo-img')).toBeVisible();
	const photoHash = await phone
		.getByTestId('patrol-finding-form')
		.getByTestId('photo-img')
		.getAttribute('data-hash');
	expect(photoHash).toMatch(/^[0-9a-f]{64}$/);
	await phone.getByTestId('patrol-finding-add').click();
	await expect(phone.getByTestId('patrol-finding')).toContainText('7号楼北侧飞线充电');

	// One tap: the finding becomes a case on the route's grid board.
	await phone.getByTestId('patrol-finding-report').click();
	await expect(phone.getByTestId('patrol-finding-case')).toBeVisible();
	await phone.getByTestId('patrol-finish').click();
	// Two items are still unticked: finishing asks first.
	await phone.getByTestId('patrol-finish-dialog-confirm').click();
	await expect(phone.getByTestId('patrol-finish')).toHaveCount(0);
	await expectAllOnServer(phone);

	// The secretary opens the right grid's board: the case is there, with the photo.
	const openBoard = async (name: string) => {
		await staff.goto(`/c/${secretary.community.communityId}`);
		await staff.getByTestId('grid-row').filter({ hasText: name }).getByRole('link').first().click();
		await staff.waitForURL(/\/g\/[^/]+$/);
	};
	await openBoard('二号网格');
	const row = staff.getByTestId('case-row').filter({ hasText: '7号楼北侧飞线充电' });
	await expect(row).toBeVisible();
	await row.click();
	await expect(staff.getByTestId('case-title')).toHaveText('7号楼北侧飞线充电');
	// …recorded as found on a patrol.
	await expect(staff.getByTestId('case-channel')).toContainText('巡查');
	// The case carries the finding's photo, and the bytes reached the relay.
	await expect(staff.getByTestId('photo-item').getByTestId('photo-img')).toHaveAttribute(
		'data-hash',
		photoHash!,
		{ timeout: 30_000 }
	);
	await expect
		.poll(() => blobStatus(staff, secretary.community.communityId, photoHash!), { timeout: 30_000 })
		.toBe(200);
	// Not on the other grid's board.
	await openBoard('一号网格');
	await expect(staff.getByTestId('empty-state')).toBeVisible();
	await expect(staff.getByTestId('case-row')).toHaveCount(0);

	// Past runs list the finding and link it to its case.
	await staff.goto(patrolsUrl);
	await staff.getByTestId('patrol-route-row').getByRole('link').click();
	const run = staff.getByTestId('patrol-run-row');
	await expect(run).toContainText('赵大爷');
	await expect(run).toContainText('7号楼北侧飞线充电');
	await expect(run).toContainText('2/4');

	await secretary.context.close();
	await volunteer.context.close();
});

test('two volunteers claim the last place offline: after sync both phones show the same over-claim, and staff settle it', async ({
	browser
}) => {
	const secretary = await secretaryPhone(browser, '陈书记');
	const staff = secretary.page;
	await staff.goto(`/c/${secretary.community.communityId}/tasks/new`);
	await staff.locator('#task-title').fill('周六清理楼道杂物');
	await staff.locator('#task-needed').fill('1');
	await staff.getByTestId('task-submit').click();
	await expect(staff.getByTestId('task')).toHaveAttribute('data-status', 'open');
	await expectAllOnServer(staff);
	const taskUrl = staff.url();

	const phones = [];
	for (const name of ['周阿姨', '吴师傅']) {
		const phone = await joinedPhone(
			browser,
			name,
			await createInviteVia(staff, { role: 'volunteer' })
		);
		await openControlled(phone.page, taskUrl);
		await expect(phone.page.getByTestId('task-title')).toHaveText('周六清理楼道杂物');
		await phone.context.setOffline(true);
		await phone.page.reload();
		await expect(syncStatus(phone.page)).toHaveAttribute('data-connection', 'offline');
		phones.push(phone);
	}
	// Each phone sees a free place and takes it, offline.
	for (const { page } of phones) {
		await page.getByTestId('task-claim-button').click();
		await expect(page.getByTestId('task')).toHaveAttribute('data-status', 'claimed');
		await expect(page.getByTestId('task-over-claimed')).toHaveCount(0);
	}
	for (const { context, page } of phones) {
		await context.setOffline(false);
		await expectAllOnServer(page);
	}

	// Same order, same flag, on every phone: nobody's claim disappeared.
	const orderOn = (page: Page) => page.getByTestId('task-claim').allInnerTexts();
	for (const page of [staff, ...phones.map((phone) => phone.page)]) {
		await expect(page.getByTestId('task-claim')).toHaveCount(2);
		await expect(page.getByTestId('task-over-claimed')).toBeVisible();
		await expect(page.locator('[data-standing="over_claimed"]')).toHaveCount(1);
	}
	const names = (texts: string[]) => texts.map((text) => text.split(/\s/)[0]);
	const order = names(await orderOn(staff));
	for (const { page } of phones) expect(names(await orderOn(page))).toEqual(order);

	// Staff release the extra claim; every phone shows one volunteer in the one place.
	await staff.locator('[data-standing="over_claimed"]').getByTestId('task-release').click();
	for (const page of [staff, ...phones.map((phone) => phone.page)]) {
		await expect(page.getByTestId('task-claim')).toHaveCount(1);
		await expect(page.getByTestId('task-over-claimed')).toHaveCount(0);
	}

	await secretary.context.close();
	for (const phone of phones) await phone.context.close();
});

test('a micro-wish: staff record and publish it, a volunteer claims and fulfils it, staff thank; the hours are counted', async ({
	browser
}) => {
	const secretary = await secretaryPhone(browser, '孙书记');
	const staff = secretary.page;
	const { communityId } = secretary.community;
	await staff.goto(`/c/${communityId}/wishes`);
	await staff.getByTestId('wish-new').click();
	await staff.locator('#wish-who').fill('5号楼 张奶奶');
	await staff.locator('#wish-what').fill('想要一副老花镜');
	await staff.locator('#wish-hours').fill('1.5');
	await staff.getByTestId('wish-submit').click();
	await staff
		.getByTestId('wish-row')
		.filter({ hasText: '想要一副老花镜' })
		.getByRole('link')
		.click();
	await expect(staff.getByTestId('wish')).toHaveAttribute('data-status', 'recorded');
	await staff.getByTestId('wish-publish').click();
	await expect(staff.getByTestId('wish')).toHaveAttribute('data-status', 'published');
	await expectAllOnServer(staff);
	const wishUrl = staff.url();

	const volunteer = await joinedPhone(
		browser,
		'郑小明',
		await createInviteVia(staff, { role: 'volunteer' })
	);
	const phone = volunteer.page;
	await openControlled(phone, wishUrl);
	await expect(phone.getByTestId('wish-publish')).toHaveCount(0);
	await phone.getByTestId('wish-claim').click();
	await expect(phone.getByTestId('wish')).toHaveAttribute('data-status', 'claimed');
	await phone.locator('#wish-note').fill('已送到，配了200度');
	await phone.getByTestId('wish-fulfil').click();
	await expect(phone.getByTestId('wish')).toHaveAttribute('data-status', 'fulfilled');
	await expectAllOnServer(phone);

	await expect(staff.getByTestId('wish')).toHaveAttribute('data-status', 'fulfilled');
	await staff.locator('#wish-thanks').fill('张奶奶说谢谢');
	await staff.getByTestId('wish-thank').click();
	await expect(staff.getByTestId('wish')).toHaveAttribute('data-status', 'thanked');
	await expect(phone.getByTestId('wish-thanks')).toContainText('张奶奶说谢谢');

	await phone.getByTestId('nav-work').click();
	await expect(phone.getByTestId('my-hours')).toContainText('1.5');

	await secretary.context.close();
	await volunteer.context.close();
});

test('staff turn a case into a follow-up task that links back to it', async ({ browser }) => {
	const a = await secretaryPhone(browser, '王秀英');
	await addGrid(a.page, '第一网格');
	await a.page.getByTestId('grid-row').first().getByRole('link').first().click();
	await reportCase(a.page, {
		title: '楼道堆放杂物',
		category: 'fire_safety',
		location: '3栋 2单元'
	});
	const caseUrl = new URL(a.page.url()).pathname;
	await a.page.getByTestId('case-follow-up-task').click();
	await expect(a.page).toHaveURL(/\/tasks\/new\?grid=.+&case=.+/);
	// The form starts from the case's text; saving makes the task and its link back.
	await expect(a.page.locator('main')).toContainText('楼道堆放杂物');
	await a.page.getByTestId('task-submit').click();
	await expect(a.page.getByTestId('task-source')).toHaveAttribute('href', caseUrl);
	await a.context.close();
});
