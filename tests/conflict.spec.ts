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
