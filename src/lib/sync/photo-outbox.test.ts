/**
 * The photo outbox against the real relay (sync-server/server.ts) on port 0, with
 * fake-indexeddb standing in for the phone's IndexedDB: uploads, retry after failures, nothing
 * dropped, a reopened outbox finishing what an earlier session left, and the local cache.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IDBDatabase, IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { blobPath } from '../../../sync-server/blobs.ts';
import { startRelay, type Relay } from '../../../sync-server/server.ts';
import {
	createPhotoOutbox,
	fetchUploader,
	missingRetryDelay,
	NETWORK_RETRY_MAX_MS,
	uploadRetryDelay,
	type NewPhoto,
	type PhotoOutbox,
	type PhotoOutboxOptions,
	type Uploader
} from './photo-outbox.ts';
import type { DocSession } from './doc-session.ts';
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

	it('tries again at once when one of the app sessions connects to the relay', async () => {
		const { relay: r, dataDir } = await relay();
		let connection: 'offline' | 'online' = 'online';
		const session = { getState: () => ({ connection }) } as unknown as DocSession;
		let heard: ((changed?: DocSession) => void) | null = null;
		const sessions = {
			all: () => [session],
			watchSessions(listener: (changed?: DocSession) => void) {
				heard = listener;
				return () => (heard = null);
			}
		};
		let attempts = 0;
		const upload: Uploader = async (req) => {
			attempts++;
			if (attempts === 1) return { status: 503, error: 'unavailable' };
			return fetchUploader(globalThis.fetch)(req);
		};
		// A refusal waits a minute: only the reconnect can bring the photo out sooner.
		const box = outbox(r, { upload, sessions, retryBaseMs: 60_000, retryMaxMs: 60_000 });
		const p = photo();
		await box.add(p);
		await waitFor(() => box.state(p.hash)?.status === 'failed', 'failed', 5000);
		connection = 'offline';
		heard!(session);
		expect(attempts).toBe(1);
		connection = 'online';
		heard!(session);
		await waitFor(() => box.state(p.hash)?.status === 'stored', 'stored', 5000);
		expect(attempts).toBe(2);
		expect(stored(dataDir, p)).toBe(true);
		box.destroy();
		expect(heard).toBeNull();
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

	it('fetches a photo missing on this device from the relay and caches it; localPhoto never fetches', async () => {
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
		// The community ZIP's read: only what is on this device, the relay never asked.
		expect(await secretary.localPhoto(p.hash)).toBeNull();
		expect(fetches).toBe(0);
		const blob = await secretary.blob(p.hash);
		expect(new Uint8Array(await blob!.arrayBuffer())).toEqual(new Uint8Array(p.data));
		expect(fetches).toBe(1);
		const local = await secretary.localPhoto(p.hash);
		expect(new Uint8Array(local!.data)).toEqual(new Uint8Array(p.data));
		expect(local!.mime).toBe(p.mime);
		await secretary.blob(p.hash);
		expect(fetches).toBe(1);
		expect(await secretary.blob('0'.repeat(64))).toBeNull();
	});
});

describe('photo outbox, issue 15', () => {
	it('writes every readwrite transaction with strict durability', async () => {
		const { relay: r } = await relay();
		const modes: { mode: string | undefined; durability: string | undefined }[] = [];
		const original = IDBDatabase.prototype.transaction;
		const spy = vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (
			this: IDBDatabase,
			...args
		) {
			const [, mode, options] = args as [unknown, string?, { durability?: string }?];
			modes.push({ mode, durability: options?.durability });
			return original.apply(this, args as Parameters<typeof original>);
		});
		cleanups.push(() => spy.mockRestore());
		const device = new IDBFactory();
		const phone = outbox(r, { indexedDB: device });
		const p = photo();
		await phone.add(p);
		await phone.whenIdle(10_000);
		// A photo fetched from the relay is cached on the other phone: a write too.
		const other = outbox(r);
		expect(await other.blob(p.hash)).not.toBeNull();
		const writes = modes.filter((entry) => entry.mode === 'readwrite');
		// add, mark stored, cache.
		expect(writes.length).toBeGreaterThanOrEqual(3);
		expect(writes.every((entry) => entry.durability === 'strict')).toBe(true);
	});

	it('counts the photos an earlier session left pending, and drops them once uploaded', async () => {
		const { relay: r } = await relay();
		const device = new IDBFactory();
		let online = false;
		const network = new EventTarget();
		const first = outbox(r, { indexedDB: device, isOnline: () => online, networkEvents: null });
		await first.add(photo());
		await first.add(photo());
		expect(first.pendingCount()).toBe(2);
		first.destroy();

		// The app starts again, still offline: the two photos are counted before anything else.
		const second = outbox(r, {
			indexedDB: device,
			isOnline: () => online,
			networkEvents: network,
			retryBaseMs: 60_000,
			retryMaxMs: 60_000
		});
		const counts: number[] = [];
		second.subscribe(() => counts.push(second.pendingCount()));
		await waitFor(() => second.pendingKnown(), 'pending photos read', 5000);
		expect(second.pendingCount()).toBe(2);
		online = true;
		network.dispatchEvent(new Event('online'));
		await waitFor(() => second.pendingCount() === 0, 'uploaded', 10_000);
		expect(counts).toContain(1);
	});

	it('retries a photo that got no answer within NETWORK_RETRY_MAX_MS, however often it failed', () => {
		for (let failures = 1; failures <= 30; failures++) {
			expect(uploadRetryDelay(failures, 'network')).toBeLessThanOrEqual(NETWORK_RETRY_MAX_MS);
		}
		expect(NETWORK_RETRY_MAX_MS).toBeLessThan(5000);
		// A refusal from the relay still backs off to a minute.
		expect(uploadRetryDelay(10, 'refused')).toBe(60_000);
		// The other phone asks again for a photo the relay does not have yet within 5 s.
		for (let attempt = 1; attempt <= 20; attempt++) {
			expect(missingRetryDelay(attempt, attempt * 4000)).toBeLessThan(5000);
		}
		expect(missingRetryDelay(50, 10 * 60_000)).toBe(30_000);
	});

	/**
	 * The path that failed once in tests/volunteer-work.spec.ts, 60 times: a phone offline takes a
	 * photo; another phone already knows the photo's hash (its document arrived first) and asks
	 * the relay, which says 404; the first phone comes online. The photo must reach the relay
	 * within 5 s of `online`, and the other phone must get it without an `online` event of its own.
	 */
	it('offline → photo → online, 60 times: uploaded within 5 s, and the other phone gets it', async () => {
		const { relay: r, dataDir } = await relay();
		let online = false;
		const network = new EventTarget();
		const phone = outbox(r, {
			isOnline: () => online,
			networkEvents: network,
			// Production backoff: an offline pass must not delay the upload after `online`.
			retryBaseMs: 2000,
			retryMaxMs: 60_000
		});
		const staffFetches: number[] = [];
		const staff = outbox(r, {
			networkEvents: new EventTarget(),
			missingRetryScale: 0.05,
			fetch: (input, init) => {
				staffFetches.push(Date.now());
				return globalThis.fetch(input, init);
			}
		});
		for (let round = 0; round < 60; round++) {
			online = false;
			const p = photo(2000 + round);
			await phone.add(p);
			await waitFor(() => phone.state(p.hash)?.error === 'offline', 'waiting offline', 5000);

			let got: Blob | null = null;
			let misses = 0;
			const stop = staff.watchBlob(
				p.hash,
				(blob) => (got = blob),
				() => misses++
			);
			cleanups.push(stop);
			await waitFor(() => misses > 0, 'the relay does not have it yet', 5000);

			online = true;
			const back = Date.now();
			network.dispatchEvent(new Event('online'));
			await waitFor(() => phone.state(p.hash)?.status === 'stored', 'uploaded', 5000);
			expect(Date.now() - back).toBeLessThan(5000);
			expect(stored(dataDir, p)).toBe(true);
			await waitFor(() => got !== null, 'the other phone has it', 5000);
			expect(Date.now() - back).toBeLessThan(5000);
			expect(got!.size).toBe(2000 + round);
			stop();
		}
		expect(phone.pendingCount()).toBe(0);
	});

	it('the other phone asks again at the default pace: a photo uploaded late shows within 5 s', async () => {
		const { relay: r } = await relay();
		const phone = outbox(r);
		const staff = outbox(r, { networkEvents: new EventTarget() });
		for (let round = 0; round < 3; round++) {
			const p = photo();
			let got: Blob | null = null;
			let misses = 0;
			const stop = staff.watchBlob(
				p.hash,
				(blob) => (got = blob),
				() => misses++
			);
			cleanups.push(stop);
			await waitFor(() => misses > 0, 'missing at first', 5000);
			await phone.add(p);
			await phone.whenIdle(5000);
			const uploaded = Date.now();
			await waitFor(() => got !== null, 'shown', 5000);
			expect(Date.now() - uploaded).toBeLessThan(5000);
		}
	});

	it('stops asking when the relay refuses the photo to this member (403)', async () => {
		const { relay: r } = await relay();
		const other = () =>
			Promise.resolve({
				ok: true as const,
				token: r.mintToken({ communityId: 'elsewhere', role: 'volunteer' })
			});
		let fetches = 0;
		const stranger = outbox(r, {
			tokens: { get: other, fresh: other },
			missingRetryScale: 0.01,
			fetch: (input, init) => {
				fetches++;
				return globalThis.fetch(input, init);
			}
		});
		let misses = 0;
		cleanups.push(
			stranger.watchBlob(
				'a'.repeat(64),
				() => {},
				() => misses++
			)
		);
		await waitFor(() => misses === 1, 'refused once', 5000);
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(fetches).toBe(1);
	});
});
