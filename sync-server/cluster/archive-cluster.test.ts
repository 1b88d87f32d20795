/**
 * Community archives on a cluster (cluster/archive-cluster.ts) on a real Redis and PostgreSQL,
 * through the admin CLI with REDIS_URL and DATABASE_URL set, as an operator runs it: an export
 * holds what clients on the relays see, edits still only in the streams included, and the
 * photos of the PostgreSQL blob store; that archive imports into an embedded relay and under
 * another id into the cluster, where a client on another relay reads it; an embedded relay's
 * archive moves onto the cluster; a tampered archive, a taken id and an id with documents only
 * in the streams are refused with nothing written; a crash mid-import leaves nothing before the
 * commit and a complete community after it. BACKUP_DIR is refused on a cluster relay.
 */
import fs from 'node:fs';
import path from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { Redis } from 'ioredis';
import pg from 'pg';
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import { basemapPath } from '../basemap/build.ts';
import { readArchive } from '../backup/archive.ts';
import {
	adminPausedAt,
	photo,
	readDataState,
	runAdmin,
	seedOn,
	SEEDED_DOCS,
	sha256,
	uploadPhoto,
	writeDoc
} from '../backup/test-fixture.ts';
import { readConfig } from '../config.ts';
import { startRelay } from '../server.ts';
import {
	connectSynced,
	killHard,
	makeTempDir,
	startTestRelay,
	type TestRelay
} from '../test-helpers.ts';
import { clusterFixture } from './cluster-fixture.ts';

const fx = clusterFixture({
	databasePerTest: true,
	// Compaction only when a test asks (`compactNow`), so edits stay in the streams meanwhile.
	relayDefaults: { clusterCompactMs: 0, clusterCompactMinLifetimeMs: 0, blobs: { sweepMs: 0 } }
});

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** The admin CLI's environment for the cluster (and a DATA_DIR for basemaps and staging). */
const clusterEnv = (dataDir: string): Record<string, string> => ({
	DATA_DIR: dataDir,
	REDIS_URL: fx.redis.url,
	DATABASE_URL: fx.databaseUrl
});

/** What a client on `r` sees of each document of community `cid`: name → base64 state vector. */
async function clientView(
	r: TestRelay,
	cid: string,
	names: readonly string[]
): Promise<Map<string, string>> {
	const token = r.relay.mintToken({ communityId: cid, role: 'secretary', ttlSeconds: 600 });
	const view = new Map<string, string>();
	for (const name of names) {
		const client = await connectSynced(r.wsUrl, `c/${cid}/${name}`, token);
		view.set(name, base64(Y.encodeStateVector(client.doc)));
		client.destroy();
	}
	return view;
}

/** The photo's bytes as `r` serves them to a secretary of `cid`, hashed; null if not 200. */
async function servedPhoto(r: TestRelay, cid: string, hash: string): Promise<string | null> {
	const token = r.relay.mintToken({ communityId: cid, role: 'secretary', ttlSeconds: 600 });
	const res = await fetch(`${r.relay.url}/api/communities/${cid}/blobs/${hash}`, {
		headers: { Authorization: `Bearer ${token}` }
	});
	if (res.status !== 200) return null;
	return sha256(new Uint8Array(await res.arrayBuffer()));
}

/** Everything the cluster holds of community `cid`: rows per table, Redis stream keys. */
async function clusterHolds(cid: string) {
	const db = new pg.Client({ connectionString: fx.databaseUrl });
	await db.connect();
	const redis = new Redis(fx.redis.url);
	try {
		const count = async (sql: string, param: string): Promise<number> =>
			Number((await db.query<{ n: string }>(sql, [param])).rows[0]!.n);
		const docs = (table: string): Promise<number> =>
			count(`SELECT count(*) AS n FROM ${table} WHERE starts_with(doc, $1)`, `c/${cid}/`);
		return {
			communities: await count('SELECT count(*) AS n FROM communities WHERE id = $1', cid),
			invites: await count('SELECT count(*) AS n FROM invites WHERE community_id = $1', cid),
			blobs: await count('SELECT count(*) AS n FROM blobs WHERE community = $1', cid),
			snapshots: await docs('snapshots'),
			history: await docs('history'),
			streams: (await redis.keys(`gridboard:doc:c/${cid}/*`)).length
		};
	} finally {
		redis.disconnect();
		await db.end();
	}
}

const NOTHING = { communities: 0, invites: 0, blobs: 0, snapshots: 0, history: 0, streams: 0 };

