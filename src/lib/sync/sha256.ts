/**
 * The app's one sha-256: 64 lowercase hex digits of the bytes' digest. A photo's content address
 * (the relay checks the same digest before storing a blob, sync-server/blobs.ts, with Node's own
 * hash), and the check on bytes fetched back from the relay.
 */

export async function sha256Hex(bytes: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', bytes);
	return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
