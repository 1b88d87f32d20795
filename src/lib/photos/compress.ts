/**
 * Photo compression on the device (STACK.md: createImageBitmap + canvas, nothing from a CDN):
 * a camera photo becomes a JPEG whose long edge is at most 1600 px, quality 0.8.
 *
 * Invariants:
 * - The photo is decoded at the size it is drawn at: the image's dimensions and EXIF
 *   orientation are read from its header first (`readImageHeader`, a few bytes, no decoding),
 *   and `createImageBitmap` gets `resizeWidth`/`resizeHeight`, so a 12-megapixel photo never
 *   needs a 48 MB full-size bitmap on a cheap phone (a 1600×1200 one is 7.7 MB). A format
 *   whose header is not read here is decoded whole, then drawn at the bounded size.
 * - EXIF orientation is applied by the decoder (`imageOrientation: 'from-image'`), so a photo
 *   taken upright shows upright; the resize is given in that upright frame (the HTML spec
 *   orients before it resizes). The output JPEG carries no EXIF (no location leaks): canvas
 *   encoders write none.
 * - A photo already small enough is still re-encoded (strips metadata), never enlarged.
 * - OffscreenCanvas where the browser has it, else a detached <canvas>.
 */

export const LONG_EDGE = 1600;
export const JPEG_QUALITY = 0.8;
/** How much of the file is read for its header; EXIF (≤ 64 KB) and ICC segments come first. */
const HEADER_BYTES = 512 * 1024;

export type CompressedPhoto = Readonly<{
	bytes: ArrayBuffer;
	mime: 'image/jpeg';
	width: number;
	height: number;
}>;

/** Stored size (before orientation) and EXIF orientation (1–8; 1 when absent). */
export type ImageHeader = Readonly<{ width: number; height: number; orientation: number }>;

/** The size a `width`×`height` image is drawn at so its long edge is at most `longEdge`. */
export function fitLongEdge(
	width: number,
	height: number,
	longEdge = LONG_EDGE
): { width: number; height: number } {
	const scale = Math.min(1, longEdge / Math.max(width, height, 1));
	return {
		width: Math.max(1, Math.round(width * scale)),
		height: Math.max(1, Math.round(height * scale))
	};
}

/** The upright size: orientations 5–8 turn the image a quarter, swapping its sides. */
export function uprightSize(header: ImageHeader): { width: number; height: number } {
	return header.orientation >= 5 && header.orientation <= 8
		? { width: header.height, height: header.width }
		: { width: header.width, height: header.height };
}

/** The size to decode `header`'s image at (upright frame), or null when no resize is needed. */
export function decodeSize(
	header: ImageHeader,
	longEdge = LONG_EDGE
): { width: number; height: number } | null {
	const upright = uprightSize(header);
	const target = fitLongEdge(upright.width, upright.height, longEdge);
	return target.width < upright.width || target.height < upright.height ? target : null;
}

const u16 = (b: Uint8Array, at: number, little = false): number =>
	little ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
const u32 = (b: Uint8Array, at: number, little = false): number =>
	little
		? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0
		: ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** The EXIF orientation in an APP1 payload starting at `start` ("Exif\0\0" + TIFF), else 1. */
function exifOrientation(b: Uint8Array, start: number, end: number): number {
	const tiff = start + 6;
	if (tiff + 8 > end) return 1;
	const little = b[tiff] === 0x49 && b[tiff + 1] === 0x49;
	if (!little && !(b[tiff] === 0x4d && b[tiff + 1] === 0x4d)) return 1;
	const ifd = tiff + u32(b, tiff + 4, little);
	if (ifd + 2 > end) return 1;
	const count = u16(b, ifd, little);
	for (let i = 0; i < count; i++) {
		const entry = ifd + 2 + i * 12;
		if (entry + 12 > end) break;
		if (u16(b, entry, little) === 0x0112) {
			const value = u16(b, entry + 8, little);
			return value >= 1 && value <= 8 ? value : 1;
		}
	}
	return 1;
}

/** Walks a JPEG's segments before the image data; calls `visit` with each marker. */
function jpegSegments(
	b: Uint8Array,
	visit: (marker: number, start: number, end: number) => boolean | void
): void {
	if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return;
	let at = 2;
	while (at + 4 <= b.length) {
		if (b[at] !== 0xff) return;
		const marker = b[at + 1]!;
		if (marker === 0xff) {
			at++;
			continue;
		}
		if (marker === 0xd9 || marker === 0xda) return; // end of image, start of scan
		if (marker >= 0xd0 && marker <= 0xd7) {
			at += 2;
			continue;
		}
		const length = u16(b, at + 2);
		if (length < 2) return;
		if (visit(marker, at + 4, Math.min(b.length, at + 2 + length)) === true) return;
		at += 2 + length;
	}
}

