/**
 * Issue 15, "Invites" and "Smaller": what trying Gridboard on phones showed, on the screens where
 * it showed. Invites start empty (a second invite once carried the first one's grids: a security
 * defect) and say what they grant; names instead of ids; meeting agendas keep their lines and
 * finishing a meeting is offered only when it makes sense; case history names phones the way
 * people do; a volunteer's report form; a patrol finished with unticked items; a wish's hours.
 */
import { expect, test, type Page } from '@playwright/test';
import {
	addGrid,
	createInviteVia,
	expectAllOnServer,
	joinedPhone,
	openControlled,
	reportCase,
	secretaryPhone
} from './helpers';

/** At 320 px nothing on the page is wider than the screen (no sideways scroll). */
async function expectNoSideScrollAt320(page: Page): Promise<void> {
	await page.setViewportSize({ width: 320, height: 640 });
	await expect
		.poll(() => page.evaluate(() => document.documentElement.scrollWidth))
		.toBeLessThanOrEqual(320);
}

/** The id of a grid, from its row on the community home. */
async function gridIdOf(page: Page, name: string): Promise<string> {
	const id = await page
		.getByTestId('grid-row')
		.filter({ hasText: name })
		.getAttribute('data-grid-id');
	expect(id).toBeTruthy();
	return id!;
}

test('a second invite starts empty: ticking only 第二网格 grants only 第二网格; open invites show role and grids; revoking asks in the page', async ({
	browser
}) => {
	const s = await secretaryPhone(browser, '王书记');
	await addGrid(s.page, '第一网格');
	await addGrid(s.page, '第二网格');
	const second = await gridIdOf(s.page, '第二网格');
	await expectAllOnServer(s.page);
	await s.page.goto(`/c/${s.community.communityId}/members`);

	// First invite: a grid member for 第一网格.
	await s.page.getByTestId('invite-new').click();
	await s.page.locator('#invite-role').selectOption('grid-member');
	await s.page.getByLabel('第一网格').check();
	await s.page.locator('#invite-uses').fill('3');
	await s.page.getByTestId('invite-submit').click();
	await expect(s.page.getByTestId('invite-link')).toBeVisible();
	await s.page.getByTestId('invite-done').click();

	// Second invite: the form is empty again.
	await s.page.getByTestId('invite-new').click();
	await expect(s.page.locator('#invite-role')).toHaveValue('volunteer');
	await expect(s.page.locator('#invite-uses')).toHaveValue('1');
	await s.page.locator('#invite-role').selectOption('grid-member');
	await expect(s.page.getByLabel('第一网格')).not.toBeChecked();
	await expect(s.page.getByLabel('第二网格')).not.toBeChecked();
	await s.page.getByLabel('第二网格').check();
	await s.page.getByTestId('invite-submit').click();
	const link = await s.page.getByTestId('invite-link').inputValue();
	await s.page.getByTestId('invite-done').click();

	// The open invites say what each grants, by grid name.
	const grants = s.page.getByTestId('invite-row').getByTestId('invite-grants');
	await expect(grants).toHaveCount(2);
	expect((await grants.allTextContents()).sort()).toEqual(
		['网格员（第一网格）', '网格员（第二网格）'].sort()
	);

	// The person who joins with the second link is a member of 第二网格 only.
	const g = await joinedPhone(browser, '李网格员', link);
	const member = await g.page.evaluate(
		() => JSON.parse(localStorage.getItem('gridboard:credential') ?? 'null')?.member
	);
	expect(member.role).toBe('grid-member');
	expect(member.grids).toEqual([second]);
	await s.page.goto(`/c/${s.community.communityId}/members`);
	const row = s.page.getByTestId('member-list').locator('li').filter({ hasText: '李网格员' });
	await expect(row).toContainText('第二网格');
	await expect(row).not.toContainText('第一网格');

	// Revoking asks first, in the page: cancel keeps the invite, confirm revokes it.
	const open = s.page.getByTestId('invite-row');
	await expect(open).toHaveCount(1);
	await open.getByTestId('invite-revoke').click();
	const dialog = s.page.getByRole('dialog', { name: '撤销这个邀请？' });
	await expect(dialog).toBeVisible();
	await expect(dialog).toContainText('网格员（第一网格）');
	await expectNoSideScrollAt320(s.page);
	await dialog.getByTestId('revoke-dialog-cancel').click();
	await expect(dialog).toBeHidden();
	await expect(open).toHaveCount(1);

	// The same in English.
	await s.page.goto('/settings');
	await s.page.getByTestId('lang-en').click();
	await s.page.goto(`/c/${s.community.communityId}/members`);
	await expect(open.getByTestId('invite-grants')).toHaveText('Grid member (第一网格)');
	await open.getByTestId('invite-revoke').click();
	const english = s.page.getByRole('dialog', { name: 'Revoke this invite?' });
	await expect(english).toBeVisible();
	await expectNoSideScrollAt320(s.page);
	await english.getByTestId('revoke-dialog-confirm').click();
	await expect(open).toHaveCount(0);
	await g.context.close();
	await s.context.close();
});

