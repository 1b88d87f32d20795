/**
 * kill -9 of a real process in the middle of an export, a backup and an import (stopped at a
 * pause point, GRIDBOARD_PAUSE_AT, so "in the middle" is certain): afterwards the relay serves,
 * no half archive or backup exists under its final name, and an interrupted import left
 * nothing (killed before its commit) or, once restarted, the whole thing (killed after it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
	connectSynced,
	killHard,
	MAIN_FILE,
	makeTempDir,
	removeDir,
	spawnRelay,
	startTestRelay,
	waitFor,
	type TestRelay
} from '../test-helpers.ts';
import { listBackups, verifyBackup } from './backup.ts';
import {
	adminPausedAt,
	pausedLine,
	readDataState,
	runAdmin,
	seedOn,
	writeDoc
} from './test-fixture.ts';

const dirs: string[] = [];
const children: ChildProcess[] = [];
let r: TestRelay | null = null;
afterEach(async () => {
	await r?.relay.close();
	r = null;
	for (const child of children.splice(0)) await killHard(child);
	for (const dir of dirs.splice(0)) removeDir(dir);
});

function tempDir(): string {
	const dir = makeTempDir('gridboard-faults-');
	dirs.push(dir);
	return dir;
}

/** A relay with community `yc` seeded, and its archive at `archive`. */
async function seededWithArchive(): Promise<{ r: TestRelay; archive: string }> {
	r = await startTestRelay();
	dirs.push(r.dataDir);
	await seedOn(r, 'yc');
	const archive = path.join(tempDir(), 'yc.zip');
	const run = await runAdmin(['export-community', 'yc', '--out', archive], {
		DATA_DIR: r.dataDir
	});
	expect(run.code).toBe(0);
	return { r, archive };
}

async function killed(child: ChildProcess): Promise<void> {
	children.push(child);
	await killHard(child);
}

describe('kill -9', () => {
	it('during an export leaves no archive under its name, and the relay serves', async () => {
		const { r } = await seededWithArchive();
		const outDir = tempDir();
		const out = path.join(outDir, 'again.zip');
		await killed(
			await adminPausedAt(
				['export-community', 'yc', '--out', out],
				{ DATA_DIR: r.dataDir },
				'export-before-rename'
			)
		);
		expect(fs.existsSync(out)).toBe(false);
		// Only a temp name, which no one takes for an archive.
		expect(fs.readdirSync(outDir).every((name) => name.startsWith('.again.zip.tmp-'))).toBe(true);
		const token = r.relay.mintToken({ communityId: 'yc', role: 'secretary' });
		await writeDoc(r.wsUrl, 'c/yc/board/g01', (doc) => doc.getArray('log').push(['x']), token);
		expect(
			(await runAdmin(['export-community', 'yc', '--out', out], { DATA_DIR: r.dataDir })).code
		).toBe(0);
	});

	it('during a backup leaves no backup under a final name; the restarted relay serves and backs up', async () => {
		const dataDir = tempDir();
		const backupDir = path.join(tempDir(), 'backups');
		const env = {
			DATA_DIR: dataDir,
			STATIC_DIR: `${dataDir}/no-build`,
			BACKUP_DIR: backupDir,
			BACKUP_INTERVAL: '1h'
		};
		const seeding = await spawnRelay({ DATA_DIR: dataDir, STATIC_DIR: env.STATIC_DIR });
		children.push(seeding.child);
		await writeDoc(seeding.wsUrl, 'c/demo/board/g01', (doc) => doc.getArray('log').push(['a']));
		await killHard(seeding.child);
		// The backup dir is empty: the relay backs up at once at start; it stops there mid-way.
		const paused = spawn(process.execPath, [MAIN_FILE], {
			env: {
				...process.env,
				PORT: '0',
				BOOTSTRAP: 'off',
				...env,
				GRIDBOARD_PAUSE_AT: 'backup-before-rename'
			},
			stdio: ['ignore', 'pipe', 'pipe']
		});
		children.push(paused);
		await pausedLine(paused, 'backup-before-rename');
		await killHard(paused);
		expect(await listBackups(backupDir)).toEqual([]);
		expect(fs.readdirSync(backupDir).every((name) => name.startsWith('.tmp-'))).toBe(true);

		const restarted = await spawnRelay(env);
		children.push(restarted.child);
		const client = await connectSynced(restarted.wsUrl, 'c/demo/board/g01');
		expect(client.doc.getArray('log').toArray()).toEqual(['a']);
		client.destroy();
		await waitFor(() => fs.readdirSync(backupDir).some((n) => n.startsWith('backup-')), 10_000);
		const [backup] = await listBackups(backupDir);
		expect((await verifyBackup(path.join(backupDir, backup!))).counts.documents).toBe(1);
		expect(fs.readdirSync(backupDir).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
	});

	it('during an import before its commit leaves nothing; after it, the restart completes it', async () => {
		const { r, archive } = await seededWithArchive();
		const before = await readDataState(r.dataDir);
		const target = tempDir();

		// Killed with the photos staged, before the transaction: nothing was imported.
		await killed(
			await adminPausedAt(['import-community', archive], { DATA_DIR: target }, 'import-staged')
		);
		let state = await readDataState(target);
		expect(state.communities).toEqual([]);
		expect([...state.docs.keys()]).toEqual([]);
		expect(fs.existsSync(path.join(target, 'blobs', 'yc'))).toBe(false);
		// A relay starting there drops the staging and serves.
		const relay = await startTestRelay({ dataDir: target });
		expect(fs.readdirSync(path.join(target, 'imports'))).toEqual([]);
		await relay.relay.close();

		// Killed after the commit, before the photos moved into place: the restart finishes it.
		await killed(
			await adminPausedAt(['import-community', archive], { DATA_DIR: target }, 'import-committed')
		);
		expect((await readDataState(target)).communities).toEqual(['yc']);
		const again = await startTestRelay({ dataDir: target });
		state = await readDataState(target);
		expect(state.docs).toEqual(before.docs);
		expect(state.photos.get('yc')).toEqual(before.photos.get('yc'));
		expect(fs.readdirSync(path.join(target, 'imports'))).toEqual([]);
		const token = again.relay.mintToken({ communityId: 'yc', role: 'secretary' });
		const client = await connectSynced(again.wsUrl, 'c/yc/board/g01', token);
		expect(client.doc.getMap('cases').size).toBe(1);
		client.destroy();
		await again.relay.close();
	});
});
