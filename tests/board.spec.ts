/**
 * Board views against demo data (`sync-server/demo.ts` seeding the test relay's DATA_DIR): filters,
 * search and sort kept in the URL across a reload; the community board with cases held above the
 * grid; virtualisation of a board of a few hundred cases; the column view on a wide screen.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import {
	createInviteVia,
	goOffline,
	joinThrough,
	joinedPhone,
	openControlled,
	RELAY_ORIGIN,
	uniqueCommunity
} from './helpers';

const run = promisify(execFile);

type Demo = {
	communityId: string;
	/** `member`: the grid member's name the demo assigns that grid's cases to (plain names). */
	grids: { id: string; name: string; member: string }[];
	cases: number;
	inviteUrl: string;
};

/** `npm run demo -- --id <id> --cases <n> --json` against the test relay's DATA_DIR. */
async function seedDemo(cases: number): Promise<Demo> {
	const { stdout } = await run(
		process.execPath,
		[
			'--experimental-strip-types',
			'--experimental-sqlite',
			'--disable-warning=ExperimentalWarning',
			'sync-server/demo.ts',
			'--id',
			uniqueCommunity('demo'),
			'--cases',
			String(cases),
			'--json',
			'--url',
			RELAY_ORIGIN
		],
		{ env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR } }
	);
	return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Demo;
}

const rows = (page: Page) => page.getByTestId('case-row');

async function createdTimes(page: Page): Promise<number[]> {
	return (await rows(page).evaluateAll((els) => els.map((el) => el.getAttribute('data-created'))))
		.map(Number)
		.filter((n) => Number.isFinite(n));
}

