/**
 * Online backups of a whole relay data dir into BACKUP_DIR, and restoring one.
 *
 *   runBackup      copies the database into a temp dir on a worker thread (SQLite's online
 *                  backup API from one read snapshot, paced; see DATABASE_WORKER), then
 *                  keys.json, every photo (a hard link when BACKUP_DIR is on the data's
 *                  filesystem: photos are never changed in place, and the sweep's unlink leaves
 *                  the backup's link; else a paced copy; each checked against its hash) and every
 *                  basemap; then the copy is checked on a worker thread (integrity_check, counts,
 *                  sha-256) and `backup.json` written; only then is the temp dir renamed to
 *                  `backup-<UTC time>`; older ones beyond `keep` are removed. The relay's event
 *                  loop runs none of the database work, so its commits go on during a backup
 *                  (bench:backup, docs/benchmarks.md)
 *   startBackups   the relay's timer (BACKUP_INTERVAL), one backup at a time; a failure is
 *                  logged and leaves no backup, and the relay keeps serving
 *   verifyBackup   re-checks a backup dir (checksums, integrity_check, photo hashes)
 *   restoreBackup  puts a verified backup in place of a stopped relay's data; what was there
 *                  moves aside to DATA_DIR/before-restore-<time>/ (nothing is deleted)
 *
 * Invariants: a dir named `backup-*` is complete and verified (a crash or a full disk leaves
 * only a `.tmp-*` dir, removed by the next run); a restore refuses while a relay holds the
 * data dir (relay-lock.ts) and refuses a backup that does not verify.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { BLOB_HASH } from '../blobs.ts';
import { DB_FILE_NAME } from '../storage/sqlite.ts';
import { KEYS_FILE_NAME } from '../tokens.ts';
import { fsyncDir, NODE_FILE_OPS, pauseAt, type FileOps } from './files.ts';
import { runningRelay } from './relay-lock.ts';

export const BACKUP_FORMAT = 'gridboard-backup';
export const BACKUP_VERSION = 1;
const MANIFEST = 'backup.json';
const FINAL_PREFIX = 'backup-';
const TEMP_PREFIX = '.tmp-';
/** The database copy, and photo copies (BACKUP_DIR on another filesystem), are paced to this. */
const COPY_BYTES_PER_SECOND = 16 * 1024 * 1024;

export type BackupCounts = {
	communities: number;
	members: number;
	documents: number;
	updates: number;
	photos: number;
	basemaps: number;
};

export type BackupManifest = {
	format: typeof BACKUP_FORMAT;
	version: number;
	createdAt: string;
	counts: BackupCounts;
	/** sha-256 of the database copy and keys.json (photos are named by their hash). */
	sha256: Record<string, string>;
};

export type BackupResult = { dir: string; manifest: BackupManifest; ms: number; removed: string[] };

/** Pages the database copy moves per step (4 KiB each: 256 KiB, about a millisecond). */
const COPY_PAGES_PER_STEP = 64;

/** The database copy reaches the disk in slices of this size, not in one flush at its end. */
const COPY_SYNC_BYTES = 4 * 1024 * 1024;

/** The steps of a backup that `onStep` reports (tests and the benchmark watch them). */
export type BackupStep = 'database-copy' | 'database-check';

type DatabaseCheck = { counts: Omit<BackupCounts, 'photos' | 'basemaps'>; sha256: string };

/**
 * The database's share of a backup, on a worker thread so the relay's event loop never runs it.
 *
 * `copy`: SQLite's online backup API (node:sqlite `backup`) from a connection of its own that
 * first opens a read transaction: every step reads that one WAL snapshot (the database as of
 * the last commit before it), so the copy is consistent and never restarts, however many
 * commits the relay makes meanwhile (they go to the WAL past the snapshot; a checkpoint does
 * not overwrite pages a reader still needs; the WAL grows by what is committed meanwhile, until
 * the first checkpoint after the copy). Without the held transaction each step would take
 * a fresh one, and SQLite restarts a backup whose source another connection changed: measured,
 * a 246 MB copy (940 steps) under 100 commits/s had not finished after 20,000 steps. Node runs
 * each step of COPY_PAGES_PER_STEP pages on libuv's thread pool; the worker paces them to
 * `bytesPerSecond` (it sleeps between steps) and fdatasyncs the copy every COPY_SYNC_BYTES, so
 * the copy reaches the disk in slices the relay's WAL fsyncs can pass, not in one flush of the
 * whole file by its final commit. The worker thread runs at the lowest CPU priority (nice 19,
 * where Linux allows a thread its own), so on a busy machine the relay's thread comes first.
 *
 * `check`: with `rollbackJournal` the copy first leaves WAL mode (it inherits it from the live
 * database) so it is one self-contained file that opens read-only without -wal or -shm; then
 * integrity_check (reads every page), the counts, and the file's sha-256.
 */
