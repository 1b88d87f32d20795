import { expect, test } from '@playwright/test';
import { secretaryPhone } from './helpers';

test('zh-CN is the default whatever the browser language, the switch to English is remembered, and back', async ({
	browser
}) => {
	// An English-speaking browser with no choice made yet still starts in Chinese.
	const phone = await secretaryPhone(browser, '赵磊', { locale: 'en' });
	const { page } = phone;
	await expect(page.locator('main h1')).toHaveText('社区网格');
	await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');

	await page.goto('/settings');
	await page.getByTestId('lang-en').click();
	await expect(page.locator('main h1')).toHaveText('Settings');
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
	await page.reload();
	await expect(page.locator('main h1')).toHaveText('Settings');
	await expect(page.getByTestId('sync-status')).not.toContainText('服务器');

	await page.getByTestId('lang-zh-CN').click();
	await expect(page.locator('main h1')).toHaveText('设置');
	await phone.context.close();
});
