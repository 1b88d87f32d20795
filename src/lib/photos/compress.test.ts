/**
 * The pure parts of photo compression (compress.ts): reading a photo's size and EXIF orientation
 * from its header without decoding it, the size it is decoded at (bounded, upright), and the
 * check that finds an EXIF block in a JPEG. The decode itself runs in Chromium:
 * tests/photo-compress.spec.ts feeds the same fixture through the app.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSize, fitLongEdge, LONG_EDGE, readImageHeader, uprightSize } from './compress.ts';

/** A 4000×3000 JPEG with EXIF Orientation 6 (tests/fixtures/make-exif-photo.py). */
const fixture = new Uint8Array(
	fs.readFileSync(path.join(import.meta.dirname, '../../../tests/fixtures/exif-orientation-6.jpg'))
);

/** The fixture without its APP1 segment (what a canvas encoder writes: no EXIF). */
function withoutApp1(bytes: Uint8Array): Uint8Array {
	expect([bytes[2], bytes[3]]).toEqual([0xff, 0xe1]);
	const length = (bytes[4]! << 8) | bytes[5]!;
	return new Uint8Array([...bytes.subarray(0, 2), ...bytes.subarray(4 + length)]);
}

/** A minimal JPEG head: SOI, an EXIF APP1 (little-endian TIFF) with `orientation`, SOF0. */
function littleEndianExifJpeg(orientation: number, width: number, height: number): Uint8Array {
	const tiff = [0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0, 1, 0];
	tiff.push(0x12, 0x01, 3, 0, 1, 0, 0, 0, orientation, 0, 0, 0, 0, 0, 0, 0);
	const payload = [...'Exif'].map((c) => c.charCodeAt(0)).concat([0, 0], tiff);
	const app1 = [0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload];
	const sof = [
		0xff,
		0xc0,
		0,
		11,
		8,
		height >> 8,
		height & 0xff,
		width >> 8,
		width & 0xff,
		1,
		1,
		0x11,
		0
	];
	return new Uint8Array([0xff, 0xd8, ...app1, ...sof, 0xff, 0xda]);
}

describe('photo header', () => {
	it('reads a 12-megapixel camera JPEG: stored size and EXIF orientation, without decoding', () => {
		expect(readImageHeader(fixture)).toEqual({ width: 4000, height: 3000, orientation: 6 });
		// Only the first bytes are needed (what compressPhoto reads).
		expect(readImageHeader(fixture.subarray(0, 1024))).toEqual({
			width: 4000,
			height: 3000,
			orientation: 6
		});
	});

	it('reads little-endian EXIF, and orientation 1 without EXIF', () => {
		expect(readImageHeader(littleEndianExifJpeg(8, 640, 480))).toEqual({
			width: 640,
			height: 480,
			orientation: 8
		});
		expect(readImageHeader(withoutApp1(fixture))).toEqual({
			width: 4000,
			height: 3000,
			orientation: 1
		});
	});

	it('reads PNG and GIF sizes; unknown bytes give null', () => {
		const png = new Uint8Array(24);
		png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
		png.set([0, 0, 0x0f, 0xa0, 0, 0, 0x0b, 0xb8], 16);
		expect(readImageHeader(png)).toEqual({ width: 4000, height: 3000, orientation: 1 });
		const gif = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x40, 0x01, 0xf0, 0x00]);
		expect(readImageHeader(gif)).toEqual({ width: 320, height: 240, orientation: 1 });
		expect(readImageHeader(new Uint8Array([1, 2, 3, 4]))).toBeNull();
		expect(readImageHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xda]))).toBeNull();
	});
});

describe('decode size', () => {
	it('decodes a 12-megapixel photo upright at 1200×1600, not at 4000×3000', () => {
		const header = readImageHeader(fixture)!;
		expect(uprightSize(header)).toEqual({ width: 3000, height: 4000 });
		const size = decodeSize(header)!;
		expect(size).toEqual({ width: 1200, height: 1600 });
		// The bitmap it needs: 7.7 MB instead of 48 MB.
		expect(size.width * size.height * 4).toBeLessThan(8_000_000);
		expect(header.width * header.height * 4).toBe(48_000_000);
	});

	it('bounds the long edge for every orientation and shape, never enlarges', () => {
		for (let orientation = 1; orientation <= 8; orientation++) {
			for (const [width, height] of [
				[4032, 3024],
				[3024, 4032],
				[9000, 1000],
				[1601, 1601]
			] as const) {
				const size = decodeSize({ width, height, orientation })!;
				expect(Math.max(size.width, size.height)).toBe(LONG_EDGE);
				const upright = uprightSize({ width, height, orientation });
				// Same shape as the upright photo (within a pixel of rounding).
				const scale = LONG_EDGE / Math.max(upright.width, upright.height);
				expect(Math.abs(size.width - upright.width * scale)).toBeLessThanOrEqual(1);
				expect(Math.abs(size.height - upright.height * scale)).toBeLessThanOrEqual(1);
			}
		}
		expect(decodeSize({ width: 1600, height: 1200, orientation: 6 })).toBeNull();
		expect(decodeSize({ width: 800, height: 600, orientation: 1 })).toBeNull();
		expect(fitLongEdge(800, 600)).toEqual({ width: 800, height: 600 });
	});
});
