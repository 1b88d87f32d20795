/**
 * `migrate --to postgres` against a real PostgreSQL (test-servers.ts): an embedded relay's data
 * dir with documents written by two members over three hours (compacted into attribution and
 * hourly history, plus log rows still held), a community with members, a removed member, used
 * and revoked invites, rotated signing keys, a photo, a basemap and a published notice; and a
 * community written by real clients through a real relay (the backup tests' fixture). After
 * the move PostgreSQL serves the same documents (state vectors, attribution, history), the
 * same identity and keys; a non-empty target, a running relay and a corrupted document are
 * refused or reported, never a silent success.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { writeRelayLock } from '../backup/relay-lock.ts';
import {
	photo,
	readDataState,
	runAdmin,
	seedOn,
	SEEDED_DOCS,
	sha256
} from '../backup/test-fixture.ts';
import { basemapPath } from '../basemap/build.ts';
import { PostgresBlobStore } from '../blob-store-postgres.ts';
import { blobPath } from '../blobs.ts';
import { PostgresIdentityStore } from '../identity-postgres.ts';
import { SqliteIdentityStore } from '../identity-sqlite.ts';
import { createCommunity, createInvite, redeem } from '../identity.ts';
import { PostgresNoticeStore } from '../notices/postgres.ts';
import { SqliteNoticeStore } from '../notices/sqlite.ts';
import { HOUR_MS } from '../storage/history.ts';
import { openPool, PostgresStore } from '../storage/postgres.ts';
import { DB_FILE_NAME, SqliteStore } from '../storage/sqlite.ts';
import { makeTempDir, removeDir, startTestRelay } from '../test-helpers.ts';
import { KeyRing } from '../tokens.ts';
import { migrateToPostgres, MigrationRefused } from './migrate.ts';
import { startTestPostgres, type TestPostgres } from './test-servers.ts';

let postgres: TestPostgres;
beforeAll(async () => {
	postgres = await startTestPostgres();
}, 60_000);
afterAll(async () => {
	await postgres?.close();
});

const dirs: string[] = [];
afterEach(() => {
	for (const dir of dirs.splice(0)) removeDir(dir);
});

const DOCS = ['c/yc/directory', 'c/yc/board/g01', 'c/yc/meetings/m1'];
/** 2026-03-01 08:00 UTC and the two hours after it. */
const T0 = Date.UTC(2026, 2, 1, 8);

/**
 * Seeds a data dir as a relay leaves it: per document, edits by two members in three hours,
 * compacted after each of the first two (attribution and history rows), the third hour's rows
 * still in the log.
 */
