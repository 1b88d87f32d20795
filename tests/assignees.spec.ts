/**
 * Assignees picked from the community's members (issue 15): the secretary picks a grid member
 * from the members list and types an outside name, which is marked "outside"; the member finds
 * the case under 我的案件 (matched by member id); the members list works offline on a device that
 * fetched it once.
 */
import { expect, test, type Browser } from '@playwright/test';
import {
	addGrid,
	createInviteVia,
	expectAllOnServer,
	goOffline,
	joinedPhone,
	openControlled,
	reportCase,
	secretaryPhone
} from './helpers';

/**
 * The secretary's phone with a grid, a grid member (王秀英) who joined it, and a case on that grid
 * which the secretary assigned by picking the member from the members list and typing an outside
 * name; both phones open.
 */
async function assignedCase(browser: Browser) {
	const a = await secretaryPhone(browser, '张书记');
	await addGrid(a.page, '第一网格');
	await a.page.getByTestId('grid-row').first().getByRole('link').first().click();
	await a.page.waitForURL(/\/g\/[^/]+$/);
	const boardUrl = a.page.url();
	const gridId = new URL(boardUrl).pathname.split('/')[4]!;
	const b = await joinedPhone(
		browser,
		'王秀英',
		await createInviteVia(a.page, { role: 'grid-member', grids: [gridId] })
	);
	const memberId = await b.page.evaluate(
		() => JSON.parse(localStorage.getItem('gridboard:credential') ?? 'null').member.id as string
	);

	await reportCase(a.page, { title: '楼道灯不亮', category: 'public_facilities' });
	const caseUrl = a.page.url();
	await a.page.getByTestId('case-assign').click();
	const memberSelect = a.page.getByTestId('assignee-member');
	// The list is the community's members (the new grid member among them), not free text only.
	await expect(memberSelect.locator(`option[value="${memberId}"]`)).toHaveText(/王秀英/);
	await memberSelect.selectOption(memberId);
	await expect(
		a.page.locator(`[data-testid="assignee-chip"][data-member="${memberId}"]`)
	).toBeVisible();
	// Someone outside the community, by name.
	await a.page.getByTestId('assignee-input').fill('物业刘师傅');
	await a.page.getByTestId('assignees-save').click();
	await expectAllOnServer(a.page);
	return { a, b, memberId, caseUrl, boardUrl, communityId: a.community.communityId };
}

test('assignees are picked from the members list; a typed outsider is marked; the board filters by member (issue 15)', async ({
	browser
}) => {
	const { a, b, memberId, boardUrl } = await assignedCase(browser);

	const shown = a.page.getByTestId('case-assignees').getByTestId('assignee');
	await expect(shown).toHaveCount(2);
	const member = shown.filter({ hasText: '王秀英' });
	await expect(member).toHaveAttribute('data-member', memberId);
	await expect(member.getByTestId('assignee-outside')).toHaveCount(0);
	const outsider = shown.filter({ hasText: '物业刘师傅' });
	await expect(outsider).toHaveAttribute('data-member', '');
	await expect(outsider.getByTestId('assignee-outside')).toHaveText('外部');
	// The timeline names people, not stored entries.
	await expect(a.page.getByTestId('timeline')).toContainText('王秀英');
	await expect(a.page.getByTestId('timeline')).not.toContainText(memberId);

	// The board's assignee filter names people, and picks the member by id.
	await a.page.goto(boardUrl);
	await a.page.getByTestId('filters-more').click();
	const filter = a.page.getByTestId('filter-assignee');
	await expect(filter.locator(`option[value="${memberId}"]`)).toHaveText('王秀英');
	await expect(filter.locator('option', { hasText: '#' })).toHaveCount(0);
	await filter.selectOption(memberId);
	await expect(a.page).toHaveURL(new RegExp(`assignee=${memberId}`));
	await expect(a.page.getByTestId('case-row')).toHaveCount(1);
	await a.context.close();
	await b.context.close();
});

