/**
 * The app's own `npm install` pulls no native module and no old LevelDB: the relay benchmark's
 * peers (Hocuspocus, y-websocket-server, better-sqlite3 and, through them, y-leveldb and
 * leveldown) live in bench/relay's own package, which `.ci/run` installs after the app's; and
 * y-indexeddb, which our local store replaces, is gone.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

type Manifest = {
	dependencies?: Record<string, string>;
	devDependencies?: Record<string, string>;
};
type Lock = { packages: Record<string, { version?: string; hasInstallScript?: boolean }> };

const root = new URL('../../', import.meta.url);
const bench = new URL('bench/relay/', root);
const read = <T>(base: URL, file: string): T =>
	JSON.parse(fs.readFileSync(new URL(file, base), 'utf8')) as T;
const rootPkg = read<Manifest>(root, 'package.json');
const rootLock = read<Lock>(root, 'package-lock.json');
const benchPkg = read<Manifest>(bench, 'package.json');
const benchLock = read<Lock>(bench, 'package-lock.json');

const BENCH_PEERS = [
	'@hocuspocus/extension-sqlite',
	'@hocuspocus/provider',
	'@hocuspocus/server',
	'@y/websocket-server',
	'better-sqlite3'
];
/** Never in the app's install: the peers, what they bring, and the store we replaced. */
const NOT_IN_APP = [...BENCH_PEERS, 'y-leveldb', 'leveldown', 'level', 'y-indexeddb'];

/** Package names in a lock file (`node_modules/a/node_modules/@s/b` → `@s/b`). */
function lockedNames(lock: Lock): string[] {
	return Object.keys(lock.packages)
		.filter((key) => key.includes('node_modules/'))
		.map((key) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length));
}
const allDeps = (pkg: Manifest) => ({ ...pkg.dependencies, ...pkg.devDependencies });

describe("the app's dependencies", () => {
	it('package.json names no benchmark peer and no y-indexeddb', () => {
		const names = Object.keys(allDeps(rootPkg));
		expect(names.filter((name) => NOT_IN_APP.includes(name))).toEqual([]);
	});

	it('the lock file holds none of them, nor anything of Hocuspocus or LevelDB', () => {
		const names = lockedNames(rootLock);
		expect(names.length).toBeGreaterThan(100);
		const found = names.filter(
			(name) =>
				NOT_IN_APP.includes(name) ||
				name.startsWith('@hocuspocus/') ||
				/leveldown|^level/.test(name)
		);
		expect(found).toEqual([]);
	});

	it('no locked package runs an install script (nothing is compiled)', () => {
		const scripted = Object.entries(rootLock.packages)
			.filter(([, entry]) => entry.hasInstallScript)
			.map(([key]) => key);
		expect(scripted).toEqual([]);
	});
});

describe("the relay benchmark's own package", () => {
	it('pins every peer, with its lock file', () => {
		const deps = allDeps(benchPkg);
		for (const name of BENCH_PEERS) {
			expect(deps[name], name).toMatch(/^\d+\.\d+\.\d+$/);
			expect(benchLock.packages[`node_modules/${name}`]?.version, name).toBe(deps[name]);
		}
		// y-websocket-server's persistence, which the leveldb target measures.
		expect(lockedNames(benchLock)).toEqual(expect.arrayContaining(['y-leveldb', 'leveldown']));
	});

	it('shares the Yjs libraries with the app at the same versions (one copy per process)', () => {
		const app = allDeps(rootPkg);
		const deps = allDeps(benchPkg);
		for (const name of ['yjs', 'y-protocols', 'y-websocket', 'lib0', 'ws']) {
			expect(deps[name], name).toBe(app[name]);
		}
	});

	it('.ci/run installs it after the app and before the checks and tests', () => {
		const ci = fs.readFileSync(new URL('.ci/run', root), 'utf8');
		const app = ci.indexOf('\nnpm install --no-audit --no-fund\n');
		const peers = ci.indexOf('\nnpm run bench:relay:install\n');
		expect(app).toBeGreaterThan(0);
		expect(peers).toBeGreaterThan(app);
		expect(ci.indexOf('\nnpm test\n')).toBeGreaterThan(peers);
		const scripts = read<{ scripts: Record<string, string> }>(root, 'package.json').scripts;
		expect(scripts['bench:relay:install']).toBe(
			'npm install --prefix bench/relay --no-audit --no-fund'
		);
	});
});