test('titles show names, not ids: the community home and a grid’s households page', async ({
	browser
}) => {
	const s = await secretaryPhone(browser, '王书记');
	await expect(s.page.getByTestId('community-name')).toHaveText('社区：幸福社区');
	await expect(s.page.locator('main')).not.toContainText(s.community.communityId);
	await addGrid(s.page, '第一网格');
	const gridId = await gridIdOf(s.page, '第一网格');
	await s.page.goto(`/c/${s.community.communityId}/g/${gridId}/households`);
	await expect(s.page.getByTestId('households-title')).toHaveText('第一网格：住户档案');
	await expect(s.page).toHaveTitle(/^第一网格：住户档案/);
	await expect(s.page.locator('main')).not.toContainText(gridId);
	await s.context.close();
});

test('a meeting keeps its agenda’s lines; finishing is offered once started, not as the primary button, and asks (more loudly with nobody attending)', async ({
	browser
}) => {
	const s = await secretaryPhone(browser, '王书记');
	await s.page.goto(`/c/${s.community.communityId}/meetings`);
	await s.page.getByTestId('meeting-new').click();
	await s.page.locator('#meeting-title').fill('居民议事会');
	await s.page.locator('#meeting-agenda').fill('一、消防通道\n二、飞线充电');
	await s.page.getByTestId('meeting-create').click();
	await expect(s.page.getByTestId('meeting-title')).toHaveText('居民议事会');
	const agenda = s.page.getByTestId('meeting-agenda');
	expect(await agenda.innerText()).toContain('一、消防通道\n二、飞线充电');

	// Planned: start is the one (primary) button; finishing is not offered yet.
	await expect(s.page.getByTestId('meeting-start')).toHaveClass(/primary/);
	await expect(s.page.getByTestId('meeting-finish')).toHaveCount(0);
	await s.page.getByTestId('meeting-start').click();
	await expect(s.page.getByTestId('meeting-start')).toHaveCount(0);
	const finish = s.page.getByTestId('meeting-finish');
	await expect(finish).toBeVisible();
	await expect(finish).not.toHaveClass(/primary/);

	// Nobody attending: it asks, saying so; cancelling changes nothing.
	await finish.click();
	const dialog = s.page.getByRole('dialog', { name: '结束并锁定纪要' });
	await expect(dialog).toContainText('还没有登记任何参会人员');
	await expectNoSideScrollAt320(s.page);
	await dialog.getByTestId('finish-dialog-cancel').click();
	await expect(dialog).toBeHidden();
	await expect(s.page.getByTestId('meeting')).toHaveAttribute('data-status', 'in_progress');

	// With an attendee it still asks (the record is final), without the warning.
	await s.page.locator('#attendee-name').fill('张阿姨');
	await s.page.locator('#attendee-name').press('Enter');
	await expect(s.page.getByTestId('attendees')).toContainText('张阿姨');
	await finish.click();
	await expect(dialog).toBeVisible();
	await expect(dialog).not.toContainText('参会人员');
	await dialog.getByTestId('finish-dialog-confirm').click();
	await expect(s.page.getByTestId('meeting')).toHaveAttribute('data-status', 'finished');
	await expect(s.page.getByTestId('minutes-locked')).toBeVisible();
	await s.context.close();
});

