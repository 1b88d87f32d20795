import { expect, test } from '@playwright/test';
import {
	addGrid,
	createInviteVia,
	expectAllOnServer,
	joinedPhone,
	openControlled,
	reportCase,
	secretaryPhone,
	syncStatus
} from './helpers';

test('the secretary invites a volunteer, who sees the boards but not households or members, until removed', async ({
	browser
}) => {
	const secretary = await secretaryPhone(browser, '王书记');
	const { communityId } = secretary.community;
	const s = secretary.page;
	await addGrid(s, '一号网格');
	const gridId = await s.getByTestId('grid-row').first().getAttribute('data-grid-id');
	expect(gridId).toBeTruthy();
	await expectAllOnServer(s);

	// The secretary's members screen: create a volunteer invite, shown as a link and a QR code.
	await s.getByTestId('nav-members').click();
	await expect(s.getByTestId('member-row')).toHaveCount(1);
	await s.getByTestId('invite-new').click();
	await s.locator('#invite-role').selectOption('volunteer');
	await s.getByTestId('invite-submit').click();
	await expect(s.getByTestId('invite-qr')).toBeVisible();
	const link = await s.getByTestId('invite-link').inputValue();
	expect(link).toMatch(/\/join#[A-Za-z0-9_-]+$/);
	await expect(s.getByTestId('invite-row')).toHaveCount(1);

	// A second phone joins through the link as a volunteer.
	const volunteer = await joinedPhone(browser, '志愿者小李', link);
	const v = volunteer.page;
	await openControlled(v, `/c/${communityId}`);
	await expect(v.getByTestId('grid-row').filter({ hasText: '一号网格' })).toBeVisible();
	// No admin anywhere in the UI: no members link, no grid add or rename.
	await expect(v.getByTestId('nav-members')).toHaveCount(0);
	await expect(v.getByTestId('grid-add')).toHaveCount(0);
	await expect(v.getByRole('button', { name: '重命名' })).toHaveCount(0);
	// The board: volunteers report problems, but there is no way to household records.
	await v.getByTestId('grid-row').getByRole('link').first().click();
	await expect(v.getByTestId('case-new')).toBeVisible();
	await expect(v.getByTestId('households-link')).toHaveCount(0);
	await expect(s.getByTestId('households-link')).toHaveCount(0); // (the secretary is elsewhere)

	// Typing the URLs does not help either.
	await v.goto(`/c/${communityId}/g/${gridId}/households`);
	await expect(v.getByTestId('not-allowed')).toBeVisible();
	await expect(v.getByTestId('households')).toHaveCount(0);
	await v.goto(`/c/${communityId}/members`);
	await expect(v.getByTestId('not-allowed')).toBeVisible();
	await expect(v.getByTestId('member-list')).toHaveCount(0);
	await expect(v.getByTestId('invite-new')).toHaveCount(0);

	// The secretary can open both.
	await s.goto(`/c/${communityId}/g/${gridId}/households`);
	await expect(s.getByTestId('households')).toBeVisible();

	// The volunteer watches the board, in sync.
	await v.goto(`/c/${communityId}/g/${gridId}`);
	await expect(syncStatus(v)).toHaveAttribute('data-connection', 'online');

	// The secretary removes the volunteer (confirm dialog).
	await s.goto(`/c/${communityId}/members`);
	const row = s.getByTestId('member-row').filter({ hasText: '志愿者小李' });
	await expect(row).toContainText('志愿者');
	await row.getByTestId('member-remove').click();
	await row.getByTestId('remove-confirm').click();
	await expect(s.getByTestId('member-row').filter({ hasText: '志愿者小李' })).toHaveCount(0);

	// The volunteer's sync stops, and says why.
	await expect(syncStatus(v)).toHaveAttribute('data-connection', 'closed');
	await expect(syncStatus(v)).toHaveAttribute('data-close-code', '4403');
	await expect(v.getByTestId('sync-connection')).toContainText('您已被移出本社区');
	// The boards give way to the removal notice (tests/member-removed.spec.ts: the wipe).
	await expect(v.getByTestId('member-removed')).toBeVisible();
	await expect(v.getByTestId('case-new')).toHaveCount(0);

	// A case the secretary reports afterwards never reaches the volunteer, not even after a reload.
	await s.goto(`/c/${communityId}/g/${gridId}`);
	await reportCase(s, { title: '移出后的新问题', category: 'other' });
	await expectAllOnServer(s);
	// After the reload the phone asks the relay for nothing: no socket, no token.
	const asked: string[] = [];
	v.on('websocket', (socket) => asked.push(socket.url()));
	v.on('request', (request) => {
		if (request.url().includes('/api/')) asked.push(request.url());
	});
	await v.reload();
	await expect(v.getByTestId('member-removed')).toBeVisible();
	await expect(v.getByTestId('removed-all-sent')).toBeVisible();
	expect(asked).toEqual([]);
	await expect(v.getByTestId('case-row').filter({ hasText: '移出后的新问题' })).toHaveCount(0);

	await secretary.context.close();
	await volunteer.context.close();
});

test('an observer sees the boards and cases with no edit control anywhere', async ({ browser }) => {
	const secretary = await secretaryPhone(browser, '李书记');
	const { communityId } = secretary.community;
	const s = secretary.page;
	await addGrid(s, '二号网格');
	const gridId = await s.getByTestId('grid-row').first().getAttribute('data-grid-id');
	await s.getByTestId('grid-row').getByRole('link').first().click();
	await reportCase(s, { title: '路灯不亮', category: 'public_facilities' });
	const caseUrl = new URL(s.url()).pathname;
	await expectAllOnServer(s);

	const observer = await joinedPhone(
		browser,
		'街道观察员',
		await createInviteVia(s, { role: 'observer' })
	);
	const o = observer.page;
	await openControlled(o, `/c/${communityId}`);
	await expect(o.getByTestId('grid-row').filter({ hasText: '二号网格' })).toBeVisible();
	await expect(o.getByTestId('grid-add')).toHaveCount(0);
	await expect(o.getByRole('button', { name: '重命名' })).toHaveCount(0);
	await expect(o.getByTestId('nav-members')).toHaveCount(0);

	await o.getByTestId('grid-row').getByRole('link').first().click();
	await expect(o.getByTestId('case-row').filter({ hasText: '路灯不亮' })).toBeVisible();
	await expect(o.getByTestId('case-new')).toHaveCount(0);
	await expect(o.getByTestId('households-link')).toHaveCount(0);

	await o.goto(caseUrl);
	await expect(o.getByTestId('case-title')).toHaveText('路灯不亮');
	await expect(o.getByTestId('case-edit')).toHaveCount(0);
	await expect(o.locator('[data-testid^="action-"]')).toHaveCount(0);
	await expect(o.locator('main button')).toHaveCount(0);

	await o.goto(`/c/${communityId}/g/${gridId}/new`);
	await expect(o.getByTestId('not-allowed')).toBeVisible();
	await expect(o.locator('#case-title')).toHaveCount(0);

	await secretary.context.close();
	await observer.context.close();
});
