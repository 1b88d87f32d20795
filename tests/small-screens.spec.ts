/**
 * Small phones and accessibility (issue 15): every screen, signed in as each role, in zh-CN and in
 * English, at 320, 360 and 390 px wide:
 * - nothing scrolls sideways: the document is no wider than the screen, and no element reaches
 *   past the screen's right edge unless it sits inside a container that scrolls or clips on
 *   purpose (the status chips scroll sideways; a board row cuts its lines with an ellipsis);
 * - at 320 px, form controls keep their labels readable ("排序" on one line, the "仅看超期"
 *   checkbox a checkbox and not a column, "撤销", "每人时长", the hours month field) and the
 *   bottom bar's labels stay apart;
 * - axe-core finds no serious or critical violation (every rule on, nothing excluded).
 * One browser context per role; the data is seeded once, through the UI and the relay API.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import {
	addGrid,
	createInviteVia,
	expectAllOnServer,
	joinedPhone,
	newPhone,
	openControlled,
	reportCase,
	secretaryPhone,
	type Phone
} from './helpers';

const WIDTHS = [320, 360, 390] as const;
const LANGUAGES = ['zh-CN', 'en'] as const;
type Language = (typeof LANGUAGES)[number];
type Role = 'secretary' | 'grid-member' | 'volunteer' | 'observer';

const LONG_TITLE = '3号楼楼道堆放杂物堵塞消防通道，住户多次反映仍未清理，消防检查前必须处理完毕';
const LONG_GRID = '幸福里小区第一网格（东区3至8号楼及沿街商铺）';
/** What "Recently deleted" lists: a case on the board and a whole grid, each with a long name. */
const DELETED_TITLE = '2号楼东侧围墙外违章搭建的彩钢棚已拆除，此前登记的问题重复，予以删除';
const DELETED_GRID = '幸福里小区临时网格（西区施工期间代管的9至12号楼及地下车库）';

type Seed = {
	communityId: string;
	gridId: string;
	caseUrl: string;
	taskUrl: string;
	routeUrl: string;
	runUrl: string;
	wishUrl: string;
	meetingUrl: string;
	householdUrl: string;
	/** An invite nobody redeems: the join page's name form, and "撤销" on the members screen. */
	openInvite: string;
};

let seed: Seed;
const phones = new Map<Role, Phone>();

const path = (url: string) => new URL(url).pathname;