test('case history names people’s phones (“本人手机”, “本人第二部手机”), never device ids, with a space before 已上传服务器', async ({
	browser
}) => {
	const s = await secretaryPhone(browser, '王秀英');
	await addGrid(s.page, '第一网格');
	const gridId = await gridIdOf(s.page, '第一网格');
	await s.page.getByTestId('grid-row').first().getByRole('link').first().click();
	await reportCase(s.page, { title: '3号楼楼道灯不亮' });
	await expectAllOnServer(s.page);
	const caseUrl = s.page.url();
	// The same person on a second phone comments on the case.
	const second = await joinedPhone(
		browser,
		'王秀英',
		await createInviteVia(s.page, { role: 'grid-member', grids: [gridId] })
	);
	await openControlled(second.page, caseUrl);
	await second.page.locator('#comment-text').fill('已联系物业');
	await second.page.getByTestId('comment-submit').click();
	await expectAllOnServer(second.page);

	const timeline = s.page.getByTestId('timeline');
	await expect(timeline.locator('li[data-kind="comment"]')).toBeVisible();
	await expect(
		timeline.locator('li[data-kind="created"]').getByTestId('timeline-device')
	).toHaveText('本人手机');
	await expect(
		timeline.locator('li[data-kind="comment"]').getByTestId('timeline-device')
	).toHaveText('本人第二部手机');
	await expect(timeline).not.toContainText('d-');
	await expect(timeline).not.toContainText('设备');
	await expect(
		timeline.locator('li[data-kind="created"]').getByTestId('timeline-receipt')
	).toHaveText(/\d 已上传服务器$/);
	await second.context.close();
	await s.context.close();
});

test('a meeting action becomes a task with no tier; a case from one still has a tier', async ({
	browser
}) => {
	const s = await secretaryPhone(browser, '王书记');
	await s.page.goto(`/c/${s.community.communityId}/meetings`);
	await s.page.getByTestId('meeting-new').click();
	await s.page.locator('#meeting-title').fill('网格会议');
	await s.page.getByTestId('meeting-create').click();
	const editor = s.page.getByTestId('minutes-editor');
	await editor.click();
	await s.page.keyboard.type('志愿者周日巡查飞线');
	await s.page.keyboard.press('Shift+Home');
	await s.page.getByTestId('mark-action').click();
	const item = s.page.getByTestId('meeting-item').filter({ hasText: '志愿者周日巡查飞线' });
	await item.getByTestId('follow-up-task').click();
	await expect(item.getByTestId('follow-up-owner')).toBeVisible();
	await expect(item.getByTestId('follow-up-tier')).toHaveCount(0);
	await item.getByRole('button', { name: '取消' }).click();
	await item.getByTestId('follow-up-case').click();
	await expect(item.getByTestId('follow-up-tier')).toBeVisible();
	await item.getByRole('button', { name: '取消' }).click();
	await item.getByTestId('follow-up-task').click();
	await item.getByTestId('follow-up-owner').fill('赵志愿者');
	await item.getByTestId('follow-up-submit').click();
	await expect(item.getByTestId('follow-up')).toHaveAttribute('data-status', 'open');
	// Owner and due date, no tier.
	await expect(item.getByTestId('follow-up-summary')).toHaveText('负责人 赵志愿者 · 期限 —');
	await s.context.close();
});

