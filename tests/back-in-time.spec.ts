/**
 * Back in time (issue 21): the secretary sees a case as it was before a change, from the relay's
 * history; deletes a case, which leaves a second phone's board, and restores it from "Recently
 * deleted", which brings it back there; sees a household as it was before its colour and a
 * resident changed, the ID number still masked. The new screens at 320 px in zh-CN and English.
 *
 * History is seeded without waiting for a clock: once the creation is on the server, its rows in
 * the relay's store (`updates.at`, `history.hour`) are moved three days back, as if the case had
 * been reported then; the retitle that follows is today's (the household likewise).
 */
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import {
	addGrid,
	expectAllOnServer,
	reportCase,
	secretaryPhone,
	twoPhonesOnNewBoard
} from './helpers';

const HOUR = 3_600_000;
const BACK_HOURS = 72;
/** A valid ID number (its check digit right), and how every screen shows it. */
const ID_NUMBER = '11010519400101123X';
const MASKED_ID = '110105********123X';

/** Moves every stored row of a document `BACK_HOURS` into the past (the relay keeps serving). */
function ageDocument(docName: string): number {
	const db = new DatabaseSync(join(process.env.E2E_DATA_DIR ?? '', 'gridboard.db'), {
		timeout: 10_000
	});
	try {
		const moved = db
			.prepare('UPDATE updates SET at = at - ? WHERE doc = ? AND at IS NOT NULL')
			.run(BACK_HOURS * HOUR, docName).changes;
		const folded = db
			.prepare('UPDATE history SET hour = hour - ? WHERE doc = ?')
			.run(BACK_HOURS, docName).changes;
		return Number(moved) + Number(folded);
	} finally {
		db.close();
	}
}

/** The local day (Asia/Shanghai, the community's default zone) `hoursAgo` hours ago. */
function shanghaiDay(hoursAgo: number): string {
	return new Intl.DateTimeFormat('en-CA', {
		timeZone: 'Asia/Shanghai',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit'
	}).format(Date.now() - hoursAgo * HOUR);
}

/**
 * Opens "as it was on…", checks the days offered (today and the aged day, newest first), picks
 * the day `BACK_HOURS` ago and waits for the panel's banner to name it.
 */
async function lookBackToAgedDay(page: Page): Promise<void> {
	await page.getByTestId('as-of-open').click();
	const day = shanghaiDay(BACK_HOURS);
	const picker = page.getByTestId('as-of-day');
	await expect(picker.locator('option')).toHaveText(['—', shanghaiDay(0), day]);
	await picker.selectOption(day);
	await expect(page.getByTestId('as-of-banner')).toContainText(day);
}

async function noSidewaysScroll(page: Page): Promise<void> {
	expect(
		await page.evaluate(
			() => document.scrollingElement!.scrollWidth <= document.documentElement.clientWidth
		)
	).toBe(true);
}

