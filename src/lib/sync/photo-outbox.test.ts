/**
 * The photo outbox against the real relay (sync-server/server.ts) on port 0, with
 * fake-indexeddb standing in for the phone's IndexedDB: uploads, retry after failures, nothing
 * dropped, a reopened outbox finishing what an earlier session left, and the local cache.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { blobPath } from '../../../sync-server/blobs.ts';
import { startRelay, type Relay } from '../../../sync-server/server.ts';
import {
	createPhotoOutbox,
	fetchUploader,
	type NewPhoto,
	type PhotoOutbox,
	type PhotoOutboxOptions,
	type Uploader
} from './photo-outbox.ts';
import { waitFor } from './wait-for.ts';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
	cleanups = [];
});

async function relay(): Promise<{ relay: Relay; dataDir: string }> {
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-photos-'));
	const started = await startRelay({
		host: '127.0.0.1',
		port: 0,
		staticDir: path.join(dataDir, 'no-build'),
		dataDir,
		blobs: { sweepMs: 0 }
	});
	cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
	cleanups.push(() => started.close());
	return { relay: started, dataDir };
}

function photo(size = 4000): NewPhoto {
	const bytes = randomBytes(size);
	bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
	const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
	return {
		hash: createHash('sha256').update(bytes).digest('hex'),
		mime: 'image/jpeg',
		width: 1600,
		height: 1200,
		data: data as ArrayBuffer
	};
}

function outbox(r: Relay, options: Partial<PhotoOutboxOptions> = {}): PhotoOutbox {
	const token = () =>
		Promise.resolve({
			ok: true as const,
			token: r.mintToken({ communityId: 'demo', role: 'volunteer' })
		});
	const box = createPhotoOutbox({
		communityId: 'demo',
		tokens: { get: token, fresh: token },
		baseUrl: r.url,
		indexedDB: new IDBFactory(),
		upload: fetchUploader(globalThis.fetch),
		networkEvents: null,
		retryBaseMs: 20,
		retryMaxMs: 100,
		...options
	});
	cleanups.push(() => box.destroy());
	return box;
}

const stored = (dataDir: string, p: NewPhoto): boolean =>
	fs.existsSync(blobPath(dataDir, 'demo', p.hash));

describe('photo outbox', () => {
	it('uploads photos one by one and marks them stored only after the relay confirmed', async () => {
		const { relay: r, dataDir } = await relay();
		const seen: string[] = [];
		const upload: Uploader = async (req) => {
			seen.push(`${req.url.slice(-6)}:${outboxRef.pendingCount()}`);
			return fetchUploader(globalThis.fetch)(req);
		};
		const outboxRef = outbox(r, { upload });
		const photos = [photo(), photo(), photo()];
		for (const p of photos) await outboxRef.add(p);
		await outboxRef.whenIdle(10_000);
		for (const p of photos) {
			expect(stored(dataDir, p)).toBe(true);
			expect(outboxRef.state(p.hash)?.status).toBe('stored');
		}
		expect(seen).toHaveLength(3);
		// Stored photos stay on the device as its cache.
		const blob = await outboxRef.blob(photos[0]!.hash);
		expect(blob?.size).toBe(4000);
	});

	it('keeps retrying after failures, shows them, and never drops a photo', async () => {
		const { relay: r, dataDir } = await relay();
		let failuresLeft = 3;
		const statuses: string[] = [];
		const upload: Uploader = async (req) => {
			if (failuresLeft > 0) {
				failuresLeft--;
				return { status: failuresLeft === 2 ? 0 : 503, error: 'network' };
			}
			return fetchUploader(globalThis.fetch)(req);
		};
		const box = outbox(r, { upload });
		box.subscribe(() => statuses.push(box.state(p.hash)?.status ?? 'none'));
		const p = photo();
		await box.add(p);
		await waitFor(() => box.state(p.hash)?.status === 'stored', 'stored', 10_000);
		expect(statuses).toContain('failed');
		expect(statuses.at(-1)).toBe('stored');
		expect(stored(dataDir, p)).toBe(true);
	});

	it('waits while offline, and uploads once the browser says it is online', async () => {
		const { relay: r, dataDir } = await relay();
		let online = false;
		const network = new EventTarget();
		const box = outbox(r, {
			isOnline: () => online,
			networkEvents: network,
			retryBaseMs: 60_000,
			retryMaxMs: 60_000
		});
		const p = photo();
		await box.add(p);
		await waitFor(() => box.state(p.hash)?.error === 'offline', 'offline', 5000);
		expect(box.state(p.hash)?.status).toBe('waiting');
		// Shows at once with no signal.
		expect((await box.blob(p.hash))?.size).toBe(4000);
		online = true;
		network.dispatchEvent(new Event('online'));
		await waitFor(() => box.state(p.hash)?.status === 'stored', 'stored', 10_000);
		expect(stored(dataDir, p)).toBe(true);
	});

	it('keeps a refused photo (no token, observer) and a new session uploads it later', async () => {
		const { relay: r, dataDir } = await relay();
		const device = new IDBFactory();
		const observer = () =>
			Promise.resolve({
				ok: true as const,
				token: r.mintToken({ communityId: 'demo', role: 'observer' })
			});
		const first = outbox(r, { indexedDB: device, tokens: { get: observer, fresh: observer } });
		const p = photo();
		await first.add(p);
		await waitFor(() => first.state(p.hash)?.status === 'failed', 'failed', 5000);
		expect(first.state(p.hash)?.error).toBe('forbidden');
		first.destroy();

		// The app starts again (say, with the member's new role): the pending photo goes out.
		const second = outbox(r, { indexedDB: device });
		await second.whenIdle(10_000);
		expect(stored(dataDir, p)).toBe(true);
	});

	it('fetches a photo missing on this device from the relay and caches it', async () => {
		const { relay: r } = await relay();
		const p = photo();
		const phone = outbox(r);
		await phone.add(p);
		await phone.whenIdle(10_000);

		let fetches = 0;
		const secretary = outbox(r, {
			fetch: (input, init) => {
				fetches++;
				return globalThis.fetch(input, init);
			}
		});
		const blob = await secretary.blob(p.hash);
		expect(new Uint8Array(await blob!.arrayBuffer())).toEqual(new Uint8Array(p.data));
		expect(fetches).toBe(1);
		await secretary.blob(p.hash);
		expect(fetches).toBe(1);
		expect(await secretary.blob('0'.repeat(64))).toBeNull();
	});
});
