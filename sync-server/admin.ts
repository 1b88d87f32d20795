/**
 * Admin CLI for the relay's DATA_DIR: `npm run admin -- <command>`.
 *
 *   create-community "<name>" [--id <id>] [--json] [--url <public url>]
 *       creates a community and prints its one-time secretary sign-in link (1 use, 7 days);
 *       with --json one object { communityId, name, inviteUrl, code }
 *   token --community <id> --role <role> [--grid <gridId> ...] [--ttl <seconds>]
 *       prints a short-lived service relay token (sub admin-cli) for scripts and tests
 *   rotate-key [--drop-old]
 *       adds a new signing key; --drop-old removes keys older than the token lifetime
 *   list-communities [--json]
 *   remove-member --community <id> --member <memberId>
 *       removes a member and revokes its credentials; the relay closes its sockets (4403)
 *       within seconds
 *   authors <docName> [--json]
 *       who wrote what in a document (storage/attribution.ts): per author (the member the
 *       relay authenticated), its updates, the Yjs ids it inserted and deleted, and how many
 *       of its inserted ids the document's attestation map does not give to it
 *   basemap <communityId> [--extract <file.geojson>] [--from-gcj02] [--minzoom 12] [--maxzoom 18]
 *       builds the community's offline basemap (basemap/build.ts) from its drawn grid areas and
 *       buildings plus the extract, writes DATA_DIR/basemaps/<id>.pmtiles atomically and prints
 *       its size, tile count and bounds; bad input changes nothing (exit 1)
 *   export-community <id> --out <file.zip>
 *       writes the community's archive (backup/archive.ts, docs/archive-format.md) atomically
 *   import-community <file.zip> [--id <newId>] [--url <public url>]
 *       checks the whole archive, then restores it as a new community (refused if the id
 *       exists); prints a one-time secretary sign-in link and the archived members to re-invite
 *   backup --to <dir> [--keep <n>]
 *       one online backup now, like the relay's scheduled ones (backup/backup.ts)
 *   restore <backup dir> [--data-dir <dir>]
 *       puts a verified backup in place of the data (relay stopped; the old data moves aside)
 *   migrate --to postgres [--database-url <url>] [--resume]
 *       copies DATA_DIR's documents, identity and signing keys into an empty PostgreSQL
 *       database (DATABASE_URL by default) for the scale-out relay and verifies every document
 *       by state vector (cluster/migrate.ts); relay stopped; exit 1 on any difference;
 *       --resume finishes an interrupted migration of the same data dir
 *
 * Invariant: writes go to the same SQLite file and keys.json the relay uses; the relay reads
 * members fresh on every check and re-reads keys.json when it changes, so a running relay sees
 * every change within seconds. In cluster mode (REDIS_URL and DATABASE_URL set, as for the
 * relays) create-community, list-communities, remove-member and rotate-key work on PostgreSQL
 * instead and announce what they change on Redis (`{prefix}:identity`, `{prefix}:keys`), so
 * every relay of the cluster follows at once (cluster/cluster-identity.ts, shared-keys.ts);
 * export-community and import-community read and write the cluster's PostgreSQL and Redis
 * (cluster/archive-cluster.ts).
 * Exit code 2 for usage errors, 1 for failures.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as Y from 'yjs';
import {
	ATTESTATION_ROOT,
	attestedMember,
	ID_SEGMENT,
	isRole,
	parseAttestation,
	parseDocName,
	RELAY_MEMBER,
	ROLES,
	type Role
} from '../src/lib/wire/index.ts';
import { ArchiveError, exportCommunity, importCommunity, readArchive } from './backup/archive.ts';
import { restoreBackup, runBackup } from './backup/backup.ts';
import { buildBasemap, DEFAULT_MAX_ZOOM, DEFAULT_MIN_ZOOM } from './basemap/build.ts';
import type { ClusterArchive } from './cluster/archive-cluster.ts';
import { migrateToPostgres } from './cluster/migrate.ts';
import { parseOrigin } from './config.ts';
import { asAsyncIdentity, type AsyncIdentityStore } from './identity-async.ts';
import type { PostgresIdentityStore } from './identity-postgres.ts';
import { SqliteIdentityStore } from './identity-sqlite.ts';
import { createCommunityAsync, inviteUrl, mintServiceToken } from './identity.ts';
import { idRanges, type IdRange } from './storage/attribution.ts';
import { SqliteStore } from './storage/sqlite.ts';
import { CLOCK_SKEW_SECONDS, KeyRing, rotateKeys } from './tokens.ts';

const USAGE = `Usage: npm run admin -- <command>
  create-community "<name>" [--id <id>] [--json] [--url <public url>]
  token --community <id> --role <${ROLES.join('|')}> [--grid <gridId> ...] [--ttl <seconds>]
  rotate-key [--drop-old]
  list-communities [--json]
  remove-member --community <id> --member <memberId>
  authors <docName> [--json]
  basemap <communityId> [--extract <file.geojson>] [--from-gcj02] [--minzoom 12] [--maxzoom 18]
  export-community <id> --out <file.zip>
  import-community <file.zip> [--id <newId>] [--url <public url>]
  backup --to <dir> [--keep <n>]
  restore <backup dir> [--data-dir <dir>]
  migrate --to postgres [--database-url <url>] [--resume]`;

class UsageError extends Error {}

type Parsed = { positional: string[]; flags: Map<string, string[]> };

const BOOLEAN_FLAGS = new Set(['json', 'drop-old', 'from-gcj02', 'resume']);

/** Ids in a list of ranges. */
const idCount = (ranges: IdRange[]): number => ranges.reduce((sum, r) => sum + r.len, 0);