/** The secretary seeds a community with a bit of everything; the other roles join it. */
test.beforeAll(async ({ browser }) => {
	test.setTimeout(180_000);
	const secretary = await secretaryPhone(browser, '王书记');
	phones.set('secretary', secretary);
	const s = secretary.page;
	const { communityId } = secretary.community;
	const home = `/c/${communityId}`;

	await addGrid(s, LONG_GRID);
	await addGrid(s, '第二网格');
	const gridId = (await s
		.getByTestId('grid-row')
		.filter({ hasText: LONG_GRID })
		.getAttribute('data-grid-id'))!;
	await s.goto(`${home}/g/${gridId}`);
	await reportCase(s, { title: '路灯不亮', category: 'public_facilities', location: '5栋' });
	await s.goto(`${home}/g/${gridId}`);
	await reportCase(s, {
		title: LONG_TITLE,
		category: 'fire_safety',
		location: '3号楼2单元一楼至六楼楼道及消防通道',
		description: '楼道内堆放纸箱、旧家具和电动自行车，消防通道被堵。'
	});
	const caseUrl = s.url();

	await s.goto(`${home}/tasks/new`);
	await s.locator('#task-title').fill('周六清理3号楼楼道杂物，恢复消防通道畅通');
	await s.locator('#task-place').fill('3号楼2单元');
	await s.locator('#task-needed').fill('2');
	await s.getByTestId('task-submit').click();
	await expect(s.getByTestId('task-title')).toBeVisible();
	const taskUrl = s.url();

	await s.goto(`${home}/patrols`);
	await s.getByTestId('patrol-route-new').click();
	await s.locator('#route-name').fill('啄木鸟巡查 东片消防通道与飞线充电');
	await s.locator('#route-area').fill('幸福里小区');
	await s.locator('#route-grid').selectOption({ label: LONG_GRID });
	await s.locator('#route-checklist').fill('消防通道畅通\n无飞线充电\n门前三包');
	await s.getByTestId('patrol-route-submit').click();
	await s.getByTestId('patrol-route-row').getByRole('link').click();
	await expect(s.getByTestId('patrol-route-name')).toBeVisible();
	const routeUrl = s.url();
	await s.getByTestId('patrol-start').click();
	await s.waitForURL(/\/patrols\/run\//);
	const runUrl = s.url();

	await s.goto(`${home}/wishes`);
	await s.getByTestId('wish-new').click();
	await s.locator('#wish-who').fill('5号楼 张奶奶');
	await s.locator('#wish-what').fill('想要一副老花镜，方便看药品说明书');
	await s.getByTestId('wish-submit').click();
	await s.getByTestId('wish-row').getByRole('link').click();
	await s.getByTestId('wish-publish').click();
	await expect(s.getByTestId('wish')).toHaveAttribute('data-status', 'published');
	const wishUrl = s.url();

	await s.goto(`${home}/meetings`);
	await s.getByTestId('meeting-new').click();
	await s.locator('#meeting-title').fill('楼下议事：3号楼楼道杂物与电动车飞线充电');
	await s.locator('#meeting-place').fill('社区会议室');
	await s.locator('#meeting-agenda').fill('一、楼道杂物清理\n二、飞线充电\n三、充电桩选址');
	await s.getByTestId('meeting-create').click();
	await expect(s.getByTestId('meeting-title')).toBeVisible();
	const meetingUrl = s.url();
	// A household with a long address, two residents (masked phone and ID number) and a visit.
	await s.goto(`${home}/g/${gridId}/households`);
	await s.getByTestId('household-add-first').click();
	await s.locator('#hh-compound').fill('幸福里小区东区');
	await s.locator('#hh-building').fill('12号楼');
	await s.locator('#hh-unit').fill('3单元');
	await s.locator('#hh-room').fill('1502室');
	await s.locator('#hh-colour').selectOption('red');
	await s.locator('#hh-reason').fill('高龄独居老人，患有慢性病，行动不便，需每周上门走访');
	await s.locator('#hh-r0-name').fill('欧阳秀英');
	await s.locator('#hh-r0-phone').fill('13812345678');
	await s.locator('#hh-r0-id').fill('11010519400101123X');
	await s.getByTestId('household-submit').click();
	await expect(s.getByTestId('household-address')).toBeVisible();
	const householdUrl = s.url();
	await s.getByTestId('visit-new').click();
	await s.locator('#visit-findings').fill('老人精神尚可，反映楼道灯不亮，已记录');
	await s.getByTestId('visit-save').click();
	await expect(s.getByTestId('visit')).toHaveCount(1);
	// "Recently deleted": a case deleted from the board, a grid deleted from the grids page.
	await s.goto(`${home}/g/${gridId}`);
	await reportCase(s, { title: DELETED_TITLE, category: 'public_facilities', location: '2栋' });
	await s.getByTestId('case-delete').click();
	await s.getByTestId('case-delete-dialog-confirm').click();
	await expect(s.getByTestId('case-deleted')).toBeVisible();
	await s.goto(home);
	await addGrid(s, DELETED_GRID);
	await s.goto(`${home}/settings/grids`);
	await s
		.getByTestId('grid-setting')
		.filter({ hasText: DELETED_GRID })
		.getByTestId('grid-delete')
		.click();
	await s.getByTestId('grid-delete-dialog-confirm').click();
	await expect(s.getByTestId('deleted-grid').filter({ hasText: DELETED_GRID })).toBeVisible();
	await expectAllOnServer(s);

	const invites = {
		'grid-member': await createInviteVia(s, { role: 'grid-member', grids: [gridId] }),
		volunteer: await createInviteVia(s, { role: 'volunteer' }),
		observer: await createInviteVia(s, { role: 'observer' })
	};
	const openInvite = await createInviteVia(s, { role: 'volunteer', maxUses: 5 });
	const names = { 'grid-member': '李网格员', volunteer: '刘芳', observer: '街道观察员' };
	for (const role of ['grid-member', 'volunteer', 'observer'] as const) {
		phones.set(role, await joinedPhone(browser, names[role], invites[role]));
	}
	// The volunteer takes a place, so "my work" and the task page show a claim.
	const v = phones.get('volunteer')!.page;
	await openControlled(v, taskUrl);
	await v.getByTestId('task-claim-button').click();
	await expect(v.getByTestId('task-claim')).toHaveCount(1);
	await expectAllOnServer(v);

	seed = {
		communityId,
		gridId,
		caseUrl: path(caseUrl),
		taskUrl: path(taskUrl),
		routeUrl: path(routeUrl),
		runUrl: path(runUrl),
		wishUrl: path(wishUrl),
		meetingUrl: path(meetingUrl),
		householdUrl: path(householdUrl),
		openInvite
	};
});

test.afterAll(async () => {
	for (const phone of phones.values()) await phone.context.close();
});

type Screen = {
	name: string;
	url: string;
	/** Shown once the screen's data is on it (or the screen says the role may not open it). */
	ready: string;
	/** Extra checks of this screen's controls at 320 px; returns the problems found. */
	controls?: (page: Page, language: Language) => Promise<string[]>;
	/** A button that opens a form (for roles that have it) and the form: checked again at 320 px. */
	opens?: [button: string, form: string];
};

function screens(): Screen[] {
	const c = `/c/${seed.communityId}`;
	const g = `${c}/g/${seed.gridId}`;
	const or = (...ids: string[]) => ids.map((id) => `[data-testid="${id}"]`).join(', ');
	return [
		{ name: 'community home', url: c, ready: or('grid-row'), opens: ['grid-add', '#grid-name'] },
		{
			name: 'community board',
			url: `${c}/board`,
			ready: `[data-testid="case-row"]:has-text("${LONG_TITLE.slice(0, 8)}")`,
			controls: boardRows
		},
		{
			name: 'grid board',
			url: g,
			ready: `[data-testid="case-row"]:has-text("${LONG_TITLE.slice(0, 8)}")`,
			controls: boardControls
		},
		{ name: 'new case', url: `${g}/new`, ready: or('case-submit', 'not-allowed') },
		{
			name: 'case page',
			url: seed.caseUrl,
			ready: or('case-title'),
			opens: ['case-edit', '[data-testid="case-form"]']
		},
		{
			name: 'households',
			url: `${g}/households`,
			ready: or('household-row', 'not-allowed'),
			opens: ['household-add', '[data-testid="household-form"]']
		},
		{
			name: 'household page',
			url: seed.householdUrl,
			ready: or('visit', 'not-allowed'),
			opens: ['visit-new', '[data-testid="visit-form"]']
		},
		{
			// The secretary's "as it was on…" panel, its days asked of the relay.
			name: 'household page, as it was',
			url: seed.householdUrl,
			ready: or('visit', 'not-allowed'),
			opens: ['as-of-open', '[data-testid="as-of-day"]']
		},
		{ name: 'my visits', url: `${c}/visits`, ready: or('my-visit', 'not-allowed') },
		{
			name: 'household import',
			url: `${g}/households/import`,
			ready: or('import-file', 'not-allowed')
		},
		{
			name: 'household export',
			url: `${g}/households/export`,
			ready: or('export-go', 'not-allowed')
		},
		{
			name: 'household export record',
			url: `${g}/households/exports`,
			ready: or('export-log', 'not-allowed')
		},
		{
			name: 'community household export',
			url: `${c}/households/export`,
			ready: or('export-go', 'not-allowed')
		},
		{
			name: 'building households',
			url: `${g}/map/building/nowhere`,
			ready: or('building-not-found', 'not-allowed')
		},
		{ name: 'community map', url: `${c}/map`, ready: or('map') },
		{ name: 'grid map', url: `${g}/map`, ready: or('map') },
		{ name: 'tasks', url: `${c}/tasks`, ready: or('task-row') },
		{
			name: 'new task',
			url: `${c}/tasks/new`,
			ready: or('task-form', 'not-allowed'),
			controls: newTaskControls
		},
		{ name: 'task page', url: seed.taskUrl, ready: or('task-claim') },
		{ name: 'my work', url: `${c}/my-work`, ready: or('my-hours') },
		{
			name: 'patrols',
			url: `${c}/patrols`,
			ready: or('patrol-route-row'),
			opens: ['patrol-route-new', '[data-testid="patrol-route-form"]']
		},
		{ name: 'patrol route', url: seed.routeUrl, ready: or('patrol-route-name') },
		{ name: 'patrol run', url: seed.runUrl, ready: or('patrol-checklist') },
		{
			name: 'wishes',
			url: `${c}/wishes`,
			ready: or('wish-row'),
			opens: ['wish-new', '[data-testid="wish-form"]']
		},
		{ name: 'wish page', url: seed.wishUrl, ready: or('wish') },
		{
			name: 'hours',
			url: `${c}/hours`,
			ready: or('hours-mine-total'),
			controls: hoursControls
		},
		{
			name: 'meetings',
			url: `${c}/meetings`,
			ready: or('meeting-row'),
			opens: ['meeting-new', '#meeting-title']
		},
		{
			name: 'meeting page',
			url: seed.meetingUrl,
			ready: or('minutes-editor'),
			opens: ['details-edit', '[data-testid="details-form"]']
		},
		{
			name: 'members',
			url: `${c}/members`,
			ready: `${or('not-allowed')}, [data-testid="invite-row"]`,
			controls: membersControls,
			opens: ['invite-new', '[data-testid="invite-form"]']
		},
		{
			name: 'community settings',
			url: `${c}/settings`,
			ready: or('settings-categories', 'not-allowed')
		},
		{
			// The secretary's grids, with one deleted; its "delete" asks first (the dialog at 320 px).
			name: 'grids settings',
			url: `${c}/settings/grids`,
			ready: or('deleted-grid', 'not-allowed'),
			opens: ['grid-delete', '[data-testid="grid-delete-dialog"]']
		},
		{
			name: 'deleted cases',
			url: `${g}/deleted`,
			ready: or('deleted-case', 'not-allowed')
		},
		{
			name: 'community ZIP',
			url: `${c}/export`,
			ready: or('zip-build', 'not-allowed'),
			controls: zipControls
		},
		{ name: 'dashboard', url: `${c}/dashboard`, ready: or('grid-figures-total', 'not-allowed') },
		{ name: 'report', url: `${c}/report`, ready: or('grid-figures-total', 'not-allowed') },
		{ name: 'device settings', url: '/settings', ready: or('membership'), controls: navControls },
		{ name: 'join page (signed in)', url: '/join', ready: or('join') }
	];
}

/** What sticks out past the right edge of the screen, outside containers that scroll or clip. */
function overflowAt(page: Page, width: number): Promise<string[]> {
	return page.evaluate((width) => {
		const problems: string[] = [];
		const scrollWidth = document.scrollingElement!.scrollWidth;
		if (scrollWidth > width) problems.push(`document is ${scrollWidth} px wide`);
		const describe = (element: Element) => {
			const id = element.getAttribute('data-testid') ?? element.id;
			const cls = element.getAttribute('class')?.split(' ')[0];
			const text = (element.textContent ?? '').trim().slice(0, 24);
			return `<${element.tagName.toLowerCase()}${id ? ` ${id}` : ''}${cls ? ` .${cls}` : ''}> "${text}"`;
		};
		const clipsOrScrolls = (element: Element) => {
			const style = getComputedStyle(element);
			return style.overflowX !== 'visible';
		};
		for (const element of document.body.querySelectorAll('*')) {
			const box = element.getBoundingClientRect();
			if (box.width === 0 || box.height === 0 || box.right <= width + 0.5) continue;
			let inside = false;
			for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
				if (clipsOrScrolls(up)) {
					inside = true;
					break;
				}
			}
			// Report the outermost offender only: its children stick out with it.
			const parent = element.parentElement;
			const parentOut =
				parent && parent !== document.body && parent.getBoundingClientRect().right > width + 0.5;
			if (!inside && !parentOut) {
				problems.push(`${describe(element)} reaches ${Math.round(box.right)} px`);
			}
		}
		return problems;
	}, width);
}

