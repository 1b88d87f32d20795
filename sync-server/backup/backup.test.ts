/**
 * Scheduled online backups and restore, with a real relay and real clients: backups are
 * verified and pruned to BACKUP_KEEP; a full disk (a 1 MiB tmpfs when this machine lets the
 * test mount one, and always a simulated ENOSPC through FileOps) leaves no backup and the relay
 * serving; the restore drill brings a stopped relay back to the backup and a phone that kept
 * its copy merges its newer edits into it without loss.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	connectClient,
	connectSynced,
	killHard,
	makeTempDir,
	removeDir,
	spawnRelay,
	startTestRelay,
	trackPersisted,
	waitFor,
	type TestRelay
} from '../test-helpers.ts';
import { listBackups, runBackup, verifyBackup, type BackupStep } from './backup.ts';
import { NODE_FILE_OPS, type FileOps } from './files.ts';
import { padDatabase, photo, runAdmin, uploadPhoto, writeDoc } from './test-fixture.ts';

const dirs: string[] = [];
const mounts: string[] = [];
let r: TestRelay | null = null;
let child: ChildProcess | null = null;
afterEach(async () => {
	await r?.relay.close();
	r = null;
	if (child) await killHard(child);
	child = null;
	for (const dir of mounts.splice(0)) execFileSync('umount', [dir]);
	for (const dir of dirs.splice(0)) removeDir(dir);
});

function tempDir(): string {
	const dir = makeTempDir('gridboard-backup-');
	dirs.push(dir);
	return dir;
}

/** A 1 MiB tmpfs, or null where this process may not mount one. */
function smallDisk(): string | null {
	const dir = tempDir();
	try {
		execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
	} catch {
		return null;
	}
	mounts.push(dir);
	return dir;
}

/** FileOps whose writes fail with ENOSPC once `budget` bytes were written. */
function fillingDisk(budget: number): FileOps {
	let used = 0;
	const spend = (bytes: number): void => {
		used += bytes;
		if (used > budget) {
			throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
		}
	};
	return {
		async writeFile(file, data) {
			spend(typeof data === 'string' ? Buffer.byteLength(data) : data.length);
			await NODE_FILE_OPS.writeFile(file, data);
		},
		async copyFile(from, to) {
			spend(fs.statSync(from).size);
			await NODE_FILE_OPS.copyFile(from, to);
		},
		// As if the backup dir were on another disk: every photo is copied.
		async linkOrCopy(from, to) {
			spend(fs.statSync(from).size);
			await NODE_FILE_OPS.copyFile(from, to);
		},
		mkdir: NODE_FILE_OPS.mkdir
	};
}

/** The relay still confirms writes. */
async function stillServes(wsUrl: string, token: string, value: string): Promise<void> {
	await writeDoc(wsUrl, 'c/demo/board/g01', (doc) => doc.getArray('log').push([value]), token);
}

