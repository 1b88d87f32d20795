/**
 * Meetings (issue 6): minutes written together on two phones (one offline for a while), Chinese
 * IME input, an action turned into a case a volunteer sees, locking with amendments, and pasted
 * HTML neutralised by the editor's schema.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import {
	addGrid,
	createInviteVia,
	expectAllOnServer,
	joinedPhone,
	openControlled,
	RELAY_ORIGIN,
	secretaryPhone,
	syncStatus
} from './helpers';

async function createMeetingVia(
	page: Page,
	communityId: string,
	fields: { title: string; type?: string; grid?: string }
): Promise<string> {
	await page.goto(`/c/${communityId}/meetings`);
	await page.getByTestId('meeting-new').click();
	await page.locator('#meeting-title').fill(fields.title);
	if (fields.type) await page.locator('#meeting-type').selectOption(fields.type);
	if (fields.grid) await page.locator('#meeting-grid').selectOption({ label: fields.grid });
	await page.locator('#meeting-place').fill('社区会议室');
	await page.getByTestId('meeting-create').click();
	await expect(page.getByTestId('meeting-title')).toHaveText(fields.title);
	return page.url();
}

const editor = (page: Page) => page.getByTestId('minutes-editor');

/** The minutes' text without other people's caret labels (they are decorations, not text). */
function minutesText(page: Page): Promise<string> {
	return editor(page).evaluate((element) => {
		const copy = element.cloneNode(true) as HTMLElement;
		for (const caret of copy.querySelectorAll('.collaboration-carets__caret')) caret.remove();
		return copy.textContent ?? '';
	});
}

/** Puts the caret at the end of the minutes. */
async function focusEnd(page: Page): Promise<void> {
	await editor(page).click();
	await page.keyboard.press('ControlOrMeta+End');
}

/** The minutes as the relay stores them, read with a plain y-websocket client and the page's token. */
async function minutesOnRelay(page: Page, docName: string): Promise<string> {
	const token = await page.evaluate(
		() => JSON.parse(localStorage.getItem('gridboard:token') ?? 'null')?.token as string
	);
	const doc = new Y.Doc();
	class OriginSocket extends WebSocket {
		constructor(url: string, protocols?: string | string[]) {
			super(url, protocols, { origin: RELAY_ORIGIN });
		}
	}
	const provider = new WebsocketProvider(
		RELAY_ORIGIN.replace('http', 'ws') + '/sync',
		docName,
		doc,
		{
			params: { token },
			WebSocketPolyfill: OriginSocket as unknown as typeof globalThis.WebSocket,
			disableBc: true
		}
	);
	try {
		await expect.poll(() => provider.synced).toBe(true);
		return doc.getXmlFragment('minutes').toString();
	} finally {
		provider.destroy();
		doc.destroy();
	}
}

test('two phones write the minutes at once, one offline for a while, and converge with nothing lost', async ({
	browser
}) => {
	const a = await secretaryPhone(browser, '王秀英');
	const url = await createMeetingVia(a.page, a.community.communityId, {
		title: '楼下议事：飞线充电'
	});
	const b = await joinedPhone(
		browser,
		'李建国',
		await createInviteVia(a.page, { role: 'grid-member' })
	);
	await openControlled(a.page, url);
	await openControlled(b.page, url);

	await focusEnd(a.page);
	await a.page.keyboard.type('A1 王：楼道飞线要清理。');
	await expect(editor(b.page)).toContainText('A1 王：楼道飞线要清理。');
	// Presence: each phone sees who else is in the document.
	await expect(a.page.getByTestId('presence')).toContainText('李建国');
	await expect(b.page.getByTestId('presence')).toContainText('王秀英');

	// B goes to the basement: offline, reload (open sockets survive setOffline), keep writing.
	await b.context.setOffline(true);
	await b.page.reload();
	await expect(syncStatus(b.page)).toHaveAttribute('data-connection', 'offline');
	await expect(editor(b.page)).toContainText('A1 王：楼道飞线要清理。');
	await focusEnd(b.page);
	await b.page.keyboard.press('Enter');
	await b.page.keyboard.type('B1 李：物业答应装充电桩。');
	// Both change the place: neither value may be lost.
	await b.page.getByTestId('details-edit').click();
	await b.page.locator('#details-place').fill('小区凉亭');
	await b.page.getByTestId('details-save').click();
	await a.page.getByTestId('details-edit').click();
	await a.page.locator('#details-place').fill('社区会议室二楼');
	await a.page.getByTestId('details-save').click();
	// Meanwhile A keeps writing online, in the same paragraph and a new one.
	await focusEnd(a.page);
	await a.page.keyboard.type(' A2 周三前完成。');
	await a.page.keyboard.press('Enter');
	await a.page.keyboard.type('A3 下次会议：周五。');
	await expectAllOnServer(a.page);
	await expect(editor(a.page)).not.toContainText('B1');

	await b.context.setOffline(false);
	for (const page of [a.page, b.page]) {
		for (const text of [
			'A1 王：楼道飞线要清理。',
			'A2 周三前完成。',
			'B1 李：物业答应装充电桩。',
			'A3 下次会议：周五。'
		]) {
			await expect(editor(page)).toContainText(text);
		}
	}
	await expectAllOnServer(b.page);
	await expect
		.poll(async () => (await minutesText(a.page)) === (await minutesText(b.page)))
		.toBe(true);
	for (const page of [a.page, b.page]) {
		await expect(page.getByTestId('conflict')).toContainText('小区凉亭');
		await expect(page.getByTestId('conflict')).toContainText('社区会议室二楼');
	}
	await a.context.close();
	await b.context.close();
});