it('exports what clients see (streams included) and imports it embedded and under a new id on the cluster', async () => {
	const [a, b, c] = (await fx.three()) as [TestRelay, TestRelay, TestRelay];
	const seed = await seedOn(a, 'yc');
	const { token } = seed;
	// Folded into PostgreSQL and trimmed; then edits through B that are only in the streams.
	await a.relay.cluster!.compactNow();
	await writeDoc(b.wsUrl, 'c/yc/board/g01', (doc) => doc.getArray('log').push(['closed']), token);
	await writeDoc(b.wsUrl, 'c/yc/tasks', (doc) => doc.getMap('tasks').set('t1', '清理'), token);
	const lateHash = await uploadPhoto(b.relay.url, 'yc', token, photo(3));
	const redis = new Redis(fx.redis.url);
	fx.defer(() => redis.disconnect());
	expect(await redis.xlen('gridboard:doc:c/yc/board/g01')).toBeGreaterThan(0);
	expect(await redis.xlen('gridboard:doc:c/yc/directory')).toBe(0);
	const names = [...SEEDED_DOCS, 'tasks'].sort();
	const seen = await clientView(c, 'yc', names);

	const out = path.join(fx.dataDir(), 'yc.zip');
	const exported = await runAdmin(['export-community', 'yc', '--out', out], clusterEnv(a.dataDir));
	expect(exported.stderr).toBe('');
	expect(exported.code).toBe(0);
	const archive = readArchive(fs.readFileSync(out));
	expect(archive.manifest.counts).toEqual({ documents: 4, photos: 3, members: 1, basemap: 1 });
	expect(new Map(archive.manifest.documents.map((d) => [d.name, d.stateVector] as const))).toEqual(
		seen
	);
	expect([...archive.photos.keys()].sort()).toEqual([...seed.photos, lateHash].sort());
	expect(archive.members).toEqual([
		expect.objectContaining({ displayName: '李书记', role: 'secretary', removedAt: null })
	]);
	// No secret travels: not the member's device secret, not the invite.
	const text = Buffer.concat(Object.values(unzipSync(fs.readFileSync(out)))).toString('latin1');
	expect(text).not.toContain(seed.credentialSecret);
	expect(text).not.toContain(seed.inviteCode);

	// Onto an embedded relay: same documents, photos and basemap.
	const e = await startTestRelay({ dataDir: fx.dataDir() });
	fx.defer(() => e.relay.close());
	const embedded = await runAdmin(['import-community', out], { DATA_DIR: e.dataDir });
	expect(embedded.stderr).toBe('');
	expect(embedded.code).toBe(0);
	expect(await clientView(e, 'yc', names)).toEqual(seen);
	expect(await servedPhoto(e, 'yc', lateHash)).toBe(lateHash);
	expect(fs.readFileSync(basemapPath(e.dataDir, 'yc'))).toEqual(
		fs.readFileSync(basemapPath(a.dataDir, 'yc'))
	);

	// Onto the cluster under another id (the admin on B's DATA_DIR), read through C.
	const moved = await runAdmin(['import-community', out, '--id', 'yc2'], clusterEnv(b.dataDir));
	expect(moved.stderr).toBe('');
	expect(moved.code).toBe(0);
	expect(moved.stdout).toMatch(/李书记\tsecretary/);
	expect(await clientView(c, 'yc2', names)).toEqual(seen);
	for (const hash of [...seed.photos, lateHash])
		expect(await servedPhoto(c, 'yc2', hash)).toBe(hash);
	expect(fs.existsSync(basemapPath(b.dataDir, 'yc2'))).toBe(true);
	// The fresh secretary invite is the cluster's: redeemed on A.
	const code = /\/join#(\S+)/.exec(moved.stdout)?.[1];
	const joined = await fetch(`${a.relay.url}/api/join`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ code, displayName: '王书记', deviceId: 'phone-2' })
	});
	expect(joined.status).toBe(200);
	// The source community is untouched.
	expect(await clientView(c, 'yc', names)).toEqual(seen);
}, 120_000);

