/**
 * Photo compression on the device (STACK.md: createImageBitmap + canvas, nothing from a CDN):
 * a camera photo becomes a JPEG whose long edge is at most 1600 px, quality 0.8.
 *
 * Invariants:
 * - EXIF orientation is applied by the decoder (`imageOrientation: 'from-image'`), so a photo
 *   taken upright shows upright; the output JPEG carries no EXIF (no location leaks).
 * - A photo already small enough is still re-encoded (strips metadata), never enlarged.
 * - OffscreenCanvas where the browser has it, else a detached <canvas>.
 */

export const LONG_EDGE = 1600;
export const JPEG_QUALITY = 0.8;

export type CompressedPhoto = Readonly<{
	bytes: ArrayBuffer;
	mime: 'image/jpeg';
	width: number;
	height: number;
}>;

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

/** Decodes `file` (any image the browser reads) and re-encodes it as a bounded JPEG. */
export async function compressPhoto(file: Blob): Promise<CompressedPhoto> {
	const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
	try {
		const { width, height } = fitLongEdge(bitmap.width, bitmap.height);
		const blob = await encode(bitmap, width, height);
		return { bytes: await blob.arrayBuffer(), mime: 'image/jpeg', width, height };
	} finally {
		bitmap.close();
	}
}
