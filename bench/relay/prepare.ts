/**
 * Checks the native addons the peer configurations need; both ship N-API prebuilds that load on
 * any Node ABI, so nothing is built here and a plain `npm install` is enough (whether or not npm
 * runs their install scripts, which it does only for approved packages):
 *
 * - better-sqlite3 13 (for @hocuspocus/extension-sqlite, whose own dependency is 12.x). 12.x
 *   wraps its objects in `node::ObjectWrap`, whose destructor on Node >= 24.19 asserts that a
 *   JavaScript environment is current: a prepared statement collected by the garbage collector
 *   aborts the process (nodejs/node#65446). The stock extension prepares a statement per fetch
 *   and per store, so its server died a few seconds into the first busy workload. 13.x uses
 *   node-addon-api and has the same JavaScript API; `servers/hocuspocus.ts` opens it.
 * - leveldown (for y-leveldb): we only check that it opens a database.
 *
 * Run alone: `node bench/relay/prepare.ts`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type Addon = { ok: true; path: string } | { ok: false; reason: string };

/** Checks that better-sqlite3 (13.x, see above) loads, writes and lets statements be collected. */
export function checkBetterSqlite3(): Addon {
	try {
		const Database = require('better-sqlite3') as new (file: string) => {
			exec(sql: string): void;
			prepare(sql: string): { run(...args: unknown[]): unknown };
			close(): void;
		};
		const db = new Database(':memory:');
		db.exec('CREATE TABLE t (x)');
		for (let i = 0; i < 100; i++) db.prepare('INSERT INTO t VALUES (?)').run(i);
		db.close();
		return { ok: true, path: require.resolve('better-sqlite3') };
	} catch (error) {
		return { ok: false, reason: `better-sqlite3: ${(error as Error).message.split('\n')[0]}` };
	}
}

/** Checks that leveldown (y-leveldb's engine) loads and can open a database here. */
export async function checkLeveldown(): Promise<Addon> {
	let dir: string | null = null;
	try {
		const { LeveldbPersistence } = (await import('y-leveldb' as string)) as {
			LeveldbPersistence: new (dir: string) => {
				destroy(): Promise<void>;
				getAllDocNames(): Promise<string[]>;
			};
		};
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-leveldb-check-'));
		const ldb = new LeveldbPersistence(dir);
		await ldb.getAllDocNames();
		await ldb.destroy();
		return { ok: true, path: require.resolve('leveldown') };
	} catch (error) {
		return { ok: false, reason: `leveldown: ${(error as Error).message.split('\n')[0]}` };
	} finally {
		if (dir) fs.rmSync(dir, { recursive: true, force: true });
	}
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
	console.log('better-sqlite3:', checkBetterSqlite3());
	console.log('leveldown:', await checkLeveldown());
}
