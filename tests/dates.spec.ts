/**
 * Dates, one rule everywhere (issue 15): "due on day D" is the end of D in the community's time
 * zone (Asia/Shanghai by default) for a case, a meeting action turned into a case or a task, and
 * a task; dates read "12月9日", never "2026-12-09"; a day already over is refused. The phones
 * here run their clocks in other zones on purpose: the phone's own zone must not matter.
 */
import { expect, test, type Page } from '@playwright/test';
import { addGrid, expectAllOnServer, secretaryPhone } from './helpers';

const COMMUNITY_ZONE = 'Asia/Shanghai';

/** The calendar day `days` from now in the community's zone: `YYYY-MM-DD` and "M月D日". */
function communityDay(days: number): { key: string; zh: string } {
	const parts = new Intl.DateTimeFormat('en-CA', {
		timeZone: COMMUNITY_ZONE,
		year: 'numeric',
		month: '2-digit',
		day: '2-digit'
	}).formatToParts(Date.now() + days * 86_400_000);
	const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
	return {
		key: `${part('year')}-${part('month')}-${part('day')}`,
		zh: `${Number(part('month'))}月${Number(part('day'))}日`
	};
}

async function openFirstGrid(page: Page): Promise<void> {
	await page.getByTestId('grid-row').first().getByRole('link').first().click();
	await page.waitForURL(/\/g\/[^/]+$/);
}

async function markAction(page: Page, text: string): Promise<void> {
	const editor = page.getByTestId('minutes-editor');
	await editor.click();
	await page.keyboard.press('ControlOrMeta+End');
	await page.keyboard.press('Enter');
	await page.keyboard.type(text);
	await page.keyboard.press('Shift+Home');
	await page.getByTestId('mark-action').click();
	await expect(editor.locator('mark[data-kind="action"]').filter({ hasText: text })).toHaveCount(1);
}

test('a meeting action due on day D becomes a case due 23:59 that day, like a case given D, on a phone in another zone', async ({
	browser
}) => {
	// The phone's clock is in Los Angeles (16 hours behind Shanghai).
	const s = await secretaryPhone(browser, '王书记', { timezoneId: 'America/Los_Angeles' });
	const { communityId } = s.community;
	const due = communityDay(12);
	await addGrid(s.page, '第一网格');

	// A case given D directly.
	await openFirstGrid(s.page);
	await s.page.getByTestId('case-new').click();
	await s.page.locator('#case-title').fill('楼道堆物');
	await s.page.locator('#case-category').selectOption('sanitation');
	await s.page.locator('#case-deadline').fill(due.key);
	await expect(s.page.getByTestId('deadline-ends')).toContainText(`${due.zh} 当天 23:59`);
	await s.page.getByTestId('case-submit').click();
	await expect(s.page.getByTestId('case-title')).toHaveText('楼道堆物');
	const direct = s.page.getByTestId('case-due');
	await expect(direct).toContainText(`${due.zh} 23:59到期`);
	const directText = await direct.textContent();

	// A meeting action given D, turned into a case.
	await s.page.goto(`/c/${communityId}/meetings`);
	await s.page.getByTestId('meeting-new').click();
	await s.page.locator('#meeting-title').fill('网格例会');
	await s.page.locator('#meeting-grid').selectOption({ label: '第一网格' });
	await s.page.getByTestId('meeting-create').click();
	await expect(s.page.getByTestId('meeting-title')).toHaveText('网格例会');
	await markAction(s.page, '清理3号楼楼道杂物');
	const item = s.page.getByTestId('meeting-item').filter({ hasText: '清理3号楼楼道杂物' });
	await item.getByTestId('follow-up-case').click();
	await item.getByTestId('follow-up-owner').fill('张经理');
	await item.getByTestId('follow-up-deadline').fill(due.key);
	await item.getByTestId('follow-up-submit').click();
	await expect(item.getByTestId('follow-up')).toHaveAttribute('data-status', 'reported');
	// The meeting names the due day the way every date reads.
	await expect(item).toContainText(`期限 ${due.zh}`);
	await item.getByTestId('follow-up').getByRole('link').click();
	await expect(s.page.getByTestId('case-title')).toHaveText('清理3号楼楼道杂物');
	await expect(s.page.getByTestId('case-due')).toContainText(`${due.zh} 23:59到期`);
	expect(await s.page.getByTestId('case-due').textContent()).toBe(directText);

	// A second action given D becomes a task due on D, shown as "M月D日", not the ISO day.
	await s.page.goBack();
	await expect(s.page.getByTestId('meeting-title')).toHaveText('网格例会');
	await markAction(s.page, '志愿者清点灭火器');
	const taskItem = s.page.getByTestId('meeting-item').filter({ hasText: '志愿者清点灭火器' });
	await taskItem.getByTestId('follow-up-task').click();
	await taskItem.getByTestId('follow-up-owner').fill('赵志愿者');
	await taskItem.getByTestId('follow-up-deadline').fill(due.key);
	await taskItem.getByTestId('follow-up-submit').click();
	await expect(taskItem.getByTestId('follow-up')).toHaveAttribute('data-status', 'open');
	await expectAllOnServer(s.page);
	await s.page.goto(`/c/${communityId}/tasks`);
	const row = s.page.getByTestId('task-row').filter({ hasText: '志愿者清点灭火器' });
	await expect(row.getByTestId('task-due')).toHaveText(`截止 ${due.zh}`);
	await expect(s.page.getByTestId('task-list')).not.toContainText(due.key);
	await row.getByRole('link').click();
	await expect(s.page.getByTestId('task-due-day')).toHaveText(due.zh);
	await s.context.close();
});

