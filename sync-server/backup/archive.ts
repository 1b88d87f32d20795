/**
 * Community archives (docs/archive-format.md): one ZIP holding a community's documents (Yjs
 * updates plus a JSON rendering), its members and roles without secrets, its settings, its
 * photos and basemap, and a manifest with counts and SHA-256 checksums.
 *
 *   exportCommunity  reads one consistent picture of the community and publishes the archive
 *                    atomically (temp file, fsync, rename)
 *   readArchive      checks an archive completely (ZIP, format and version, every checksum, no
 *                    file missing or extra, every document applies whole to its state vector)
 *   importCommunity  writes a checked archive: photos and basemap staged first, then ONE SQLite
 *                    transaction (community, secretary invite, documents) is the commit point,
 *                    then the staged files move into place (on a cluster: ONE PostgreSQL
 *                    transaction that also writes the photos; only the basemap is staged)
 *   recoverImports   finishes (community committed) or drops (not committed) the staging of an
 *                    import a crash interrupted; the relay runs it at start
 *
 * Where it reads and writes is an `ArchiveSource` / `ArchiveTarget`: the embedded relay's
 * DATA_DIR here (SQLite, blobs/), a cluster's PostgreSQL and Redis in cluster/archive-cluster.ts;
 * the format, the checks, the staging and the refusals are this one code path for both. The
 * basemap is a file under DATA_DIR in both modes.
 *
 * Invariants: an archive carries no token key, invite, credential or device secret; a refused
 * archive writes nothing; an import either leaves no trace or, once its transaction committed,
 * is completed by `recoverImports`. Members never come back as accounts: the import creates a
 * fresh one-time secretary invite, and the archived member list is printed for re-inviting.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import * as Y from 'yjs';
import { ID_SEGMENT, isRole, parseDocName } from '../../src/lib/wire/index.ts';
import { basemapPath } from '../basemap/build.ts';
import { BLOB_HASH, blobPath, sniffImageType } from '../blobs.ts';
import { RELAY_VERSION } from '../http-routes.ts';
import {
	INVITE_COLUMNS,
	inviteValues,
	MemoryIdentityStore,
	type Community,
	type InviteRecord,
	type MemberRecord
} from '../identity-store.ts';
import { SqliteIdentityStore } from '../identity-sqlite.ts';
import { createCommunity } from '../identity.ts';
import {
	DB_FILE_NAME,
	immediateTransaction,
	insertHistoryBaseline,
	SqliteStore
} from '../storage/sqlite.ts';
import { fsyncDir, NODE_FILE_OPS, pauseAt, writeFileAtomic, type FileOps } from './files.ts';

export const ARCHIVE_FORMAT = 'gridboard-community-archive';
export const ARCHIVE_VERSION = 1;

export type ArchivedMember = {
	id: string;
	displayName: string;
	role: string;
	grids: string[];
	joinedAt: number;
	removedAt: number | null;
};

export type ArchivedCommunity = { id: string; name: string; createdAt: number };

export type ManifestDocument = {
	/** The name after `c/{communityId}/`, e.g. `board/g01`. */
	name: string;
	/** base64 of the Yjs state vector the update gives. */
	stateVector: string;
};

export type Manifest = {
	format: typeof ARCHIVE_FORMAT;
	version: number;
	createdAt: string;
	relayVersion: string;
	community: { id: string; name: string };
	counts: { documents: number; photos: number; members: number; basemap: number };
	documents: ManifestDocument[];
	/** Photo hashes (sha-256 of the bytes, the name the relay stores them under). */
	photos: string[];
	/** Every file of the archive but manifest.json: its size and sha-256. */
	files: Record<string, { bytes: number; sha256: string }>;
};

/** A refused archive or import: the message says what is wrong; nothing was written. */
export class ArchiveError extends Error {}

const PHOTO_EXT: Record<string, string> = {
	'image/jpeg': 'jpg',
	'image/png': 'png',
	'image/webp': 'webp'
};
const BASEMAP_FILE = 'basemap.pmtiles';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const base64 = (data: Uint8Array): string => Buffer.from(data).toString('base64');
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const docFile = (name: string, ext: 'yjs' | 'json'): string => `documents/${name}.${ext}`;