/** `client:clock` or `client:first-last`, for people reading a terminal. */
const rangeText = (r: IdRange): string =>
	r.len === 1 ? `${r.client}:${r.clock}` : `${r.client}:${r.clock}-${r.clock + r.len - 1}`;

/** Ranges printed per author before "…"; --json lists them all. */
const RANGES_SHOWN = 20;

/**
 * The attribution of one document, with member names and the cross-check against the
 * document's own attestation map (inserted ids whose client id is attested to someone else).
 */
function authors(dataDir: string, docName: string, json: boolean): void {
	const parsed = parseDocName(docName);
	if (!parsed.ok) throw new UsageError(`bad document name ${JSON.stringify(docName)}`);
	const store = new SqliteStore(dataDir);
	const identity = new SqliteIdentityStore(dataDir);
	try {
		if (!store.hasDoc(docName)) throw new Error(`no document ${docName}`);
		const doc = new Y.Doc();
		const stored = store.load(docName);
		doc.transact(() => {
			if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
			for (const update of stored.updates) Y.applyUpdate(doc, update);
		});
		const attest = doc.getMap(ATTESTATION_ROOT);
		const rows = store.attribution(docName).map((record) => {
			const inserted = idRanges(record.inserted);
			const deleted = idRanges(record.deleted);
			// Ids this author delivered that the attestation map gives to someone else (or no one).
			let unattested = 0;
			if (record.author !== null) {
				for (const r of inserted) {
					const attestation = parseAttestation(attest.get(String(r.client)));
					for (let clock = r.clock; clock < r.clock + r.len; clock++) {
						if (attestedMember(attestation, clock) !== record.author) unattested++;
					}
				}
			}
			const member =
				record.author === null || record.author === RELAY_MEMBER
					? null
					: identity.getMember(parsed.value.communityId, record.author);
			return {
				author: record.author,
				name: member?.displayName ?? null,
				role: member?.role ?? null,
				updates: record.updates,
				inserted,
				deleted,
				unattested
			};
		});
		if (json) {
			console.log(JSON.stringify(rows));
			return;
		}
		console.log(`${docName}: ${rows.length} authors`);
		for (const row of rows) {
			const who =
				row.author === null
					? '(no member: service tokens, or stored before attribution)'
					: row.author === RELAY_MEMBER
						? `${RELAY_MEMBER} (the relay's attestations)`
						: `${row.author} ${row.name ?? '(unknown member)'}${row.role ? ` (${row.role})` : ''}`;
			const shown = row.deleted.slice(0, RANGES_SHOWN).map(rangeText).join(' ');
			const more = row.deleted.length > RANGES_SHOWN ? ' …' : '';
			console.log(who);
			console.log(
				`  ${row.updates} updates, inserted ${idCount(row.inserted)} ids` +
					(row.unattested > 0 ? ` (${row.unattested} not attested to this member)` : '')
			);
			console.log(
				`  deleted ${idCount(row.deleted)} ids${row.deleted.length > 0 ? `: ${shown}${more}` : ''}`
			);
		}
	} finally {
		identity.close();
		store.close();
	}
}