test('a deadline already over is refused with a clear message, on a case, a task and a meeting action', async ({
	browser
}) => {
	// The phone's clock is in Kiritimati (UTC+14): its "today" is ahead of Shanghai's.
	const s = await secretaryPhone(browser, '王书记', { timezoneId: 'Pacific/Kiritimati' });
	const { communityId } = s.community;
	const yesterday = communityDay(-1);
	const today = communityDay(0);
	await addGrid(s.page, '第一网格');
	await openFirstGrid(s.page);
	await s.page.getByTestId('case-new').click();
	await s.page.locator('#case-title').fill('路灯不亮');
	await s.page.getByTestId('case-submit').click();
	await expect(s.page.getByTestId('case-title')).toHaveText('路灯不亮');
	const defaultDue = await s.page.getByTestId('case-due').textContent();

	await s.page.getByTestId('case-deadline').click();
	await s.page.locator('#deadline-input').fill(yesterday.key);
	await expect(s.page.getByTestId('deadline-problem')).toHaveText(
		'这一天已经过去，请选今天或以后的日期'
	);
	await s.page.getByRole('button', { name: '设定期限' }).click();
	await expect(s.page.getByTestId('deadline-editor')).toBeVisible();
	await expect(s.page.getByTestId('case-due')).toHaveText(defaultDue ?? '');
	// Today in Shanghai is still allowed: due at its end.
	await s.page.locator('#deadline-input').fill(today.key);
	await expect(s.page.getByTestId('deadline-problem')).toHaveCount(0);
	await s.page.getByRole('button', { name: '设定期限' }).click();
	await expect(s.page.getByTestId('deadline-editor')).toHaveCount(0);
	await expect(s.page.getByTestId('case-due')).toContainText(`${today.zh} 23:59到期`);

	await s.page.goto(`/c/${communityId}/tasks/new`);
	await s.page.locator('#task-title').fill('帮王奶奶买菜');
	await s.page.locator('#task-due').fill(yesterday.key);
	await expect(s.page.getByTestId('task-due-problem')).toHaveText(
		'截止日期已过，请选今天或以后的日期。'
	);
	await s.page.getByTestId('task-submit').click();
	await expect(s.page.getByTestId('task-form')).toContainText(
		'截止日期已过，请选今天或以后的日期。'
	);
	await expect(s.page).toHaveURL(/\/tasks\/new$/);

	await s.page.goto(`/c/${communityId}/meetings`);
	await s.page.getByTestId('meeting-new').click();
	await s.page.locator('#meeting-title').fill('网格例会');
	// The start time is typed and read on the community's clock too, not the phone's.
	const meetingDay = communityDay(5);
	await s.page.locator('#meeting-time').fill(`${meetingDay.key}T14:30`);
	await s.page.getByTestId('meeting-create').click();
	await expect(s.page.getByTestId('meeting-title')).toHaveText('网格例会');
	await expect(s.page.locator('main')).toContainText(`${meetingDay.zh} 14:30`);
	await markAction(s.page, '修好路灯');
	const item = s.page.getByTestId('meeting-item').filter({ hasText: '修好路灯' });
	await item.getByTestId('follow-up-task').click();
	await item.getByTestId('follow-up-deadline').fill(yesterday.key);
	await item.getByTestId('follow-up-submit').click();
	await expect(item.getByTestId('follow-up-problem')).toHaveText(
		'这一天已经过去，请选今天或以后的日期'
	);
	await expect(item.getByTestId('follow-up')).toHaveCount(0);
	await s.context.close();
});