/** One root of a document as plain data, whatever type its writer gave it. */
function renderRoot(
	doc: Y.Doc,
	key: string,
	type: { _start: Y.Item | null; _map: Map<string, Y.Item> }
): unknown {
	if (type._start === null) {
		return type._map.size > 0 ? doc.getMap(key).toJSON() : null;
	}
	let item: Y.Item | null = type._start;
	while (item !== null && item.deleted) item = item.right;
	const content = item?.content;
	if (
		content instanceof Y.ContentString ||
		content instanceof Y.ContentFormat ||
		content instanceof Y.ContentEmbed
	) {
		return doc.getText(key).toString();
	}
	if (
		content instanceof Y.ContentType &&
		(content.type instanceof Y.XmlElement || content.type instanceof Y.XmlText)
	) {
		return doc.getXmlFragment(key).toString();
	}
	return doc.getArray(key).toJSON();
}

/**
 * The readable rendering of a document: one key per root; maps become objects, arrays lists,
 * texts strings, rich text (XML fragments) its XML; bytes become `{ "base64": … }`.
 */
export function renderDocument(doc: Y.Doc): string {
	const out: Record<string, unknown> = {};
	for (const [key, type] of [...doc.share.entries()].sort(([a], [b]) => a.localeCompare(b))) {
		out[key] = renderRoot(doc, key, type);
	}
	return JSON.stringify(
		out,
		(_key, value: unknown) => (value instanceof Uint8Array ? { base64: base64(value) } : value),
		'\t'
	);
}

async function listDir(dir: string): Promise<string[]> {
	try {
		return (await fsp.readdir(dir)).sort();
	} catch {
		return [];
	}
}

/** Every photo hash stored for a community (DATA_DIR/blobs/{cid}/ab/cdef…). */
export async function storedPhotoHashes(dataDir: string, communityId: string): Promise<string[]> {
	const root = path.join(dataDir, 'blobs', communityId);
	const hashes: string[] = [];
	for (const prefix of await listDir(root)) {
		if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
		for (const rest of await listDir(path.join(root, prefix))) {
			if (BLOB_HASH.test(prefix + rest)) hashes.push(prefix + rest);
		}
	}
	return hashes;
}

export type ExportResult = { file: string; bytes: number; manifest: Manifest };

/**
 * Where an export reads a community: the embedded relay's DATA_DIR (`embeddedSource`) or a
 * cluster's PostgreSQL and Redis (cluster/archive-cluster.ts). Basemaps are files under
 * DATA_DIR in both modes.
 */
export type ArchiveSource = {
	/** The community and its members (no secrets), or null when there is none. */
	community(
		communityId: string
	): Promise<{ community: ArchivedCommunity; members: ArchivedMember[] } | null>;
	/** Every document of the community whole, as [name after `c/{id}/`, one update]. */
	documents(communityId: string): Promise<[string, Uint8Array][]>;
	photoHashes(communityId: string): Promise<string[]>;
	/** A photo's bytes (null if it went meanwhile). */
	photo(communityId: string, hash: string): Promise<Uint8Array | null>;
	close(): Promise<void>;
};

/** A stored member as the archive lists it (no credential, no device). */
export const archivedMember = (m: MemberRecord): ArchivedMember => ({
	id: m.id,
	displayName: m.displayName,
	role: m.role,
	grids: m.grids,
	joinedAt: m.createdAt,
	removedAt: m.removedAt
});

/** The embedded relay's community: SQLite (one consistent read of the documents) and blobs/. */
function embeddedSource(dataDir: string): ArchiveSource {
	return {
		community: async (communityId) => {
			const identity = new SqliteIdentityStore(dataDir);
			try {
				const found = identity.getCommunity(communityId);
				if (!found) return null;
				return {
					community: { id: found.id, name: found.name, createdAt: found.createdAt },
					members: identity.listMembers(communityId).map(archivedMember)
				};
			} finally {
				identity.close();
			}
		},
		documents: async (communityId) => {
			const prefix = `c/${communityId}/`;
			const store = new SqliteStore(dataDir);
			try {
				return store.consistentRead(() =>
					store
						.docNames()
						.filter((name) => name.startsWith(prefix))
						.map((name): [string, Uint8Array] => {
							const stored = store.load(name);
							const parts = stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates;
							return [name.slice(prefix.length), Y.mergeUpdates(parts)];
						})
				);
			} finally {
				store.close();
			}
		},
		photoHashes: (communityId) => storedPhotoHashes(dataDir, communityId),
		photo: (communityId, hash) => fsp.readFile(blobPath(dataDir, communityId, hash)),
		close: async () => {}
	};
}