function parseArgs(args: string[]): Parsed {
	const positional: string[] = [];
	const flags = new Map<string, string[]>();
	for (let i = 0; i < args.length; i++) {
		const arg = args[i]!;
		if (!arg.startsWith('--')) {
			positional.push(arg);
			continue;
		}
		const name = arg.slice(2);
		if (BOOLEAN_FLAGS.has(name)) {
			flags.set(name, ['true']);
			continue;
		}
		const value = args[++i];
		if (value === undefined) throw new UsageError(`--${name} needs a value`);
		flags.set(name, [...(flags.get(name) ?? []), value]);
	}
	return { positional, flags };
}

function one(parsed: Parsed, name: string): string | undefined {
	const values = parsed.flags.get(name);
	if (values && values.length > 1) throw new UsageError(`--${name} given twice`);
	return values?.[0];
}

function checkFlags(parsed: Parsed, allowed: string[]): void {
	for (const name of parsed.flags.keys()) {
		if (!allowed.includes(name)) throw new UsageError(`unknown option --${name}`);
	}
}

function publicUrl(explicit: string | undefined): string {
	if (explicit) return parseOrigin(explicit, '--url');
	if (process.env.PUBLIC_URL) return parseOrigin(process.env.PUBLIC_URL, 'PUBLIC_URL');
	return `http://127.0.0.1:${process.env.PORT || 8787}`;
}

function zoomFlag(parsed: Parsed, name: string, fallback: number): number {
	const raw = one(parsed, name);
	if (raw === undefined) return fallback;
	const zoom = Number(raw);
	if (!Number.isInteger(zoom) || zoom < 0 || zoom > 22) throw new UsageError(`--${name}: 0 to 22`);
	return zoom;
}

async function basemap(dataDir: string, parsed: Parsed): Promise<void> {
	checkFlags(parsed, ['extract', 'from-gcj02', 'minzoom', 'maxzoom']);
	const [communityId, extra] = parsed.positional;
	if (!communityId || extra !== undefined) throw new UsageError('basemap takes one community id');
	if (!ID_SEGMENT.test(communityId)) throw new UsageError('bad community id');
	const minZoom = zoomFlag(parsed, 'minzoom', DEFAULT_MIN_ZOOM);
	const maxZoom = zoomFlag(parsed, 'maxzoom', DEFAULT_MAX_ZOOM);
	if (minZoom > maxZoom) throw new UsageError('--minzoom is above --maxzoom');
	const extract = one(parsed, 'extract');
	const fromGcj02 = parsed.flags.has('from-gcj02');
	if (fromGcj02 && !extract) throw new UsageError('--from-gcj02 converts an --extract');
	const identity = new SqliteIdentityStore(dataDir);
	try {
		if (!identity.getCommunity(communityId)) throw new Error(`no community ${communityId}`);
	} finally {
		identity.close();
	}
	const store = new SqliteStore(dataDir);
	try {
		const result = await buildBasemap({
			dataDir,
			store,
			communityId,
			extract: extract && path.resolve(extract),
			fromGcj02,
			minZoom,
			maxZoom
		});
		const { west, south, east, north } = result.bounds;
		const round = (n: number) => n.toFixed(6);
		console.log(`Wrote ${result.file}`);
		console.log(
			`${(result.bytes / 1e6).toFixed(2)} MB (${result.bytes} bytes), ${result.tiles} tiles, zoom ${minZoom}–${maxZoom}, ${result.features} features (${result.drawn.grids} grid areas, ${result.drawn.buildings} buildings drawn)`
		);
		console.log(`bounds ${round(west)},${round(south)},${round(east)},${round(north)} (WGS-84)`);
		console.log(`sha-256 ${result.sha256}`);
	} finally {
		store.close();
	}
}

/** REDIS_URL and DATABASE_URL when both are set (cluster mode); null when neither is. */
function clusterUrls(): { redisUrl: string; databaseUrl: string } | null {
	const redisUrl = process.env.REDIS_URL || null;
	const databaseUrl = process.env.DATABASE_URL || null;
	if ((redisUrl === null) !== (databaseUrl === null)) {
		throw new UsageError('cluster mode needs both REDIS_URL and DATABASE_URL');
	}
	return redisUrl && databaseUrl ? { redisUrl, databaseUrl } : null;
}

/**
 * The cluster's stores for an archive when REDIS_URL and DATABASE_URL are set, as for the relays
 * (cluster/archive-cluster.ts); null on an embedded relay (DATA_DIR).
 */