const DATABASE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync, backup } = require('node:sqlite');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
// Linux gives each thread its own nice value: this one yields the CPU to the relay's.
try {
	os.setPriority(Number(fs.readlinkSync('/proc/thread-self').split('/').pop()), 19);
} catch {}
async function copy({ source, target, pagesPerStep, bytesPerSecond, syncBytes }) {
	const db = new DatabaseSync(source);
	try {
		db.exec('PRAGMA busy_timeout = 5000');
		db.exec('BEGIN');
		db.prepare('SELECT count(*) FROM sqlite_master').get();
		const pageSize = Number(db.prepare('PRAGMA page_size').get().page_size);
		const sleeper = new Int32Array(new SharedArrayBuffer(4));
		const started = Date.now();
		let fd = null;
		let synced = 0;
		try {
			await backup(db, target, {
				rate: pagesPerStep,
				progress({ totalPages, remainingPages }) {
					const copied = (totalPages - remainingPages) * pageSize;
					if (copied - synced >= syncBytes) {
						fd ??= fs.openSync(target, 'r');
						fs.fdatasyncSync(fd);
						synced = copied;
					}
					const wait = started + (copied * 1000) / bytesPerSecond - Date.now();
					if (wait > 0) Atomics.wait(sleeper, 0, 0, wait);
				}
			});
		} finally {
			if (fd !== null) fs.closeSync(fd);
		}
		db.exec('COMMIT');
	} finally {
		db.close();
	}
}
function check({ file, rollbackJournal }) {
	if (rollbackJournal) {
		const rw = new DatabaseSync(file);
		rw.exec('PRAGMA journal_mode = DELETE');
		rw.close();
	}
	const db = new DatabaseSync(file, { readOnly: true });
	let counts;
	try {
		const integrity = db.prepare('PRAGMA integrity_check').all();
		const verdict = integrity.map((row) => Object.values(row)[0]).join('; ');
		if (verdict !== 'ok') throw new Error('integrity_check: ' + verdict);
		const count = (sql) => Number(db.prepare(sql).get().n);
		const has = (table) =>
			db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
		counts = {
			communities: has('communities') ? count('SELECT count(*) AS n FROM communities') : 0,
			members: has('members') ? count('SELECT count(*) AS n FROM members') : 0,
			documents: has('snapshots')
				? count('SELECT count(*) AS n FROM (SELECT doc FROM snapshots UNION SELECT doc FROM updates)')
				: 0,
			updates: has('updates') ? count('SELECT count(*) AS n FROM updates') : 0
		};
	} finally {
		db.close();
	}
	const hash = createHash('sha256');
	const fd = fs.openSync(file, 'r');
	try {
		const buffer = Buffer.alloc(1 << 20);
		let read;
		while ((read = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0) hash.update(buffer.subarray(0, read));
	} finally {
		fs.closeSync(fd);
	}
	return { counts, sha256: hash.digest('hex') };
}
(async () => {
	try {
		const result = workerData.task === 'copy' ? await copy(workerData) : check(workerData);
		parentPort.postMessage({ ok: true, result });
	} catch (error) {
		parentPort.postMessage({ ok: false, error: String((error && error.message) || error) });
	}
})();
`;

function databaseWorker(
	data:
		| {
				task: 'copy';
				source: string;
				target: string;
				pagesPerStep: number;
				bytesPerSecond: number;
				syncBytes: number;
		  }
		| { task: 'check'; file: string; rollbackJournal: boolean }
): Promise<unknown> {
	return new Promise((resolve, reject) => {
		const worker = new Worker(DATABASE_WORKER, { eval: true, workerData: data });
		worker.once('message', (message: { ok: boolean; error?: string; result?: unknown }) => {
			if (message.ok) resolve(message.result);
			else reject(new Error(`database ${data.task} failed: ${message.error}`));
		});
		worker.once('error', reject);
		worker.once('exit', (code) => {
			if (code !== 0) reject(new Error(`backup's database worker exited with ${code}`));
		});
	});
}