/** How many lines the element's text takes, and its box. */
async function textLines(
	page: Page,
	selector: string
): Promise<{ lines: number; width: number }[]> {
	return page.locator(selector).evaluateAll((elements) =>
		elements.map((element) => {
			const range = document.createRange();
			range.selectNodeContents(element);
			const tops = new Set<number>();
			for (const rect of range.getClientRects()) {
				if (rect.width > 0) tops.add(Math.round(rect.top / 4));
			}
			return { lines: tops.size, width: element.getBoundingClientRect().width };
		})
	);
}

async function linesAtMost(
	page: Page,
	selector: string,
	max: number,
	what: string
): Promise<string[]> {
	const found = await textLines(page, selector);
	if (found.length === 0) return [`${what}: not found (${selector})`];
	return found
		.filter(({ lines }) => lines > max)
		.map(({ lines }) => `${what} takes ${lines} lines (at most ${max})`);
}

/** Board rows: a title wraps to at most two lines (the long one does wrap), badges stay inside. */
async function boardRows(page: Page): Promise<string[]> {
	const rows = await page.getByTestId('case-row').evaluateAll((elements) =>
		elements.map((row) => {
			const title = row.querySelector('.title')!;
			const range = document.createRange();
			range.selectNodeContents(title);
			const tops = new Set(
				[...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top / 4))
			);
			const box = row.getBoundingClientRect();
			const outside = [...row.querySelectorAll('.badge, .flag, .thumb')]
				.map((part) => part.getBoundingClientRect())
				.filter((part) => part.left < box.left - 0.5 || part.right > box.right + 0.5).length;
			return {
				title: title.textContent!.trim(),
				titleLines: tops.size,
				titleHeight: title.getBoundingClientRect().height,
				lineHeight: parseFloat(getComputedStyle(title).lineHeight),
				outside
			};
		})
	);
	const problems: string[] = [];
	if (rows.length === 0) problems.push('no board rows');
	for (const row of rows) {
		const shownLines = Math.round(row.titleHeight / row.lineHeight);
		if (shownLines > 2) problems.push(`row title "${row.title}" shows ${shownLines} lines`);
		if (row.outside > 0)
			problems.push(`row "${row.title}": ${row.outside} badge(s) outside the card`);
		if (row.title === LONG_TITLE && row.titleLines < 2) {
			problems.push('the long title is cut on one line instead of wrapping');
		}
	}
	return problems;
}