function jpegHeader(b: Uint8Array): ImageHeader | null {
	let orientation = 1;
	let size: { width: number; height: number } | null = null;
	jpegSegments(b, (marker, start, end) => {
		if (
			marker === 0xe1 &&
			end - start > 6 &&
			String.fromCharCode(...b.subarray(start, start + 4)) === 'Exif'
		) {
			orientation = exifOrientation(b, start, end);
		}
		// SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
		if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
			if (start + 5 <= end) size = { height: u16(b, start + 1), width: u16(b, start + 3) };
			return true;
		}
	});
	const found = size as { width: number; height: number } | null;
	return found && found.width > 0 && found.height > 0 ? { ...found, orientation } : null;
}

/** Dimensions and orientation from a JPEG, PNG, GIF or WebP header; null for anything else. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
	const b = bytes;
	if (b[0] === 0xff && b[1] === 0xd8) return jpegHeader(b);
	if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
		return { width: u32(b, 16), height: u32(b, 20), orientation: 1 };
	}
	if (b.length >= 10 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) {
		return { width: u16(b, 6, true), height: u16(b, 8, true), orientation: 1 };
	}
	if (b.length >= 30 && String.fromCharCode(...b.subarray(0, 4)) === 'RIFF') {
		const kind = String.fromCharCode(...b.subarray(12, 16));
		if (kind === 'VP8 ' && b.length >= 30) {
			return {
				width: u16(b, 26, true) & 0x3fff,
				height: u16(b, 28, true) & 0x3fff,
				orientation: 1
			};
		}
		if (kind === 'VP8L') {
			const bits = u32(b, 21, true);
			return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1, orientation: 1 };
		}
		if (kind === 'VP8X') {
			const width = 1 + (b[24]! | (b[25]! << 8) | (b[26]! << 16));
			const height = 1 + (b[27]! | (b[28]! << 8) | (b[29]! << 16));
			// WebP's EXIF chunk comes after the image data; browsers mostly ignore it too.
			return { width, height, orientation: 1 };
		}
	}
	return null;
}

async function encode(bitmap: ImageBitmap, width: number, height: number): Promise<Blob> {
	if (typeof OffscreenCanvas !== 'undefined') {
		const canvas = new OffscreenCanvas(width, height);
		const context = canvas.getContext('2d');
		if (!context) throw new Error('no 2d context');
		context.drawImage(bitmap, 0, 0, width, height);
		return canvas.convertToBlob({ type: 'image/jpeg', quality: JPEG_QUALITY });
	}
	const canvas = document.createElement('canvas');
	canvas.width = width;
	canvas.height = height;
	const context = canvas.getContext('2d');
	if (!context) throw new Error('no 2d context');
	context.drawImage(bitmap, 0, 0, width, height);
	return new Promise((resolve, reject) =>
		canvas.toBlob(
			(blob) => (blob ? resolve(blob) : reject(new Error('encoding failed'))),
			'image/jpeg',
			JPEG_QUALITY
		)
	);
}

/** Decodes `file` at the size it will be drawn at, upright. */
async function decode(file: Blob): Promise<ImageBitmap> {
	let header = readImageHeader(new Uint8Array(await file.slice(0, HEADER_BYTES).arrayBuffer()));
	if (!header && file.size > HEADER_BYTES) {
		header = readImageHeader(new Uint8Array(await file.arrayBuffer()));
	}
	const target = header ? decodeSize(header) : null;
	if (target) {
		try {
			return await createImageBitmap(file, {
				imageOrientation: 'from-image',
				resizeWidth: target.width,
				resizeHeight: target.height,
				resizeQuality: 'medium'
			});
		} catch {
			// A browser without the resize options: decode whole below.
		}
	}
	return createImageBitmap(file, { imageOrientation: 'from-image' });
}

/** Decodes `file` (any image the browser reads) and re-encodes it as a bounded JPEG. */
export async function compressPhoto(file: Blob): Promise<CompressedPhoto> {
	const bitmap = await decode(file);
	try {
		const { width, height } = fitLongEdge(bitmap.width, bitmap.height);
		const blob = await encode(bitmap, width, height);
		return { bytes: await blob.arrayBuffer(), mime: 'image/jpeg', width, height };
	} finally {
		bitmap.close();
	}
}
