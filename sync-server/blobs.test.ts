/**
 * Photo blobs against a real relay on port 0: who may upload and read, type, size and hash
 * checks, durability on disk, and the sweep of unreferenced blobs past their grace period.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { blobPath, referencedHashes, sniffImageType } from './blobs.ts';
import type { RelayOptions } from './server.ts';
import {
	connectSynced,
	removeDir,
	startTestRelay,
	trackPersisted,
	waitFor,
	type TestRelay
} from './test-helpers.ts';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
	cleanups = [];
});

async function relay(options: RelayOptions = {}): Promise<TestRelay> {
	const started = await startTestRelay({ blobs: { sweepMs: 0 }, ...options });
	cleanups.push(() => removeDir(started.dataDir));
	cleanups.push(() => started.relay.close());
	return started;
}

function jpeg(size = 2048): Buffer {
	const bytes = randomBytes(size);
	bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
	return bytes;
}

function png(size = 2048): Buffer {
	const bytes = randomBytes(size);
	bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0);
	return bytes;
}

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

type PutInput = {
	token?: string | null;
	type?: string;
	hash?: string;
	community?: string;
};

async function put(r: TestRelay, bytes: Buffer, input: PutInput = {}): Promise<Response> {
	const hash = input.hash ?? sha(bytes);
	return fetch(`${r.relay.url}/api/communities/${input.community ?? 'demo'}/blobs/${hash}`, {
		method: 'PUT',
		headers: {
			'Content-Type': input.type ?? 'image/jpeg',
			...(input.token === null ? {} : { Authorization: `Bearer ${input.token ?? r.token}` })
		},
		body: new Uint8Array(bytes)
	});
}

async function get(r: TestRelay, hash: string, token: string | null, community = 'demo') {
	return fetch(`${r.relay.url}/api/communities/${community}/blobs/${hash}`, {
		headers: token === null ? {} : { Authorization: `Bearer ${token}` }
	});
}

async function errorOf(response: Response): Promise<string> {
	return ((await response.json()) as { error: string }).error;
}

describe('blob upload authorization', () => {
	it('lets roles that write a board upload, and refuses observers, strangers and no token', async () => {
		const r = await relay();
		const mint = (role: 'volunteer' | 'observer' | 'grid-member' | 'secretary', grids?: string[]) =>
			r.relay.mintToken({ communityId: 'demo', role, grids, ttlSeconds: 600 });

		expect((await put(r, jpeg(), { token: mint('volunteer') })).status).toBe(201);
		expect((await put(r, jpeg(), { token: mint('secretary') })).status).toBe(201);
		expect((await put(r, jpeg(), { token: mint('grid-member', ['g1']) })).status).toBe(201);

		const observer = await put(r, jpeg(), { token: mint('observer') });
		expect(observer.status).toBe(403);
		expect(await errorOf(observer)).toBe('forbidden');
		// A grid member with no grid writes no board.
		expect((await put(r, jpeg(), { token: mint('grid-member', []) })).status).toBe(403);

		const other = r.relay.mintToken({ communityId: 'other', role: 'secretary' });
		const stranger = await put(r, jpeg(), { token: other });
		expect(stranger.status).toBe(403);

		const none = await put(r, jpeg(), { token: null });
		expect(none.status).toBe(401);
		expect(await errorOf(none)).toBe('token_missing');
		expect((await put(r, jpeg(), { token: 'not.a.token' })).status).toBe(401);
	});

	it('stores the bytes durably under DATA_DIR/blobs and answers a repeat upload with 200', async () => {
		const r = await relay();
		const bytes = jpeg(10_000);
		const hash = sha(bytes);
		const first = await put(r, bytes);
		expect(first.status).toBe(201);
		expect(await first.json()).toMatchObject({ hash, stored: true, bytes: 10_000 });
		const file = blobPath(r.dataDir, 'demo', hash);
		expect(file).toContain(`${hash.slice(0, 2)}/${hash.slice(2)}`);
		expect(fs.readFileSync(file).equals(bytes)).toBe(true);
		const again = await put(r, bytes);
		expect(again.status).toBe(200);
		expect(fs.readdirSync(`${r.dataDir}/blobs/demo/tmp`)).toEqual([]);
	});
});

describe('blob type, size and hash checks', () => {
	it('refuses other types, bytes that are not the declared image, and a wrong hash', async () => {
		const r = await relay();
		const gif = Buffer.concat([Buffer.from('GIF89a'), randomBytes(100)]);
		const asGif = await put(r, gif, { type: 'image/gif' });
		expect(asGif.status).toBe(415);
		expect(await errorOf(asGif)).toBe('unsupported_type');

		const disguised = await put(r, gif, { type: 'image/jpeg' });
		expect(disguised.status).toBe(415);
		expect(await errorOf(disguised)).toBe('type_mismatch');

		const html = Buffer.from('<html><script>alert(1)</script></html>');
		expect((await put(r, html, { type: 'image/png' })).status).toBe(415);
		expect((await put(r, png(), { type: 'image/jpeg' })).status).toBe(415);
		expect((await put(r, png(), { type: 'image/png' })).status).toBe(201);

		const wrongHash = await put(r, jpeg(), { hash: sha(Buffer.from('something else')) });
		expect(wrongHash.status).toBe(400);
		expect(await errorOf(wrongHash)).toBe('hash_mismatch');

		const badHash = await put(r, jpeg(), { hash: 'ABC' });
		expect(badHash.status).toBe(400);
		expect(await errorOf(badHash)).toBe('bad_hash');
		expect(fs.readdirSync(`${r.dataDir}/blobs/demo/tmp`)).toEqual([]);
	});

	it('refuses an oversized body by its Content-Length and while streaming a chunked one', async () => {
		const r = await relay({ blobs: { sweepMs: 0, maxBlobBytes: 64 * 1024 } });
		const big = jpeg(64 * 1024 + 1);
		const declared = await put(r, big);
		expect(declared.status).toBe(413);
		expect(await errorOf(declared)).toBe('blob_too_large');
		expect((await put(r, jpeg(64 * 1024))).status).toBe(201);

		// No Content-Length: the relay counts while streaming and stops at the cap.
		const hash = sha(big);
		const status = await new Promise<number>((resolve, reject) => {
			const request = http.request(`${r.relay.url}/api/communities/demo/blobs/${hash}`, {
				method: 'PUT',
				headers: {
					'Content-Type': 'image/jpeg',
					'Transfer-Encoding': 'chunked',
					Authorization: `Bearer ${r.token}`
				}
			});
			request.on('response', (response) => {
				response.resume();
				resolve(response.statusCode ?? 0);
			});
			request.on('error', reject);
			let sent = 0;
			const pump = (): void => {
				while (sent < big.length * 4) {
					const chunk = sent === 0 ? big.subarray(0, 16 * 1024) : randomBytes(16 * 1024);
					sent += chunk.length;
					if (!request.write(chunk)) {
						request.once('drain', pump);
						return;
					}
				}
				request.end();
			};
			pump();
		});
		expect(status).toBe(413);
		expect(fs.existsSync(blobPath(r.dataDir, 'demo', hash))).toBe(false);
		await waitFor(
			() => fs.readdirSync(`${r.dataDir}/blobs/demo/tmp`).length === 0,
			5000,
			'temp file removed'
		);
	});
});

describe('blob reads', () => {
	it('serves members of the community only, with immutable private caching and a strict CSP', async () => {
		const r = await relay();
		const bytes = jpeg(5000);
		const hash = sha(bytes);
		expect((await put(r, bytes)).status).toBe(201);

		const observer = r.relay.mintToken({ communityId: 'demo', role: 'observer' });
		const ok = await get(r, hash, observer);
		expect(ok.status).toBe(200);
		expect(ok.headers.get('content-type')).toBe('image/jpeg');
		expect(ok.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
		expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
		expect(ok.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
		expect(Buffer.from(await ok.arrayBuffer()).equals(bytes)).toBe(true);

		const other = r.relay.mintToken({ communityId: 'other', role: 'secretary' });
		expect((await get(r, hash, other)).status).toBe(403);
		// The other community's own path does not have it either: trees are per community.
		expect((await get(r, hash, other, 'other')).status).toBe(404);
		expect((await get(r, hash, null)).status).toBe(401);
		expect((await get(r, sha(Buffer.from('missing')), observer)).status).toBe(404);
		const post = await fetch(`${r.relay.url}/api/communities/demo/blobs/${hash}`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${observer}` }
		});
		expect(post.status).toBe(405);
	});
});

describe('blob sweep', () => {
	it('deletes only unreferenced blobs older than the grace period', async () => {
		const r = await relay({ blobs: { sweepMs: 0, graceMs: 200 } });
		const kept = jpeg();
		const dropped = jpeg();
		const fresh = jpeg();
		for (const bytes of [kept, dropped]) expect((await put(r, bytes)).status).toBe(201);

		// A board document of the community references one photo (as model/case/photos.ts writes it).
		const client = await connectSynced(r.wsUrl, 'c/demo/board/g1');
		cleanups.push(() => client.destroy());
		const persisted = trackPersisted(client.provider);
		client.doc.transact(() => {
			const photoCase = new Y.Map<unknown>();
			client.doc.getMap('cases').set('case1', photoCase);
			const photos = new Y.Array<unknown>();
			photoCase.set('photos', photos);
			photos.push([{ hash: sha(kept), mime: 'image/jpeg', width: 1, height: 1, bytes: 2048 }]);
		});
		await waitFor(() => persisted.covers(client.doc), 5000, 'board persisted');

		// Age the two files past the grace period; the third is uploaded now (young).
		const old = new Date(Date.now() - 10_000);
		for (const bytes of [kept, dropped]) {
			fs.utimesSync(blobPath(r.dataDir, 'demo', sha(bytes)), old, old);
		}
		expect((await put(r, fresh)).status).toBe(201);

		const result = await r.relay.blobs.sweep();
		expect(result).toEqual({ deleted: 1, kept: 1, referenced: 1 });
		expect(fs.existsSync(blobPath(r.dataDir, 'demo', sha(kept)))).toBe(true);
		expect(fs.existsSync(blobPath(r.dataDir, 'demo', sha(dropped)))).toBe(false);
		expect(fs.existsSync(blobPath(r.dataDir, 'demo', sha(fresh)))).toBe(true);
	});

	it('finds hashes at any depth of any shared type', () => {
		const doc = new Y.Doc();
		const a = 'a'.repeat(64);
		const b = 'b'.repeat(64);
		doc.getArray('list').push([{ nested: [{ photo: { hash: a } }] }]);
		const inner = new Y.Map<unknown>();
		doc.getMap('cases').set('x', inner);
		inner.set('timeline', Y.Array.from([{ kind: 'photo_added', photo: { hash: b } }]));
		inner.set('note', 'not-a-hash');
		// A document read back from an update has generic types: still walked.
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
		expect([...referencedHashes(copy)].sort()).toEqual([a, b]);
	});

	it('reads image types from magic bytes', () => {
		expect(sniffImageType(jpeg())).toBe('image/jpeg');
		expect(sniffImageType(png())).toBe('image/png');
		expect(sniffImageType(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
		expect(sniffImageType(Buffer.from('GIF89a......'))).toBeNull();
	});
});

describe('slow uploads', () => {
	it('a photo whose body takes longer than the auth deadline still uploads (slow link)', async () => {
		const r = await relay({ authDeadlineMs: 300, requestTimeoutMs: 10_000 });
		const bytes = jpeg(64 * 1024);
		const hash = sha(bytes);
		const url = new URL(`${r.relay.url}/api/communities/demo/blobs/${hash}`);
		const status = await new Promise<number>((resolve, reject) => {
			const req = http.request(
				{
					method: 'PUT',
					hostname: url.hostname,
					port: url.port,
					path: url.pathname,
					headers: {
						'Content-Type': 'image/jpeg',
						'Content-Length': bytes.length,
						Authorization: `Bearer ${r.token}`
					}
				},
				(res) => {
					res.resume();
					resolve(res.statusCode ?? 0);
				}
			);
			req.on('error', reject);
			// Eight chunks, each sent after the previous one was flushed and a tick of the
			// relay's timers passed: the whole body takes well over the 300 ms deadline.
			let sent = 0;
			const chunk = bytes.length / 8;
			const next = () => {
				if (sent >= bytes.length) return req.end();
				req.write(bytes.subarray(sent, sent + chunk), () => setTimeout(next, 100));
				sent += chunk;
			};
			next();
		});
		expect(status).toBe(201);
		expect(fs.existsSync(blobPath(r.dataDir, 'demo', hash))).toBe(true);
	});
});