test('Chinese typed through an input method (composition events) arrives exactly once', async ({
	browser
}) => {
	const a = await secretaryPhone(browser, '王秀英');
	const url = await createMeetingVia(a.page, a.community.communityId, { title: '输入法测试' });
	const b = await joinedPhone(
		browser,
		'李建国',
		await createInviteVia(a.page, { role: 'observer' })
	);
	await openControlled(b.page, url);
	await focusEnd(a.page);
	await a.page.keyboard.type('议题：');

	// How Chromium delivers IME input: composition updates, then the committed text.
	const cdp = await a.page.context().newCDPSession(a.page);
	const events: string[] = [];
	await a.page.exposeFunction('recordEvent', (type: string) => events.push(type));
	await a.page.evaluate(() => {
		const target = document.querySelector('[data-testid="minutes-editor"]');
		for (const type of ['compositionstart', 'compositionupdate', 'compositionend', 'beforeinput'])
			target?.addEventListener(type, () =>
				(window as unknown as { recordEvent(t: string): void }).recordEvent(type)
			);
	});
	for (const [pinyin, hanzi] of [
		[['z', 'zh', 'zho', 'zhon', 'zhong'], '中'],
		[['w', 'we', 'wen'], '文'],
		[['s', 'sh', 'shu', 'shur', 'shuru'], '输入']
	] as const) {
		for (const text of pinyin) {
			await cdp.send('Input.imeSetComposition', {
				text,
				selectionStart: text.length,
				selectionEnd: text.length
			});
		}
		await cdp.send('Input.insertText', { text: hanzi });
	}
	await a.page.keyboard.type('。');
	await expect.poll(() => minutesText(a.page)).toBe('议题：中文输入。');
	expect(events).toContain('compositionstart');
	expect(events).toContain('compositionend');
	// The other phone (from the relay) has exactly the same text: no duplicated or lost characters.
	await expect.poll(() => minutesText(b.page)).toBe('议题：中文输入。');
	await a.context.close();
	await b.context.close();
});

