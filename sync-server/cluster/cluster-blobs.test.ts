/**
 * Photos and public notices in cluster mode (REDIS_URL and DATABASE_URL) on a real Redis and a
 * real PostgreSQL: three relays share one database, so a photo uploaded through one relay is
 * served by the others with the same bytes, under the same access rules on each; the photo
 * sweep of a cluster relay reads the cluster's documents (PostgreSQL and the streams); and a
 * notice published through one relay is listed, served and withdrawn through the others.
 *
 * Tokens are service tokens (valid on every relay through the shared keys), or members' tokens
 * used only on the relay they joined on: members are not shared by this file's subject.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import type { Role } from '../../src/lib/wire/index.ts';
import {
	connectSynced,
	demoCommunity,
	trackPersisted,
	waitFor,
	type TestRelay
} from '../test-helpers.ts';
import { clusterFixture } from './cluster-fixture.ts';

const fx = clusterFixture({ databasePerTest: true, relayDefaults: { blobs: { sweepMs: 0 } } });

/** A JPEG-looking body of `size` random bytes (its own hash every time). */
function jpeg(size: number): Buffer {
	const bytes = randomBytes(size);
	bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
	return bytes;
}

/** `waitFor` for a condition that must ask a server: polls until it holds or time is up. */
async function eventually(
	condition: () => Promise<boolean>,
	timeoutMs: number,
	what: string
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await condition())) {
		if (Date.now() > deadline)
			throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const mint = (r: TestRelay, role: Role, communityId = 'demo'): string =>
	r.relay.mintToken({ communityId, role, ttlSeconds: 600 });

function put(r: TestRelay, bytes: Buffer, token: string | null, hash = sha(bytes)) {
	return fetch(`${r.relay.url}/api/communities/demo/blobs/${hash}`, {
		method: 'PUT',
		headers: {
			'Content-Type': 'image/jpeg',
			...(token === null ? {} : { Authorization: `Bearer ${token}` })
		},
		body: new Uint8Array(bytes)
	});
}

function get(r: TestRelay, hash: string, token: string | null, community = 'demo') {
	return fetch(`${r.relay.url}/api/communities/${community}/blobs/${hash}`, {
		headers: token === null ? {} : { Authorization: `Bearer ${token}` }
	});
}

it('a photo uploaded through relay A is served by relays B and C with the same bytes and hash', async () => {
	const [a, b, c] = await fx.three();
	const photo = jpeg(300_000);
	const hash = sha(photo);
	const stored = await put(a!, photo, mint(a!, 'volunteer'));
	expect(stored.status).toBe(201);
	expect(await stored.json()).toMatchObject({ hash, stored: true, bytes: photo.length });
	for (const r of [b!, c!]) {
		const answer = await get(r, hash, mint(r, 'observer'));
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe('image/jpeg');
		expect(answer.headers.get('etag')).toBe(`"${hash}"`);
		const bytes = Buffer.from(await answer.arrayBuffer());
		expect(bytes.equals(photo)).toBe(true);
		expect(sha(bytes)).toBe(hash);
	}
	// The same photo again, through another relay: already there.
	expect((await put(c!, photo, mint(c!, 'secretary'))).status).toBe(200);
	const head = await fetch(`${b!.relay.url}/api/communities/demo/blobs/${hash}`, {
		method: 'HEAD',
		headers: { Authorization: `Bearer ${mint(b!, 'volunteer')}` }
	});
	expect(head.status).toBe(200);
	expect(head.headers.get('content-length')).toBe(String(photo.length));
	// Nothing of the photo is in any relay's own directory: PostgreSQL holds it.
	for (const r of [a!, b!, c!]) expect(fs.existsSync(path.join(r.dataDir, 'blobs'))).toBe(false);
});

it('the access rules for photos hold on every relay of the cluster', async () => {
	const relays = await fx.three();
	const photo = jpeg(20_000);
	const hash = sha(photo);
	expect((await put(relays[0]!, photo, mint(relays[0]!, 'grid-member'))).status).toBe(403);
	expect((await put(relays[0]!, photo, mint(relays[0]!, 'secretary'))).status).toBe(201);
	for (const r of relays) {
		// Any role of the community reads, on every relay.
		expect((await get(r, hash, mint(r, 'observer'))).status).toBe(200);
		// No token, a forged one, and another community's member read nothing.
		expect((await get(r, hash, null)).status).toBe(401);
		expect((await get(r, hash, 'not.a.token')).status).toBe(401);
		expect((await get(r, hash, mint(r, 'secretary', 'other'))).status).toBe(403);
		// The photo is demo's: under another community's path it is unknown, even to its members.
		expect((await get(r, hash, mint(r, 'secretary', 'other'), 'other')).status).toBe(404);
		// Observers upload nothing; a body that is not the hash of the path stays nowhere.
		const other = jpeg(20_000);
		expect((await put(r, other, mint(r, 'observer'))).status).toBe(403);
		const wrong = await put(r, other, mint(r, 'volunteer'), sha(jpeg(10)));
		expect(wrong.status).toBe(400);
		for (const reader of relays) {
			expect((await get(reader, sha(other), mint(reader, 'observer'))).status).toBe(404);
		}
	}
});

it('the sweep of a cluster relay keeps photos the cluster documents mention and removes the others after the grace period', async () => {
	const [a, b] = await fx.three();
	const token = mint(a!, 'volunteer');
	const inStream = jpeg(5_000);
	const folded = jpeg(5_000);
	const unreferenced = jpeg(5_000);
	for (const photo of [inStream, folded, unreferenced]) {
		expect((await put(a!, photo, token)).status).toBe(201);
	}
	// One document mentions a photo and is folded into PostgreSQL (its stream trimmed); another,
	// written through relay B, mentions one and is still only in its Redis stream.
	const worker = await fx.relay({ clusterCompactMs: 20, clusterCompactMinLifetimeMs: 0 });
	const first = await connectSynced(worker.wsUrl, 'c/demo/households/g01');
	fx.defer(() => first.destroy());
	const firstConfirmed = trackPersisted(first.provider);
	first.doc.getMap('cases').set('c1', { photos: [sha(folded)] });
	await waitFor(() => firstConfirmed.covers(first.doc), 10_000, 'the first edit confirmed');
	const probe = new Redis(fx.redis.url);
	fx.defer(() => probe.disconnect());
	await eventually(
		async () => (await probe.xlen('gridboard:doc:c/demo/households/g01')) === 0,
		10_000,
		'the first document folded and its stream trimmed'
	);
	// No worker folds the second document: it stays in its stream.
	await worker.relay.close();
	const second = await connectSynced(b!.wsUrl, 'c/demo/households/g02');
	fx.defer(() => second.destroy());
	const secondConfirmed = trackPersisted(second.provider);
	second.doc.getArray('photos').push([sha(inStream)]);
	await waitFor(() => secondConfirmed.covers(second.doc), 10_000, 'the second edit confirmed');
	expect(await probe.xlen('gridboard:doc:c/demo/households/g02')).toBe(1);

	// Within the grace period nothing goes; past it, only the photo no document mentions.
	const young = await fx.relay({ blobs: { sweepMs: 0, graceMs: 3600_000 } });
	expect(await young.relay.blobs.sweep()).toEqual({ deleted: 0, kept: 1, referenced: 2 });
	const old = await fx.relay({ blobs: { sweepMs: 0, graceMs: 0 } });
	expect(await old.relay.blobs.sweep()).toEqual({ deleted: 1, kept: 0, referenced: 2 });
	const reader = mint(b!, 'observer');
	expect((await get(b!, sha(unreferenced), reader)).status).toBe(404);
	expect((await get(b!, sha(inStream), reader)).status).toBe(200);
	expect((await get(b!, sha(folded), reader)).status).toBe(200);

	// And the sweep runs on its timer in cluster mode.
	const late = jpeg(5_000);
	expect((await put(a!, late, token)).status).toBe(201);
	const timed = await fx.relay({ blobs: { sweepMs: 20, graceMs: 0 } });
	await eventually(
		async () => (await get(timed, sha(late), mint(timed, 'observer'))).status === 404,
		10_000,
		'the timed sweep removes the unreferenced photo'
	);
	expect((await get(timed, sha(inStream), mint(timed, 'observer'))).status).toBe(200);
	expect((await get(timed, sha(folded), mint(timed, 'observer'))).status).toBe(200);
});

it('one relay of the cluster runs the photo sweep per period; another takes over when it is gone', async () => {
	const period = 300;
	// When each relay swept (its log), in the order the relays started.
	const sweeps: number[][] = [[], [], []];
	const started = Date.now();
	const relays = await Promise.all(
		sweeps.map((times) =>
			fx.relay({
				blobs: { sweepMs: period, graceMs: 3600_000 },
				log: (event) => {
					if (event.event === 'blob-sweep') times.push(Date.now());
				}
			})
		)
	);
	const total = (): number => sweeps.reduce((sum, times) => sum + times.length, 0);
	// One timer ticks at most once per period (a loaded machine only makes it later); a lease
	// passing from one relay to another may add one. Three relays sweeping on their own timers
	// would make about three times as many.
	const atMost = (since: number, now: number): number => Math.floor((now - since) / period) + 1;
	await waitFor(() => total() >= 5, 20_000, 'five sweeps');
	expect(total()).toBeLessThanOrEqual(atMost(started, Date.now()));

	// The relay holding the lease goes away: another one sweeps on, still once per period.
	const probe = new Redis(fx.redis.url);
	fx.defer(() => probe.disconnect());
	const [key] = await probe.keys('*:lease:photo-sweep');
	const holderId = await probe.get(key!);
	const holder = relays.findIndex((r) => r.relay.cluster!.streams.relayId === holderId);
	expect(holder).toBeGreaterThanOrEqual(0);
	await relays[holder]!.relay.close();
	const closed = Date.now();
	const before = sweeps.map((times) => times.length);
	const since = (): number => total() - before.reduce((sum, n) => sum + n, 0);
	await waitFor(() => since() >= 4, 20_000, 'four sweeps after the holder went');
	expect(since()).toBeLessThanOrEqual(atMost(closed, Date.now()));
	expect(sweeps[holder]!.length).toBe(before[holder]);
}, 60_000);

it('a notice published through relay A is listed and served by relay B, and withdrawn through C', async () => {
	const [a, b, c] = await fx.three();
	// The team names a member of relay A (where the notice is checked on publishing).
	const community = await demoCommunity(a!);
	// Their consent to show a phone, stored in PostgreSQL through A.
	const consent = await fetch(`${a!.relay.url}/api/communities/demo/notice-phone`, {
		method: 'PUT',
		headers: {
			'Content-Type': 'application/json',
			Authorization: `Bearer ${community.secretary.token}`
		},
		body: JSON.stringify({ phone: '13800138000' })
	});
	expect(consent.status).toBe(200);
	const published = await fetch(`${a!.relay.url}/api/communities/demo/notices/g1`, {
		method: 'PUT',
		headers: {
			'Content-Type': 'application/json',
			Authorization: `Bearer ${community.secretary.token}`
		},
		body: JSON.stringify({
			community: '示例社区',
			grid: '第一网格',
			hours: '周一至周五 9:00–17:30',
			team: [
				{
					memberId: community.secretary.memberId,
					name: '李书记',
					duty: '网格长',
					phone: '13800138000'
				}
			]
		})
	});
	expect(published.status).toBe(200);
	const { notice } = (await published.json()) as { notice: { token: string } };

	const list = await fetch(`${b!.relay.url}/api/communities/demo/notices`, {
		headers: { Authorization: `Bearer ${mint(b!, 'secretary')}` }
	});
	expect(list.status).toBe(200);
	const listed = (await list.json()) as { notices: { gridId: string; token: string }[] };
	expect(listed.notices.map(({ gridId, token }) => ({ gridId, token }))).toEqual([
		{ gridId: 'g1', token: notice.token }
	]);
	// The member's consented phone shows on the notice page.
	const onA = await fetch(`${a!.relay.url}/n/${notice.token}.json`);
	expect(await onA.json()).toMatchObject({ team: [{ name: '李书记', phone: '13800138000' }] });
	const page = await fetch(`${b!.relay.url}/n/${notice.token}.json`);
	expect(page.status).toBe(200);
	expect(await page.json()).toMatchObject({ grid: '第一网格', team: [{ name: '李书记' }] });

	const withdrawn = await fetch(`${c!.relay.url}/api/communities/demo/notices/g1`, {
		method: 'DELETE',
		headers: { Authorization: `Bearer ${mint(c!, 'secretary')}` }
	});
	expect(withdrawn.status).toBe(200);
	expect((await fetch(`${a!.relay.url}/n/${notice.token}.json`)).status).toBe(410);
	expect((await fetch(`${b!.relay.url}/n/${notice.token}`)).status).toBe(410);
});