async function clusterArchive(): Promise<ClusterArchive | null> {
	const urls = clusterUrls();
	if (!urls) return null;
	const { redisUrl, databaseUrl } = urls;
	// Loaded only here: the embedded commands start without Redis's client.
	const { openClusterArchive } = await import('./cluster/archive-cluster.ts');
	return openClusterArchive({ redisUrl, databaseUrl });
}

async function exportCommand(dataDir: string, parsed: Parsed): Promise<void> {
	checkFlags(parsed, ['out']);
	const [communityId, extra] = parsed.positional;
	if (!communityId || extra !== undefined) throw new UsageError('export-community takes one id');
	const out = one(parsed, 'out');
	if (!out) throw new UsageError('--out <file.zip>');
	const started = performance.now();
	const cluster = await clusterArchive();
	let result;
	try {
		result = await exportCommunity({ dataDir, communityId, out, source: cluster?.source });
	} finally {
		await cluster?.source.close();
	}
	const { counts } = result.manifest;
	console.log(
		`Wrote ${result.file}: ${result.bytes} bytes, ${counts.documents} documents, ${counts.photos} photos, ${counts.members} members, basemap ${counts.basemap ? 'yes' : 'no'} (${Math.round(performance.now() - started)} ms)`
	);
}

async function importCommand(dataDir: string, parsed: Parsed): Promise<void> {
	checkFlags(parsed, ['id', 'url']);
	const [file, extra] = parsed.positional;
	if (!file || extra !== undefined) throw new UsageError('import-community takes one file');
	const id = one(parsed, 'id');
	if (id !== undefined && !ID_SEGMENT.test(id)) {
		throw new UsageError('--id: lowercase letters, digits, - and _ (at most 40)');
	}
	const url = publicUrl(one(parsed, 'url'));
	const started = performance.now();
	let bytes: Uint8Array;
	try {
		bytes = fs.readFileSync(file);
	} catch {
		throw new ArchiveError(`cannot read ${file}`);
	}
	const archive = readArchive(bytes);
	new KeyRing(dataDir);
	const cluster = await clusterArchive();
	let result;
	try {
		result = await importCommunity({ dataDir, archive, newId: id, target: cluster?.target });
	} finally {
		await cluster?.target.close();
	}
	console.log(
		`Imported ${result.name} as ${result.communityId}: ${result.documents} documents, ${result.photos} photos (${Math.round(performance.now() - started)} ms).`
	);
	console.log(
		`Members do not come back signed in. Open this one-time secretary sign-in link (valid 7 days): ${inviteUrl(url, result.inviteCode)}`
	);
	const current = result.members.filter((m) => m.removedAt === null);
	if (current.length > 0) {
		console.log(`Invite them again (${current.length} members in the archive):`);
		for (const m of current) {
			console.log(`  ${m.displayName}\t${m.role}${m.grids.length ? `\t${m.grids.join(',')}` : ''}`);
		}
	}
}

async function migrateCommand(dataDir: string, parsed: Parsed): Promise<void> {
	checkFlags(parsed, ['to', 'database-url', 'resume']);
	if (parsed.positional.length > 0 || one(parsed, 'to') !== 'postgres') {
		throw new UsageError('migrate --to postgres [--database-url <url>] [--resume]');
	}
	const databaseUrl = one(parsed, 'database-url') ?? process.env.DATABASE_URL;
	if (!databaseUrl) throw new UsageError('migrate needs DATABASE_URL or --database-url');
	const s = await migrateToPostgres({
		dataDir,
		databaseUrl,
		resume: parsed.flags.has('resume'),
		progress: (line) => console.log(line)
	});
	if (s.resumed > 0) console.log(`Resumed: ${s.resumed} documents were copied before.`);
	console.log(
		`Copied ${s.documents} documents (${s.rows.snapshots} snapshots, ${s.rows.log} log rows, ${s.rows.history} history rows, ${s.rows.attribution} attribution records), ${s.communities} communities, ${s.members} members, ${s.credentials} credentials, ${s.invites} invites, ${s.keys} signing keys in ${Math.round(s.ms)} ms.`
	);
	console.log(
		`Copied ${s.moved.photos} photos, ${s.moved.notices} notices and ${s.moved.noticePhones} phone consents. Stays on the shared directory ${dataDir}: ${s.stays.basemaps} basemaps (basemaps/).`
	);
	if (s.mismatches.length > 0) {
		for (const line of s.mismatches) console.error(`MISMATCH ${line}`);
		throw new Error(
			`${s.mismatches.length} differences after copying: the migration is not verified`
		);
	}
	console.log(
		'Verified: every document has the same state vector, state, attribution and history in PostgreSQL; identity and keys are equal.'
	);
}