async function boardControls(page: Page): Promise<string[]> {
	const rows = await boardRows(page);
	await page.getByTestId('filters-more').click();
	await expect(page.getByTestId('filter-overdue')).toBeVisible();
	const problems = [
		...rows,
		...(await linesAtMost(page, 'label:has([data-testid="board-sort"]) > span', 1, 'sort label')),
		...(await linesAtMost(
			page,
			'label:has([data-testid="filter-overdue"]) > span',
			1,
			'overdue filter label'
		))
	];
	const box = (await page.getByTestId('filter-overdue').boundingBox())!;
	if (box.width > 24 || box.height > 28) {
		problems.push(`overdue checkbox is ${Math.round(box.width)}×${Math.round(box.height)} px`);
	}
	return problems;
}

async function newTaskControls(page: Page): Promise<string[]> {
	if ((await page.getByTestId('task-form').count()) === 0) return [];
	const problems = await linesAtMost(
		page,
		'label[for="task-hours"]',
		2,
		'"hours per person" label'
	);
	for (const id of ['task-due', 'task-needed', 'task-hours']) {
		const width = (await page.locator(`#${id}`).boundingBox())!.width;
		if (width < 72) problems.push(`#${id} is only ${Math.round(width)} px wide`);
	}
	return problems;
}