it("moves an embedded relay's archive onto the cluster; refusals and a crash before the commit write nothing", async () => {
	const e = await startTestRelay({ dataDir: fx.dataDir() });
	fx.defer(() => e.relay.close());
	const seed = await seedOn(e, 'ye');
	const out = path.join(fx.dataDir(), 'ye.zip');
	expect(
		(await runAdmin(['export-community', 'ye', '--out', out], { DATA_DIR: e.dataDir })).code
	).toBe(0);
	const before = await readDataState(e.dataDir);
	// (Redis is the file's: test ids differ from the other tests'.)
	const [a, b] = await Promise.all([fx.relay(), fx.relay()]);
	const adminDir = fx.dataDir();
	const env = clusterEnv(adminDir);

	// A tampered archive (a photo's bytes changed): refused, nothing written.
	const entries = unzipSync(fs.readFileSync(out));
	const photoFile = Object.keys(entries).find((name) => name.startsWith('photos/'))!;
	const photoBytes = entries[photoFile]!;
	photoBytes[100] = photoBytes[100]! ^ 0xff;
	const tampered = path.join(fx.dataDir(), 'tampered.zip');
	fs.writeFileSync(tampered, zipSync(entries));
	const refused = await runAdmin(['import-community', tampered, '--id', 'yt'], env);
	expect(refused.code).toBe(1);
	expect(refused.stderr).toMatch(/does not match its checksum/);
	expect(await clusterHolds('yt')).toEqual(NOTHING);

	// An id the cluster has: refused, none of the archive's rows written.
	await a.relay.createCommunityAsync('别的社区', 'taken');
	const takenBefore = await clusterHolds('taken');
	const taken = await runAdmin(['import-community', out, '--id', 'taken'], env);
	expect(taken.code).toBe(1);
	expect(taken.stderr).toMatch(/community taken exists already/);
	expect(await clusterHolds('taken')).toEqual(takenBefore);
	expect(takenBefore.blobs + takenBefore.snapshots).toBe(0);

	// An id with a document only in the streams (no community row, nothing folded): refused.
	const svc = a.relay.mintToken({ communityId: 'ys', role: 'secretary', ttlSeconds: 600 });
	await writeDoc(a.wsUrl, 'c/ys/board/g01', (doc) => doc.getMap('m').set('k', 1), svc);
	const streamOnly = await runAdmin(['import-community', out, '--id', 'ys'], env);
	expect(streamOnly.code).toBe(1);
	expect(streamOnly.stderr).toMatch(/documents of ys exist already/);
	expect(await clusterHolds('ys')).toEqual({ ...NOTHING, streams: 1 });

	// Killed with the basemap staged, before the transaction: nothing in PostgreSQL.
	await killHard(
		await adminPausedAt(['import-community', out, '--id', 'yk'], env, 'import-staged')
	);
	expect(await clusterHolds('yk')).toEqual(NOTHING);
	expect(fs.readdirSync(path.join(adminDir, 'imports'))).toHaveLength(1);

	// Killed after the commit: the community is whole on the cluster; the staged basemap is moved
	// into place by the next start of a cluster relay on that DATA_DIR (the first staging dropped).
	await killHard(
		await adminPausedAt(['import-community', out, '--id', 'yk'], env, 'import-committed')
	);
	expect(await clusterHolds('yk')).toEqual({
		communities: 1,
		invites: 1,
		blobs: seed.photos.length,
		snapshots: SEEDED_DOCS.length,
		history: SEEDED_DOCS.length,
		streams: 0
	});
	expect(fs.existsSync(basemapPath(adminDir, 'yk'))).toBe(false);
	await fx.relay({ dataDir: adminDir });
	expect(fs.readdirSync(path.join(adminDir, 'imports'))).toEqual([]);
	expect(fs.readFileSync(basemapPath(adminDir, 'yk'))).toEqual(
		fs.readFileSync(basemapPath(e.dataDir, 'ye'))
	);

	// What the embedded relay held is what a client on another relay of the cluster reads.
	const view = await clientView(b, 'yk', SEEDED_DOCS);
	for (const name of SEEDED_DOCS) expect(view.get(name)).toBe(before.docs.get(`c/ye/${name}`));
	for (const hash of seed.photos) expect(await servedPhoto(b, 'yk', hash)).toBe(hash);
	// And the same archive under its own id, with nothing left of the refusals.
	expect((await runAdmin(['import-community', out], env)).code).toBe(0);
	expect(await clientView(a, 'ye', SEEDED_DOCS)).toEqual(view);
}, 120_000);

it('refuses BACKUP_DIR on a cluster relay at start (its backups would copy an unused SQLite file)', async () => {
	const cluster = { REDIS_URL: fx.redis.url, DATABASE_URL: fx.databaseUrl, BACKUP_DIR: '/tmp/b' };
	expect(() => readConfig(cluster)).toThrow(/BACKUP_DIR backs up an embedded relay only/);
	expect(readConfig({ BACKUP_DIR: '/tmp/b' }).backupDir).toBe('/tmp/b');
	const dataDir = makeTempDir();
	fx.defer(() => fs.rmSync(dataDir, { recursive: true, force: true }));
	await expect(
		startRelay({
			port: 0,
			dataDir,
			redisUrl: fx.redis.url,
			databaseUrl: fx.databaseUrl,
			backupDir: path.join(dataDir, 'backups')
		})
	).rejects.toThrow(/pg_dump/);
});