/** Copies the live database `source` to `target`, paced; see DATABASE_WORKER. */
async function copyDatabase(source: string, target: string, bytesPerSecond: number): Promise<void> {
	await databaseWorker({
		task: 'copy',
		source,
		target,
		pagesPerStep: COPY_PAGES_PER_STEP,
		bytesPerSecond,
		syncBytes: COPY_SYNC_BYTES
	});
}

/** Checks a database copy (integrity_check must say ok) off the event loop: counts and hash. */
async function checkDatabase(file: string, rollbackJournal = false): Promise<DatabaseCheck> {
	return (await databaseWorker({ task: 'check', file, rollbackJournal })) as DatabaseCheck;
}

async function sha256File(file: string): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
	return hash.digest('hex');
}

async function listDir(dir: string): Promise<string[]> {
	try {
		return (await fsp.readdir(dir)).sort();
	} catch {
		return [];
	}
}

/** Photo files under a data dir's blobs/: [community, hash] pairs. */
async function photoFiles(dataDir: string): Promise<[string, string][]> {
	const out: [string, string][] = [];
	const root = path.join(dataDir, 'blobs');
	for (const community of await listDir(root)) {
		for (const prefix of await listDir(path.join(root, community))) {
			if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
			for (const rest of await listDir(path.join(root, community, prefix))) {
				if (BLOB_HASH.test(prefix + rest)) out.push([community, prefix + rest]);
			}
		}
	}
	return out;
}

/** `backup-20261206T101500123Z` */
function backupName(now: number): string {
	return FINAL_PREFIX + new Date(now).toISOString().replace(/[-:.]/g, '');
}

export async function listBackups(backupDir: string): Promise<string[]> {
	return (await listDir(backupDir)).filter((name) => name.startsWith(FINAL_PREFIX));
}