test('the secretary sets the community time zone; deadlines then end at 23:59 there', async ({
	browser
}) => {
	const s = await secretaryPhone(browser, '王书记', { timezoneId: 'Asia/Shanghai' });
	const { communityId } = s.community;
	await s.page.goto(`/c/${communityId}/settings`);
	await expect(s.page.getByTestId('time-zone-current')).toHaveText('Asia/Shanghai');
	await s.page.getByTestId('time-zone-input').fill('Mars/Olympus');
	await s.page.getByTestId('time-zone-save').click();
	await expect(s.page.getByText('无法识别该时区。')).toBeVisible();
	await s.page.getByTestId('time-zone-input').fill('America/New_York');
	await s.page.getByTestId('time-zone-save').click();
	await expect(s.page.getByTestId('time-zone-current')).toHaveText('America/New_York');
	await s.page.reload();
	await expect(s.page.getByTestId('time-zone-current')).toHaveText('America/New_York');

	// A case due on a day in New York: shown 23:59 on the Shanghai phone too, in the community zone.
	const parts = new Intl.DateTimeFormat('en-CA', {
		timeZone: 'America/New_York',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit'
	}).formatToParts(Date.now() + 20 * 86_400_000);
	const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
	const key = `${part('year')}-${part('month')}-${part('day')}`;
	const zh = `${Number(part('month'))}月${Number(part('day'))}日`;
	await s.page.goto(`/c/${communityId}`);
	await addGrid(s.page, '第一网格');
	await openFirstGrid(s.page);
	await s.page.getByTestId('case-new').click();
	await s.page.locator('#case-title').fill('井盖松动');
	await s.page.locator('#case-deadline').fill(key);
	await expect(s.page.getByTestId('deadline-ends')).toContainText('America/New_York');
	await s.page.getByTestId('case-submit').click();
	await expect(s.page.getByTestId('case-due')).toContainText(`${zh} 23:59到期`);
	const caseUrl = s.page.url();

	// The new controls fit a 320 px phone in both languages: no sideways scroll.
	await s.page.setViewportSize({ width: 320, height: 640 });
	for (const lang of ['zh-CN', 'en']) {
		await s.page.goto('/settings');
		await s.page.getByTestId(`lang-${lang}`).click();
		await expect(s.page.locator('html')).toHaveAttribute('lang', lang);
		for (const open of [
			async () => {
				await s.page.goto(`/c/${communityId}/settings`);
				await expect(s.page.getByTestId('time-zone-current')).toHaveText('America/New_York');
			},
			async () => {
				await s.page.goto(caseUrl);
				await s.page.getByTestId('case-deadline').click();
				await s.page.locator('#deadline-input').fill(key);
				await expect(s.page.getByTestId('deadline-ends')).toBeVisible();
			}
		]) {
			await open();
			expect(
				await s.page.evaluate(() => document.documentElement.scrollWidth),
				`${lang} ${s.page.url()}`
			).toBeLessThanOrEqual(320);
		}
	}
	await s.context.close();
});

