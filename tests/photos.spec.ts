import { expect, test, type Page } from '@playwright/test';
import { expectAllOnServer, goOffline, reportCase, twoPhonesOnNewBoard } from './helpers';

/** A real JPEG, 2400×1800, drawn and encoded by the browser itself. */
async function cameraPhoto(page: Page): Promise<Buffer> {
	const base64 = await page.evaluate(async () => {
		const canvas = document.createElement('canvas');
		canvas.width = 2400;
		canvas.height = 1800;
		const context = canvas.getContext('2d')!;
		const sky = context.createLinearGradient(0, 0, 0, 1800);
		sky.addColorStop(0, '#7fb2e5');
		sky.addColorStop(1, '#e8d9b0');
		context.fillStyle = sky;
		context.fillRect(0, 0, 2400, 1800);
		context.fillStyle = '#b4232a';
		context.fillRect(300, 900, 600, 500);
		context.fillStyle = '#1d1d1f';
		context.font = 'bold 160px sans-serif';
		context.fillText('消防通道', 1000, 700);
		const blob = await new Promise<Blob>((resolve) =>
			canvas.toBlob((b) => resolve(b!), 'image/jpeg', 0.9)
		);
		const bytes = new Uint8Array(await blob.arrayBuffer());
		let binary = '';
		for (const byte of bytes) binary += String.fromCharCode(byte);
		return btoa(binary);
	});
	return Buffer.from(base64, 'base64');
}

test('a phone offline reports a problem with a photo, reloads, goes online; the secretary sees the photo', async ({
	browser
}) => {
	const { secretary, volunteer } = await twoPhonesOnNewBoard(browser, '三号网格');

	const phone = volunteer.page;
	const jpeg = await cameraPhoto(phone);
	expect(jpeg.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));

	// In the basement: no signal.
	await goOffline(volunteer);
	await reportCase(phone, { title: '消防通道被电动车堵塞', location: '5栋 北侧' });
	const caseUrl = phone.url();

	await phone
		.getByTestId('photo-input')
		.setInputFiles({ name: 'IMG_0412.jpg', mimeType: 'image/jpeg', buffer: jpeg });
	// The photo shows at once, from this phone, and says it waits for signal.
	const item = phone.getByTestId('photo-item');
	await expect(item).toHaveCount(1);
	await expect(item.getByTestId('photo-img')).toBeVisible();
	await expect(item.getByTestId('photo-state')).toHaveAttribute('data-status', 'waiting');

	// Full view: the photo was scaled on the phone to a long edge of 1600 px.
	await item.getByRole('button', { name: /1/ }).first().click();
	const dialog = phone.getByTestId('photo-dialog');
	await expect(dialog.getByTestId('photo-img')).toBeVisible();
	await expect(dialog).toContainText('1600×1200');
	await phone.keyboard.press('Escape');
	await expect(dialog).toBeHidden();

	// Still offline, the app is reloaded: the photo is still there, still waiting.
	await phone.reload();
	await expect(phone.getByTestId('case-title')).toHaveText('消防通道被电动车堵塞');
	await expect(item.getByTestId('photo-img')).toBeVisible();
	await expect(item.getByTestId('photo-state')).toHaveAttribute('data-status', 'waiting');

	// Signal again: the photo goes up and says so; the case reaches the server too.
	await volunteer.context.setOffline(false);
	await expect(item.getByTestId('photo-state')).toHaveAttribute('data-status', 'stored', {
		timeout: 30_000
	});
	await expectAllOnServer(phone);

	// The secretary opens the case and sees the photo (fetched from the relay with her token).
	const hash = await item.getAttribute('data-hash');
	expect(hash).toMatch(/^[0-9a-f]{64}$/);
	await secretary.page.goto(caseUrl);
	await expect(secretary.page.getByTestId('case-title')).toHaveText('消防通道被电动车堵塞');
	const seen = secretary.page.getByTestId('photo-item').getByTestId('photo-img');
	await expect(seen).toBeVisible();
	await expect(seen).toHaveAttribute('data-hash', hash!);
	await expect
		.poll(() => seen.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
		.toBe(1600);
	// The secretary did not upload it: no upload state on her phone.
	await expect(secretary.page.getByTestId('photo-state')).toHaveCount(0);

	await secretary.context.close();
	await volunteer.context.close();
});
