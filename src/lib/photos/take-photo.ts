/**
 * The one way a photo enters the app (a case's photos, a task's completion, a patrol finding, a
 * wish): compressed on the device (compress.ts), named by the sha-256 of its bytes, committed to
 * the photo outbox, and only then described for a command to attach.
 *
 * Invariant: a `PhotoInput` from here names bytes already committed to this device's outbox, so
 * no document ever names a photo the device cannot show or upload.
 */
import type { PhotoInput } from '$lib/model/case';
import { sha256Hex } from '$lib/sync/sha256';
import type { PhotoOutbox } from '$lib/sync/photo-outbox';
import { compressPhoto, type CompressedPhoto } from './compress';

export async function takePhoto(
	file: Blob,
	outbox: Pick<PhotoOutbox, 'add'>,
	compress: (file: Blob) => Promise<CompressedPhoto> = compressPhoto
): Promise<PhotoInput> {
	const { bytes, mime, width, height } = await compress(file);
	const hash = await sha256Hex(bytes);
	await outbox.add({ hash, mime, width, height, data: bytes });
	return { hash, mime, width, height, bytes: bytes.byteLength };
}