test('filters, search and sort narrow a grid board, live in the URL and survive a reload', async ({
	browser
}) => {
	const demo = await seedDemo(240);
	const { page } = await joinedPhone(browser, '李书记', demo.inviteUrl);
	const grid = demo.grids[0]!;
	await page.goto(`/c/${demo.communityId}/g/${grid.id}`);
	await expect(page.getByTestId('case-list')).toHaveAttribute('data-count', '20');

	// Status chip: the count on the chip is the number of rows the filter leaves. The demo is
	// seeded by its (unique) id, so take the first status this grid has cases in.
	let chosen: string | null = null;
	let count = 0;
	for (const status of ['reported', 'accepted', 'in_progress', 'resolved', 'reviewed', 'closed']) {
		count = Number(await page.getByTestId(`count-${status}`).textContent());
		if (count > 0) {
			chosen = status;
			break;
		}
	}
	expect(chosen).not.toBeNull();
	await page.getByTestId(`filter-${chosen}`).click();
	await expect(page).toHaveURL(new RegExp(`[?&]status=${chosen}`));
	await expect(page.getByTestId('case-list')).toHaveAttribute('data-count', String(count));
	for (const status of await rows(page).evaluateAll((els) =>
		els.map((el) => el.getAttribute('data-status'))
	)) {
		expect(status).toBe(chosen);
	}
	await page.getByTestId('filter-all').click();
	await expect(page).not.toHaveURL(/status=/);

	// Search: a building of this grid (every location names one); Latin-free, plain substring.
	const location = (await rows(page).first().locator('.muted').first().textContent()) ?? '';
	const building = /[\u4e00-\u9fa5（）]+\d+栋/.exec(location)?.[0];
	expect(building).toBeTruthy();
	await page.getByTestId('board-search').fill(building!);
	await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(building!)}`));
	const matching = Number(await page.getByTestId('case-list').getAttribute('data-count'));
	expect(matching).toBeGreaterThan(0);
	expect(matching).toBeLessThan(20);
	for (const text of await rows(page).allTextContents()) expect(text).toContain(building);

	// Sort: oldest first.
	await page.getByTestId('board-sort').selectOption('oldest');
	await expect(page).toHaveURL(/sort=oldest/);
	const oldest = await createdTimes(page);
	expect(oldest).toEqual([...oldest].sort((a, b) => a - b));

	// Reload: the same query, the same rows.
	const url = page.url();
	await page.reload();
	await expect(page).toHaveURL(url);
	await expect(page.getByTestId('board-search')).toHaveValue(building!);
	await expect(page.getByTestId('board-sort')).toHaveValue('oldest');
	await expect(page.getByTestId('case-list')).toHaveAttribute('data-count', String(matching));
	expect(await createdTimes(page)).toEqual(oldest);

	// No matches: its own empty state.
	await page.getByTestId('board-search').fill('不存在的关键词xyz');
	await expect(page.getByTestId('empty-state')).toBeVisible();
	await expect(rows(page)).toHaveCount(0);
});

test('the status chips count what the search text leaves, on a grid board and the community board (issue 15)', async ({
	browser
}) => {
	const demo = await seedDemo(240);
	const { page } = await joinedPhone(browser, '李书记', demo.inviteUrl);
	const grid = demo.grids[0]!;
	await page.goto(`/c/${demo.communityId}/g/${grid.id}`);
	await expect(page.getByTestId('case-list')).toHaveAttribute('data-count', '20');
	const STATUSES = ['reported', 'accepted', 'in_progress', 'resolved', 'reviewed', 'closed'];
	const chipCount = async (testid: string) =>
		Number(await page.getByTestId(testid).locator('.count').first().textContent());

	const location = (await rows(page).first().locator('.muted').first().textContent()) ?? '';
	const building = /[\u4e00-\u9fa5（）]+\d+栋/.exec(location)?.[0];
	expect(building).toBeTruthy();
	await page.getByTestId('board-search').fill(building!);
	await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(building!)}`));
	const matching = Number(await page.getByTestId('case-list').getAttribute('data-count'));
	expect(matching).toBeGreaterThan(0);
	expect(matching).toBeLessThan(20);

	// "All" counts the matches, and the status chips add up to them.
	await expect(page.getByTestId('filter-all').locator('.count')).toHaveText(String(matching));
	let sum = 0;
	const counts = new Map<string, number>();
	for (const status of STATUSES) {
		const count = Number(await page.getByTestId(`count-${status}`).textContent());
		counts.set(status, count);
		sum += count;
	}
	expect(sum).toBe(matching);
	// Each chip counts exactly the rows tapping it shows (search still on).
	for (const [status, count] of counts) {
		if (count === 0) continue;
		await page.getByTestId(`filter-${status}`).click();
		await expect(page.getByTestId('case-list')).toHaveAttribute('data-count', String(count));
		for (const text of await rows(page).allTextContents()) expect(text).toContain(building);
		await expect(page.getByTestId('filter-all').locator('.count')).toHaveText(String(matching));
		await page.getByTestId(`filter-${status}`).click();
	}
	expect(await chipCount('filter-all')).toBe(matching);

	// The community board: the same rule over every grid's open cases.
	await page.goto(`/c/${demo.communityId}/board?q=${encodeURIComponent(building!)}`);
	await expect(page.getByTestId('board-search')).toHaveValue(building!);
	await expect(rows(page).first()).toBeVisible();
	const shown = Number(await page.getByTestId('case-list').getAttribute('data-count'));
	await expect(page.getByTestId('filter-all').locator('.count')).toHaveText(String(shown));
	let openSum = 0;
	for (const status of ['reported', 'accepted', 'in_progress']) {
		openSum += Number(await page.getByTestId(`count-${status}`).textContent());
	}
	expect(openSum).toBe(shown);
});