async function hoursControls(page: Page): Promise<string[]> {
	const month = page.getByTestId('hours-month');
	if ((await month.count()) === 0) return [];
	// The month field shows its whole value: the browser's own text of it fits in the box.
	const fits = await month.evaluate((input: HTMLInputElement) => {
		const box = input.getBoundingClientRect();
		return box.width >= 150 || input.scrollWidth <= input.clientWidth + 1;
	});
	const problems = fits ? [] : ['the month field is too narrow for its value'];
	return [...problems, ...(await linesAtMost(page, '.month-head h2', 1, 'the month heading'))];
}

async function membersControls(page: Page): Promise<string[]> {
	if ((await page.getByTestId('invite-row').count()) === 0) return [];
	return linesAtMost(page, '[data-testid="invite-row"] button', 1, '"revoke" button');
}

/** The community ZIP built (the secretary's): its size, contents and "as of" list at 320 px. */
async function zipControls(page: Page): Promise<string[]> {
	if ((await page.getByTestId('zip-build').count()) === 0) return [];
	await page.getByTestId('zip-build').click();
	await expect(page.getByTestId('zip-ready')).toBeVisible({ timeout: 60_000 });
	return [];
}

/** The bottom bar's labels: each inside its own tab, none running into the next. */
async function navControls(page: Page): Promise<string[]> {
	const boxes = await page
		.getByTestId('bottom-nav')
		.locator('a')
		.evaluateAll((links) =>
			links.map((link) => {
				const range = document.createRange();
				const text = [...link.childNodes].find(
					(node) => node.nodeType === Node.TEXT_NODE && node.textContent!.trim() !== ''
				);
				range.selectNodeContents(text ?? link);
				const words = range.getBoundingClientRect();
				const tab = link.getBoundingClientRect();
				const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top / 4)));
				return {
					label: link.textContent!.trim(),
					left: words.left,
					right: words.right,
					tabLeft: tab.left,
					tabRight: tab.right,
					lines: tops.size
				};
			})
		);
	const problems: string[] = [];
	if (boxes.length < 3) problems.push(`bottom bar has ${boxes.length} tabs`);
	boxes.forEach((box, i) => {
		if (box.left < box.tabLeft - 0.5 || box.right > box.tabRight + 0.5) {
			problems.push(`bottom bar label "${box.label}" spills out of its tab`);
		}
		const wordCount = box.label.split(/\s+/).length;
		if (box.lines > Math.min(2, wordCount)) {
			problems.push(`bottom bar label "${box.label}" takes ${box.lines} lines`);
		}
		const next = boxes[i + 1];
		if (next && box.right > next.left - 2) {
			problems.push(`bottom bar labels "${box.label}" and "${next.label}" run together`);
		}
	});
	return problems;
}

