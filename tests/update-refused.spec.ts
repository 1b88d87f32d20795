/**
 * An update the relay refuses under the write rules (message 102): a grid member changes a case's
 * status offline, the secretary meanwhile makes them a volunteer, and back online the relay
 * refuses the change. The member's phone says so in words (how many changes, why, what), never
 * "saved on the server"; the secretary's phone never sees the status; the member discards that
 * board's unsent changes after a confirmation that says how many, the case shows the server's
 * status again, and a permitted change (a comment) reaches the secretary. The notice fits a
 * 320 px phone in Chinese and in English.
 */
import { expect, test, type Page } from '@playwright/test';
import {
	addGrid,
	createInviteVia,
	expectAllOnServer,
	goOffline,
	joinedPhone,
	openControlled,
	reportCase,
	secretaryPhone,
	syncStatus
} from './helpers';

/** The secretary changes a member's role through the relay API with the phone's own token. */
async function changeRole(page: Page, displayName: string, role: string): Promise<void> {
	const status = await page.evaluate(
		async ({ displayName, role }) => {
			const membership = JSON.parse(localStorage.getItem('gridboard:credential') ?? 'null');
			const { token } = JSON.parse(localStorage.getItem('gridboard:token') ?? 'null');
			const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
			const base = `/api/communities/${membership.community.id}/members`;
			const { members } = await (await fetch(base, { headers })).json();
			const member = members.find((m: { displayName: string }) => m.displayName === displayName);
			const response = await fetch(`${base}/${member.id}`, {
				method: 'PATCH',
				headers,
				body: JSON.stringify({ role, grids: [] })
			});
			return response.status;
		},
		{ displayName, role }
	);
	expect(status).toBe(200);
}

/** Nothing sticks out past the right edge of a 320 px screen. */
async function fitsAt320(page: Page): Promise<void> {
	await page.setViewportSize({ width: 320, height: 640 });
	await expect(page.getByTestId('sync-refused')).toBeVisible();
	const overflow = await page.evaluate(() => {
		const problems: string[] = [];
		const width = document.scrollingElement!.scrollWidth;
		if (width > 320) problems.push(`document is ${width} px wide`);
		for (const element of document.querySelectorAll(
			'[data-testid="sync-bar"] *, [data-testid="sync-refused"] *'
		)) {
			const box = element.getBoundingClientRect();
			if (box.width > 0 && box.right > 320.5) problems.push(element.outerHTML.slice(0, 80));
		}
		return problems;
	});
	expect(overflow).toEqual([]);
	await page.setViewportSize({ width: 360, height: 740 });
}