test('我的案件: a grid member sees the open cases assigned to them, overdue first, then due soon, also offline (issue 15)', async ({
	browser
}) => {
	const demo = await seedDemo(240);
	const secretary = await joinedPhone(browser, '李书记', demo.inviteUrl);
	const grid = demo.grids[0]!;
	// The demo assigned this grid's cases to its member by name (as before members could be
	// picked): the member who joins with that name finds them.
	const member = await joinedPhone(
		browser,
		grid.member,
		await createInviteVia(secretary.page, { role: 'grid-member', grids: [grid.id] })
	);
	const { page } = member;

	// What the board says: open cases of this grid with this assignee.
	await page.goto(`/c/${demo.communityId}/g/${grid.id}`);
	await expect(page.getByTestId('case-list')).toHaveAttribute('data-count', '20');
	await page.goto(
		`/c/${demo.communityId}/g/${grid.id}?assignee=${encodeURIComponent(grid.member)}&status=accepted,in_progress,reported`
	);
	await expect(page.getByTestId('board-count')).toContainText('20');
	const assigned = Number(await page.getByTestId('case-list').getAttribute('data-count'));
	expect(assigned).toBeGreaterThan(0);

	// One more, due tomorrow (within two days): it is due soon, and comes after the overdue ones.
	const tomorrow = new Intl.DateTimeFormat('en-CA', {
		timeZone: 'Asia/Shanghai',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit'
	}).format(Date.now() + 86_400_000);
	await page.goto(`/c/${demo.communityId}/g/${grid.id}`);
	await page.getByTestId('case-new').click();
	await page.locator('#case-title').fill('明天前修好5号楼单元门');
	await page.locator('#case-deadline').fill(tomorrow);
	await page.getByTestId('case-submit').click();
	await expect(page.getByTestId('case-title')).toHaveText('明天前修好5号楼单元门');
	await page.getByTestId('case-assign').click();
	await page.getByTestId('assignee-input').fill(grid.member);
	await page.getByTestId('assignees-save').click();
	await expect(page.getByTestId('case-assignees')).toContainText(grid.member);
	const expected = assigned + 1;

	// The service worker controls the page, so it opens offline later.
	await openControlled(page, `/c/${demo.communityId}`);
	await page.getByTestId('my-cases-link').click();
	await expect(page).toHaveURL(new RegExp(`/c/${demo.communityId}/my-work#my-cases$`));
	const mine = page.getByTestId('my-case');
	await expect(mine).toHaveCount(expected);
	const RANK: Record<string, number> = { overdue: 0, due_soon: 1, later: 2 };
	const order = async () =>
		(await mine.evaluateAll((els) => els.map((el) => el.getAttribute('data-urgency') ?? ''))).map(
			(urgency) => RANK[urgency] ?? -1
		);
	const ranks = await order();
	expect(ranks.every((rank) => rank >= 0)).toBe(true);
	expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
	// Old open cases of the demo are past their tier's days: some are overdue, and they lead.
	expect(ranks[0]).toBe(0);
	await expect(page.getByTestId('my-cases-group-overdue')).toBeVisible();
	// Then the due-soon group, the case due tomorrow in it, after the last overdue case.
	await expect(page.getByTestId('my-cases-group-due_soon')).toBeVisible();
	expect(ranks.indexOf(1)).toBeGreaterThan(ranks.lastIndexOf(0));
	const soon = mine.filter({ hasText: '明天前修好5号楼单元门' });
	await expect(soon).toHaveAttribute('data-urgency', 'due_soon');
	const titles = await mine.allTextContents();
	const soonAt = titles.findIndex((text) => text.includes('明天前修好5号楼单元门'));
	expect(soonAt).toBeGreaterThan(ranks.lastIndexOf(0));
	const headings = await page
		.locator('#my-cases h3')
		.evaluateAll((els) => els.map((el) => el.getAttribute('data-testid')));
	expect(headings.indexOf('my-cases-group-due_soon')).toBe(
		headings.indexOf('my-cases-group-overdue') + 1
	);
	for (const text of await mine.allTextContents()) expect(text).toContain(grid.name);
	// Overdue rows say so.
	await expect(mine.filter({ has: page.getByTestId('case-overdue') }).first()).toBeVisible();

	// Offline (the boards are on the device): the same list.
	await goOffline(member);
	await expect(mine).toHaveCount(expected);
	expect(await order()).toEqual(ranks);
	await member.context.close();
	await secretary.context.close();
});