function seedDataDir(): { dataDir: string; ids: { removed: string; kept: string } } {
	const dataDir = makeTempDir('gridboard-migrate-');
	dirs.push(dataDir);
	let now = T0;
	const store = new SqliteStore(dataDir, { now: () => now });
	try {
		for (const name of DOCS) {
			const doc = new Y.Doc();
			const authors = ['m-alice', 'm-bob'];
			for (let hour = 0; hour < 3; hour++) {
				now = T0 + hour * HOUR_MS + 60_000;
				for (const [i, author] of authors.entries()) {
					const before = Y.encodeStateVector(doc);
					doc.transact(() => {
						doc.getMap('cases').set(`${author}-${hour}`, `${name} ${hour}`);
						doc.getText('notes').insert(0, `${i}`);
						if (hour === 2) doc.getText('notes').delete(0, 1);
					});
					store.appendBatch([{ doc: name, update: Y.encodeStateAsUpdate(doc, before), author }]);
				}
				if (hour < 2) {
					store.compact(name, Y.encodeStateAsUpdate(doc), store.load(name).lastSeq);
				}
			}
			doc.destroy();
		}
	} finally {
		store.close();
	}
	const identity = new SqliteIdentityStore(dataDir);
	let ids;
	try {
		const { code } = createCommunity(identity, '玉城社区', 'yc', T0);
		const secretary = redeem(identity, code, '李书记', 'phone-1', T0 + 1);
		const second = createInvite(
			identity,
			{
				communityId: 'yc',
				role: 'grid-member',
				grids: ['g01'],
				expiresAt: T0 + 48 * HOUR_MS,
				maxUses: 3,
				createdBy: 'm-x'
			},
			T0 + 2
		);
		const worker = redeem(identity, second.code, '王网格员', 'phone-2', T0 + 3);
		const leaver = redeem(identity, second.code, '张', 'phone-3', T0 + 4);
		if (!secretary.ok || !worker.ok || !leaver.ok) throw new Error('seed: redeem failed');
		identity.updateMember('yc', worker.member.id, { grids: ['g01', 'g02'] });
		identity.removeMember('yc', leaver.member.id, T0 + 5);
		const revoked = createInvite(
			identity,
			{
				communityId: 'yc',
				role: 'observer',
				grids: [],
				expiresAt: T0 + HOUR_MS,
				maxUses: 1,
				createdBy: secretary.member.id
			},
			T0 + 6
		);
		identity.revokeInvite('yc', revoked.invite.id, T0 + 7);
		ids = { removed: leaver.member.id, kept: worker.member.id };
	} finally {
		identity.close();
	}
	new KeyRing(dataDir).rotate(T0 + 8);
	const picture = photo(7);
	const file = blobPath(dataDir, 'yc', sha256(picture));
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, picture);
	fs.mkdirSync(path.dirname(basemapPath(dataDir, 'yc')), { recursive: true });
	fs.writeFileSync(basemapPath(dataDir, 'yc'), 'PMTiles fixture bytes');
	const notices = new SqliteNoticeStore(dataDir);
	notices.publish(
		'yc',
		'g01',
		{ community: '玉城社区', grid: '第一网格', hours: '', team: [] },
		T0,
		'tok1'
	);
	notices.close();
	return { dataDir, ids };
}

function stateVector(stored: { snapshot: Uint8Array | null; updates: Uint8Array[] }): string {
	const doc = new Y.Doc();
	if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
	for (const update of stored.updates) Y.applyUpdate(doc, update);
	return Buffer.from(Y.encodeStateVector(doc)).toString('base64');
}

/** Everything both sides serve, per document and for identity, for a direct comparison. */
async function expectSameData(dataDir: string, url: string): Promise<void> {
	const source = new SqliteStore(dataDir);
	const sourceIdentity = new SqliteIdentityStore(dataDir);
	const target = await PostgresStore.open(url);
	const targetIdentity = await PostgresIdentityStore.open(url);
	try {
		expect(await target.docNames()).toEqual(source.docNames());
		for (const name of DOCS) {
			const from = source.load(name);
			const to = await target.load(name);
			expect(stateVector(to)).toBe(stateVector(from));
			expect(to.lastSeq).toBe(from.lastSeq);
			expect(await target.attribution(name)).toEqual(source.attribution(name));
			const hours = source.historyHours(name);
			expect(hours).toEqual([T0, T0 + HOUR_MS, T0 + 2 * HOUR_MS]);
			expect(await target.historyHours(name)).toEqual(hours);
			for (const hour of [...hours, T0 + 3 * HOUR_MS]) {
				expect(
					stateVector({ snapshot: null, updates: await target.historyBefore(name, hour) })
				).toBe(stateVector({ snapshot: null, updates: source.historyBefore(name, hour) }));
			}
		}
		expect(await targetIdentity.exportAll()).toEqual(sourceIdentity.exportAll());
		expect(await targetIdentity.signingKeys()).toEqual(new KeyRing(dataDir).keys);
		// The sequence continues after the imported numbers: a new row never reuses one.
		const next = await target.appendBatch([{ doc: DOCS[0]!, update: new Uint8Array([0]) }]);
		expect(next).toBeGreaterThan(source.load(DOCS[0]!).lastSeq);
	} finally {
		await target.close();
		await targetIdentity.close();
		sourceIdentity.close();
		source.close();
	}
}

