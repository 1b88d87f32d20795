/**
 * The servers under test, each a child process pinned to core 0 (`taskset -c 0`), started with
 * PORT=0 (or a fixed port on restart) and read back from its JSON `listening` line.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './prepare.ts';

export type TargetId =
	'ours' | 'ywss' | 'ywss-leveldb' | 'hocuspocus' | 'hocuspocus-sqlite' | 'raw-ws';
export type ClientKind = 'y-websocket' | 'hocuspocus';

export type TargetSpec = {
	id: TargetId;
	label: string;
	client: ClientKind;
	/** Keeps documents across a restart. */
	persistent: boolean;
	/** Durability class, printed next to the figures. */
	durability: string;
	/** Sends type-100 persisted confirmations. */
	confirms: boolean;
};

export const TARGETS: Record<TargetId, TargetSpec> = {
	ours: {
		id: 'ours',
		label: 'Gridboard relay',
		client: 'y-websocket',
		persistent: true,
		durability:
			'SQLite WAL, group commit at most every 10 ms, an fdatasync of the WAL off the event loop before each confirmation (type 100)',
		confirms: true
	},
	ywss: {
		id: 'ywss',
		label: '@y/websocket-server 0.1.1',
		client: 'y-websocket',
		persistent: false,
		durability: 'memory only',
		confirms: false
	},
	'ywss-leveldb': {
		id: 'ywss-leveldb',
		label: '@y/websocket-server 0.1.1 + y-leveldb',
		client: 'y-websocket',
		persistent: true,
		durability: 'y-leveldb: one async put per update, no fsync',
		confirms: false
	},
	hocuspocus: {
		id: 'hocuspocus',
		label: '@hocuspocus/server 4.7.0',
		client: 'hocuspocus',
		persistent: false,
		durability: 'memory only',
		confirms: false
	},
	'hocuspocus-sqlite': {
		id: 'hocuspocus-sqlite',
		label: '@hocuspocus/server 4.7.0 + extension-sqlite',
		client: 'hocuspocus',
		persistent: true,
		durability: 'whole document stored after a 2 s debounce (10 s max), better-sqlite3 13 defaults',
		confirms: false
	},
	'raw-ws': {
		id: 'raw-ws',
		label: 'raw ws broadcast (floor)',
		client: 'y-websocket',
		persistent: false,
		durability: 'none (no document kept)',
		confirms: false
	}
};

export type ServerEnv = {
	/** Environment passed to the server (merged over the target's defaults). */
	env?: Record<string, string>;
	/** Our relay's idle unload delay. */
	idleUnloadMs?: number;
	cpuProfileDir?: string;
	/**
	 * Our relay: run the `sync-server/main.ts` of this checkout instead of this repository's (an
	 * A/B against another commit: `git archive <commit> | tar -x -C <dir>`, node_modules linked).
	 */
	relayRoot?: string;
	/** The cores the server is pinned to (`taskset -c`; default '0'); null: not pinned. */
	cpus?: string | null;
	/** The one core to pin the server to, when `cpus` is not given. */
	core?: number;
	/** Called with every JSON line the server prints (ours: its log events). */
	onEvent?: (event: Record<string, unknown>) => void;
	/**
	 * Starts the server in a session of its own (setsid). With the kernel's autogroup scheduling
	 * (/proc/sys/kernel/sched_autogroup_enabled) a session shares the CPU as one group: in the
	 * harness's session, the server's share of its core would shrink whenever the load clients
	 * on the other core are busy. killAllServers still ends it.
	 */
	ownSession?: boolean;
};

/** Our relay's checkout: BENCH_RELAY_ROOT (an A/B of W5 against another commit), else this one. */
const RELAY_ROOT = process.env.BENCH_RELAY_ROOT || REPO_ROOT;

const NODE_FLAGS = ['--disable-warning=ExperimentalWarning', '--expose-gc'];
const GC_HOOK = pathToFileURL(path.join(REPO_ROOT, 'bench/relay/servers/gc-hook.mjs')).href;

function haveTaskset(): boolean {
	try {
		execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
		return os.availableParallelism() >= 2;
	} catch {
		return false;
	}
}
export const PINNED = haveTaskset();

