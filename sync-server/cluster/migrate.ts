/**
 * `npm run admin -- migrate --to postgres`: moves an embedded relay's data (DATA_DIR) into the
 * PostgreSQL database of the scale-out relay (issue 22), then verifies the copy.
 *
 * What moves: every document with all its rows as stored (snapshot, log rows with their numbers,
 * receive times and authors, attribution records, hourly history rows: SqliteStore.exportDoc,
 * PostgresStore.importDoc, one transaction per document); communities, members, credentials and
 * invites with their ids, versions, use counts and hashes, and the token-signing keys of
 * keys.json (relay_keys), in one transaction (PostgresIdentityStore.importAll); photos (blobs/,
 * each checked against its hash, keeping its age for the sweep) into PostgresBlobStore, and
 * public notices and phone consents into PostgresNoticeStore, where cluster relays serve them.
 * What stays on the shared directory: basemaps (basemaps/), files the relays serve by path. The
 * summary counts them.
 *
 * Invariants:
 * - Refuses, writing nothing, while a relay holds DATA_DIR (relay-lock.ts) and when the target
 *   holds any document, community or key (no merge with another relay's data); with `resume`,
 *   when what it holds is not a part of this data dir's migration (identity and keys equal, every
 *   document one of the data dir's).
 * - Reads only: DATA_DIR is left as it was (the embedded relay can start on it again); only a
 *   database of an older version gets its schema brought up to date, as a relay's start does.
 * - Success means verified: per document, what the relay serves from PostgreSQL (load,
 *   attribution, history, historyHours) equals what SQLite serves, byte for byte, and the
 *   Y.Doc built from each side has the same state vector and the same encoded state (sha-256);
 *   identity rows and keys read back equal. Any difference or unreadable document is listed in
 *   `mismatches`; the CLI then exits 1.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { DatabaseSync } from 'node:sqlite';
import * as Y from 'yjs';
import { storedPhotoHashes } from '../backup/archive.ts';
import { blobPath, DiskBlobStore } from '../blob-store.ts';
import { PostgresBlobStore } from '../blob-store-postgres.ts';
import { runningRelay } from '../backup/relay-lock.ts';
import { PostgresIdentityStore } from '../identity-postgres.ts';
import { SqliteIdentityStore } from '../identity-sqlite.ts';
import { PostgresNoticeStore, type NoticePhoneRow, type NoticeRow } from '../notices/postgres.ts';
import { openPool, PostgresStore } from '../storage/postgres.ts';
import { DB_FILE_NAME, SqliteStore } from '../storage/sqlite.ts';
import type { StoredDoc } from '../storage/types.ts';
import { KEYS_FILE_NAME, KeyRing, type SigningKey } from '../tokens.ts';

/** A refusal before anything was written (a running relay, a target that holds data). */
export class MigrationRefused extends Error {}

export type MigrationSummary = {
	documents: number;
	/** Log rows, history rows and snapshots copied. */
	rows: { log: number; history: number; snapshots: number; attribution: number };
	communities: number;
	members: number;
	credentials: number;
	invites: number;
	keys: number;
	/** Photos, notices and phone consents copied into PostgreSQL. */
	moved: { photos: number; notices: number; noticePhones: number };
	/** Left on the shared directory (files), with counts. */
	stays: { basemaps: number };
	ms: number;
	/** Documents a resumed migration found copied already (verified, not copied again). */
	resumed: number;
	/** Empty when everything verified; else one line per difference. */
	mismatches: string[];
};

/** What a Y.Doc built from stored rows says: its state vector and its encoded state's hash. */
function docState(stored: StoredDoc): { vector: string; sha256: string } {
	const doc = new Y.Doc();
	try {
		doc.transact(() => {
			if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
			for (const update of stored.updates) Y.applyUpdate(doc, update);
		});
		return {
			vector: Buffer.from(Y.encodeStateVector(doc)).toString('base64'),
			sha256: createHash('sha256').update(Y.encodeStateAsUpdate(doc)).digest('hex')
		};
	} finally {
		doc.destroy();
	}
}

/** The notices and phone consents in gridboard.db, as rows (read-only SQL, in key order). */
function noticeRows(dataDir: string): { notices: NoticeRow[]; phones: NoticePhoneRow[] } {
	const db = new DatabaseSync(path.join(dataDir, DB_FILE_NAME), { readOnly: true });
	try {
		const rows = (table: string, order: string): Record<string, unknown>[] => {
			const found = db
				.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
				.get(table);
			if (!found) return [];
			return db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all();
		};
		return {
			notices: rows('notices', 'token').map((row) => ({
				token: row.token as string,
				communityId: row.community_id as string,
				gridId: row.grid_id as string,
				snapshot: row.snapshot as string | null,
				publishedAt: Number(row.published_at),
				withdrawnAt: row.withdrawn_at === null ? null : Number(row.withdrawn_at)
			})),
			phones: rows('notice_phones', 'community_id, member_id').map((row) => ({
				communityId: row.community_id as string,
				memberId: row.member_id as string,
				phone: row.phone as string,
				agreedAt: Number(row.agreed_at)
			}))
		};
	} finally {
		db.close();
	}
}