it('moves documents with attribution and history, identity and keys; PostgreSQL serves the same', async () => {
	const { dataDir, ids } = seedDataDir();
	const url = await postgres.createDatabase();
	const before = fs.readFileSync(path.join(dataDir, DB_FILE_NAME));
	const summary = await migrateToPostgres({ dataDir, databaseUrl: url });
	expect(summary.mismatches).toEqual([]);
	expect(summary).toMatchObject({
		documents: 3,
		rows: { snapshots: 3, log: 6, attribution: 6 },
		communities: 1,
		members: 3,
		credentials: 3,
		invites: 3,
		keys: 2,
		moved: { photos: 1, notices: 1, noticePhones: 0 },
		stays: { basemaps: 1 }
	});
	// History rows per document: one merged row per compacted hour (2).
	expect(summary.rows.history).toBe(6);
	await expectSameData(dataDir, url);
	// The photo and the notice are where cluster relays serve them from.
	const pool = openPool(url);
	try {
		const held = await (await PostgresBlobStore.open(pool)).open('yc', sha256(photo(7)));
		const bytes: Buffer[] = [];
		for await (const chunk of held!.body()) bytes.push(chunk as Buffer);
		expect(Buffer.concat(bytes).equals(photo(7))).toBe(true);
		const notices = await PostgresNoticeStore.open(pool);
		expect(await notices.byToken('tok1')).toMatchObject({ state: 'live', communityId: 'yc' });
	} finally {
		await pool.end();
	}
	const identity = await PostgresIdentityStore.open(url);
	try {
		// Versions and removals came along as they were.
		expect((await identity.getMember('yc', ids.kept))?.ver).toBe(2);
		expect((await identity.getMember('yc', ids.removed))?.removedAt).toBe(T0 + 5);
	} finally {
		await identity.close();
	}
	// The embedded data is left as it was.
	expect(fs.readFileSync(path.join(dataDir, DB_FILE_NAME)).equals(before)).toBe(true);
}, 60_000);

it('runs from the CLI with DATABASE_URL and prints its summary', async () => {
	const { dataDir } = seedDataDir();
	const url = await postgres.createDatabase();
	const run = await runAdmin(['migrate', '--to', 'postgres'], {
		DATA_DIR: dataDir,
		DATABASE_URL: url
	});
	expect(run.stderr).toBe('');
	expect(run.code).toBe(0);
	expect(run.stdout).toMatch(/Copied 3 documents .* 1 communities, 3 members/);
	expect(run.stdout).toMatch(/Copied 1 photos, 1 notices and 0 phone consents/);
	expect(run.stdout).toMatch(/1 basemaps \(basemaps\/\)/);
	expect(run.stdout).toMatch(/Verified/);
	await expectSameData(dataDir, url);
}, 60_000);

it('refuses a target that holds data, and a data dir a relay is serving, writing nothing', async () => {
	const { dataDir } = seedDataDir();
	const url = await postgres.createDatabase();
	const held = await PostgresStore.open(url);
	await held.appendBatch([{ doc: 'c/other/directory', update: new Uint8Array([1]) }]);
	await held.close();
	await expect(migrateToPostgres({ dataDir, databaseUrl: url })).rejects.toThrow(
		/holds 1 documents, 0 communities and 0 keys already/
	);
	const identity = await PostgresIdentityStore.open(url);
	expect(await identity.listCommunities()).toEqual([]);
	await identity.close();

	const empty = await postgres.createDatabase();
	writeRelayLock(dataDir, 8787); // this test's own pid: a live process
	const refused = migrateToPostgres({ dataDir, databaseUrl: empty });
	await expect(refused).rejects.toThrow(MigrationRefused);
	await expect(refused).rejects.toThrow(/a relay \(pid \d+, port 8787\) is serving/);
	const run = await runAdmin(['migrate', '--to', 'postgres', '--database-url', empty], {
		DATA_DIR: dataDir
	});
	expect(run.code).toBe(1);
	expect(run.stderr).toMatch(/is serving .*: stop it first/);
	const untouched = await PostgresStore.open(empty);
	expect(await untouched.docNames()).toEqual([]);
	await untouched.close();
}, 60_000);