/**
 * Builds the archive of one community and publishes it at `out` atomically; reads `source`
 * (default: the embedded relay's DATA_DIR).
 */
export async function exportCommunity(options: {
	dataDir: string;
	communityId: string;
	out: string;
	source?: ArchiveSource;
	ops?: FileOps;
	now?: number;
}): Promise<ExportResult> {
	const { dataDir, communityId } = options;
	const source = options.source ?? embeddedSource(dataDir);
	const found = await source.community(communityId);
	if (!found) throw new ArchiveError(`no community ${communityId}`);
	const { community, members } = found;
	const updates = await source.documents(communityId);

	const files: Zippable = {};
	const add = (name: string, data: Uint8Array, level: 0 | 6): void => {
		files[name] = [data, { level }];
	};
	const documents: ManifestDocument[] = [];
	for (const [name, update] of updates) {
		const doc = new Y.Doc();
		Y.applyUpdate(doc, update);
		add(docFile(name, 'yjs'), update, 6);
		add(docFile(name, 'json'), utf8(renderDocument(doc)), 6);
		documents.push({ name, stateVector: base64(Y.encodeStateVector(doc)) });
		doc.destroy();
	}
	const photos: string[] = [];
	for (const hash of await source.photoHashes(communityId)) {
		const bytes = await source.photo(communityId, hash);
		if (bytes === null) continue;
		if (sha256(bytes) !== hash) {
			throw new ArchiveError(`photo ${hash} on disk does not match its hash; not exported`);
		}
		const type = sniffImageType(bytes.subarray(0, 16));
		add(`photos/${hash}.${PHOTO_EXT[type ?? ''] ?? 'bin'}`, bytes, 0);
		photos.push(hash);
	}
	const basemap = await fsp.readFile(basemapPath(dataDir, communityId)).catch(() => null);
	if (basemap) add(BASEMAP_FILE, basemap, 0);
	add('community.json', utf8(JSON.stringify(community, null, '\t')), 6);
	add('members.json', utf8(JSON.stringify(members, null, '\t')), 6);

	const manifest: Manifest = {
		format: ARCHIVE_FORMAT,
		version: ARCHIVE_VERSION,
		createdAt: new Date(options.now ?? Date.now()).toISOString(),
		relayVersion: RELAY_VERSION,
		community: { id: community.id, name: community.name },
		counts: {
			documents: documents.length,
			photos: photos.length,
			members: members.length,
			basemap: basemap ? 1 : 0
		},
		documents,
		photos,
		files: Object.fromEntries(
			Object.entries(files).map(([name, entry]) => {
				const data = (entry as [Uint8Array, unknown])[0];
				return [name, { bytes: data.length, sha256: sha256(data) }];
			})
		)
	};
	files['manifest.json'] = [utf8(JSON.stringify(manifest, null, '\t')), { level: 6 }];
	const zip = zipSync(files);
	const out = path.resolve(options.out);
	await writeFileAtomic(out, zip, options.ops ?? NODE_FILE_OPS, () =>
		pauseAt('export-before-rename')
	);
	return { file: out, bytes: zip.length, manifest };
}

export type VerifiedArchive = {
	manifest: Manifest;
	community: ArchivedCommunity;
	members: ArchivedMember[];
	/** Name after `c/{cid}/` → the Yjs update. */
	documents: Map<string, Uint8Array>;
	/** Hash → bytes. */
	photos: Map<string, Uint8Array>;
	basemap: Uint8Array | null;
};

