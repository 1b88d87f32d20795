/**
 * Checks the native addons the peer configurations need. They belong to the benchmark's own
 * package (`bench/relay/package.json`, installed by `npm run bench:relay:install`), not the app's;
 * both ship N-API prebuilds that load on any Node ABI, so nothing is built here and a plain
 * `npm install` is enough (whether or not npm runs their install scripts, which it does only for
 * approved packages):
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

/** An error's first line, with the install command when the benchmark's package is missing. */
function firstLine(error: unknown): string {
	const line = (error as Error).message.split('\n')[0] ?? '';
	const missing = /Cannot find (module|package)/.test(line);
	return missing ? `${line} (run \`npm run bench:relay:install\`)` : line;
}

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
		return { ok: false, reason: `better-sqlite3: ${firstLine(error)}` };
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
		return { ok: false, reason: `leveldown: ${firstLine(error)}` };
	} finally {
		if (dir) fs.rmSync(dir, { recursive: true, force: true });
	}
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
	console.log('better-sqlite3:', checkBetterSqlite3());
	console.log('leveldown:', await checkLeveldown());
}
