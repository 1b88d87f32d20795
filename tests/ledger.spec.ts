/**
 * The problem ledger in the browser: the full lifecycle with a return visit, escalation to the
 * community, an overdue case, and a volunteer who reports but takes no status action.
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

async function openFirstGrid(page: Page): Promise<string> {
	await page.getByTestId('grid-row').first().getByRole('link').first().click();
	await page.waitForURL(/\/g\/[^/]+$/);
	return page.url();
}

function localDate(offsetDays: number): string {
	const date = new Date(Date.now() + offsetDays * 86_400_000);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

test('the full lifecycle: report, accept, start, resolve, return visit, close; receipts in the timeline', async ({
	browser
}) => {
	const s = await secretaryPhone(browser, '王书记');
	await addGrid(s.page, '第一网格');
	await openFirstGrid(s.page);
	await s.page.getByTestId('case-new').click();
	await s.page.locator('#case-title').fill('3号楼楼道灯短路');
	await s.page.locator('#case-category').selectOption('public_facilities');
	await s.page.locator('#case-channel').selectOption('patrol');
	await s.page.locator('#case-priority').selectOption('high');
	await s.page.locator('#case-handling').selectOption('fix_at_once');
	await s.page.locator('#case-location').fill('3号楼2单元');
	await s.page.locator('#case-reporter').fill('张阿姨');
	await s.page.locator('#case-contact').fill('302室');
	await s.page.getByTestId('case-submit').click();
	await expect(s.page.getByTestId('case-title')).toHaveText('3号楼楼道灯短路');
	await expect(s.page.getByTestId('case-channel')).toHaveText('巡查');
	await expect(s.page.getByTestId('case-priority')).toHaveText('高');
	await expect(s.page.getByTestId('case-reporter')).toHaveText('张阿姨');

	const badge = s.page.getByTestId('case-detail').locator('[data-status]');
	for (const [action, status] of [
		['accept', 'accepted'],
		['start', 'in_progress'],
		['resolve', 'resolved']
	] as const) {
		await s.page.getByTestId(`action-${action}`).click();
		await expect(badge).toHaveAttribute('data-status', status);
	}
	// The return visit needs the resident's satisfaction.
	await s.page.getByTestId('action-review').click();
	await s.page.getByTestId('review-confirm').click();
	await expect(s.page.getByTestId('review-form').getByRole('alert')).toBeVisible();
	await s.page.getByTestId('review-form').getByLabel('基本满意').check();
	await s.page.locator('#review-note').fill('灯已修好，希望换成声控灯');
	await s.page.getByTestId('review-confirm').click();
	await expect(badge).toHaveAttribute('data-status', 'reviewed');
	await expect(s.page.getByTestId('case-review')).toContainText('基本满意');
	await s.page.getByTestId('action-close').click();
	await expect(badge).toHaveAttribute('data-status', 'closed');
	await expect(s.page.getByTestId('action-reopen')).toBeVisible();

	await s.page.locator('#comment-text').fill('已回访，结案');
	await s.page.getByTestId('comment-submit').click();
	const timeline = s.page.getByTestId('timeline');
	await expect(timeline.locator('li[data-kind="comment"]')).toContainText('已回访，结案');
	await expect(timeline.locator('li[data-kind="status"]')).toHaveCount(5);
	// Once the relay confirmed this phone's changes, its entries say when they reached the server.
	await expectAllOnServer(s.page);
	await expect(
		timeline.locator('li[data-kind="created"]').getByTestId('timeline-receipt')
	).toBeVisible();
	await s.context.close();
});

test('a case escalated from a grid is held by the community', async ({ browser }) => {
	const s = await secretaryPhone(browser, '王书记');
	await addGrid(s.page, '第二网格');
	await openFirstGrid(s.page);
	await reportCase(s.page, { title: '地下车库漏水', category: 'elevator_property' });
	const tier = s.page.getByTestId('case-tier');
	await expect(tier).toHaveAttribute('data-tier', 'grid');
	await s.page.getByTestId('tier-escalate').click();
	await s.page.getByTestId('reason-confirm').click();
	await expect(s.page.getByTestId('reason-dialog').getByRole('alert')).toBeVisible();
	await s.page.locator('#tier-reason').fill('涉及物业赔偿，需社区协调');
	await s.page.getByTestId('reason-confirm').click();
	await expect(tier).toHaveAttribute('data-tier', 'community');
	await expect(tier).toContainText('社区办理中');
	await expect(s.page.getByTestId('timeline').locator('li[data-kind="tier"]')).toContainText(
		'涉及物业赔偿，需社区协调'
	);
	await expect(s.page.getByTestId('tier-hand-back')).toBeVisible();
	await expectAllOnServer(s.page);
	await s.page.goto(`/c/${s.community.communityId}/board`);
	await expect(s.page.getByText('地下车库漏水').first()).toBeVisible();
	await s.context.close();
});

test('an overdue case is flagged and suggests escalation', async ({ browser }) => {
	const s = await secretaryPhone(browser, '王书记');
	await addGrid(s.page, '第三网格');
	await openFirstGrid(s.page);
	await s.page.getByTestId('case-new').click();
	await s.page.locator('#case-title').fill('消防通道被电动车堵塞');
	await s.page.locator('#case-category').selectOption('fire_safety');
	await expect(s.page.getByTestId('deadline-default')).toContainText('1');
	await s.page.locator('#case-deadline').fill(localDate(-2));
	await s.page.getByTestId('case-submit').click();
	await expect(s.page.getByTestId('case-title')).toHaveText('消防通道被电动车堵塞');
	await expect(s.page.getByTestId('case-due')).toHaveAttribute('data-overdue', 'true');
	await expect(s.page.getByTestId('escalation-suggestion')).toContainText('社区');
	// Resolved cases are no longer overdue.
	await s.page.getByTestId('action-resolve').click();
	await expect(s.page.getByTestId('case-due')).toHaveCount(0);
	await expect(s.page.getByTestId('escalation-suggestion')).toHaveCount(0);
	await s.context.close();
});

test('a volunteer reports a case but sees no status, tier or assignment actions', async ({
	browser
}) => {
	const s = await secretaryPhone(browser, '王书记');
	await addGrid(s.page, '第四网格');
	const gridUrl = await openFirstGrid(s.page);
	const v = await joinedPhone(
		browser,
		'志愿者小李',
		await createInviteVia(s.page, { role: 'volunteer' })
	);
	await openControlled(v.page, gridUrl);
	await reportCase(v.page, { title: '7号楼北侧飞线充电', category: 'flying_wire' });
	await expect(v.page.getByTestId('case-actions')).toBeVisible();
	await expect(v.page.getByTestId('case-actions').locator('[data-testid^="action-"]')).toHaveCount(
		0
	);
	await expect(v.page.getByTestId('tier-escalate')).toHaveCount(0);
	await expect(v.page.getByTestId('case-assign')).toHaveCount(0);
	await expect(v.page.getByTestId('case-deadline')).toHaveCount(0);
	await expect(v.page.locator('#case-deadline')).toHaveCount(0);
	// Volunteers may comment.
	await v.page.locator('#comment-text').fill('已拍照，住户不在家');
	await v.page.getByTestId('comment-submit').click();
	await expect(v.page.getByTestId('timeline').locator('li[data-kind="comment"]')).toBeVisible();
	await expectAllOnServer(v.page);
	// The secretary, on the same case, has the actions.
	await openControlled(s.page, v.page.url());
	await expect(s.page.getByTestId('action-accept')).toBeVisible();
	await v.context.close();
	await s.context.close();
});