function parseJson(bytes: Uint8Array, what: string): unknown {
	try {
		return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
	} catch {
		throw new ArchiveError(`${what} is not valid JSON`);
	}
}

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks an archive completely; throws ArchiveError naming the first problem. */
export function readArchive(bytes: Uint8Array): VerifiedArchive {
	let entries: Record<string, Uint8Array>;
	try {
		entries = unzipSync(bytes);
	} catch (error) {
		throw new ArchiveError(
			`not a readable ZIP (truncated or corrupt): ${(error as Error).message}`
		);
	}
	const manifestBytes = entries['manifest.json'];
	if (!manifestBytes) throw new ArchiveError('manifest.json is missing: not a Gridboard archive');
	const manifest = parseJson(manifestBytes, 'manifest.json');
	if (!isObject(manifest) || manifest.format !== ARCHIVE_FORMAT) {
		throw new ArchiveError(`not a Gridboard community archive (format is not ${ARCHIVE_FORMAT})`);
	}
	if (manifest.version !== ARCHIVE_VERSION) {
		throw new ArchiveError(
			`archive format version ${JSON.stringify(manifest.version)} is not supported (this relay reads version ${ARCHIVE_VERSION})`
		);
	}
	const m = manifest as Manifest;
	if (!isObject(m.files) || !Array.isArray(m.documents) || !Array.isArray(m.photos)) {
		throw new ArchiveError('manifest.json lacks files, documents or photos');
	}
	for (const [name, expected] of Object.entries(m.files)) {
		const data = entries[name];
		if (!data) throw new ArchiveError(`file ${name} listed in the manifest is missing`);
		if (!isObject(expected) || data.length !== expected.bytes || sha256(data) !== expected.sha256) {
			throw new ArchiveError(`file ${name} does not match its checksum (corrupt or altered)`);
		}
	}
	for (const name of Object.keys(entries)) {
		if (name !== 'manifest.json' && !(name in m.files)) {
			throw new ArchiveError(`file ${name} is not in the manifest (altered archive)`);
		}
	}
	const community = parseJson(entries['community.json'] ?? utf8('null'), 'community.json');
	if (
		!isObject(community) ||
		typeof community.id !== 'string' ||
		!ID_SEGMENT.test(community.id) ||
		typeof community.name !== 'string' ||
		typeof community.createdAt !== 'number'
	) {
		throw new ArchiveError('community.json is missing or malformed');
	}
	const members = parseJson(entries['members.json'] ?? utf8('null'), 'members.json');
	if (
		!Array.isArray(members) ||
		!members.every(
			(x) =>
				isObject(x) &&
				typeof x.id === 'string' &&
				typeof x.displayName === 'string' &&
				isRole(x.role)
		)
	) {
		throw new ArchiveError('members.json is missing or malformed');
	}
	const documents = new Map<string, Uint8Array>();
	for (const entry of m.documents) {
		const name = isObject(entry) ? entry.name : undefined;
		if (typeof name !== 'string' || !parseDocName(`c/${community.id}/${name}`).ok) {
			throw new ArchiveError(`bad document name ${JSON.stringify(name)} in the manifest`);
		}
		const update = entries[docFile(name, 'yjs')];
		if (!update || !(docFile(name, 'yjs') in m.files)) {
			throw new ArchiveError(`document ${name} is missing`);
		}
		const doc = new Y.Doc();
		try {
			Y.applyUpdate(doc, update);
		} catch {
			throw new ArchiveError(`document ${name} is not a valid Yjs update`);
		}
		const whole = doc.store.pendingStructs === null && doc.store.pendingDs === null;
		const sv = base64(Y.encodeStateVector(doc));
		doc.destroy();
		if (!whole || sv !== entry.stateVector) {
			throw new ArchiveError(`document ${name} does not give its recorded state vector`);
		}
		documents.set(name, update);
	}
	const photos = new Map<string, Uint8Array>();
	for (const hash of m.photos) {
		const name = Object.keys(m.files).find((file) => file.startsWith(`photos/${hash}.`));
		const data = name ? entries[name] : undefined;
		if (typeof hash !== 'string' || !BLOB_HASH.test(hash) || !data || sha256(data) !== hash) {
			throw new ArchiveError(`photo ${String(hash)} is missing or does not match its hash`);
		}
		photos.set(hash, data);
	}
	const basemap = BASEMAP_FILE in m.files ? entries[BASEMAP_FILE]! : null;
	const counts = m.counts;
	if (
		!isObject(counts) ||
		counts.documents !== documents.size ||
		counts.photos !== photos.size ||
		counts.members !== members.length ||
		counts.basemap !== (basemap ? 1 : 0)
	) {
		throw new ArchiveError('manifest counts do not match the archive');
	}
	return {
		manifest: m,
		community: community as ArchivedCommunity,
		members: members as ArchivedMember[],
		documents,
		photos,
		basemap
	};
}

const IMPORTS_DIR = 'imports';
const OWNER_FILE = 'owner.json';

function pidAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Moves every staged file into place (existing photos are the same bytes: kept). */
async function finishStaging(dataDir: string, staging: string, communityId: string): Promise<void> {
	const blobs = path.join(staging, 'blobs');
	for (const prefix of await listDir(blobs)) {
		for (const rest of await listDir(path.join(blobs, prefix))) {
			const final = blobPath(dataDir, communityId, prefix + rest);
			await fsp.mkdir(path.dirname(final), { recursive: true });
			if (fs.existsSync(final)) continue;
			await fsp.rename(path.join(blobs, prefix, rest), final);
			await fsyncDir(path.dirname(final));
		}
	}
	const basemap = path.join(staging, BASEMAP_FILE);
	if (fs.existsSync(basemap)) {
		const final = basemapPath(dataDir, communityId);
		await fsp.mkdir(path.dirname(final), { recursive: true });
		await fsp.rename(basemap, final);
		await fsyncDir(path.dirname(final));
	}
	await fsp.rm(staging, { recursive: true, force: true });
}

/** Whether a community's row is committed where an import writes (its commit point). */
export type CommunityLookup = (communityId: string) => Promise<boolean>;

/** The embedded relay's lookup: DATA_DIR's SQLite identity tables. */
function sqliteHasCommunity(dataDir: string): CommunityLookup {
	return async (communityId) => {
		const identity = new SqliteIdentityStore(dataDir);
		try {
			return identity.getCommunity(communityId) !== null;
		} finally {
			identity.close();
		}
	};
}

/**
 * Finishes or drops imports a crash interrupted: a staging dir whose community is committed
 * (`hasCommunity`; default DATA_DIR's SQLite, the cluster's PostgreSQL in cluster mode) is
 * moved into place; one whose community is not is deleted. Dirs of a live import are left.
 */
export async function recoverImports(
	dataDir: string,
	hasCommunity: CommunityLookup = sqliteHasCommunity(dataDir)
): Promise<number> {
	const root = path.join(dataDir, IMPORTS_DIR);
	const dirs = await listDir(root);
	if (dirs.length === 0) return 0;
	let recovered = 0;
	for (const dir of dirs) {
		const staging = path.join(root, dir);
		const owner = await fsp.readFile(path.join(staging, OWNER_FILE), 'utf8').catch(() => null);
		const parsed = owner ? (JSON.parse(owner) as { pid?: number; communityId?: string }) : {};
		if (typeof parsed.pid === 'number' && parsed.pid !== process.pid && pidAlive(parsed.pid)) {
			continue;
		}
		const communityId = parsed.communityId;
		if (typeof communityId === 'string' && (await hasCommunity(communityId))) {
			await finishStaging(dataDir, staging, communityId);
		} else {
			await fsp.rm(staging, { recursive: true, force: true });
		}
		recovered++;
	}
	return recovered;
}

/** What an import's commit point writes. */
export type ImportCommit = {
	community: Community;
	/** The fresh one-time secretary invite. */
	invite: InviteRecord;
	/** `c/{id}/` */
	prefix: string;
	/** Name after the prefix → the Yjs update, written as the document's snapshot. */
	documents: Map<string, Uint8Array>;
	/** Hash → bytes; written by `commit` only when the target does not stage photos. */
	photos: Map<string, Uint8Array>;
	/** The import's time: each document's history begins here. */
	at: number;
};

/**
 * Where an import writes: the embedded relay's DATA_DIR (`embeddedTarget`) or a cluster's
 * PostgreSQL (cluster/archive-cluster.ts). The basemap is a staged file under DATA_DIR in both.
 */
export type ArchiveTarget = {
	/** Why community `id` cannot be imported here (it or documents of it exist), or null. */
	taken(id: string): Promise<string | null>;
	hasCommunity: CommunityLookup;
	/**
	 * true: photos are staged as files under DATA_DIR/imports and moved into place after the
	 * commit (embedded); false: `commit` writes them with everything else.
	 */
	stagesPhotos: boolean;
	/** The commit point: all of `ImportCommit` or nothing; refuses an id taken meanwhile. */
	commit(plan: ImportCommit): Promise<void>;
	close(): Promise<void>;
};

/** The embedded relay's DATA_DIR: one SQLite transaction, photos staged as files. */
function embeddedTarget(dataDir: string): ArchiveTarget {
	return {
		taken: async (id) => {
			const prefix = `c/${id}/`;
			const store = new SqliteStore(dataDir);
			const identity = new SqliteIdentityStore(dataDir);
			try {
				if (identity.getCommunity(id)) return `community ${id} exists already`;
				if (store.docNames().some((name) => name.startsWith(prefix))) {
					return `documents of ${id} exist already`;
				}
				return null;
			} finally {
				identity.close();
				store.close();
			}
		},
		hasCommunity: sqliteHasCommunity(dataDir),
		stagesPhotos: true,
		commit: async (plan) => commitImport(dataDir, plan),
		close: async () => {}
	};
}

