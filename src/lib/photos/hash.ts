/**
 * Content address of a photo: sha-256 of its bytes as 64 lowercase hex digits (the relay
 * checks the same digest before storing a blob).
 */

export async function sha256Hex(bytes: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', bytes);
	return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