/**
 * The identity store the relays use: DATA_DIR's SQLite file, or in cluster mode PostgreSQL,
 * whose member changes are announced to every relay; `rotate` changes the signing keys there.
 */
type IdentityTarget = {
	store: AsyncIdentityStore;
	rotate(now: number, dropOlderThanMs?: number): Promise<{ added: string; dropped: string[] }>;
	close(): Promise<void>;
};

async function identityTarget(dataDir: string): Promise<IdentityTarget> {
	const urls = clusterUrls();
	if (!urls) {
		const sqlite = new SqliteIdentityStore(dataDir);
		return {
			store: asAsyncIdentity(sqlite),
			rotate: async (now, drop) => new KeyRing(dataDir).rotate(now, drop),
			close: async () => sqlite.close()
		};
	}
	// Loaded only here: the embedded commands start without Redis's client.
	const [{ announcingIdentity, keysChannel, publishMemberChange }, { connect, ready }, pg] =
		await Promise.all([
			import('./cluster/cluster-identity.ts'),
			import('./cluster/doc-streams.ts'),
			import('./identity-postgres.ts')
		]);
	const redis = connect(urls.redisUrl);
	let postgres: PostgresIdentityStore;
	try {
		await ready(redis);
		postgres = await pg.PostgresIdentityStore.open(urls.databaseUrl);
	} catch (error) {
		redis.disconnect();
		throw error;
	}
	return {
		store: announcingIdentity(postgres, (change) => publishMemberChange(redis, change)),
		rotate: async (now, drop) => {
			const rotated = await postgres.rotateSigningKeys((held) => rotateKeys(held, now, drop));
			await redis.publish(keysChannel(), rotated.added);
			return rotated;
		},
		close: async () => {
			redis.disconnect();
			await postgres.close();
		}
	};
}