const live = new Set<ChildProcess>();
/** Kills every server this process started (the harness calls it on SIGINT/SIGTERM/exit). */
export function killAllServers(): void {
	for (const child of live) child.kill('SIGKILL');
	live.clear();
}

/** Kills every server this process started when it exits or is stopped (SIGINT, SIGTERM: 130). */
export function killServersOnExit(): void {
	process.on('exit', killAllServers);
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.on(signal, () => {
			killAllServers();
			process.exit(130);
		});
	}
}

/** A running server of one target, with its data directory (kept across restarts). */
export class ServerHandle {
	readonly spec: TargetSpec;
	readonly dataDir: string;
	readonly memFile: string;
	port = 0;
	/** Token for ours, when the relay requires one (sync-server/admin.ts exists). */
	token: string | null = null;
	/** The one-time secretary code of the `bench` community (ours), for `memberToken`. */
	#secretaryCode: string | null = null;
	/** A volunteer's device credential in the `bench` community (ours), once `memberToken` ran. */
	#volunteer: { credential: unknown; name: string } | null = null;
	/** Set when the server exited without `stop()` or `kill9()`: how, and what it printed. */
	crashed: string | null = null;
	/** Our relay: connections it held while starting, served at its last listening line. */
	waited: number | null = null;
	#opts: ServerEnv;
	#child: ChildProcess | null = null;
	#exited: Promise<void> | null = null;
	#stopping = false;

	constructor(spec: TargetSpec, opts: ServerEnv = {}) {
		this.spec = spec;
		this.#opts = opts;
		this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${spec.id}-`));
		this.memFile = path.join(this.dataDir, 'mem.json');
	}

	get pid(): number {
		if (!this.#child?.pid) throw new Error(`${this.spec.id} is not running`);
		return this.#child.pid;
	}

	get running(): boolean {
		return this.#child !== null;
	}

	get wsUrl(): string {
		return `ws://127.0.0.1:${this.port}${this.spec.id === 'ours' ? '/sync' : ''}`;
	}

	get statsUrl(): string {
		return `http://127.0.0.1:${this.port}${this.spec.id === 'ours' ? '/health' : '/bench-stats'}`;
	}