describe('scheduled backups', () => {
	it('writes verified backups on its interval and keeps the last N', async () => {
		const backupDir = path.join(tempDir(), 'backups');
		const events: Record<string, unknown>[] = [];
		r = await startTestRelay({
			backupDir,
			backupIntervalMs: 50,
			backupKeep: 2,
			log: (event) => events.push(event)
		});
		dirs.push(r.dataDir);
		r.relay.createCommunity('示例社区', 'demo');
		await uploadPhoto(r.relay.url, 'demo', r.token, photo(7));
		await stillServes(r.wsUrl, r.token, 'one');
		await waitFor(
			() => events.filter((e) => e.event === 'backup').length >= 4,
			20_000,
			'four backups'
		);
		const kept = await listBackups(backupDir);
		expect(kept.length).toBeLessThanOrEqual(3);
		expect(events.some((e) => e.event === 'backup' && e.removed !== 0)).toBe(true);
		r.relay.backups!.stop();
		const last = await r.relay.backups!.runNow();
		expect((await listBackups(backupDir)).length).toBe(2);
		const manifest = await verifyBackup(last.dir);
		expect(manifest.counts).toMatchObject({ communities: 1, documents: 1, photos: 1 });
		expect(fs.readdirSync(backupDir).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
	});

	it('a disk filling up during a backup leaves no backup, and the relay keeps serving', async () => {
		const disk = smallDisk();
		const events: Record<string, unknown>[] = [];
		const log = (event: Record<string, unknown>): void => void events.push(event);
		const seeding = await startTestRelay();
		dirs.push(seeding.dataDir);
		// Bigger than the small disk: the database fits, the photo does not.
		await uploadPhoto(seeding.relay.url, 'demo', seeding.token, photo(9, 1_500_000));
		await stillServes(seeding.wsUrl, seeding.token, 'before');
		await seeding.relay.close();
		// The first scheduled backup starts at once (the backup dir is empty).
		const dataDir = seeding.dataDir;
		r = await startTestRelay(
			disk ? { dataDir, backupDir: disk, backupIntervalMs: 3600_000, log } : { dataDir, log }
		);
		if (disk) {
			console.log('backup ENOSPC: on a real 1 MiB tmpfs');
			await waitFor(() => events.some((e) => e.event === 'backup-failed'), 20_000, 'failure');
			expect(String(events.find((e) => e.event === 'backup-failed')!.error)).toContain('ENOSPC');
			expect(fs.readdirSync(disk).filter((name) => name !== 'lost+found')).toEqual([]);
		}
		// Always also through the injectable file interface.
		const backupDir = path.join(tempDir(), 'backups');
		await expect(
			runBackup({ dataDir: r.dataDir, backupDir, keep: 3, ops: fillingDisk(100_000) })
		).rejects.toThrow(/ENOSPC/);
		expect(fs.readdirSync(backupDir)).toEqual([]);
		await stillServes(r.wsUrl, r.token, 'after');
		// With room again, the next backup is whole.
		const ok = await runBackup({ dataDir: r.dataDir, backupDir, keep: 3 });
		expect((await verifyBackup(ok.dir)).counts.photos).toBe(1);
	});
});

describe('a backup and the relay', () => {
	it('the relay keeps turning its event loop and committing while a backup copies and checks a sizeable database', async () => {
		r = await startTestRelay();
		dirs.push(r.dataDir);
		r.relay.createCommunity('示例社区', 'demo');
		padDatabase(r.dataDir, 32);
		const client = await connectSynced(r.wsUrl, 'c/demo/board/g01', r.token);
		const persisted = trackPersisted(client.provider);
		const log = client.doc.getArray<string>('log');
		log.push(['before the backup']);
		await waitFor(() => persisted.covers(client.doc), 5000, 'first edit persisted');
		// One edit in flight at a time; a timer that fires counts an event-loop turn.
		let turns = 0;
		let running = true;
		const spin = (): void => {
			turns++;
			if (persisted.covers(client.doc)) log.push([`edit ${turns}`]);
			if (running) setTimeout(spin, 1);
		};
		spin();
		const seen: Record<string, { turns: number; confirmed: number }> = {};
		const at = (): { turns: number; confirmed: number } => ({
			turns,
			confirmed: persisted.received.length
		});
		const during: Partial<Record<BackupStep, { turns: number; confirmed: number }>> = {};
		const result = await runBackup({
			dataDir: r.dataDir,
			backupDir: path.join(tempDir(), 'backups'),
			keep: 1,
			copyBytesPerSecond: 256e6,
			onStep(step, when) {
				if (when === 'start') seen[step] = at();
				else {
					const now = at();
					during[step] = {
						turns: now.turns - seen[step]!.turns,
						confirmed: now.confirmed - seen[step]!.confirmed
					};
				}
			}
		});
		const whole = { turns: turns - seen['database-copy']!.turns, confirmed: 0 };
		whole.confirmed = persisted.received.length - seen['database-copy']!.confirmed;
		running = false;
		client.destroy();
		// `VACUUM INTO` or an integrity_check on the event loop would leave 0 turns in its step.
		expect(during['database-copy']!.turns).toBeGreaterThan(0);
		expect(during['database-check']!.turns).toBeGreaterThan(0);
		expect(whole.confirmed).toBeGreaterThan(0);
		expect(result.manifest.counts.documents).toBeGreaterThanOrEqual(1);
		expect(fs.statSync(path.join(result.dir, 'gridboard.db')).size).toBeGreaterThan(32e6);
		await verifyBackup(result.dir);
	});
});

describe('restore drill', () => {
	it('a restored relay serves the backup, and a phone that kept its copy merges its newer edits', async () => {
		const dataDir = tempDir();
		const backupDir = path.join(tempDir(), 'backups');
		const env = { DATA_DIR: dataDir, STATIC_DIR: `${dataDir}/no-build` };
		const first = await spawnRelay(env);
		child = first.child;
		const doc = 'c/demo/board/g01';
		const phone = connectClient(first.wsUrl, doc, new Y.Doc());
		const persisted = trackPersisted(phone.provider);
		const log = phone.doc.getArray<string>('log');
		await waitFor(() => phone.provider.synced, 5000, 'phone synced');
		log.push(['in the backup']);
		await waitFor(() => persisted.covers(phone.doc), 5000, 'first edit confirmed');

		const backedUp = await runAdmin(['backup', '--to', backupDir], { DATA_DIR: dataDir });
		expect(backedUp.stderr).toBe('');
		expect(backedUp.code).toBe(0);
		const [backup] = await listBackups(backupDir);

		log.push(['after the backup, confirmed']);
		await waitFor(() => persisted.covers(phone.doc), 5000, 'second edit confirmed');
		phone.provider.disconnect();
		log.push(['offline on the phone']);

		// Refused while the relay holds the data dir.
		const refused = await runAdmin(['restore', path.join(backupDir, backup!)], env);
		expect(refused.code).toBe(1);
		expect(refused.stderr).toContain('is running');

		await new Promise<void>((resolve) => {
			first.child.once('exit', () => resolve());
			first.child.kill('SIGTERM');
		});
		child = null;
		const restored = await runAdmin(['restore', path.join(backupDir, backup!)], env);
		expect(restored.stderr).toBe('');
		expect(restored.code).toBe(0);
		expect(restored.stdout).toContain('before-restore-');

		const second = await spawnRelay({ ...env, PORT: String(first.port) });
		child = second.child;
		const fresh = await connectSynced(second.wsUrl, doc);
		expect(fresh.doc.getArray('log').toArray()).toEqual(['in the backup']);

		phone.provider.connect();
		const everything = ['in the backup', 'after the backup, confirmed', 'offline on the phone'];
		await waitFor(
			() => JSON.stringify(fresh.doc.getArray('log').toArray()) === JSON.stringify(everything),
			10_000,
			'the phone merged its edits into the restored relay'
		);
		await waitFor(() => persisted.covers(phone.doc), 5000, 'merged edits confirmed');
		expect(log.toArray()).toEqual(everything);
		fresh.destroy();
		phone.destroy();
	});
});