test('actions in the minutes become a case and a task in one step, linked both ways, and a volunteer sees them', async ({
	browser
}) => {
	const a = await secretaryPhone(browser, '王秀英');
	await addGrid(a.page, '第一网格');
	const url = await createMeetingVia(a.page, a.community.communityId, {
		title: '网格会议：消防通道',
		grid: '第一网格'
	});
	await focusEnd(a.page);
	await a.page.keyboard.type('物业三天内清理消防通道');
	await a.page.keyboard.press('Shift+Home');
	await a.page.getByTestId('mark-action').click();
	await expect(editor(a.page).locator('mark[data-kind="action"]')).toHaveText(
		'物业三天内清理消防通道'
	);
	const item = a.page.getByTestId('meeting-item').filter({ hasText: '物业三天内清理消防通道' });
	await item.getByTestId('follow-up-case').click();
	await item.getByTestId('follow-up-owner').fill('张经理');
	await item.getByTestId('follow-up-deadline').fill('2030-05-01');
	await item.getByTestId('follow-up-submit').click();
	// The meeting shows the case's live status, read from the grid's board.
	await expect(item.getByTestId('follow-up')).toHaveAttribute('data-status', 'reported');
	await expect(item).toContainText('张经理');
	const caseHref = await item.getByTestId('follow-up').getByRole('link').getAttribute('href');
	expect(caseHref).toMatch(/\/g\/[^/]+\/cases\//);
	// A second action becomes a volunteer task.
	await focusEnd(a.page);
	await a.page.keyboard.press('Enter');
	await a.page.keyboard.type('志愿者周日巡查飞线');
	await a.page.keyboard.press('Shift+Home');
	await a.page.getByTestId('mark-action').click();
	const taskItem = a.page.getByTestId('meeting-item').filter({ hasText: '志愿者周日巡查飞线' });
	await taskItem.getByTestId('follow-up-task').click();
	await taskItem.getByTestId('follow-up-owner').fill('赵志愿者');
	await taskItem.getByTestId('follow-up-submit').click();
	await expect(taskItem.getByTestId('follow-up')).toHaveAttribute('data-status', 'open');
	await expectAllOnServer(a.page);

	const v = await joinedPhone(
		browser,
		'赵志愿者',
		await createInviteVia(a.page, { role: 'volunteer' })
	);
	// The volunteer's phone reads the case from the grid's board (through the relay, with a
	// volunteer's token) and sees it on the meeting, with its status, but no editing tools.
	await openControlled(v.page, url);
	const seen = v.page
		.getByTestId('meeting-item')
		.filter({ hasText: '物业三天内清理消防通道' })
		.getByTestId('follow-up');
	await expect(seen).toHaveAttribute('data-status', 'reported');
	await expect(seen.getByRole('link')).toHaveText('物业三天内清理消防通道');
	await expect(seen.getByRole('link')).toHaveAttribute('href', caseHref ?? '');
	await expect(v.page.getByTestId('mark-action')).toHaveCount(0);
	await expect(editor(v.page)).toHaveAttribute('contenteditable', 'false');
	await expect(
		v.page
			.getByTestId('meeting-item')
			.filter({ hasText: '志愿者周日巡查飞线' })
			.getByTestId('follow-up')
	).toHaveAttribute('data-status', 'open');
	// …and finds the task among the community's tasks, where volunteers claim work.
	await openControlled(v.page, `/c/${a.community.communityId}/tasks`);
	await expect(v.page.getByTestId('task-list')).toContainText('志愿者周日巡查飞线');
	// Linked both ways: the case and the task each lead back to the meeting.
	const meetingPath = new URL(url, 'http://any').pathname;
	await v.page.getByTestId('task-list').getByText('志愿者周日巡查飞线').click();
	await expect(v.page.getByTestId('task-meeting')).toHaveAttribute('href', meetingPath);
	await openControlled(v.page, caseHref ?? '');
	await expect(v.page.getByTestId('case-meeting-source').getByRole('link')).toHaveAttribute(
		'href',
		meetingPath
	);
	await a.context.close();
	await v.context.close();
});

test('an action owned by a member becomes their case: no 外部 mark, listed under their 我的案件; a typed outsider is marked (issue 15)', async ({
	browser
}) => {
	const a = await secretaryPhone(browser, '张书记');
	await addGrid(a.page, '第一网格');
	await a.page.getByTestId('grid-row').first().getByRole('link').first().click();
	await a.page.waitForURL(/\/g\/[^/]+$/);
	const gridId = new URL(a.page.url()).pathname.split('/')[4]!;
	const b = await joinedPhone(
		browser,
		'王秀英',
		await createInviteVia(a.page, { role: 'grid-member', grids: [gridId] })
	);
	const memberId = await b.page.evaluate(
		() => JSON.parse(localStorage.getItem('gridboard:credential') ?? 'null').member.id as string
	);
	await createMeetingVia(a.page, a.community.communityId, {
		title: '网格例会',
		grid: '第一网格'
	});
	await focusEnd(a.page);
	await a.page.keyboard.type('王秀英跟进楼道堆物');
	await a.page.keyboard.press('Shift+Home');
	await a.page.getByTestId('mark-action').click();
	const item = a.page.getByTestId('meeting-item').filter({ hasText: '王秀英跟进楼道堆物' });
	await item.getByTestId('follow-up-case').click();
	// The owner is picked from the members list; the typed-name field is for outsiders only.
	const owner = item.getByTestId('follow-up-owner-member');
	await expect(owner.locator(`option[value="${memberId}"]`)).toHaveText(/王秀英/);
	await owner.selectOption(memberId);
	await expect(item.getByTestId('follow-up-owner')).toHaveCount(0);
	await item.getByTestId('follow-up-submit').click();
	await expect(item.getByTestId('follow-up')).toHaveAttribute('data-status', 'reported');
	// The link names the person, not the stored entry, and does not mark a member as outside.
	await expect(item.getByTestId('follow-up-summary')).toContainText('负责人 王秀英 ·');
	await expect(item.getByTestId('follow-up-summary')).not.toContainText('#');
	await expect(item.getByTestId('assignee-outside')).toHaveCount(0);

	// A second action owned by someone outside the community, typed: marked 外部.
	await focusEnd(a.page);
	await a.page.keyboard.press('Enter');
	await a.page.keyboard.type('物业清运杂物');
	await a.page.keyboard.press('Shift+Home');
	await a.page.getByTestId('mark-action').click();
	const outside = a.page.getByTestId('meeting-item').filter({ hasText: '物业清运杂物' });
	await outside.getByTestId('follow-up-case').click();
	await outside.getByTestId('follow-up-owner').fill('物业张经理');
	await expect(outside.getByTestId('assignee-outside')).toHaveText('外部');
	// The owner picker fits a 320 px screen.
	await a.page.setViewportSize({ width: 320, height: 640 });
	await expect
		.poll(() => a.page.evaluate(() => document.documentElement.scrollWidth))
		.toBeLessThanOrEqual(320);
	await outside.getByTestId('follow-up-submit').click();
	await expect(outside.getByTestId('follow-up')).toHaveAttribute('data-status', 'reported');
	await expect(outside.getByTestId('follow-up-summary')).toContainText('负责人 物业张经理 ·');
	await expect(outside.getByTestId('assignee-outside')).toHaveText('外部');

	// The case made from the member's action: the member by id, no 外部 mark.
	await item.getByTestId('follow-up').getByRole('link').click();
	await expect(a.page.getByTestId('case-title')).toHaveText('王秀英跟进楼道堆物');
	const shown = a.page.getByTestId('case-assignees').getByTestId('assignee');
	await expect(shown).toHaveCount(1);
	await expect(shown).toHaveAttribute('data-member', memberId);
	await expect(shown).toHaveText('王秀英');
	await expect(shown.getByTestId('assignee-outside')).toHaveCount(0);
	await expectAllOnServer(a.page);

	// The member finds it under 我的案件 (the outsider's case is not theirs).
	await openControlled(b.page, `/c/${a.community.communityId}`);
	await b.page.getByTestId('my-cases-link').click();
	await expect(b.page.getByTestId('my-case')).toHaveCount(1);
	await expect(b.page.getByTestId('my-case')).toContainText('王秀英跟进楼道堆物');
	await a.context.close();
	await b.context.close();
});

test('a finished meeting locks its minutes; later changes are recorded as amendments', async ({
	browser
}) => {
	const a = await secretaryPhone(browser, '王秀英');
	const url = await createMeetingVia(a.page, a.community.communityId, {
		title: '调解：地下室漏水',
		type: 'mediation'
	});
	const b = await joinedPhone(
		browser,
		'李建国',
		await createInviteVia(a.page, { role: 'grid-member' })
	);
	await openControlled(b.page, url);
	await openControlled(a.page, url);
	await a.page.getByTestId('mediation-edit').click();
	await a.page.locator('#mediation-outcome').selectOption('agreed');
	await a.page.locator('#mediation-agreement').fill('物业赔偿一万二千元');
	await a.page.getByTestId('mediation-save').click();
	await focusEnd(a.page);
	await a.page.keyboard.type('双方同意调解方案。');
	await expect(editor(b.page)).toContainText('双方同意调解方案。');

	// Finishing is offered once the meeting started, and asks in the page (issue 15).
	await a.page.getByTestId('meeting-start').click();
	await a.page.getByTestId('meeting-finish').click();
	await a.page.getByTestId('finish-dialog-confirm').click();
	for (const page of [a.page, b.page]) {
		await expect(page.getByTestId('minutes-locked')).toBeVisible();
		await expect(page.getByTestId('minutes-record')).toHaveText('双方同意调解方案。');
		await expect(page.getByTestId('minutes-record')).toHaveAttribute('contenteditable', 'false');
		await expect(page.getByTestId('minutes-editor')).toHaveCount(0);
		await expect(page.getByTestId('mark-action')).toHaveCount(0);
	}
	// Typing into the record changes nothing.
	await b.page.getByTestId('minutes-record').click();
	await b.page.keyboard.type('偷偷改');
	await expect(b.page.getByTestId('minutes-record')).toHaveText('双方同意调解方案。');

	await b.page.locator('#amendment').fill('更正：赔偿款分两期支付。');
	await b.page.getByTestId('amendment-add').click();
	await expect(a.page.getByTestId('amendments')).toContainText('更正：赔偿款分两期支付。');
	await expect(a.page.getByTestId('amendments')).toContainText('李建国');

	// Export: the locked record and the amendment, as Markdown.
	const downloading = a.page.waitForEvent('download');
	await a.page.getByTestId('export-md').click();
	const download = await downloading;
	const markdown = await readFile((await download.path()) ?? '', 'utf8');
	expect(markdown).toContain('# 调解：地下室漏水');
	expect(markdown).toContain('双方同意调解方案。');
	expect(markdown).toContain('更正：赔偿款分两期支付。');
	expect(markdown).not.toContain('偷偷改');

	// The list counts the agreed mediation: 1 of 1.
	await a.page.goto(`/c/${a.community.communityId}/meetings`);
	await expect(a.page.getByTestId('mediation-rate')).toHaveAttribute('data-rate', '1');
	await a.page.locator('#meeting-search').fill('漏水');
	await expect(a.page.getByTestId('meeting-row')).toHaveCount(1);
	await a.page.locator('#meeting-search').fill('停车');
	await expect(a.page.getByTestId('meeting-row')).toHaveCount(0);
	await a.context.close();
	await b.context.close();
});

test('pasted HTML with scripts, event handlers and javascript: URLs is neutralised by the schema', async ({
	browser
}) => {
	const a = await secretaryPhone(browser, '王秀英');
	const url = await createMeetingVia(a.page, a.community.communityId, { title: '粘贴测试' });
	const dialogs: string[] = [];
	const consoleErrors: string[] = [];
	a.page.on('dialog', (dialog) => {
		dialogs.push(dialog.message());
		void dialog.dismiss();
	});
	a.page.on('console', (message) => {
		if (message.type() === 'error') consoleErrors.push(message.text());
	});
	await focusEnd(a.page);
	await a.page.evaluate(() => {
		const html =
			'<p onclick="alert(1)" onmouseover="window.__pwned=3">安全文字<script>window.__pwned=1;alert(2)</script>' +
			'<img src="x" onerror="window.__pwned=2;alert(3)">' +
			'<a href="javascript:alert(4)">链接</a><b onfocus="alert(5)">加粗</b></p>' +
			'<svg><script>alert(6)</script></svg><iframe src="javascript:alert(7)"></iframe>';
		const data = new DataTransfer();
		data.setData('text/html', html);
		data.setData('text/plain', '安全文字链接加粗');
		const target = document.querySelector('[data-testid="minutes-editor"]');
		target?.dispatchEvent(
			new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })
		);
	});
	await expect(editor(a.page)).toContainText('安全文字链接加粗');
	const dom = await editor(a.page).evaluate((element) => ({
		html: element.innerHTML,
		dangerous: element.querySelectorAll(
			'script, iframe, img, svg, a, [onclick], [onerror], [onmouseover], [onfocus]'
		).length
	}));
	expect(dom.dangerous).toBe(0);
	expect(dom.html).not.toMatch(/javascript:|onerror|onclick|<script/i);
	await expectAllOnServer(a.page);
	const stored = await minutesOnRelay(
		a.page,
		`c/${a.community.communityId}/meetings/${url.split('/').pop()}`
	);
	expect(stored).toContain('安全文字');
	expect(stored).not.toMatch(
		/script|onerror|onclick|onmouseover|onfocus|javascript:|iframe|<img|<a /i
	);
	expect(
		await a.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)
	).toBeUndefined();
	expect(dialogs).toEqual([]);
	expect(consoleErrors.filter((text) => /pwned|alert/i.test(text))).toEqual([]);
	await a.context.close();
});
