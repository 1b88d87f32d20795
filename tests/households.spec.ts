/**
 * The household register on phones (issue 18): a grid member registers households, sees a
 * resident's ID number masked and reveals it on purpose; a visit recorded in the basement with a
 * real photo reaches the secretary's phone once the signal is back; a red household overdue for
 * a visit is at the top of 我的走访; a volunteer who types the register's address sees "not
 * allowed" and never asks for (or stores) the grid's household document.
 */
import { expect, test, type Page } from '@playwright/test';
import {
	addGrid,
	cameraPhoto,
	createInviteVia,
	expectAllOnServer,
	goOffline,
	joinedPhone,
	openControlled,
	secretaryPhone,
	type Phone
} from './helpers';

const DAY_MS = 86_400_000;
/** A day `days` ago as the date field takes it, in the community's zone (Asia/Shanghai). */
const daysAgo = (days: number) =>
	new Date(Date.now() - days * DAY_MS).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });

/** A valid ID number (GB 11643 check character) for a birth date `yyyymmdd`. */
function idNumber(birth: string): string {
	const first17 = `110105${birth}123`;
	const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	const sum = [...first17].reduce((total, digit, i) => total + Number(digit) * weights[i]!, 0);
	return `${first17}${'10X98765432'[sum % 11]}`;
}

async function addHousehold(
	page: Page,
	input: {
		building: string;
		room: string;
		colour: string;
		reason?: string;
		name: string;
		id?: string;
	}
) {
	const first = page.getByTestId('household-add-first');
	await ((await first.isVisible()) ? first : page.getByTestId('household-add')).click();
	await page.locator('#hh-compound').fill('幸福里');
	await page.locator('#hh-building').fill(input.building);
	await page.locator('#hh-room').fill(input.room);
	await page.locator('#hh-colour').selectOption(input.colour);
	if (input.reason) await page.locator('#hh-reason').fill(input.reason);
	await page.locator('#hh-r0-name').fill(input.name);
	if (input.id) await page.locator('#hh-r0-id').fill(input.id);
	await page.locator('#hh-r0-phone').fill('13812345678');
	await page.getByTestId('household-submit').click();
	await expect(page.getByTestId('household-address')).toContainText(input.room);
}

async function recordVisit(page: Page, findings: string, day?: string) {
	await page.getByTestId('visit-new').click();
	if (day) await page.locator('#visit-day').fill(day);
	await page.locator('#visit-findings').fill(findings);
	await page.getByTestId('visit-save').click();
	await expect(page.getByTestId('visit-findings').filter({ hasText: findings })).toBeVisible();
}

test.describe.configure({ mode: 'serial' });

let secretary: Phone & { community: { communityId: string } };
let member: Phone;
let volunteer: Phone;
let registerUrl: string;
let redUrl: string;

test.beforeAll(async ({ browser }) => {
	test.setTimeout(120_000);
	secretary = await secretaryPhone(browser, '王书记');
	await addGrid(secretary.page, '幸福里网格');
	const gridId = (await secretary.page
		.getByTestId('grid-row')
		.filter({ hasText: '幸福里网格' })
		.getAttribute('data-grid-id'))!;
	await expectAllOnServer(secretary.page);
	registerUrl = `/c/${secretary.community.communityId}/g/${gridId}/households`;
	member = await joinedPhone(
		browser,
		'李网格员',
		await createInviteVia(secretary.page, { role: 'grid-member', grids: [gridId] })
	);
	volunteer = await joinedPhone(
		browser,
		'刘芳',
		await createInviteVia(secretary.page, { role: 'volunteer' })
	);
});

test.afterAll(async () => {
	for (const phone of [secretary, member, volunteer]) await phone?.context.close();
});