test('the community board shows every grid’s open cases and those held at community tier and above', async ({
	browser
}) => {
	const demo = await seedDemo(360);
	const { page } = await joinedPhone(browser, '李书记', demo.inviteUrl);
	await page.getByTestId('community-board-link').click();
	await expect(page).toHaveURL(new RegExp(`/c/${demo.communityId}/board$`));
	await expect(page.getByTestId('case-list')).toBeVisible();

	// Cases of several grids together (boards arrive one by one), all open.
	const gridNamesShown = () =>
		rows(page).evaluateAll(
			(els) => new Set(els.map((el) => el.querySelector('.grid')?.textContent?.trim())).size
		);
	await expect.poll(gridNamesShown).toBeGreaterThan(1);
	for (const status of await rows(page).evaluateAll((els) =>
		els.map((el) => el.getAttribute('data-status'))
	)) {
		expect(['reported', 'accepted', 'in_progress']).toContain(status);
	}

	// Held above the grid: every row names its tier (not the grid) and since when.
	await page.getByTestId('community-held').click();
	await expect(page).toHaveURL(/tier=community,department,street/);
	await expect(rows(page).first()).toBeVisible();
	await expect.poll(gridNamesShown).toBeGreaterThan(1);
	const tiers = await page
		.getByTestId('case-tier')
		.evaluateAll((els) => els.map((el) => el.getAttribute('data-tier')));
	expect(tiers.length).toBeGreaterThan(0);
	expect(tiers.length).toBe(await rows(page).count());
	for (const tier of tiers) expect(['community', 'street', 'department']).toContain(tier);

	// The grid filter narrows to one grid.
	await page.getByTestId('community-all').click();
	await page.getByTestId('filters-more').click();
	const grid = demo.grids[3]!;
	await page.getByTestId('filter-grid').selectOption(grid.id);
	await expect(page).toHaveURL(new RegExp(`grid=${grid.id}`));
	for (const name of await rows(page).evaluateAll((els) =>
		els.map((el) => el.querySelector('.grid')?.textContent?.trim())
	)) {
		expect(name).toBe(grid.name);
	}
});

test('a board of a few hundred cases keeps a bounded number of rows in the DOM while scrolling', async ({
	browser
}) => {
	const demo = await seedDemo(3600);
	const { page } = await joinedPhone(browser, '李书记', demo.inviteUrl);
	const grid = demo.grids[0]!;
	await page.goto(`/c/${demo.communityId}/g/${grid.id}`);
	const list = page.getByTestId('case-list');
	await expect(list).toHaveAttribute('data-count', '300');
	const bound = 40;
	expect(await rows(page).count()).toBeLessThan(bound);

	// Scroll to the end: the last case is rendered, the first is not, the DOM stays small.
	await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
	await expect(page.locator('li[data-index="299"]')).toBeVisible();
	await expect(page.locator('li[data-index="0"]')).toHaveCount(0);
	expect(await rows(page).count()).toBeLessThan(bound);

	// Keyboard: Home moves focus to the first case, scrolling it back into the DOM.
	await page.locator('li[data-index="299"] a').focus();
	await page.keyboard.press('Home');
	await expect(page.locator('li[data-index="0"] a')).toBeFocused();
	await page.keyboard.press('ArrowDown');
	await expect(page.locator('li[data-index="1"] a')).toBeFocused();
	expect(await rows(page).count()).toBeLessThan(bound);
});

test('on a wide screen the board shows columns by status, and the choice is in the URL', async ({
	browser
}) => {
	const demo = await seedDemo(240);
	const context = await browser.newContext({
		viewport: { width: 1280, height: 800 },
		locale: 'zh-CN'
	});
	const page = await context.newPage();
	await joinThrough(page, demo.inviteUrl, '李书记');
	const grid = demo.grids[1]!;
	await page.goto(`/c/${demo.communityId}/g/${grid.id}`);
	await expect(page.getByTestId('case-list')).toBeVisible();

	await page.getByTestId('view-columns').click();
	await expect(page).toHaveURL(/view=columns/);
	const columns = page.getByTestId('board-columns');
	await expect(columns).toBeVisible();
	// Each column holds only its status, and the columns together hold the whole board.
	let total = 0;
	for (const status of ['reported', 'accepted', 'in_progress', 'resolved']) {
		const column = page.getByTestId(`column-${status}`);
		await expect(column).toBeVisible();
		for (const value of await column
			.getByTestId('case-row')
			.evaluateAll((els) => els.map((el) => el.getAttribute('data-status')))) {
			expect(value).toBe(status);
		}
		total += Number(await column.locator('h2 .count').textContent());
	}
	expect(total).toBeGreaterThan(0);

	await page.reload();
	await expect(page.getByTestId('board-columns')).toBeVisible();

	// A phone opening the same link gets the list: columns need the width.
	await page.setViewportSize({ width: 360, height: 740 });
	await expect(page.getByTestId('board-columns')).toHaveCount(0);
	await expect(page.getByTestId('case-list')).toBeVisible();
	await context.close();
});