	#command(): { args: string[]; env: Record<string, string> } {
		const env: Record<string, string> = { BENCH_MEM_FILE: this.memFile, ...this.#opts.env };
		const flags = [...NODE_FLAGS, '--import', GC_HOOK];
		if (this.#opts.cpuProfileDir)
			flags.push('--cpu-prof', `--cpu-prof-dir=${this.#opts.cpuProfileDir}`);
		const server = (name: string) => path.join(REPO_ROOT, 'bench/relay/servers', name);
		switch (this.spec.id) {
			case 'ours':
				Object.assign(env, {
					DATA_DIR: path.join(this.dataDir, 'relay'),
					STATIC_DIR: path.join(this.dataDir, 'no-static'),
					MAX_PAYLOAD: String(64 * 1024 * 1024),
					IDLE_UNLOAD_MS: String(this.#opts.idleUnloadMs ?? 30_000),
					// Every benchmark client comes from 127.0.0.1 and one writer sends far more than a
					// phone would: lift the per-address and per-connection abuse limits (when present).
					MAX_CONNECTIONS_PER_IP: '100000',
					MAX_MESSAGES_PER_SECOND: '1000000',
					// y-websocket clients echo every awareness change they see: at the 15 s renewal a
					// room of 100 sends each socket ~100 awareness updates at once, past the bucket
					// (20/s, burst 40), and the relay closed them all with 4429 in sessions over 15 s.
					MAX_AWARENESS_PER_SECOND: '1000000',
					...this.#opts.env
				});
				return {
					args: [
						...flags,
						'--experimental-strip-types',
						'--experimental-sqlite',
						path.join(this.#opts.relayRoot ?? RELAY_ROOT, 'sync-server/main.ts')
					],
					env
				};
			case 'ywss':
				return { args: [...flags, server('y-websocket-server.ts')], env };
			case 'ywss-leveldb':
				return {
					args: [...flags, server('y-websocket-server.ts')],
					env: { ...env, YPERSISTENCE: path.join(this.dataDir, 'leveldb') }
				};
			case 'hocuspocus':
				return { args: [...flags, server('hocuspocus.ts')], env };
			case 'hocuspocus-sqlite':
				return {
					args: [...flags, server('hocuspocus.ts')],
					env: {
						...env,
						HOCUSPOCUS_SQLITE: path.join(this.dataDir, 'hocuspocus.sqlite')
					}
				};
			case 'raw-ws':
				return { args: [...flags, server('raw-ws.ts')], env };
		}
	}

	/** Mints a token with sync-server/admin.ts when the relay has one (token auth landed). */
	#mintToken(env: Record<string, string>): void {
		const admin = path.join(REPO_ROOT, 'sync-server/admin.ts');
		if (this.spec.id !== 'ours' || this.token !== null || !fs.existsSync(admin)) return;
		const run = (args: string[]): string =>
			execFileSync(
				process.execPath,
				[
					'--disable-warning=ExperimentalWarning',
					'--experimental-strip-types',
					'--experimental-sqlite',
					admin,
					...args
				],
				{
					cwd: REPO_ROOT,
					env: { ...process.env, ...env },
					encoding: 'utf8',
					stdio: ['ignore', 'pipe', 'pipe']
				}
			);
		try {
			const created = JSON.parse(
				run(['create-community', 'bench', '--id', 'bench', '--json']).trim()
			) as { code?: string };
			this.#secretaryCode = created.code ?? null;
		} catch {
			// Already there, or the relay needs no community: the token step says which.
		}
		const out = run([
			'token',
			'--community',
			'bench',
			'--role',
			'secretary',
			'--ttl',
			'86400'
		]).trim();
		const lines = out
			.split('\n')
			.map((line) => line.trim())
			.filter(Boolean);
		let token = lines.at(-1) ?? '';
		try {
			const parsed = JSON.parse(token) as { token?: string };
			if (typeof parsed.token === 'string') token = parsed.token;
		} catch {
			// A bare token line.
		}
		if (!token || /\s/.test(token))
			throw new Error(`could not read a token from admin output: ${out.slice(0, 200)}`);
		this.token = token;
	}

	/**
	 * A MEMBER token of our relay (a volunteer of the `bench` community, signed in through the
	 * app's own join and token endpoints), whose updates the relay checks against the write rules
	 * and attests, unlike the service token `token`. The member is created on the first call;
	 * every call fetches a fresh token (they last TOKEN_TTL_SECONDS).
	 */
	async memberToken(): Promise<{ token: string; name: string }> {
		const call = async (
			route: string,
			body: unknown,
			bearer?: string
		): Promise<Record<string, unknown>> => {
			const response = await fetch(`http://127.0.0.1:${this.port}${route}`, {
				method: 'POST',
				headers: {
					'Content-Type': 'application/json',
					...(bearer ? { Authorization: `Bearer ${bearer}` } : {})
				},
				body: JSON.stringify(body)
			});
			const answer = (await response.json()) as Record<string, unknown>;
			if (!response.ok) throw new Error(`${route}: ${response.status} ${JSON.stringify(answer)}`);
			return answer;
		};
		if (!this.#volunteer) {
			if (this.spec.id !== 'ours' || !this.#secretaryCode)
				throw new Error(`${this.spec.id}: no member tokens (ours only, on a fresh data dir)`);
			const join = async (code: string, name: string, deviceId: string) =>
				(await call('/api/join', { code, displayName: name, deviceId })).credential;
			const secretary = await call('/api/token', {
				credential: await join(this.#secretaryCode, '书记', 'bench-secretary')
			});
			const invite = await call(
				'/api/communities/bench/invites',
				{ role: 'volunteer', grids: [], expiresInHours: 24, maxUses: 1 },
				secretary.token as string
			);
			const name = '志愿者小李';
			this.#volunteer = {
				credential: await join(invite.code as string, name, 'bench-volunteer'),
				name
			};
		}
		const issued = await call('/api/token', { credential: this.#volunteer.credential });
		return { token: issued.token as string, name: this.#volunteer.name };
	}

	/** Starts the server (on `port`, or a free one) and waits for its `listening` line. */
	async start(port = 0): Promise<void> {
		if (this.#child) throw new Error('already running');
		const { args, env } = this.#command();
		this.#mintToken(env);
		const fullEnv = { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' };
		const cpus = this.#opts.cpus === undefined ? String(this.#opts.core ?? 0) : this.#opts.cpus;
		const options = {
			cwd: REPO_ROOT,
			env: fullEnv,
			stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'],
			detached: this.#opts.ownSession === true
		};
		const child =
			PINNED && cpus !== null
				? spawn('taskset', ['-c', cpus, process.execPath, ...args], options)
				: spawn(process.execPath, args, options);
		this.#child = child;
		this.crashed = null;
		live.add(child);
		let stderr = '';
		child.stderr!.on('data', (chunk: Buffer) => {
			stderr = (stderr + chunk.toString()).slice(-4000);
		});
		this.#exited = new Promise((resolve) =>
			child.once('exit', (code, signal) => {
				live.delete(child);
				if (!this.#stopping) {
					this.crashed = `${signal ?? `exit code ${code}`}: ${summary(stderr)}`;
					this.#child = null;
				}
				resolve();
			})
		);
		this.port = await new Promise<number>((resolve, reject) => {
			let buffer = '';
			const timer = setTimeout(
				() => reject(new Error(`${this.spec.id} did not start: ${stderr}`)),
				20_000
			);
			child.once('exit', (code) => {
				clearTimeout(timer);
				reject(new Error(`${this.spec.id} exited with ${code} before listening: ${stderr}`));
			});
			child.stdout!.on('data', (chunk: Buffer) => {
				const lines = (buffer + chunk.toString()).split('\n');
				// The last piece is a line still being written.
				buffer = lines.pop()!;
				for (const line of lines) {
					if (!line.startsWith('{')) continue;
					try {
						const event = JSON.parse(line) as { event?: string; port?: number; waited?: number };
						this.#opts.onEvent?.(event);
						if (event.event === 'listening' && typeof event.port === 'number') {
							this.waited = event.waited ?? null;
							clearTimeout(timer);
							resolve(event.port);
						}
					} catch {
						// Not JSON after all.
					}
				}
			});
		});
		child.stdout!.resume();
	}

	/** SIGTERM (each server's own clean shutdown), then SIGKILL after `graceMs`. */
	stop(graceMs = 10_000): Promise<void> {
		return this.#end('SIGTERM', graceMs);
	}

	/** kill -9. */
	kill9(): Promise<void> {
		return this.#end('SIGKILL');
	}

	/** Ends the server on purpose (so it does not count as `crashed`), SIGKILL after `graceMs`. */
	async #end(signal: NodeJS.Signals, graceMs?: number): Promise<void> {
		const child = this.#child;
		if (!child) return;
		this.#stopping = true;
		child.kill(signal);
		const timer =
			graceMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), graceMs);
		await this.#exited;
		clearTimeout(timer);
		this.#child = null;
		this.#stopping = false;
	}

	/** Documents the server holds in memory (ours: /health; peers: the wrapper's /bench-stats). */
	async docsLoaded(): Promise<number | null> {
		try {
			const response = await fetch(this.statsUrl);
			const body = (await response.json()) as { docsLoaded?: number };
			return typeof body.docsLoaded === 'number' ? body.docsLoaded : null;
		} catch {
			return null;
		}
	}

	/** Full GC in the server, then its process.memoryUsage() (via gc-hook.cjs). */
	async heap(): Promise<{
		rss: number;
		heapUsed: number;
		external: number;
		arrayBuffers: number;
	} | null> {
		if (!this.#child) return null;
		fs.rmSync(this.memFile, { force: true });
		process.kill(this.pid, 'SIGUSR2');
		for (let i = 0; i < 100; i++) {
			await new Promise((resolve) => setTimeout(resolve, 20));
			if (fs.existsSync(this.memFile)) return JSON.parse(fs.readFileSync(this.memFile, 'utf8'));
		}
		return null;
	}

	async dispose(): Promise<void> {
		await this.stop(3000);
		fs.rmSync(this.dataDir, { recursive: true, force: true });
	}
}

/** The first lines of a dead server's stderr that are not native stack frames. */
function summary(stderr: string): string {
	const lines = stderr
		.split('\n')
		.map((line) => line.replace(/^\s*#?\s*/, '').trim())
		.filter((line) => line && !/^\d+: 0x/.test(line) && !line.startsWith('-----'));
	return lines.slice(0, 2).join(' ') || 'nothing on stderr';
}