it('--resume finishes an interrupted migration of the same data dir, and only of it', async () => {
	const { dataDir } = seedDataDir();
	const url = await postgres.createDatabase();
	expect((await migrateToPostgres({ dataDir, databaseUrl: url })).mismatches).toEqual([]);
	// As if stopped after the identity and two documents: the third one's transaction never
	// committed.
	const client = new pg.Client(url);
	await client.connect();
	for (const table of ['snapshots', 'updates', 'attribution', 'history']) {
		await client.query(`DELETE FROM ${table} WHERE doc = $1`, [DOCS[2]]);
	}
	await client.end();
	await expect(migrateToPostgres({ dataDir, databaseUrl: url })).rejects.toThrow(
		/holds 2 documents, 1 communities and 2 keys already/
	);
	const run = await runAdmin(['migrate', '--to', 'postgres', '--resume', '--database-url', url], {
		DATA_DIR: dataDir
	});
	expect(run.stderr).toBe('');
	expect(run.code).toBe(0);
	expect(run.stdout).toMatch(/Resumed: 2 documents were copied before/);
	expect(run.stdout).toMatch(/Verified/);
	await expectSameData(dataDir, url);

	// Another data dir's migration is not resumed into it.
	const other = seedDataDir();
	await expect(
		migrateToPostgres({ dataDir: other.dataDir, databaseUrl: url, resume: true })
	).rejects.toThrow(/differ from this data dir's: not an interrupted migration of it/);
}, 60_000);

it('moves a community written by real clients through a real relay, refused while that relay runs', async () => {
	const r = await startTestRelay();
	dirs.push(r.dataDir);
	const url = await postgres.createDatabase();
	try {
		await seedOn(r, 'yc');
		await expect(migrateToPostgres({ dataDir: r.dataDir, databaseUrl: url })).rejects.toThrow(
			/is serving .*: stop it first/
		);
	} finally {
		await r.relay.close();
	}
	const summary = await migrateToPostgres({ dataDir: r.dataDir, databaseUrl: url });
	expect(summary.mismatches).toEqual([]);
	expect(summary).toMatchObject({
		documents: SEEDED_DOCS.length,
		moved: { photos: 2 },
		stays: { basemaps: 1 }
	});
	const state = await readDataState(r.dataDir);
	const target = await PostgresStore.open(url);
	const source = new SqliteStore(r.dataDir);
	try {
		expect(await target.docNames()).toEqual([...state.docs.keys()]);
		for (const [name, vector] of state.docs) {
			expect(stateVector(await target.load(name))).toBe(vector);
			// Each member's and the relay's attestations kept their authors.
			expect(await target.attribution(name)).toEqual(source.attribution(name));
		}
	} finally {
		source.close();
		await target.close();
	}
}, 60_000);

it('a document that does not decode fails the migration loudly', async () => {
	const { dataDir } = seedDataDir();
	const url = await postgres.createDatabase();
	const db = new DatabaseSync(path.join(dataDir, DB_FILE_NAME));
	db.prepare('UPDATE snapshots SET data = ? WHERE doc = ?').run(
		new Uint8Array([1, 200, 3]),
		DOCS[1]!
	);
	db.close();
	const run = await runAdmin(['migrate', '--to', 'postgres', '--database-url', url], {
		DATA_DIR: dataDir
	});
	expect(run.code).toBe(1);
	expect(run.stdout).not.toMatch(/Verified/);
	expect(run.stderr).toMatch(/MISMATCH c\/yc\/board\/g01: the SQLite copy does not decode/);
	expect(run.stderr).toMatch(/1 differences after copying: the migration is not verified/);
}, 60_000);
