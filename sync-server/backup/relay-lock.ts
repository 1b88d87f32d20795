/**
 * The relay's mark on its data dir: `DATA_DIR/relay.lock` holds the pid and port of the relay
 * serving it, written once it listens and removed when it closes. A restore refuses while the
 * named process is alive; a lock left by a crashed relay (dead pid) does not count.
 *
 * Invariant: advisory only. It guards an operator's restore against a running relay on the
 * same machine; it is not a mutual exclusion between relays.
 */
import fs from 'node:fs';
import path from 'node:path';

const LOCK_FILE = 'relay.lock';

export type RelayLock = { pid: number; port: number; startedAt: string };

export function writeRelayLock(dataDir: string, port: number): void {
	const lock: RelayLock = { pid: process.pid, port, startedAt: new Date().toISOString() };
	fs.mkdirSync(dataDir, { recursive: true });
	fs.writeFileSync(path.join(dataDir, LOCK_FILE), JSON.stringify(lock));
}

/** Removes the lock if this process wrote it. */
export function removeRelayLock(dataDir: string): void {
	const lock = readLock(dataDir);
	if (lock?.pid === process.pid) fs.rmSync(path.join(dataDir, LOCK_FILE), { force: true });
}

function readLock(dataDir: string): RelayLock | null {
	try {
		return JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')) as RelayLock;
	} catch {
		return null;
	}
}

/** The relay serving `dataDir`, if its lock names a live process. */
export function runningRelay(dataDir: string): RelayLock | null {
	const lock = readLock(dataDir);
	if (!lock || typeof lock.pid !== 'number') return null;
	try {
		process.kill(lock.pid, 0);
		return lock;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM' ? lock : null;
	}
}
