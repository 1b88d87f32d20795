/**
 * The photo pipeline's order and naming, with the compression (which decodes in a browser,
 * tests/photo-compress.spec.ts) stood in for: the bytes are in the outbox before the photo is
 * described, under the sha-256 of the compressed bytes.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NewPhoto } from '$lib/sync/photo-outbox';
import type { CompressedPhoto } from './compress';
import { takePhoto } from './take-photo';

const compressed = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]);
const compress = async (): Promise<CompressedPhoto> => ({
	bytes: compressed.slice().buffer,
	mime: 'image/jpeg',
	width: 1600,
	height: 1200
});

describe('takePhoto', () => {
	it('stores the compressed bytes under their sha-256, then describes them', async () => {
		const added: NewPhoto[] = [];
		const photo = await takePhoto(
			new Blob(['original, much larger']),
			{ add: async (p) => void added.push(p) },
			compress
		);
		const hash = createHash('sha256').update(compressed).digest('hex');
		expect(photo).toEqual({
			hash,
			mime: 'image/jpeg',
			width: 1600,
			height: 1200,
			bytes: compressed.byteLength
		});
		expect(added).toHaveLength(1);
		expect(added[0]).toMatchObject({ hash, mime: 'image/jpeg', width: 1600, height: 1200 });
		expect(new Uint8Array(added[0]!.data)).toEqual(compressed);
	});

	it('describes nothing when the outbox could not keep the bytes', async () => {
		const failing = { add: () => Promise.reject(new Error('QuotaExceededError')) };
		await expect(takePhoto(new Blob(['x']), failing, compress)).rejects.toThrow(
			'QuotaExceededError'
		);
	});

	it('describes nothing when the photo cannot be read', async () => {
		const added: NewPhoto[] = [];
		const unreadable = () => Promise.reject(new Error('not an image'));
		await expect(
			takePhoto(new Blob(['x']), { add: async (p) => void added.push(p) }, unreadable)
		).rejects.toThrow('not an image');
		expect(added).toEqual([]);
	});
});