/** One backup of `dataDir` into `backupDir`; see the module header for the steps. */
export async function runBackup(options: {
	dataDir: string;
	backupDir: string;
	keep: number;
	ops?: FileOps;
	now?: () => number;
	/** Pace of the database and photo copies (bytes/s): the relay's WAL fsyncs never queue behind a burst. */
	copyBytesPerSecond?: number;
	/** Called as the database copy and its check start and end. */
	onStep?: (step: BackupStep, at: 'start' | 'end') => void;
}): Promise<BackupResult> {
	const { dataDir, backupDir } = options;
	const ops = options.ops ?? NODE_FILE_OPS;
	const now = options.now ?? Date.now;
	const pace = options.copyBytesPerSecond ?? COPY_BYTES_PER_SECOND;
	const started = performance.now();
	await ops.mkdir(backupDir);
	// Leftovers of a crash or a full disk: never complete, never restorable.
	for (const name of await listDir(backupDir)) {
		if (name.startsWith(TEMP_PREFIX)) {
			await fsp.rm(path.join(backupDir, name), { recursive: true, force: true });
		}
	}
	const createdAt = now();
	const tmp = path.join(backupDir, `${TEMP_PREFIX}${createdAt}-${randomBytes(4).toString('hex')}`);
	try {
		await ops.mkdir(tmp);
		const dbCopy = path.join(tmp, DB_FILE_NAME);
		options.onStep?.('database-copy', 'start');
		await copyDatabase(path.join(dataDir, DB_FILE_NAME), dbCopy, pace);
		options.onStep?.('database-copy', 'end');
		await pauseAt('backup-database-copied');
		const sha256: Record<string, string> = {};
		const keys = path.join(dataDir, KEYS_FILE_NAME);
		if (fs.existsSync(keys)) {
			await ops.copyFile(keys, path.join(tmp, KEYS_FILE_NAME));
			sha256[KEYS_FILE_NAME] = await sha256File(path.join(tmp, KEYS_FILE_NAME));
		}
		const photos = await photoFiles(dataDir);
		let copied = 0;
		for (const [community, hash] of photos) {
			const from = path.join(dataDir, 'blobs', community, hash.slice(0, 2), hash.slice(2));
			const dir = path.join(tmp, 'blobs', community, hash.slice(0, 2));
			const to = path.join(dir, hash.slice(2));
			await ops.mkdir(dir);
			try {
				await ops.linkOrCopy(from, to);
			} catch (error) {
				// The sweep may delete an unreferenced photo while we copy: skip it.
				if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !fs.existsSync(from)) continue;
				throw error;
			}
			// A link is the source's own inode (the upload checked its hash); a copy is re-read.
			const [source, copy] = await Promise.all([fsp.stat(from), fsp.stat(to)]);
			if (source.ino !== copy.ino || source.dev !== copy.dev) {
				if ((await sha256File(to)) !== hash) throw new Error(`photo copy ${hash} does not verify`);
				await new Promise((resolve) => setTimeout(resolve, (copy.size / pace) * 1000));
			}
			copied++;
		}
		let basemaps = 0;
		for (const name of await listDir(path.join(dataDir, 'basemaps'))) {
			if (!name.endsWith('.pmtiles')) continue;
			await ops.mkdir(path.join(tmp, 'basemaps'));
			await ops.copyFile(path.join(dataDir, 'basemaps', name), path.join(tmp, 'basemaps', name));
			sha256[`basemaps/${name}`] = await sha256File(path.join(tmp, 'basemaps', name));
			basemaps++;
		}
		// Verify the copy: it opens, passes integrity_check, and says what it holds.
		options.onStep?.('database-check', 'start');
		const checked = await checkDatabase(dbCopy, true);
		options.onStep?.('database-check', 'end');
		const counts: BackupCounts = { ...checked.counts, photos: copied, basemaps };
		sha256[DB_FILE_NAME] = checked.sha256;
		const manifest: BackupManifest = {
			format: BACKUP_FORMAT,
			version: BACKUP_VERSION,
			createdAt: new Date(createdAt).toISOString(),
			counts,
			sha256
		};
		await ops.writeFile(path.join(tmp, MANIFEST), JSON.stringify(manifest, null, '\t'));
		await fsyncDir(tmp);
		await pauseAt('backup-before-rename');
		const final = path.join(backupDir, backupName(createdAt));
		await fsp.rename(tmp, final);
		await fsyncDir(backupDir);
		const removed = await pruneBackups(backupDir, options.keep);
		return { dir: final, manifest, ms: performance.now() - started, removed };
	} catch (error) {
		await fsp.rm(tmp, { recursive: true, force: true }).catch(() => {});
		throw error;
	}
}

/** Removes the oldest `backup-*` dirs beyond the newest `keep`. */
async function pruneBackups(backupDir: string, keep: number): Promise<string[]> {
	const all = await listBackups(backupDir);
	const removed = all.slice(0, Math.max(0, all.length - keep));
	for (const name of removed) {
		await fsp.rm(path.join(backupDir, name), { recursive: true, force: true });
	}
	return removed;
}

/** Re-checks a backup dir completely; throws naming the first problem. */
export async function verifyBackup(dir: string): Promise<BackupManifest> {
	let manifest: BackupManifest;
	try {
		manifest = JSON.parse(await fsp.readFile(path.join(dir, MANIFEST), 'utf8')) as BackupManifest;
	} catch {
		throw new Error(`${dir} has no readable ${MANIFEST}: not a complete Gridboard backup`);
	}
	if (manifest.format !== BACKUP_FORMAT || manifest.version !== BACKUP_VERSION) {
		throw new Error(`${dir}: not a Gridboard backup of version ${BACKUP_VERSION}`);
	}
	for (const [name, expected] of Object.entries(manifest.sha256)) {
		const actual = await sha256File(path.join(dir, name)).catch(() => 'missing');
		if (actual !== expected) throw new Error(`${name} in the backup is missing or altered`);
	}
	if (!manifest.sha256[DB_FILE_NAME]) throw new Error(`the backup has no ${DB_FILE_NAME}`);
	const { counts } = await checkDatabase(path.join(dir, DB_FILE_NAME));
	const photos = await photoFiles(dir);
	for (const [community, hash] of photos) {
		const file = path.join(dir, 'blobs', community, hash.slice(0, 2), hash.slice(2));
		if ((await sha256File(file)) !== hash)
			throw new Error(`photo ${hash} in the backup is altered`);
	}
	const expected = manifest.counts;
	if (
		counts.communities !== expected.communities ||
		counts.documents !== expected.documents ||
		counts.updates !== expected.updates ||
		photos.length !== expected.photos
	) {
		throw new Error('the backup does not hold what its backup.json counts');
	}
	return manifest;
}