test('a grid member registers a household; its ID number shows masked until revealed on purpose', async () => {
	const page = member.page;
	const opened: string[] = [];
	page.on('websocket', (socket) => {
		if (decodeURIComponent(socket.url()).includes('/households/')) opened.push(socket.url());
	});
	await openControlled(page, registerUrl);
	// The member's phone does open the register (the volunteer's check below looks for the same).
	await expect.poll(() => opened.length).toBeGreaterThan(0);
	await expect(page.getByTestId('household-add-first')).toBeVisible();
	// A red colour needs a reason, an ID number its check digit: both said beside the fields.
	await page.getByTestId('household-add-first').click();
	await page.locator('#hh-building').fill('3号楼');
	await page.locator('#hh-colour').selectOption('red');
	await page.locator('#hh-r0-name').fill('张奶奶');
	await page.locator('#hh-r0-id').fill(idNumber('19400101').slice(0, 17) + '0');
	await page.getByTestId('household-submit').click();
	await expect(page.getByTestId('household-reason-error')).toBeVisible();
	await expect(page.locator('#hh-r0-id ~ .field-error')).toContainText(/校验位/);
	await page.getByTestId('household-form').getByRole('button', { name: '取消' }).click();

	const id = idNumber('19400101');
	await addHousehold(page, {
		building: '3号楼',
		room: '301室',
		colour: 'red',
		reason: '独居老人，腿脚不便',
		name: '张奶奶',
		id
	});
	redUrl = new URL(page.url()).pathname;
	const shown = page.getByTestId('resident-idNumber');
	await expect(shown).toHaveText(`110105********${id.slice(-4)}`);
	await expect(page.getByTestId('resident-phone')).toHaveText('138****5678');
	await expect(page.getByText(id)).toHaveCount(0);
	await page.getByTestId('resident-idNumber-show').click();
	await expect(shown).toHaveText(id);
	// Revealing the phone masks the ID number again: one at a time.
	await page.getByTestId('resident-phone-show').click();
	await expect(page.getByTestId('resident-phone')).toHaveText('13812345678');
	await expect(shown).toHaveText(`110105********${id.slice(-4)}`);
	await expectAllOnServer(page);
});

test('a red household overdue for a visit is at the top of 我的走访', async () => {
	const page = member.page;
	await page.goto(redUrl);
	// Visited 10 days ago: red is visited every 7 days, so 3 days overdue.
	await recordVisit(page, '老人精神尚可', daysAgo(10));
	await page.goto(registerUrl);
	await addHousehold(page, {
		building: '4号楼',
		room: '402室',
		colour: 'yellow',
		reason: '低保户',
		name: '赵大爷'
	});
	// Yellow, visited 31 days ago: 1 day overdue, below the red one.
	await recordVisit(page, '情况稳定', daysAgo(31));
	await page.goto(registerUrl);
	await addHousehold(page, { building: '5号楼', room: '501室', colour: 'green', name: '钱先生' });
	await page.goto(`/c/${secretary.community.communityId}/my-work`);
	await page.getByTestId('work-link-visits').click();
	const rows = page.getByTestId('my-visit');
	await expect(rows).toHaveCount(2);
	await expect(rows.first()).toHaveAttribute('data-colour', 'red');
	await expect(rows.first()).toHaveAttribute('data-state', 'overdue');
	await expect(rows.first()).toContainText('3号楼');
	await expect(rows.first()).toContainText(/超期 [23] 天/);
	await expect(rows.nth(1)).toHaveAttribute('data-colour', 'yellow');
	await expectAllOnServer(page);
});

test('a visit recorded offline with a photo reaches the secretary once the signal is back', async () => {
	const page = member.page;
	await page.goto(redUrl);
	await expect(page.getByTestId('household-address')).toContainText('301室');
	await goOffline(member);
	await expect(page.getByTestId('household-address')).toContainText('301室');
	await page.getByTestId('visit-new').click();
	await page.locator('#visit-findings').fill('地下室没有信号 老人需要买药');
	await page.getByTestId('visit-photo-input').setInputFiles({
		name: 'IMG_0101.jpg',
		mimeType: 'image/jpeg',
		buffer: await cameraPhoto(page, '走访')
	});
	await expect(page.getByTestId('visit-form').getByTestId('photo-img')).toBeVisible();
	await page.getByTestId('visit-save').click();
	const mine = page.getByTestId('visit').filter({ hasText: '地下室没有信号' });
	await expect(mine.getByTestId('photo-img')).toBeVisible();

	await member.context.setOffline(false);
	await expectAllOnServer(page);
	const s = secretary.page;
	await s.goto(redUrl);
	const theirs = s.getByTestId('visit').filter({ hasText: '地下室没有信号 老人需要买药' });
	await expect(theirs).toBeVisible();
	await expect(theirs.getByTestId('photo-img')).toBeVisible({ timeout: 15_000 });
});

test('a volunteer typing the register address sees "not allowed" and never asks for the document', async () => {
	const page = volunteer.page;
	// Each document syncs over its own socket, /sync/<docName>: the name is in the address.
	const asked: string[] = [];
	page.on('websocket', (socket) => {
		if (decodeURIComponent(socket.url()).includes('/households/')) asked.push(socket.url());
	});
	await openControlled(page, registerUrl);
	await expect(page.getByTestId('not-allowed')).toBeVisible();
	await expect(page.getByTestId('households')).toHaveCount(0);
	await page.goto(redUrl);
	await expect(page.getByTestId('not-allowed')).toBeVisible();
	await expect(page.getByTestId('household')).toHaveCount(0);
	const stored = await page.evaluate(async () =>
		(await indexedDB.databases())
			.map((info) => info.name ?? '')
			.filter((n) => n.includes('households'))
	);
	expect(stored).toEqual([]);
	expect(asked).toEqual([]);
});
