import { expect, test } from '@playwright/test';
import {
	addGrid,
	createInviteVia,
	expectAllOnServer,
	joinedPhone,
	openControlled,
	reportCase,
	secretaryPhone
} from './helpers';

test('an edit that arrives while a form is open is not overwritten: both values show until someone picks', async ({
	browser
}) => {
	const a = await secretaryPhone(browser, '王秀英');
	await addGrid(a.page, '第一网格');
	await a.page.getByTestId('grid-row').first().getByRole('link').first().click();
	await reportCase(a.page, { title: '地下车库异响', category: 'noise', location: '车库 B 区' });
	await expectAllOnServer(a.page);
	const caseUrl = a.page.url();

	const b = await joinedPhone(
		browser,
		'李建国',
		await createInviteVia(a.page, { role: 'volunteer' })
	);
	await openControlled(b.page, caseUrl);
	await expect(b.page.getByTestId('case-title')).toHaveText('地下车库异响');

	// A opens the edit form; while it is open, B retitles the case and A's phone receives it.
	await a.page.getByTestId('case-edit').click();
	await b.page.getByTestId('case-edit').click();
	await b.page.locator('#case-title').fill('地下车库减速带松动');
	await b.page.getByTestId('case-submit').click();
	await expectAllOnServer(b.page);
	// A never saw B's title: saving A's own must not silently replace it.
	await a.page.locator('#case-title').fill('车库夜间噪音');
	await a.page.getByTestId('case-submit').click();
	await expectAllOnServer(a.page);

	for (const page of [a.page, b.page]) {
		const conflict = page.getByTestId('conflict');
		await expect(conflict).toBeVisible();
		await expect(conflict).toContainText('地下车库减速带松动');
		await expect(conflict).toContainText('车库夜间噪音');
	}

	// B picks A's title; the disagreement is settled on both phones and the timeline says so.
	await b.page
		.getByTestId('conflict')
		.locator('li', { hasText: '车库夜间噪音' })
		.getByRole('button')
		.click();
	for (const page of [a.page, b.page]) {
		await expect(page.getByTestId('conflict')).toHaveCount(0);
		await expect(page.getByTestId('case-title')).toHaveText('车库夜间噪音');
	}
	await expect(
		a.page.getByTestId('timeline').locator('li[data-kind="conflict_resolved"]')
	).toHaveCount(1);
	await a.context.close();
	await b.context.close();
});

test('a case with a conflict says so first in its board row, never cut, and the board filters to "has conflicts" (issue 15)', async ({
	browser
}) => {
	const a = await secretaryPhone(browser, '王秀英');
	await addGrid(a.page, '第一网格');
	await a.page.getByTestId('grid-row').first().getByRole('link').first().click();
	await a.page.waitForURL(/\/g\/[^/]+$/);
	const boardUrl = a.page.url();
	const longTitle = '3号楼楼道堆放杂物堵塞消防通道，住户多次反映仍未清理';
	await reportCase(a.page, { title: '路灯不亮', category: 'public_facilities' });
	await a.page.goto(boardUrl);
	await reportCase(a.page, { title: longTitle, category: 'fire_safety', location: '3号楼 2单元' });
	await expectAllOnServer(a.page);
	const caseUrl = a.page.url();

	const b = await joinedPhone(
		browser,
		'李建国',
		await createInviteVia(a.page, { role: 'volunteer' })
	);
	await openControlled(b.page, caseUrl);
	await expect(b.page.getByTestId('case-title')).toHaveText(longTitle);
	// Both change the place at once: a same-field conflict.
	await a.page.getByTestId('case-edit').click();
	await b.page.getByTestId('case-edit').click();
	await b.page.locator('#case-location').fill('3号楼 1单元');
	await b.page.getByTestId('case-submit').click();
	await expectAllOnServer(b.page);
	await a.page.locator('#case-location').fill('3号楼 3单元');
	await a.page.getByTestId('case-submit').click();
	await expectAllOnServer(a.page);
	await expect(a.page.getByTestId('conflict')).toBeVisible();

	// The board on the narrowest phone.
	await a.page.setViewportSize({ width: 320, height: 640 });
	await a.page.goto(boardUrl);
	const rows = a.page.getByTestId('case-row');
	await expect(rows).toHaveCount(2);
	const conflicted = a.page.locator('[data-testid="case-row"][data-conflict="true"]');
	await expect(conflicted).toHaveCount(1);
	const flag = conflicted.getByTestId('case-conflict');
	await expect(flag).toBeVisible();
	await expect(rows.filter({ hasText: '路灯不亮' }).getByTestId('case-conflict')).toHaveCount(0);
	// First: above the title, nothing of the row's text before it; whole: not cut by an ellipsis
	// and inside the row.
	const geometry = await conflicted.evaluate((row) => {
		const flagEl = row.querySelector('[data-testid="case-conflict"]') as HTMLElement;
		const title = row.querySelector('.title') as HTMLElement;
		const rowBox = row.getBoundingClientRect();
		const flagBox = flagEl.getBoundingClientRect();
		return {
			before: (row.textContent ?? '').trim().indexOf('⚠'),
			flagAboveTitle: flagBox.bottom <= title.getBoundingClientRect().top + 1,
			cut: flagEl.scrollWidth > flagEl.clientWidth + 1,
			inside: flagBox.left >= rowBox.left && flagBox.right <= rowBox.right + 0.5
		};
	});
	expect(geometry).toEqual({ before: 0, flagAboveTitle: true, cut: false, inside: true });

	// "Has conflicts": one case, kept in the URL across a reload.
	await expect(a.page.getByTestId('count-conflicts')).toHaveText('1');
	await a.page.getByTestId('filter-conflicts').click();
	await expect(a.page).toHaveURL(/[?&]conflict=1/);
	await expect(rows).toHaveCount(1);
	await expect(rows.first()).toContainText(longTitle.slice(0, 6));
	await a.page.reload();
	await expect(a.page.getByTestId('filter-conflicts')).toHaveAttribute('aria-pressed', 'true');
	await expect(rows).toHaveCount(1);
	await expect(a.page.getByTestId('filter-all').locator('.count')).toHaveText('1');

	// The community board filters the same way.
	const communityId = new URL(boardUrl).pathname.split('/')[2]!;
	await a.page.goto(`/c/${communityId}/board`);
	await expect(rows).toHaveCount(2);
	await expect(a.page.getByTestId('count-conflicts')).toHaveText('1');
	await a.page.getByTestId('filter-conflicts').click();
	await expect(a.page).toHaveURL(/[?&]conflict=1/);
	await expect(rows).toHaveCount(1);
	await expect(rows.first().getByTestId('case-conflict')).toBeVisible();
	await a.context.close();
	await b.context.close();
});
