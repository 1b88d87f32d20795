import { expect, test } from '@playwright/test';
import {
	addGrid,
	expectAllOnServer,
	createInviteVia,
	joinedPhone,
	openControlled,
	reportCase,
	secretaryPhone,
	syncStatus
} from './helpers';

test('two phones see each other’s new case within seconds, and both reach "saved on the server"', async ({
	browser
}) => {
	const a = await secretaryPhone(browser, '王秀英');
	const community = a.community.communityId;
	await addGrid(a.page, '第一网格');
	await expectAllOnServer(a.page);

	// B joins through an invite the secretary made: the grid member of that grid, who may move
	// its cases along the flow (volunteers only report).
	const href = await a.page
		.getByTestId('grid-row')
		.filter({ hasText: '第一网格' })
		.getByRole('link')
		.first()
		.getAttribute('href');
	const gridId = /\/g\/([^/?#]+)/.exec(href ?? '')?.[1] ?? '';
	expect(gridId).not.toBe('');
	const b = await joinedPhone(
		browser,
		'李建国',
		await createInviteVia(a.page, { role: 'grid-member', grids: [gridId] })
	);
	await openControlled(b.page, `/c/${community}`);
	await expect(b.page.getByTestId('grid-row').filter({ hasText: '第一网格' })).toBeVisible();

	await a.page
		.getByTestId('grid-row')
		.filter({ hasText: '第一网格' })
		.getByRole('link')
		.first()
		.click();
	await b.page
		.getByTestId('grid-row')
		.filter({ hasText: '第一网格' })
		.getByRole('link')
		.first()
		.click();
	await expect(b.page.getByTestId('empty-state')).toBeVisible();

	await reportCase(a.page, {
		title: '3号楼楼道灯短路',
		category: 'public_facilities',
		location: '阳光小区 3栋 2单元',
		description: '晚上楼道全黑，老人上下楼不安全。'
	});
	await expectAllOnServer(a.page);

	const rowOnB = b.page.getByTestId('case-row').filter({ hasText: '3号楼楼道灯短路' });
	await expect(rowOnB).toBeVisible({ timeout: 5_000 });
	await expect(rowOnB).toContainText('阳光小区 3栋 2单元');

	// B answers: moves it along the flow; A sees the new status and who did it.
	await rowOnB.click();
	await b.page.getByTestId('action-start').click();
	await expectAllOnServer(b.page);
	await expect(a.page.getByTestId('case-detail').locator('[data-status]')).toHaveAttribute(
		'data-status',
		'in_progress',
		{ timeout: 5_000 }
	);
	await expect(a.page.getByTestId('timeline')).toContainText('李建国');
	await expect(syncStatus(a.page)).toHaveAttribute('data-connection', 'online');

	await a.context.close();
	await b.context.close();
});
