/**
 * Real Redis and PostgreSQL servers for tests and benchmarks of the scale-out mode (issue 22):
 * each call starts a private server on a free loopback port with its data in a fresh temporary
 * directory, and can stop it (cleanly, or as a crash), start it again on the same port and
 * data, and remove it.
 *
 * Invariants: a server is never shared between callers (a test may restart or crash its own);
 * a missing binary fails with a message saying how to install it, never a skip; `close` stops
 * the server and deletes its directory, and a process that exits without `close` still stops
 * the servers it started (they would hold ports and disk otherwise). The servers run durably
 * (Redis: AOF with `appendfsync always`; PostgreSQL: fsync and `synchronous_commit` on, the
 * defaults) so what the tests and benchmarks measure is what production would do.
 *
 * PostgreSQL refuses to run as root: as root, `initdb`, `pg_ctl` and `postgres` run as the
 * `postgres` user (runuser), which owns the directory. One PostgreSQL takes seconds to create
 * (initdb), so a test file starts one and gives each test a fresh database (`createDatabase`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export type TestServer = {
	readonly port: number;
	/** Stops the server: `crash` kills it without a clean shutdown (SIGKILL / immediate). */
	stop(options?: { crash?: boolean }): Promise<void>;
	/** Starts it again on the same port and data; resolves once it accepts connections. */
	start(): Promise<void>;
	/** `stop` then `start`. */
	restart(options?: { crash?: boolean }): Promise<void>;
	/** Stops it if running and deletes its data. */
	close(): Promise<void>;
};

export type TestRedis = TestServer & { readonly url: string };

export type TestPostgres = TestServer & {
	/** The URL of database `name` (default: `postgres`). */
	url(name?: string): string;
	/** Creates a fresh empty database and returns its URL. */
	createDatabase(): Promise<string>;
};

const INSTALL_HINT =
	'install it (Debian: `apt-get install -y redis-server postgresql`; .ci/run does this)';

/** Servers still running in this process, stopped by the exit hook below. */
const running = new Set<() => void>();
let exitHookInstalled = false;
function onExit(stopNow: () => void): () => void {
	if (!exitHookInstalled) {
		exitHookInstalled = true;
		process.once('exit', () => {
			for (const stop of running) stop();
		});
	}
	running.add(stopNow);
	return () => running.delete(stopNow);
}

/** A port free on 127.0.0.1 now (another process may take it before the server binds it). */
async function freePort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	const { port } = server.address() as net.AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

function findBinary(name: string, dirs: string[]): string {
	for (const dir of dirs) {
		const candidate = path.join(dir, name);
		if (fs.existsSync(candidate)) return candidate;
	}
	throw new Error(`${name} was not found (looked in ${dirs.join(', ')}): ${INSTALL_HINT}`);
}

const pathDirs = (): string[] => (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);

/** PostgreSQL's server binaries: $PG_BIN, else the newest /usr/lib/postgresql/N/bin, else PATH. */
function postgresBinDirs(): string[] {
	const dirs: string[] = [];
	if (process.env.PG_BIN) dirs.push(process.env.PG_BIN);
	const root = '/usr/lib/postgresql';
	if (fs.existsSync(root)) {
		const versions = fs
			.readdirSync(root)
			.filter((v) => /^\d+$/.test(v))
			.sort((a, b) => Number(b) - Number(a));
		dirs.push(...versions.map((v) => path.join(root, v, 'bin')));
	}
	return [...dirs, ...pathDirs()];
}