async function run(argv: string[]): Promise<void> {
	const [command, ...rest] = argv;
	const dataDir = path.resolve(process.env.DATA_DIR || './data');
	const parsed = parseArgs(rest);
	switch (command) {
		case 'create-community': {
			checkFlags(parsed, ['id', 'json', 'url']);
			const [name, extra] = parsed.positional;
			if (!name || extra !== undefined) throw new UsageError('create-community takes one name');
			const id = one(parsed, 'id');
			if (id !== undefined && !ID_SEGMENT.test(id)) {
				throw new UsageError('--id: lowercase letters, digits, - and _ (at most 40)');
			}
			const url = publicUrl(one(parsed, 'url'));
			new KeyRing(dataDir);
			const target = await identityTarget(dataDir);
			try {
				if (id !== undefined && (await target.store.getCommunity(id))) {
					throw new Error(`community ${id} exists already`);
				}
				const created = await createCommunityAsync(target.store, name, id);
				const link = inviteUrl(url, created.code);
				if (parsed.flags.has('json')) {
					console.log(
						JSON.stringify({
							communityId: created.community.id,
							name: created.community.name,
							inviteUrl: link,
							code: created.code
						})
					);
				} else {
					console.log(`Created community ${created.community.name} (${created.community.id}).`);
					console.log(`Open this one-time secretary sign-in link (valid 7 days): ${link}`);
				}
			} finally {
				await target.close();
			}
			return;
		}
		case 'token': {
			checkFlags(parsed, ['community', 'role', 'grid', 'ttl']);
			if (parsed.positional.length > 0) throw new UsageError('token takes options only');
			const communityId = one(parsed, 'community');
			const role = one(parsed, 'role');
			if (!communityId || !ID_SEGMENT.test(communityId)) throw new UsageError('--community <id>');
			if (!isRole(role)) throw new UsageError(`--role <${ROLES.join('|')}>`);
			const grids = parsed.flags.get('grid') ?? [];
			for (const grid of grids) {
				if (!ID_SEGMENT.test(grid)) throw new UsageError(`bad grid id ${JSON.stringify(grid)}`);
			}
			const ttlRaw = one(parsed, 'ttl') ?? '600';
			const ttlSeconds = Number(ttlRaw);
			if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 86_400) {
				throw new UsageError('--ttl: 1 to 86400 seconds');
			}
			const token = mintServiceToken(new KeyRing(dataDir), {
				communityId,
				role: role as Role,
				grids,
				ttlSeconds
			});
			console.log(token);
			return;
		}
		case 'rotate-key': {
			checkFlags(parsed, ['drop-old']);
			const ttl = Number(process.env.TOKEN_TTL_SECONDS || 600);
			const target = await identityTarget(dataDir);
			let result: { added: string; dropped: string[] };
			try {
				result = await target.rotate(
					Date.now(),
					parsed.flags.has('drop-old') ? (ttl + CLOCK_SKEW_SECONDS) * 1000 : undefined
				);
			} finally {
				await target.close();
			}
			console.log(`Added signing key ${result.added}.`);
			if (result.dropped.length > 0) console.log(`Removed keys: ${result.dropped.join(', ')}.`);
			return;
		}
		case 'list-communities': {
			checkFlags(parsed, ['json']);
			const target = await identityTarget(dataDir);
			try {
				const list = [];
				for (const c of await target.store.listCommunities()) {
					const members = await target.store.listMembers(c.id);
					list.push({ ...c, members: members.filter((m) => m.removedAt === null).length });
				}
				if (parsed.flags.has('json')) console.log(JSON.stringify(list));
				else if (list.length === 0) console.log('No communities yet.');
				else for (const c of list) console.log(`${c.id}\t${c.name}\t${c.members} members`);
			} finally {
				await target.close();
			}
			return;
		}
		case 'remove-member': {
			checkFlags(parsed, ['community', 'member']);
			const communityId = one(parsed, 'community');
			const memberId = one(parsed, 'member');
			if (!communityId || !memberId) throw new UsageError('--community <id> --member <memberId>');
			const target = await identityTarget(dataDir);
			try {
				if (!(await target.store.removeMember(communityId, memberId, Date.now()))) {
					throw new Error(`no current member ${memberId} in ${communityId}`);
				}
				console.log(`Removed ${memberId}; their devices can no longer sync.`);
			} finally {
				await target.close();
			}
			return;
		}
		case 'authors': {
			checkFlags(parsed, ['json']);
			const [docName, extra] = parsed.positional;
			if (!docName || extra !== undefined) throw new UsageError('authors takes one document name');
			authors(dataDir, docName, parsed.flags.has('json'));
			return;
		}
		case 'basemap':
			await basemap(dataDir, parsed);
			return;
		case 'export-community':
			await exportCommand(dataDir, parsed);
			return;
		case 'import-community':
			await importCommand(dataDir, parsed);
			return;
		case 'backup': {
			checkFlags(parsed, ['to', 'keep']);
			const to = one(parsed, 'to');
			if (!to || parsed.positional.length > 0) throw new UsageError('backup --to <dir>');
			const keep = Number(one(parsed, 'keep') ?? '1000000');
			if (!Number.isSafeInteger(keep) || keep < 1) throw new UsageError('--keep: at least 1');
			const result = await runBackup({ dataDir, backupDir: path.resolve(to), keep });
			const c = result.manifest.counts;
			console.log(
				`Wrote ${result.dir}: ${c.communities} communities, ${c.documents} documents, ${c.photos} photos, ${c.basemaps} basemaps (${Math.round(result.ms)} ms)`
			);
			return;
		}
		case 'restore': {
			checkFlags(parsed, ['data-dir']);
			const [backup, extra] = parsed.positional;
			if (!backup || extra !== undefined) throw new UsageError('restore takes one backup dir');
			const target = path.resolve(one(parsed, 'data-dir') ?? dataDir);
			const result = await restoreBackup({ backup: path.resolve(backup), dataDir: target });
			const c = result.manifest.counts;
			console.log(
				`Restored the backup of ${result.manifest.createdAt} into ${target}: ${c.communities} communities, ${c.documents} documents, ${c.photos} photos.`
			);
			if (result.movedAside) console.log(`What was there before is kept in ${result.movedAside}.`);
			return;
		}
		case 'migrate':
			await migrateCommand(dataDir, parsed);
			return;
		default:
			throw new UsageError(command ? `unknown command ${command}` : 'no command');
	}
}

try {
	await run(process.argv.slice(2));
} catch (error) {
	if (error instanceof UsageError) {
		console.error(`${error.message}\n${USAGE}`);
		process.exit(2);
	}
	console.error(`admin: ${(error as Error).message}`);
	process.exit(1);
}