/** What a data dir holds that a backup replaces. */
const DATA_ENTRIES = [
	DB_FILE_NAME,
	`${DB_FILE_NAME}-wal`,
	`${DB_FILE_NAME}-shm`,
	KEYS_FILE_NAME,
	'blobs',
	'basemaps'
];

export type RestoreResult = { manifest: BackupManifest; movedAside: string | null };

/**
 * Restores a verified backup into `dataDir` (relay stopped). The backup is first copied beside
 * the data as `.restore-tmp-*`; then what the data dir held moves to `before-restore-<time>/`
 * and the copy's entries are renamed into place.
 */
export async function restoreBackup(options: {
	backup: string;
	dataDir: string;
	ops?: FileOps;
	now?: number;
}): Promise<RestoreResult> {
	const { dataDir } = options;
	const ops = options.ops ?? NODE_FILE_OPS;
	const running = runningRelay(dataDir);
	if (running) {
		throw new Error(
			`a relay (pid ${running.pid}, port ${running.port}) is running on ${dataDir}: stop it first`
		);
	}
	const manifest = await verifyBackup(options.backup);
	await ops.mkdir(dataDir);
	const stamp = new Date(options.now ?? Date.now()).toISOString().replace(/[-:.]/g, '');
	const staging = path.join(dataDir, `.restore-tmp-${randomBytes(4).toString('hex')}`);
	await fsp.cp(options.backup, staging, { recursive: true, errorOnExist: true });
	await fsp.rm(path.join(staging, MANIFEST), { force: true });
	const present = DATA_ENTRIES.filter((name) => fs.existsSync(path.join(dataDir, name)));
	let movedAside: string | null = null;
	if (present.length > 0) {
		movedAside = path.join(dataDir, `before-restore-${stamp}`);
		await ops.mkdir(movedAside);
		for (const name of present) {
			await fsp.rename(path.join(dataDir, name), path.join(movedAside, name));
		}
	}
	for (const name of await listDir(staging)) {
		await fsp.rename(path.join(staging, name), path.join(dataDir, name));
	}
	await fsp.rm(staging, { recursive: true, force: true });
	await fsyncDir(dataDir);
	return { manifest, movedAside };
}

export type BackupSchedule = {
	/** Runs one backup now (or joins the one running). */
	runNow(): Promise<BackupResult>;
	stop(): void;
};

/**
 * The relay's backup timer: the first backup when the newest one is older than the interval
 * (at once on a fresh BACKUP_DIR), then every interval. Failures are logged, never thrown.
 */
export function startBackups(options: {
	dataDir: string;
	backupDir: string;
	intervalMs: number;
	keep: number;
	log(event: Record<string, unknown>): void;
	ops?: FileOps;
}): BackupSchedule {
	const { log } = options;
	let running: Promise<BackupResult> | null = null;
	let timer: NodeJS.Timeout | null = null;
	let stopped = false;
	const runNow = (): Promise<BackupResult> => {
		running ??= runBackup(options)
			.then(
				(result) => {
					log({
						event: 'backup',
						dir: result.dir,
						ms: Math.round(result.ms),
						...result.manifest.counts,
						removed: result.removed.length
					});
					return result;
				},
				(error: unknown) => {
					log({ event: 'backup-failed', error: String(error) });
					throw error;
				}
			)
			.finally(() => {
				running = null;
			});
		return running;
	};
	const schedule = (delay: number): void => {
		if (stopped) return;
		timer = setTimeout(() => {
			runNow()
				.catch(() => {})
				.finally(() => schedule(options.intervalMs));
		}, delay);
		timer.unref();
	};
	void (async () => {
		const newest = (await listBackups(options.backupDir)).at(-1);
		const stat = newest
			? await fsp.stat(path.join(options.backupDir, newest)).catch(() => null)
			: null;
		schedule(stat ? Math.max(0, stat.mtimeMs + options.intervalMs - Date.now()) : 0);
	})();
	return {
		runNow,
		stop() {
			stopped = true;
			if (timer) clearTimeout(timer);
		}
	};
}