export type ImportResult = {
	communityId: string;
	name: string;
	/** The fresh one-time secretary invite code (members sign in again with fresh invites). */
	inviteCode: string;
	documents: number;
	photos: number;
	members: ArchivedMember[];
};

/**
 * Imports a checked archive as community `newId` (default: its own id) into `target` (default:
 * the embedded relay's DATA_DIR). Refuses an id that exists (community or documents). The
 * basemap (and, embedded, the photos) are staged under DATA_DIR/imports; one transaction
 * writes the community, its secretary invite and every document (and, cluster, the photos).
 */
export async function importCommunity(options: {
	dataDir: string;
	archive: VerifiedArchive;
	newId?: string;
	target?: ArchiveTarget;
	ops?: FileOps;
	now?: number;
}): Promise<ImportResult> {
	const { dataDir, archive } = options;
	const target = options.target ?? embeddedTarget(dataDir);
	const ops = options.ops ?? NODE_FILE_OPS;
	const now = options.now ?? Date.now();
	const id = options.newId ?? archive.community.id;
	if (!ID_SEGMENT.test(id)) throw new ArchiveError(`bad community id ${JSON.stringify(id)}`);
	await recoverImports(dataDir, target.hasCommunity);
	const prefix = `c/${id}/`;
	const taken = await target.taken(id);
	if (taken) throw new ArchiveError(taken);
	// The invite and community rows, made by the identity module's own rules.
	const recorder = new MemoryIdentityStore();
	const created = createCommunity(recorder, archive.community.name, id, now);

	const staging = path.join(dataDir, IMPORTS_DIR, `${id}.${randomBytes(6).toString('hex')}`);
	await ops.mkdir(staging);
	try {
		await ops.writeFile(
			path.join(staging, OWNER_FILE),
			JSON.stringify({ pid: process.pid, communityId: id })
		);
		if (target.stagesPhotos) {
			for (const [hash, data] of archive.photos) {
				const dir = path.join(staging, 'blobs', hash.slice(0, 2));
				await ops.mkdir(dir);
				await ops.writeFile(path.join(dir, hash.slice(2)), data);
			}
		}
		if (archive.basemap) await ops.writeFile(path.join(staging, BASEMAP_FILE), archive.basemap);
		await pauseAt('import-staged');
		await target.commit({
			community: created.community,
			invite: created.invite,
			prefix,
			documents: archive.documents,
			photos: archive.photos,
			at: Date.now()
		});
	} catch (error) {
		await fsp.rm(staging, { recursive: true, force: true }).catch(() => {});
		throw error;
	}
	await pauseAt('import-committed');
	await finishStaging(dataDir, staging, id);
	return {
		communityId: id,
		name: created.community.name,
		inviteCode: created.code,
		documents: archive.documents.size,
		photos: archive.photos.size,
		members: archive.members
	};
}

/**
 * The embedded commit point: one BEGIN IMMEDIATE…COMMIT on the relay's database that writes
 * the community row, its invite and each document as a snapshot (nothing in the update log),
 * after checking again that the id is free. The tables are those of storage/sqlite.ts and
 * identity-sqlite.ts, which `taken` opened first (so they exist).
 */
function commitImport(dataDir: string, plan: ImportCommit): void {
	const { community, invite, prefix, documents } = plan;
	const db = new DatabaseSync(path.join(dataDir, DB_FILE_NAME));
	try {
		db.exec('PRAGMA busy_timeout = 5000');
		db.exec('PRAGMA synchronous = FULL');
		immediateTransaction(db, () => {
			if (db.prepare('SELECT 1 FROM communities WHERE id = ?').get(community.id)) {
				throw new ArchiveError(`community ${community.id} exists already`);
			}
			db.prepare('INSERT INTO communities (id, name, created_at) VALUES (?, ?, ?)').run(
				community.id,
				community.name,
				community.createdAt
			);
			db.prepare(
				`INSERT INTO invites (${INVITE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
			).run(...inviteValues(invite));
			const insert = db.prepare('INSERT INTO snapshots (doc, upto_seq, data) VALUES (?, 0, ?)');
			// The archive carries no history (format version 1): each document's history begins
			// with the import, its baseline being the document as imported.
			for (const [name, update] of documents) {
				insert.run(prefix + name, update);
				insertHistoryBaseline(db, prefix + name, update, plan.at);
			}
		});
	} finally {
		db.close();
	}
}