/** Buttons keep their labels on at most two lines ("+ 登记问题" once took one line per character). */
async function squeezedButtons(page: Page): Promise<string[]> {
	const found = await page
		.locator('main button:visible, main .button:visible, main summary:visible')
		.evaluateAll((elements) =>
			elements.map((element) => {
				const range = document.createRange();
				range.selectNodeContents(element);
				const tops = new Set(
					[...range.getClientRects()]
						.filter((rect) => rect.width > 0)
						.map((rect) => Math.round(rect.top / 4))
				);
				return { text: (element.textContent ?? '').trim(), lines: tops.size };
			})
		);
	return found
		.filter(({ text, lines }) => text !== '' && lines > 2)
		.map(({ text, lines }) => `button "${text.slice(0, 20)}" takes ${lines} lines`);
}

/** Serious and critical axe-core violations on the screen as shown. */
async function axeProblems(page: Page): Promise<string[]> {
	// Legacy mode runs axe.run in the page itself: the default opens a new page per run to merge
	// results across frames, several times slower, and the app has no frames.
	const results = await new AxeBuilder({ page })
		.setLegacyMode()
		.options({ resultTypes: ['violations'] })
		.analyze();
	return results.violations
		.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
		.map(
			(violation) =>
				`axe ${violation.impact} ${violation.id}: ${violation.nodes
					.slice(0, 3)
					.map((node) => node.target.join(' '))
					.join(' | ')}`
		);
}

async function useLanguage(page: Page, language: Language): Promise<void> {
	await page.evaluate((locale) => localStorage.setItem('PARAGLIDE_LOCALE', locale), language);
}

/**
 * The screen's width in CSS pixels. (A phone browser zooms out to show a page wider than the
 * screen, and then `innerWidth` reports the page's width, so it cannot be the yardstick.)
 */
function layoutWidth(page: Page): Promise<number> {
	return page.evaluate(() => document.documentElement.clientWidth);
}

/**
 * Opens a URL inside the running app, as a tap on a link does (the app keeps its open documents:
 * much faster than loading the whole app again for every screen).
 */
async function navigate(page: Page, url: string): Promise<void> {
	await page.evaluate((href) => {
		const link = document.createElement('a');
		link.href = href;
		document.body.append(link);
		link.click();
		link.remove();
	}, url);
	await page.waitForURL((current) => current.pathname + current.hash === url);
}

