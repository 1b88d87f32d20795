/**
 * File writing for archives, backups, imports and restores: the one interface they write
 * through (`FileOps`, injectable so tests can make a disk "fill up" with ENOSPC), atomic
 * publication (temp name → fsync → rename → fsync of the directory), and the test-only pause
 * points the kill -9 tests stop a process at.
 *
 * Invariant: nothing these modules write appears under its final name before its bytes are
 * on disk: a crash leaves a temp name (`*.tmp-*`, `.tmp-*`) or nothing, never a half file that
 * looks complete.
 */
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** The writes these modules make; reads go to node:fs directly. */
export type FileOps = {
	writeFile(file: string, data: Uint8Array | string): Promise<void>;
	copyFile(from: string, to: string): Promise<void>;
	/**
	 * A hard link where `to` is on the same filesystem (for files never changed in place, such
	 * as photos: no bytes are copied), else a copy.
	 */
	linkOrCopy(from: string, to: string): Promise<void>;
	mkdir(dir: string): Promise<void>;
};

/** Writes a file and fsyncs it before resolving. */
async function writeAndSync(file: string, data: Uint8Array | string): Promise<void> {
	const handle = await fsp.open(file, 'wx', 0o600);
	try {
		await handle.writeFile(data);
		await handle.sync();
	} finally {
		await handle.close();
	}
}

async function copyAndSync(from: string, to: string): Promise<void> {
	await fsp.copyFile(from, to, fsp.constants.COPYFILE_EXCL);
	const handle = await fsp.open(to, 'r');
	try {
		await handle.sync();
	} finally {
		await handle.close();
	}
}

export const NODE_FILE_OPS: FileOps = {
	writeFile: writeAndSync,
	copyFile: copyAndSync,
	async linkOrCopy(from, to) {
		try {
			await fsp.link(from, to);
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw error;
			await copyAndSync(from, to);
		}
	},
	async mkdir(dir) {
		await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
	}
};

export async function fsyncDir(dir: string): Promise<void> {
	const handle = await fsp.open(dir, 'r');
	try {
		await handle.sync();
	} finally {
		await handle.close();
	}
}

/** A temp name beside `file` that no final name can be mistaken for. */
export function tempNameFor(file: string): string {
	return path.join(
		path.dirname(file),
		`.${path.basename(file)}.tmp-${randomBytes(6).toString('hex')}`
	);
}

/**
 * Writes `data` to a temp file beside `file`, fsyncs it, renames it to `file` and fsyncs the
 * directory. On any error the temp file is removed and nothing exists under `file`.
 */
export async function writeFileAtomic(
	file: string,
	data: Uint8Array | string,
	ops: FileOps = NODE_FILE_OPS,
	beforeRename: () => Promise<void> = async () => {}
): Promise<void> {
	const tmp = tempNameFor(file);
	try {
		await ops.writeFile(tmp, data);
		await beforeRename();
		await fsp.rename(tmp, file);
	} catch (error) {
		await fsp.rm(tmp, { force: true }).catch(() => {});
		throw error;
	}
	await fsyncDir(path.dirname(file));
}

/**
 * Test-only: when GRIDBOARD_PAUSE_AT names this point, prints `{"event":"paused","at":…}` and
 * never resolves, so a test can `kill -9` the process exactly there. A no-op otherwise.
 */
export function pauseAt(point: string): Promise<void> {
	if (process.env.GRIDBOARD_PAUSE_AT !== point) return Promise.resolve();
	console.log(JSON.stringify({ event: 'paused', at: point }));
	return new Promise(() => {
		setInterval(() => {}, 1 << 30);
	});
}