test('the secretary sees a case as it was before a change, deletes it and restores it; a second phone follows', async ({
	browser
}) => {
	const { secretary, volunteer, boardUrl } = await twoPhonesOnNewBoard(browser, '历史网格');
	const s = secretary.page;
	const communityId = secretary.community.communityId;
	const gridId = /\/g\/([^/?#]+)/.exec(boardUrl)?.[1] ?? '';

	await reportCase(s, { title: '楼道灯坏了', category: 'public_facilities' });
	await expectAllOnServer(s);
	const caseUrl = s.url();
	expect(ageDocument(`c/${communityId}/board/${gridId}`)).toBeGreaterThan(0);

	// Today: the title changes.
	await s.getByTestId('case-edit').click();
	await s.locator('#case-title').fill('楼道灯已修好');
	await s.getByTestId('case-submit').click();
	await expect(s.getByTestId('case-title')).toHaveText('楼道灯已修好');
	await expectAllOnServer(s);

	// As it was three days ago: the old title, marked "as of", with what changed since.
	await s.setViewportSize({ width: 320, height: 700 });
	await lookBackToAgedDay(s);
	await expect(s.getByTestId('as-of-case-title')).toHaveText('楼道灯坏了');
	await expect(s.getByTestId('as-of-banner')).toContainText('截至');
	await expect(s.getByTestId('as-of-changed')).toContainText('标题');
	await noSidewaysScroll(s);
	// The live case is still shown below, unchanged.
	await expect(s.getByTestId('case-title')).toHaveText('楼道灯已修好');
	await s.getByTestId('as-of-close').click();
	await expect(s.getByTestId('as-of')).toHaveCount(0);

	// The volunteer's phone shows the case on its board.
	const v = volunteer.page;
	await expect(v.getByTestId('case-row').filter({ hasText: '楼道灯已修好' })).toBeVisible();

	// The secretary deletes it (after a confirm): it leaves the second phone's board.
	await s.getByTestId('case-delete').click();
	await s.getByTestId('case-delete-dialog-confirm').click();
	await expect(s.getByTestId('case-deleted')).toBeVisible();
	await expect(s.getByTestId('case-edit')).toHaveCount(0);
	await expect(v.getByTestId('case-row').filter({ hasText: '楼道灯已修好' })).toHaveCount(0);

	// "Recently deleted" (320 px, both languages), then Restore: it comes back on the second phone.
	await s.goto(`/c/${communityId}/g/${gridId}/deleted`);
	const row = s.getByTestId('deleted-case').filter({ hasText: '楼道灯已修好' });
	await expect(row).toBeVisible();
	await noSidewaysScroll(s);
	await s.evaluate(() => localStorage.setItem('PARAGLIDE_LOCALE', 'en'));
	await s.reload();
	await expect(s.getByRole('heading', { name: 'Recently deleted' })).toBeVisible();
	await noSidewaysScroll(s);
	await row.getByTestId('deleted-case-restore').click();
	await expect(s.getByTestId('deleted-none')).toBeVisible();
	await expect(v.getByTestId('case-row').filter({ hasText: '楼道灯已修好' })).toBeVisible();

	// The case page in English at 320 px: the timeline records both, the history panel fits.
	await s.goto(caseUrl);
	await expect(s.locator('[data-testid="timeline"] li[data-kind="deleted"]')).toHaveCount(1);
	await expect(s.locator('[data-testid="timeline"] li[data-kind="restored"]')).toHaveCount(1);
	await lookBackToAgedDay(s);
	await expect(s.getByTestId('as-of-banner')).toContainText('As of the end of');
	await noSidewaysScroll(s);
});

test('the secretary deletes a grid from the grids page and restores it', async ({ browser }) => {
	const { secretary } = await twoPhonesOnNewBoard(browser, '要删的网格');
	const s = secretary.page;
	await s.setViewportSize({ width: 320, height: 700 });
	await s.goto(`/c/${secretary.community.communityId}/settings/grids`);
	const live = s.getByTestId('grid-setting').filter({ hasText: '要删的网格' });
	await live.getByTestId('grid-delete').click();
	await s.getByTestId('grid-delete-dialog-confirm').click();
	await expect(live).toHaveCount(0);
	const deleted = s.getByTestId('deleted-grid').filter({ hasText: '要删的网格' });
	await expect(deleted).toBeVisible();
	await noSidewaysScroll(s);
	await deleted.getByTestId('deleted-grid-restore').click();
	await expect(live).toBeVisible();
	await expect(deleted).toHaveCount(0);
});

test('the secretary sees a household as it was before its colour and a resident changed, the ID number masked', async ({
	browser
}) => {
	const secretary = await secretaryPhone(browser, '张志强');
	const s = secretary.page;
	const communityId = secretary.community.communityId;
	await addGrid(s, '住户网格');
	await s.getByTestId('grid-row').filter({ hasText: '住户网格' }).getByRole('link').first().click();
	await expect(s).toHaveURL(/\/g\/[^/?#]+/);
	const gridId = /\/g\/([^/?#]+)/.exec(s.url())?.[1] ?? '';
	await s.goto(`/c/${communityId}/g/${gridId}/households`);
	await s.getByTestId('household-add-first').click();
	await s.locator('#hh-compound').fill('幸福里');
	await s.locator('#hh-building').fill('3号楼');
	await s.locator('#hh-room').fill('502室');
	await s.locator('#hh-colour').selectOption('red');
	await s.locator('#hh-reason').fill('高龄独居');
	await s.locator('#hh-r0-name').fill('欧阳秀英');
	await s.locator('#hh-r0-id').fill(ID_NUMBER);
	await s.getByTestId('household-submit').click();
	await expect(s.getByTestId('household-address')).toContainText('502室');
	await expectAllOnServer(s);
	expect(ageDocument(`c/${communityId}/households/${gridId}`)).toBeGreaterThan(0);

	// Today: green, and the resident's name corrected.
	await s.getByTestId('colour-change').click();
	await s.locator('input[name="colour"][value="green"]').check();
	await s.getByTestId('colour-save').click();
	await expect(s.getByTestId('household-colour')).toHaveAttribute('data-colour', 'green');
	await s.getByTestId('resident-edit').click();
	await s.locator('#edit-name').fill('欧阳秀兰');
	await s.getByTestId('resident-edit-save').click();
	await expect(s.getByTestId('resident-name')).toHaveText('欧阳秀兰');
	await expectAllOnServer(s);

	// As it was three days ago (320 px): red with its reason, the old name, the ID number masked.
	await s.setViewportSize({ width: 320, height: 700 });
	await lookBackToAgedDay(s);
	const past = s.getByTestId('as-of-past');
	await expect(past.getByTestId('as-of-household-colour')).toHaveAttribute('data-colour', 'red');
	await expect(past.getByTestId('as-of-household-reason')).toHaveText('高龄独居');
	await expect(past.getByTestId('as-of-resident-name')).toHaveText('欧阳秀英');
	await expect(past.getByTestId('as-of-resident-idNumber')).toHaveText(MASKED_ID);
	await expect(s.getByTestId('as-of-changed')).toHaveText('此后有改动：颜色、居民');
	await expect(s.getByTestId('as-of')).not.toContainText(ID_NUMBER);
	await expect(past.getByRole('button')).toHaveCount(0);
	await noSidewaysScroll(s);
	// The live household is still shown below, unchanged.
	await expect(s.getByTestId('household-colour')).toHaveAttribute('data-colour', 'green');
	await expect(s.getByTestId('resident-name')).toHaveText('欧阳秀兰');

	// In English at 320 px.
	await s.evaluate(() => localStorage.setItem('PARAGLIDE_LOCALE', 'en'));
	await s.reload();
	await lookBackToAgedDay(s);
	await expect(s.getByTestId('as-of-banner')).toContainText('As of the end of');
	await expect(s.getByTestId('as-of-changed')).toHaveText('Changed since: Colour, Residents');
	await expect(s.getByTestId('as-of-resident-idNumber')).toHaveText(MASKED_ID);
	await noSidewaysScroll(s);
	await s.getByTestId('as-of-close').click();
	await expect(s.getByTestId('as-of')).toHaveCount(0);
});