/**
 * Waits for the screen's data. When it does not come, the failure says what the screen and the
 * sync status bar showed instead (a document still loading, offline, refused), not only "not found".
 */
async function expectReady(page: Page, screen: Screen): Promise<void> {
	try {
		await expect(page.locator(screen.ready).first()).toBeVisible();
	} catch (error) {
		const shown = async (selector: string) =>
			(
				await page
					.locator(selector)
					.first()
					.innerText({ timeout: 1000 })
					.catch(() => '—')
			)
				.replace(/\s+/g, ' ')
				.slice(0, 400);
		throw new Error(
			`${screen.name}: no ${screen.ready} at ${page.url()}\n` +
				`main: ${await shown('main')}\nsync bar: ${await shown('[data-testid="sync-bar"]')}`,
			{ cause: error }
		);
	}
}

/** Visits a screen and checks it at every width; axe and the control checks run at 320 px. */
async function checkScreen(
	page: Page,
	screen: Screen,
	language: Language,
	load = false
): Promise<string[]> {
	await page.setViewportSize({ width: WIDTHS[0], height: 740 });
	if (load) await page.goto(screen.url);
	else await navigate(page, screen.url);
	await expect(page.locator('html')).toHaveAttribute('lang', language);
	await expectReady(page, screen);
	await expect(page.locator('main h1').first()).toBeVisible();
	const problems: string[] = [];
	for (const width of WIDTHS) {
		await page.setViewportSize({ width, height: 740 });
		await expect.poll(() => layoutWidth(page)).toBe(width);
		problems.push(...(await overflowAt(page, width)).map((problem) => `${width} px: ${problem}`));
	}
	await page.setViewportSize({ width: WIDTHS[0], height: 740 });
	await expect.poll(() => layoutWidth(page)).toBe(WIDTHS[0]);
	problems.push(...(await axeProblems(page)));
	problems.push(...(await squeezedButtons(page)).map((problem) => `320 px: ${problem}`));
	if (screen.controls) {
		problems.push(...(await screen.controls(page, language)).map((p) => `320 px: ${p}`));
		problems.push(
			...(await overflowAt(page, WIDTHS[0])).map((problem) => `320 px, controls open: ${problem}`)
		);
	}
	const [button, form] = screen.opens ?? [];
	if (button && form && (await page.getByTestId(button).count()) > 0) {
		await page.getByTestId(button).first().click();
		await expect(page.locator(form)).toBeVisible();
		const open = [
			...(await overflowAt(page, WIDTHS[0])),
			...(await squeezedButtons(page)),
			...(await axeProblems(page))
		];
		problems.push(...open.map((problem) => `320 px, ${button} open: ${problem}`));
	}
	return problems.map((problem) => `${screen.name} [${language}] ${problem}`);
}

for (const role of ['secretary', 'grid-member', 'volunteer', 'observer'] as const) {
	test(`every screen fits 320–390 px and passes axe, as ${role}, in zh-CN and English`, async () => {
		// Every screen twice at three widths (the secretary also builds the community ZIP).
		test.setTimeout(200_000);
		const { page } = phones.get(role)!;
		const problems: string[] = [];
		for (const language of LANGUAGES) {
			await useLanguage(page, language);
			for (const [i, screen] of screens().entries()) {
				problems.push(...(await checkScreen(page, screen, language, i === 0)));
			}
		}
		await useLanguage(page, 'zh-CN');
		expect(problems).toEqual([]);
	});
}

test('before sign-in: the welcome and join pages fit 320–390 px and pass axe, in zh-CN and English', async ({
	browser
}) => {
	const newcomer = await newPhone(browser, '新志愿者');
	const { page } = newcomer;
	const problems: string[] = [];
	for (const language of LANGUAGES) {
		await page.goto('/');
		await useLanguage(page, language);
		const welcome: Screen = { name: 'welcome', url: '/', ready: '[data-testid="welcome"]' };
		const join: Screen = {
			name: 'join page',
			url: `/join${new URL(seed.openInvite).hash}`,
			ready: '#display-name'
		};
		problems.push(...(await checkScreen(page, welcome, language, true)));
		problems.push(...(await checkScreen(page, join, language, true)));
	}
	expect(problems).toEqual([]);
	await newcomer.context.close();
});