/** Resolves once a TCP connection to the port opens; rejects after `timeoutMs`. */
async function waitForPort(port: number, what: string, timeoutMs = 20_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const open = await new Promise<boolean>((resolve) => {
			const socket = net.connect(port, '127.0.0.1');
			socket.once('connect', () => {
				socket.destroy();
				resolve(true);
			});
			socket.once('error', () => resolve(false));
		});
		if (open) return;
		if (Date.now() > deadline) throw new Error(`${what} did not accept connections on ${port}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

/** Starts a private redis-server with AOF `appendfsync always` (the durable setting). */
export async function startTestRedis(): Promise<TestRedis> {
	const binary = findBinary('redis-server', [...pathDirs(), '/usr/bin', '/usr/local/bin']);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-redis-'));
	const port = await freePort();
	let child: ChildProcess | null = null;
	let log = '';
	const stopNow = () => child?.kill('SIGKILL');
	const forget = onExit(stopNow);

	const start = async (): Promise<void> => {
		if (child) return;
		log = '';
		const args = [
			'--port', String(port),
			'--bind', '127.0.0.1',
			'--save', '',
			'--appendonly', 'yes',
			'--appendfsync', 'always',
			'--dir', dir,
			'--daemonize', 'no',
			'--logfile', ''
		]; // prettier-ignore
		const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
		child = proc;
		proc.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
		proc.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
		const exited = new Promise<never>((_, reject) =>
			proc.once('exit', (code) => {
				if (child === proc) child = null;
				reject(new Error(`redis-server exited (${code}) while starting:\n${log}`));
			})
		);
		exited.catch(() => {});
		// Redis accepts connections only once it has loaded its AOF.
		await Promise.race([waitForPort(port, 'redis-server'), exited]);
	};

	const stop = async (options: { crash?: boolean } = {}): Promise<void> => {
		const proc = child;
		if (!proc) return;
		const exited = new Promise((resolve) => proc.once('exit', resolve));
		proc.kill(options.crash ? 'SIGKILL' : 'SIGTERM');
		await exited;
		child = null;
	};

	try {
		await start();
	} catch (error) {
		forget();
		fs.rmSync(dir, { recursive: true, force: true });
		throw error;
	}
	return {
		port,
		url: `redis://127.0.0.1:${port}`,
		start,
		stop,
		restart: async (options) => {
			await stop(options);
			await start();
		},
		close: async () => {
			await stop();
			forget();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}

/**
 * Runs a PostgreSQL tool as the `postgres` user when this process is root (PostgreSQL refuses
 * to run as root), else as this user.
 */
function asPostgres(binary: string, args: string[]): [string, string[]] {
	return process.getuid?.() === 0
		? ['runuser', ['-u', 'postgres', '--', binary, ...args]]
		: [binary, args];
}

async function run(binary: string, args: string[], what: string): Promise<void> {
	const [command, fullArgs] = asPostgres(binary, args);
	const proc = spawn(command, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	proc.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	proc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
	if (code !== 0) throw new Error(`${what} failed (${code}):\n${output}`);
}

/** Starts a private PostgreSQL (initdb into a temporary directory, trust auth on loopback). */
export async function startTestPostgres(): Promise<TestPostgres> {
	const dirs = postgresBinDirs();
	const initdb = findBinary('initdb', dirs);
	const pgCtl = path.join(path.dirname(initdb), 'pg_ctl');
	if (!fs.existsSync(pgCtl))
		throw new Error(`pg_ctl was not found beside ${initdb}: ${INSTALL_HINT}`);
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-postgres-'));
	const data = path.join(root, 'data');
	if (process.getuid?.() === 0) {
		const owner = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
		const group = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
		if (owner.status !== 0) {
			throw new Error(
				`PostgreSQL runs as the 'postgres' user, which does not exist: ${INSTALL_HINT}`
			);
		}
		fs.chownSync(root, Number(owner.stdout), Number(group.stdout));
	}
	let port = 0;
	let started = false;
	const stopNow = () => {
		if (!started) return;
		const [command, args] = asPostgres(pgCtl, ['stop', '-D', data, '-m', 'immediate', '-w']);
		spawnSync(command, args, { stdio: 'ignore' });
	};
	const forget = onExit(stopNow);

	const start = async (): Promise<void> => {
		if (started) return;
		const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1`;
		await run(
			pgCtl,
			['start', '-D', data, '-w', '-t', '60', '-l', path.join(root, 'log'), '-o', options],
			'pg_ctl start'
		).catch((error: Error) => {
			const log = fs.existsSync(path.join(root, 'log'))
				? fs.readFileSync(path.join(root, 'log'), 'utf8')
				: '';
			throw new Error(`${error.message}\n${log.slice(-2000)}`);
		});
		started = true;
	};

	const stop = async (options: { crash?: boolean } = {}): Promise<void> => {
		if (!started) return;
		await run(
			pgCtl,
			['stop', '-D', data, '-m', options.crash ? 'immediate' : 'fast', '-w'],
			'pg_ctl stop'
		);
		started = false;
	};

	const remove = () => fs.rmSync(root, { recursive: true, force: true });
	try {
		// --no-sync: initdb's own files need no fsync in a throwaway cluster; the server fsyncs.
		await run(
			initdb,
			['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'],
			'initdb'
		);
		// Another process may take the free port first: try a few.
		for (let attempt = 1; ; attempt++) {
			port = await freePort();
			try {
				await start();
				break;
			} catch (error) {
				if (attempt >= 3) throw error;
			}
		}
	} catch (error) {
		forget();
		remove();
		throw error;
	}

	const url = (name = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${name}`;
	let databases = 0;
	return {
		get port() {
			return port;
		},
		url,
		createDatabase: async () => {
			const name = `test_${++databases}`;
			await run(
				path.join(path.dirname(initdb), 'createdb'),
				['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name],
				'createdb'
			);
			return url(name);
		},
		start,
		stop,
		restart: async (options) => {
			await stop(options);
			await start();
		},
		close: async () => {
			await stop({ crash: true });
			forget();
			remove();
		}
	};
}
