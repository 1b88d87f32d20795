/**
 * Where photo bytes live (blobs.ts owns the HTTP rules, checks and the sweep's decisions): a
 * `BlobStore` holds each community's blobs by SHA-256. Two implementations:
 *
 *   DiskBlobStore      embedded mode: files under `DATA_DIR/blobs/{cid}/ab/cdef…`, as always
 *   PostgresBlobStore  cluster mode (blob-store-postgres.ts): rows every relay reads
 *
 * Invariants every implementation keeps:
 * - A blob is visible only once `commit` resolved, and then it is durable (fsynced file and
 *   directory, or a committed transaction): 201 is answered after that. `abort` (or a failed
 *   commit) leaves nothing readable.
 * - Blobs are kept per community: the same hash in two communities is two blobs.
 * - The age the sweep compares with its grace period is the time of the last upload (`touch`
 *   refreshes it), and `removeUnreferenced` rechecks it as it deletes.
 */
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ID_SEGMENT } from '../src/lib/wire/index.ts';
import { fsyncDir } from './backup/files.ts';

/** A stored blob being read: its size, its first bytes (to name its type), then the body. */
export type StoredBlob = {
	size: number;
	/** At most the first 16 bytes. */
	head: Buffer;
	/** The bytes; the store's resources are released when the stream ends or is destroyed. */
	body(): Readable;
	/** Releases the store's resources when `body` is not read (HEAD, a refusal). */
	close(): Promise<void>;
};

/** An upload under way: chunks in order, then `commit` (durable) or `abort`. */
export type BlobWriter = {
	write(chunk: Buffer): Promise<void>;
	commit(): Promise<void>;
	abort(): Promise<void>;
};

export type SweepResult = { deleted: number; kept: number; referenced: number };

export interface BlobStore {
	/** True if the community holds the blob; its age is then refreshed to `now`. */
	touch(communityId: string, hash: string, now: number): Promise<boolean>;
	writer(communityId: string, hash: string, now: number): Promise<BlobWriter>;
	/** The blob, or null when the community holds none of that hash. */
	open(communityId: string, hash: string): Promise<StoredBlob | null>;
	/** The communities holding blobs (or leftovers of uploads). */
	communities(): Promise<string[]>;
	/**
	 * Deletes the community's blobs last uploaded more than `graceMs` before `now` whose hash is
	 * not in `keep` (and leftovers of uploads that never finished); counts what it deleted, what
	 * it kept because it is young, and the referenced blobs it holds.
	 */
	removeUnreferenced(
		communityId: string,
		keep: ReadonlySet<string>,
		now: number,
		graceMs: number
	): Promise<SweepResult>;
	close(): Promise<void>;
}

const HASH = /^[0-9a-f]{64}$/;

/** `DATA_DIR/blobs/{cid}/ab/cdef…` */
export function blobPath(dataDir: string, communityId: string, hash: string): string {
	return path.join(dataDir, 'blobs', communityId, hash.slice(0, 2), hash.slice(2));
}

async function exists(file: string): Promise<boolean> {
	try {
		return (await fsp.stat(file)).isFile();
	} catch {
		return false;
	}
}

async function listDir(dir: string): Promise<string[]> {
	try {
		return await fsp.readdir(dir);
	} catch {
		return [];
	}
}

/**
 * Embedded mode: one file per blob, written to `{cid}/tmp`, fsynced, renamed into place and its
 * directory fsynced. A file's mtime is its age; temp files older than the grace period (at
 * least an hour) are leftovers of interrupted uploads.
 */
export class DiskBlobStore implements BlobStore {
	readonly dataDir: string;
	#root: string;

	constructor(dataDir: string) {
		this.dataDir = dataDir;
		this.#root = path.join(dataDir, 'blobs');
	}

	async touch(communityId: string, hash: string, now: number): Promise<boolean> {
		const file = blobPath(this.dataDir, communityId, hash);
		if (!(await exists(file))) return false;
		const time = new Date(now);
		await fsp.utimes(file, time, time).catch(() => {});
		return true;
	}

	async writer(communityId: string, hash: string): Promise<BlobWriter> {
		const final = blobPath(this.dataDir, communityId, hash);
		const tmpDir = path.join(this.#root, communityId, 'tmp');
		await fsp.mkdir(tmpDir, { recursive: true });
		const tmp = path.join(tmpDir, `${hash}.${randomBytes(6).toString('hex')}`);
		const handle = await fsp.open(tmp, 'wx', 0o600);
		let renamed = false;
		const abort = async (): Promise<void> => {
			await handle.close().catch(() => {});
			if (!renamed) await fsp.rm(tmp, { force: true }).catch(() => {});
		};
		return {
			write: async (chunk) => {
				await handle.write(chunk);
			},
			commit: async () => {
				try {
					await handle.sync();
					await handle.close();
					const dir = path.dirname(final);
					await fsp.mkdir(dir, { recursive: true });
					await fsp.rename(tmp, final);
					renamed = true;
					await fsyncDir(dir);
				} finally {
					await abort();
				}
			},
			abort
		};
	}

	async open(communityId: string, hash: string): Promise<StoredBlob | null> {
		let handle: fsp.FileHandle;
		try {
			handle = await fsp.open(blobPath(this.dataDir, communityId, hash), 'r');
		} catch {
			return null;
		}
		try {
			const { size } = await handle.stat();
			const head = Buffer.alloc(Math.min(16, size));
			await handle.read(head, 0, head.length, 0);
			return {
				size,
				head,
				body: () => handle.createReadStream({ start: 0, autoClose: true }),
				close: () => handle.close().catch(() => {})
			};
		} catch (error) {
			await handle.close().catch(() => {});
			throw error;
		}
	}

	async communities(): Promise<string[]> {
		return (await listDir(this.#root)).filter((name) => ID_SEGMENT.test(name));
	}

	async removeUnreferenced(
		communityId: string,
		keep: ReadonlySet<string>,
		now: number,
		graceMs: number
	): Promise<SweepResult> {
		const result: SweepResult = { deleted: 0, kept: 0, referenced: 0 };
		const communityDir = path.join(this.#root, communityId);
		for (const prefix of await listDir(communityDir)) {
			const dir = path.join(communityDir, prefix);
			if (prefix === 'tmp') {
				for (const name of await listDir(dir)) {
					const file = path.join(dir, name);
					const stat = await fsp.stat(file).catch(() => null);
					if (stat && now - stat.mtimeMs > Math.max(graceMs, 3600_000)) {
						await fsp.rm(file, { force: true });
					}
				}
				continue;
			}
			if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
			for (const rest of await listDir(dir)) {
				const hash = prefix + rest;
				if (!HASH.test(hash)) continue;
				if (keep.has(hash)) {
					result.referenced++;
					continue;
				}
				const file = path.join(dir, rest);
				const stat = await fsp.stat(file).catch(() => null);
				if (stat && now - stat.mtimeMs > graceMs) {
					await fsp.rm(file, { force: true });
					result.deleted++;
				} else {
					result.kept++;
				}
			}
		}
		return result;
	}

	async close(): Promise<void> {}
}