test('a volunteer’s report form has no staff fields and starts at channel patrol; staff still see them', async ({
	browser
}) => {
	const s = await secretaryPhone(browser, '王书记');
	await addGrid(s.page, '第一网格');
	await s.page.getByTestId('grid-row').first().getByRole('link').first().click();
	await s.page.waitForURL(/\/g\/[^/]+$/);
	const gridUrl = s.page.url();
	const v = await joinedPhone(
		browser,
		'志愿者小李',
		await createInviteVia(s.page, { role: 'volunteer' })
	);
	await openControlled(v.page, gridUrl);
	await v.page.getByTestId('case-new').click();
	await expect(v.page.locator('#case-title')).toBeVisible();
	await expect(v.page.locator('#case-priority')).toHaveCount(0);
	await expect(v.page.locator('#case-handling')).toHaveCount(0);
	await expect(v.page.locator('#case-channel')).toHaveValue('patrol');
	await v.page.locator('#case-title').fill('7号楼北侧飞线充电');
	await v.page.getByTestId('case-submit').click();
	await expect(v.page.getByTestId('case-channel')).toHaveText('巡查');

	await s.page.getByTestId('case-new').click();
	await expect(s.page.locator('#case-priority')).toBeVisible();
	await expect(s.page.locator('#case-handling')).toBeVisible();
	await expect(s.page.locator('#case-channel')).toHaveValue('door_to_door');
	await v.context.close();
	await s.context.close();
});

test('finishing a patrol with unticked items asks first; with all ticked it just finishes', async ({
	browser
}) => {
	const s = await secretaryPhone(browser, '王书记');
	await addGrid(s.page, '第一网格');
	await s.page.goto(`/c/${s.community.communityId}/patrols`);
	await s.page.getByTestId('patrol-route-new').click();
	await s.page.locator('#route-name').fill('东片巡查');
	await s.page.locator('#route-area').fill('幸福里小区');
	await s.page.locator('#route-grid').selectOption({ label: '第一网格' });
	await s.page.locator('#route-checklist').fill('消防通道畅通\n无飞线充电');
	await s.page.getByTestId('patrol-route-submit').click();
	await s.page.getByTestId('patrol-route-row').getByRole('link').click();
	await s.page.getByTestId('patrol-start').click();
	await s.page.waitForURL(/\/patrols\/run\//);
	const checklist = s.page.getByTestId('patrol-checklist');
	await checklist.getByLabel('消防通道畅通').check();

	await s.page.getByTestId('patrol-finish').click();
	const dialog = s.page.getByRole('dialog', { name: '结束巡查' });
	await expect(dialog).toContainText('还有 1 项检查没有勾选');
	await dialog.getByTestId('patrol-finish-dialog-cancel').click();
	await expect(dialog).toBeHidden();
	await expect(s.page.getByTestId('patrol-finish')).toBeVisible();

	await checklist.getByLabel('无飞线充电').check();
	await s.page.getByTestId('patrol-finish').click();
	await expect(s.page.getByTestId('patrol-finish')).toHaveCount(0);
	await expect(dialog).toBeHidden();
	await s.context.close();
});

test('a micro-wish (one volunteer) says how long, not “per person”, in both languages', async ({
	browser
}) => {
	const s = await secretaryPhone(browser, '王书记');
	await s.page.goto(`/c/${s.community.communityId}/wishes`);
	await s.page.getByTestId('wish-new').click();
	await expect(s.page.locator('label[for="wish-hours"]')).not.toContainText('每人');
	await s.page.locator('#wish-who').fill('5号楼 张奶奶');
	await s.page.locator('#wish-what').fill('想要一副老花镜');
	await s.page.locator('#wish-hours').fill('1');
	await s.page.getByTestId('wish-submit').click();
	await s.page
		.getByTestId('wish-row')
		.filter({ hasText: '想要一副老花镜' })
		.getByRole('link')
		.click();
	await expect(s.page.getByTestId('wish-hours')).toHaveText('时长 1 小时');
	await expect(s.page.getByTestId('wish')).not.toContainText('每人');
	const url = s.page.url();
	await s.page.goto('/settings');
	await s.page.getByTestId('lang-en').click();
	await s.page.goto(url);
	await expect(s.page.getByTestId('wish-hours')).toHaveText('1 hour');
	await expect(s.page.getByTestId('wish')).not.toContainText('per person');
	await s.context.close();
});
