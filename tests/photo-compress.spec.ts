/**
 * Photo compression in Chromium (issue 15): a 12-megapixel camera JPEG with an EXIF orientation
 * tag (tests/fixtures/exif-orientation-6.jpg: stored 4000×3000 landscape, left red, right blue;
 * EXIF says "turn 90° clockwise", so upright it is portrait, red on top) goes through the case
 * page's photo button. The photo is decoded at its bounded size, comes out upright, bounded and
 * without EXIF.
 */
import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { addGrid, reportCase, secretaryPhone } from './helpers';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'exif-orientation-6.jpg');

test('a 12-megapixel photo with EXIF orientation is decoded small, stored upright at 1200×1600, without EXIF', async ({
	browser
}) => {
	const secretary = await secretaryPhone(browser, '孙琳');
	const { page } = secretary;
	// Every createImageBitmap call the app makes, with its options.
	await page.addInitScript(() => {
		const calls: unknown[] = [];
		(window as unknown as { bitmapCalls: unknown[] }).bitmapCalls = calls;
		const original = window.createImageBitmap.bind(window);
		window.createImageBitmap = ((...args: unknown[]) => {
			const options = args.find(
				(arg) => typeof arg === 'object' && arg !== null && !(arg instanceof Blob)
			);
			calls.push({ size: args[0] instanceof Blob ? args[0].size : null, options: options ?? null });
			return (original as (...a: unknown[]) => Promise<ImageBitmap>)(...args);
		}) as typeof window.createImageBitmap;
	});
	await page.reload();
	await addGrid(page, '七号网格');
	await page
		.getByTestId('grid-row')
		.filter({ hasText: '七号网格' })
		.getByRole('link')
		.first()
		.click();
	await reportCase(page, { title: '小区门口井盖缺失' });

	const jpeg = await readFile(FIXTURE);
	await page
		.getByTestId('photo-input')
		.setInputFiles({ name: 'IMG_4000.jpg', mimeType: 'image/jpeg', buffer: jpeg });
	const img = page.getByTestId('photo-item').getByTestId('photo-img');
	await expect(img).toBeVisible();

	// Decoded at the size it is drawn at, in the upright frame: never the 48 MB full bitmap.
	const calls = await page.evaluate(
		() => (window as unknown as { bitmapCalls: unknown[] }).bitmapCalls
	);
	const decodes = (
		calls as { size: number | null; options: Record<string, unknown> | null }[]
	).filter((call) => call.size === jpeg.length);
	expect(decodes).toHaveLength(1);
	expect(decodes[0]!.options).toMatchObject({
		imageOrientation: 'from-image',
		resizeWidth: 1200,
		resizeHeight: 1600
	});
	expect(decodes[0]!.options!.resizeQuality).toBeTruthy();

	// What the phone stored and uploaded: the bytes of its hash, read back from the relay (the
	// page's CSP allows fetches to its own origin only, not to the thumbnail's blob: URL).
	const item = page.getByTestId('photo-item');
	await expect(item.getByTestId('photo-state')).toHaveAttribute('data-status', 'stored');
	const hash = await item.getAttribute('data-hash');
	const result = await page.evaluate(async (hash) => {
		const { token } = JSON.parse(localStorage.getItem('gridboard:token') ?? 'null');
		const membership = JSON.parse(localStorage.getItem('gridboard:credential') ?? 'null');
		const response = await fetch(`/api/communities/${membership.community.id}/blobs/${hash}`, {
			headers: { authorization: `Bearer ${token}` }
		});
		const bytes = new Uint8Array(await response.arrayBuffer());
		// APP1 "Exif" anywhere before the image data?
		let exif = false;
		let at = 2;
		while (at + 4 <= bytes.length && bytes[at] === 0xff) {
			const marker = bytes[at + 1]!;
			if (marker === 0xda || marker === 0xd9) break;
			const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
			if (marker === 0xe1 && String.fromCharCode(...bytes.subarray(at + 4, at + 8)) === 'Exif') {
				exif = true;
			}
			at += 2 + length;
		}
		const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
		const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
		const context = canvas.getContext('2d')!;
		context.drawImage(bitmap, 0, 0);
		const pixel = (x: number, y: number) => [...context.getImageData(x, y, 1, 1).data];
		return {
			soi: [bytes[0], bytes[1]],
			exif,
			size: bytes.length,
			width: bitmap.width,
			height: bitmap.height,
			top: pixel(Math.floor(bitmap.width / 2), Math.floor(bitmap.height * 0.1)),
			bottom: pixel(Math.floor(bitmap.width / 2), Math.floor(bitmap.height * 0.9))
		};
	}, hash);
	expect(result.soi).toEqual([0xff, 0xd8]);
	expect(result.exif).toBe(false);
	// Upright portrait, long edge bounded.
	expect({ width: result.width, height: result.height }).toEqual({ width: 1200, height: 1600 });
	expect(result.size).toBeLessThan(jpeg.length * 4);
	// Red on top, blue below: the EXIF orientation was applied.
	const [tr, , tb] = result.top;
	const [br, , bb] = result.bottom;
	expect(tr! - tb!).toBeGreaterThan(100);
	expect(bb! - br!).toBeGreaterThan(100);

	// The case says the size it stored.
	await page.getByTestId('photo-item').getByRole('button').first().click();
	await expect(page.getByTestId('photo-dialog')).toContainText('1200×1600');
	await secretary.context.close();
});