test('a refused status change: the phone says what and why, discards, and syncs again', async ({
	browser
}) => {
	const secretary = await secretaryPhone(browser, '王书记');
	const s = secretary.page;
	await addGrid(s, '五号网格');
	await s.getByTestId('grid-row').filter({ hasText: '五号网格' }).getByRole('link').first().click();
	await expect(s.getByTestId('empty-state')).toBeVisible();
	const gridId = new URL(s.url()).pathname.split('/g/')[1]!.split('/')[0]!;
	const member = await joinedPhone(
		browser,
		'陈网格员',
		await createInviteVia(s, { role: 'grid-member', grids: [gridId] })
	);
	const p = member.page;

	await reportCase(s, { title: '7号楼路灯不亮', category: 'other' });
	await expectAllOnServer(s);
	const caseUrl = s.url();
	const badge = (page: Page) => page.getByTestId('case-detail').locator('[data-status]');
	await openControlled(p, caseUrl);
	await expect(p.getByTestId('case-title')).toHaveText('7号楼路灯不亮');
	await expectAllOnServer(p);

	// In the basement, the grid member accepts the case: on this phone only.
	await goOffline(member);
	await p.getByTestId('action-accept').click();
	await expect(badge(p)).toHaveAttribute('data-status', 'accepted');
	await expect(syncStatus(p)).not.toHaveAttribute('data-unconfirmed', '0');
	const unsent = Number(await syncStatus(p).getAttribute('data-unconfirmed'));

	// Meanwhile the secretary makes them a volunteer, who may not change a case's status.
	await changeRole(s, '陈网格员', 'volunteer');

	// Back in signal: the relay refuses the change, and the phone says so in words.
	await member.context.setOffline(false);
	const notice = p.getByTestId('sync-refused');
	await expect(notice).toBeVisible();
	await expect(notice).toHaveAttribute('data-doc', new RegExp(`/board/${gridId}$`));
	await expect(notice).toHaveAttribute('data-count', String(unsent));
	await expect(notice.getByTestId('sync-refused-text')).toContainText(
		`服务器拒绝了你对本网格看板的 ${unsent} 项更改：你的角色无权这样做`
	);
	await expect(notice.getByTestId('sync-refused-text')).toContainText(/事项的状态|一条处理记录/);
	// The sticky line says it too, on every screen.
	await expect(syncStatus(p).getByTestId('sync-refused-short')).toHaveText(
		`服务器拒绝了 ${unsent} 项更改`
	);
	// …and leads to the notice from wherever the page is scrolled.
	await p.getByTestId('comment-submit').scrollIntoViewIfNeeded();
	await expect(notice).not.toBeInViewport();
	await syncStatus(p).getByTestId('sync-refused-short').click();
	await expect(notice).toBeInViewport();
	// Honest: connected, but not "saved on the server".
	await expect(syncStatus(p)).toHaveAttribute('data-connection', 'online');
	await expect(syncStatus(p)).toHaveAttribute('data-server', 'pending');
	await expect(syncStatus(p)).not.toContainText('已保存到服务器');
	await fitsAt320(p);

	// The secretary's phone never sees the refused status.
	await expect(badge(s)).toHaveAttribute('data-status', 'reported');
	await s.reload();
	await expect(s.getByTestId('case-title')).toHaveText('7号楼路灯不亮');
	await expect(badge(s)).toHaveAttribute('data-status', 'reported');

	// In English, after a reload: the refusal stands (the change is offered again, refused again).
	await p.goto('/settings');
	await p.getByTestId('lang-en').click();
	await p.goto(caseUrl);
	await expect(notice.getByTestId('sync-refused-text')).toContainText(
		`The server refused ${unsent === 1 ? 'your change' : `${unsent} of your changes`} to this grid's board: your role may not do this`
	);
	await expect(notice.getByTestId('sync-refused-text')).toContainText(
		/a case's status|a history entry/
	);
	await fitsAt320(p);

	// The way out: discard, after a confirmation that says how many changes are lost.
	await notice.getByTestId('sync-refused-discard').click();
	const confirm = p.getByTestId('sync-refused-confirm');
	await expect(confirm).toBeVisible();
	await expect(confirm).toContainText(
		`Your ${unsent} ${unsent === 1 ? 'change' : 'changes'} to this grid's board`
	);
	await confirm.getByTestId('sync-refused-confirm-cancel').click();
	await expect(badge(p)).toHaveAttribute('data-status', 'accepted');
	await notice.getByTestId('sync-refused-discard').click();
	await confirm.getByTestId('sync-refused-confirm-confirm').click();

	// Loaded again from the server: its status, no notice, everything on the server.
	await expect(badge(p)).toHaveAttribute('data-status', 'reported');
	await expect(notice).toHaveCount(0);
	await expect(syncStatus(p).getByTestId('sync-refused-short')).toHaveCount(0);
	await expectAllOnServer(p);
	// The credential and the other documents stayed: still signed in, the grid list still there.
	expect(await p.evaluate(() => localStorage.getItem('gridboard:credential'))).not.toBeNull();

	// A change the volunteer may make reaches the secretary.
	await p.locator('#comment-text').fill('已到现场查看');
	await p.getByTestId('comment-submit').click();
	await expectAllOnServer(p);
	await expect(notice).toHaveCount(0);
	await expect(s.getByTestId('timeline').locator('li[data-kind="comment"]')).toContainText(
		'已到现场查看'
	);
	await expect(badge(s)).toHaveAttribute('data-status', 'reported');

	await secretary.context.close();
	await member.context.close();
});