test('patrol days and the hours months read "12月N日" / "2026年12月", never ISO, on a phone in another zone', async ({
	browser
}) => {
	// The phone's clock is in Los Angeles: the patrol's day is Shanghai's calendar day.
	const s = await secretaryPhone(browser, '王书记', { timezoneId: 'America/Los_Angeles' });
	const { communityId } = s.community;
	const today = communityDay(0);
	await addGrid(s.page, '第一网格');

	// A route walked every day: its next patrol day is today in Shanghai.
	await s.page.goto(`/c/${communityId}/patrols`);
	await s.page.getByTestId('patrol-route-new').click();
	const form = s.page.getByTestId('patrol-route-form');
	await s.page.locator('#route-name').fill('楼道消防巡查');
	await s.page.locator('#route-grid').selectOption({ label: '第一网格' });
	await s.page.locator('#route-checklist').fill('消防通道畅通\n灭火器在位');
	for (const day of ['周一', '周二', '周四', '周五', '周六']) {
		await form.getByLabel(day, { exact: true }).check();
	}
	await s.page.getByTestId('patrol-route-submit').click();
	const routeRow = s.page.getByTestId('patrol-route-row');
	await expect(routeRow.getByTestId('patrol-next')).toHaveText(`下次巡查：${today.zh}`);
	await routeRow.getByRole('link').click();
	await expect(s.page.getByTestId('patrol-route-name')).toHaveText('楼道消防巡查');
	await expect(s.page.locator('main')).toContainText(`下次巡查：${today.zh}`);
	await expect(s.page.locator('main')).not.toContainText(today.key);
	const routeUrl = s.page.url();

	// A run: its heading names the day; a finding reported as a case carries it the same way.
	await s.page.getByTestId('patrol-start').click();
	await s.page.waitForURL(/\/patrols\/run\//);
	await expect(s.page.getByRole('heading', { level: 1 })).toHaveText(`楼道消防巡查 · ${today.zh}`);
	await s.page.locator('#finding-note').fill('2号楼消防栓被遮挡');
	await s.page.getByTestId('patrol-finding-add').click();
	await s.page.getByTestId('patrol-finding-report').click();
	await expect(s.page.getByTestId('patrol-finding-case')).toBeVisible();
	await s.page.getByTestId('patrol-finish').click();
	await s.page.getByTestId('patrol-finish-dialog-confirm').click();
	await expect(s.page.getByTestId('patrol-finish')).toHaveCount(0);
	await s.page.getByTestId('patrol-finding-case').click();
	await expect(s.page.getByTestId('case-description')).toHaveText(
		`巡查发现（楼道消防巡查，${today.zh}）：2号楼消防栓被遮挡`
	);

	// The route's past runs.
	await s.page.goto(routeUrl);
	const run = s.page.getByTestId('patrol-run-row');
	await expect(run).toContainText(`${today.zh} · 王书记`);
	await expect(run).not.toContainText(today.key);

	// The hours: the runner's record names the day once, like every date; months read as months.
	await expectAllOnServer(s.page);
	await s.page.goto(`/c/${communityId}/hours`);
	const mine = s.page.getByTestId('hours-mine');
	await expect(mine).toContainText(`${today.zh} · 巡查 · 楼道消防巡查 ·`);
	await expect(mine).not.toContainText(today.key);
	const month = today.key.slice(0, 7);
	const monthRow = s.page.locator(`[data-testid="hours-month-row"][data-month="${month}"]`);
	await expect(monthRow).toHaveText(`${today.key.slice(0, 4)}年${Number(today.key.slice(5, 7))}月`);
	await expect(s.page.getByTestId('hours-monthly')).not.toContainText(month);
	await s.page.goto('/settings');
	await s.page.getByTestId('lang-en').click();
	await expect(s.page.locator('html')).toHaveAttribute('lang', 'en');
	await s.page.goto(`/c/${communityId}/hours`);
	const en = new Intl.DateTimeFormat('en', {
		timeZone: 'UTC',
		year: 'numeric',
		month: 'short'
	}).format(Date.parse(`${month}-15T12:00:00Z`));
	await expect(monthRow).toHaveText(en);
	await s.context.close();
});