/**
 * Copies every photo file into PostgreSQL with its file's time as its age (the sweep's grace
 * period goes on where it was), and reads each back; a file whose bytes do not hash to its name
 * is not copied and is reported. Resolves to the number copied.
 */
async function movePhotos(
	dataDir: string,
	target: PostgresBlobStore,
	mismatches: string[]
): Promise<number> {
	let moved = 0;
	for (const communityId of await new DiskBlobStore(dataDir).communities()) {
		for (const hash of await storedPhotoHashes(dataDir, communityId)) {
			const file = blobPath(dataDir, communityId, hash);
			const bytes = fs.readFileSync(file);
			if (createHash('sha256').update(bytes).digest('hex') !== hash) {
				mismatches.push(`photo ${communityId}/${hash}: its bytes do not hash to its name`);
				continue;
			}
			const writer = await target.writer(communityId, hash, Math.floor(fs.statSync(file).mtimeMs));
			await writer.write(bytes);
			await writer.commit();
			const copied = await target.open(communityId, hash);
			const back = copied ? await buffer(copied.body()) : null;
			if (!back?.equals(bytes))
				mismatches.push(`photo ${communityId}/${hash}: differs in PostgreSQL`);
			moved++;
		}
	}
	return moved;
}

async function buffer(stream: AsyncIterable<Buffer>): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk);
	return Buffer.concat(chunks);
}

function readKeys(dataDir: string): SigningKey[] {
	// KeyRing creates keys.json when it is missing: only read one that exists.
	if (!fs.existsSync(path.join(dataDir, KEYS_FILE_NAME))) return [];
	return [...new KeyRing(dataDir).keys];
}