test('the assigned member finds the case under 我的案件, and picks from the members list offline (issue 15)', async ({
	browser
}) => {
	const { a, b, caseUrl, communityId } = await assignedCase(browser);

	// The member: 我的案件 lists the case (matched by member id).
	await openControlled(b.page, `/c/${communityId}`);
	await b.page.getByTestId('my-cases-link').click();
	await expect(b.page.getByTestId('my-case')).toHaveCount(1);
	await expect(b.page.getByTestId('my-case')).toContainText('楼道灯不亮');
	// The member opens the case once online (the members list is kept on the device), then offline
	// still picks from it.
	await b.page.goto(caseUrl);
	await expect(b.page.getByTestId('case-title')).toHaveText('楼道灯不亮');
	await expect
		.poll(() => b.page.evaluate(() => localStorage.getItem('gridboard:roster') !== null))
		.toBe(true);
	await goOffline(b);
	await expect(b.page.getByTestId('case-title')).toHaveText('楼道灯不亮');
	await expect(b.page.getByTestId('case-assignees').getByTestId('assignee-outside')).toHaveText(
		'外部'
	);
	await b.page.getByTestId('case-assign').click();
	// At 320 px the picker stays inside the screen.
	await b.page.setViewportSize({ width: 320, height: 640 });
	const editor = await b.page.getByTestId('assignees-editor').boundingBox();
	expect(editor!.x).toBeGreaterThanOrEqual(0);
	expect(editor!.x + editor!.width).toBeLessThanOrEqual(320);
	await expect(
		b.page.getByTestId('assignee-member').locator('option', { hasText: '张书记' })
	).toHaveCount(1);
	await a.context.close();
	await b.context.close();
});

test('a grid member who signed in online and never opened a case picks members offline; the list refreshes when back online (issue 15)', async ({
	browser
}) => {
	const a = await secretaryPhone(browser, '张书记');
	await addGrid(a.page, '第一网格');
	await a.page.getByTestId('grid-row').first().getByRole('link').first().click();
	await a.page.waitForURL(/\/g\/[^/]+$/);
	const boardUrl = a.page.url();
	const gridId = new URL(boardUrl).pathname.split('/')[4]!;
	await reportCase(a.page, { title: '井盖松动', category: 'public_facilities' });
	const caseUrl = a.page.url();
	await expectAllOnServer(a.page);
	const secretaryId = await a.page.evaluate(
		() => JSON.parse(localStorage.getItem('gridboard:credential') ?? 'null').member.id as string
	);

	// The grid member signs in and looks at the board only: no case page is opened online.
	const b = await joinedPhone(
		browser,
		'王秀英',
		await createInviteVia(a.page, { role: 'grid-member', grids: [gridId] })
	);
	await openControlled(b.page, boardUrl);
	await expect(b.page.getByTestId('case-row')).toHaveCount(1);
	// The app fetched the members list when it started, and keeps it on the device.
	await expect
		.poll(() => b.page.evaluate(() => localStorage.getItem('gridboard:roster') ?? ''))
		.toContain(secretaryId);

	await goOffline(b);
	await b.page.getByTestId('case-row').click();
	await expect(b.page).toHaveURL(caseUrl);
	await expect(b.page.getByTestId('case-title')).toHaveText('井盖松动');
	await b.page.getByTestId('case-assign').click();
	await expect(b.page.getByTestId('assignee-no-roster')).toHaveCount(0);
	const memberSelect = b.page.getByTestId('assignee-member');
	await expect(memberSelect.locator(`option[value="${secretaryId}"]`)).toHaveText(/张书记/);
	await memberSelect.selectOption(secretaryId);
	await b.page.getByTestId('assignees-save').click();
	const shown = b.page.getByTestId('case-assignees').getByTestId('assignee');
	await expect(shown).toHaveCount(1);
	await expect(shown).toHaveAttribute('data-member', secretaryId);
	await expect(shown.getByTestId('assignee-outside')).toHaveCount(0);

	// Someone joins while the member is offline; when the connection comes back the list is
	// fetched again, with no reload and no case opened.
	const c = await joinedPhone(
		browser,
		'李建国',
		await createInviteVia(a.page, { role: 'grid-member', grids: [gridId] })
	);
	const newcomerId = await c.page.evaluate(
		() => JSON.parse(localStorage.getItem('gridboard:credential') ?? 'null').member.id as string
	);
	expect(await b.page.evaluate(() => localStorage.getItem('gridboard:roster') ?? '')).not.toContain(
		newcomerId
	);
	await b.context.setOffline(false);
	await expect
		.poll(() => b.page.evaluate(() => localStorage.getItem('gridboard:roster') ?? ''))
		.toContain(newcomerId);
	await expectAllOnServer(b.page);
	await a.context.close();
	await b.context.close();
	await c.context.close();
});