export async function migrateToPostgres(options: {
	dataDir: string;
	databaseUrl: string;
	/**
	 * Finish an interrupted migration of this data dir: the target may hold its identity (equal
	 * to the data dir's, else refused) and some of its documents (not copied again, verified).
	 */
	resume?: boolean;
	/** One line per stage, for a person watching (the CLI prints them). */
	progress?: (line: string) => void;
}): Promise<MigrationSummary> {
	const { dataDir, databaseUrl } = options;
	const progress = options.progress ?? (() => {});
	const started = performance.now();
	const relay = runningRelay(dataDir);
	if (relay) {
		throw new MigrationRefused(
			`a relay (pid ${relay.pid}, port ${relay.port}) is serving ${dataDir}: stop it first`
		);
	}
	if (!fs.existsSync(path.join(dataDir, DB_FILE_NAME))) {
		throw new MigrationRefused(`no ${DB_FILE_NAME} in ${dataDir}: nothing to migrate`);
	}
	const source = new SqliteStore(dataDir);
	const sourceIdentity = new SqliteIdentityStore(dataDir);
	let target: PostgresStore | null = null;
	let targetIdentity: PostgresIdentityStore | null = null;
	const pool = openPool(databaseUrl);
	try {
		target = await PostgresStore.open(databaseUrl);
		targetIdentity = await PostgresIdentityStore.open(databaseUrl);
		const targetBlobs = await PostgresBlobStore.open(pool);
		const targetNotices = await PostgresNoticeStore.open(pool);
		// The source is read while no relay runs: these reads and the documents' later ones agree.
		const identity = sourceIdentity.exportAll();
		const keys = readKeys(dataDir);
		const names = source.storedDocNames();
		const held = new Set(await target.docNames());
		const heldCommunities = (await targetIdentity.listCommunities()).length;
		const heldKeys = (await targetIdentity.signingKeys()).length;
		if (!options.resume && held.size + heldCommunities + heldKeys > 0) {
			throw new MigrationRefused(
				`the target database holds ${held.size} documents, ${heldCommunities} communities and ${heldKeys} keys already: migrate into an empty database (or --resume an interrupted migration of this data dir)`
			);
		}
		const sourceNames = new Set(names);
		const foreign = [...held].filter((name) => !sourceNames.has(name));
		if (foreign.length > 0) {
			throw new MigrationRefused(
				`the target holds ${foreign.length} documents this data dir does not (${foreign[0]}, …): not an interrupted migration of it`
			);
		}
		if (heldCommunities + heldKeys > 0) {
			// Resuming: the identity step finished before; it must be this data dir's, unchanged.
			const copied = await targetIdentity.exportAll();
			const sameKeys = isDeepStrictEqual(await targetIdentity.signingKeys(), keys);
			if (!isDeepStrictEqual(copied, identity) || !sameKeys) {
				throw new MigrationRefused(
					"the target's communities, members or keys differ from this data dir's: not an interrupted migration of it"
				);
			}
		} else {
			await targetIdentity.importAll(identity, keys);
		}
		progress(
			`identity: ${identity.communities.length} communities, ${identity.members.length} members, ${keys.length} keys`
		);

		const mismatches: string[] = [];
		const rows = { log: 0, history: 0, snapshots: 0, attribution: 0 };
		for (const [index, name] of names.entries()) {
			const exported = source.exportDoc(name);
			// A document is copied in one transaction: one the target holds is complete (and is
			// verified below like the others).
			if (!held.has(name)) await target.importDoc(name, exported);
			rows.log += exported.log.length;
			rows.history += exported.history.length;
			rows.attribution += exported.attribution.length;
			if (exported.snapshot) rows.snapshots++;
			const problem = await compareDoc(source, target, name).catch(
				(error: Error) => `cannot be compared (${error.message})`
			);
			if (problem) mismatches.push(`${name}: ${problem}`);
			if ((index + 1) % 100 === 0 || index + 1 === names.length) {
				progress(`documents: ${index + 1}/${names.length}`);
			}
		}

		const copied = await targetIdentity.exportAll();
		for (const table of ['communities', 'members', 'credentials', 'invites'] as const) {
			if (!isDeepStrictEqual(copied[table], identity[table])) {
				mismatches.push(
					`${table}: ${identity[table].length} in SQLite, ${copied[table].length} in PostgreSQL, or their fields differ`
				);
			}
		}
		if (!isDeepStrictEqual(await targetIdentity.signingKeys(), keys)) {
			mismatches.push('signing keys differ');
		}

		const photos = await movePhotos(dataDir, targetBlobs, mismatches);
		progress(`photos: ${photos}`);
		const notices = noticeRows(dataDir);
		await targetNotices.importRows(notices.notices, notices.phones);
		if (!isDeepStrictEqual(await targetNotices.exportRows(), notices)) {
			mismatches.push('notices or phone consents differ in PostgreSQL');
		}
		progress(`notices: ${notices.notices.length}, phone consents: ${notices.phones.length}`);
		const basemapDir = path.join(dataDir, 'basemaps');
		const basemaps = fs.existsSync(basemapDir)
			? fs.readdirSync(basemapDir).filter((name) => name.endsWith('.pmtiles')).length
			: 0;
		return {
			documents: names.length,
			rows,
			communities: identity.communities.length,
			members: identity.members.length,
			credentials: identity.credentials.length,
			invites: identity.invites.length,
			keys: keys.length,
			moved: { photos, notices: notices.notices.length, noticePhones: notices.phones.length },
			stays: { basemaps },
			ms: performance.now() - started,
			resumed: names.filter((name) => held.has(name)).length,
			mismatches
		};
	} finally {
		await target?.close();
		await targetIdentity?.close();
		await pool.end();
		sourceIdentity.close();
		source.close();
	}
}

/** What differs between the two stores' views of one document, or null. */
async function compareDoc(
	source: SqliteStore,
	target: PostgresStore,
	name: string
): Promise<string | null> {
	const from = source.load(name);
	const to = await target.load(name);
	if (!isDeepStrictEqual(from, to)) return 'snapshot or log rows differ';
	let fromState;
	let toState;
	try {
		fromState = docState(from);
	} catch (error) {
		return `the SQLite copy does not decode (${(error as Error).message})`;
	}
	try {
		toState = docState(to);
	} catch (error) {
		return `the PostgreSQL copy does not decode (${(error as Error).message})`;
	}
	if (fromState.vector !== toState.vector) return 'state vectors differ';
	if (fromState.sha256 !== toState.sha256) return 'encoded states differ';
	if (!isDeepStrictEqual(source.attribution(name), await target.attribution(name))) {
		return 'attribution differs';
	}
	if (!isDeepStrictEqual(source.historyHours(name), await target.historyHours(name))) {
		return 'history hours differ';
	}
	const all = Number.MAX_SAFE_INTEGER;
	if (!isDeepStrictEqual(source.historyBefore(name, all), await target.historyBefore(name, all))) {
		return 'history rows differ';
	}
	return null;
}
