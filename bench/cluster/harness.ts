/**
 * The cluster benchmark (`npm run bench:cluster`, issue 22): relays in cluster mode, each a child
 * process running `sync-server/main.ts` with REDIS_URL and DATABASE_URL, on one private Redis 7
 * (AOF, `appendfsync always`) and one PostgreSQL 15 (sync-server/cluster/test-servers.ts), driven
 * by the relay benchmark's stock y-websocket clients (bench/relay/clients.ts) and its fan-out
 * session (bench/relay/workloads.ts `FanoutSession`, with a `Placement` spreading the clients).
 *
 * Cases, each repeated and reported as the median of its runs:
 * - fan-out: deliveries/s and latency with 1, 2, 3 relays, writers and observers spread over
 *   the relays round-robin (so with 2 or 3 relays most deliveries take the second hop), with the
 *   CPU of the relays, Redis and PostgreSQL per delivery;
 * - second hop: 2 relays, every writer on relay A, half its observers on A and half on B, the
 *   two halves' latencies from the same windows (the target: B's p99 ≤ A's + 5 ms);
 * - failover: 3 relays behind a round-robin front (front.ts), clients writing, `kill -9` of one
 *   relay: the time until every client it held is synced again through the others (target
 *   ≤ 3 s), then every document converged and no confirmed edit (message 100) lost;
 * - cost: one relay's RSS and CPU before and while it holds idle connections (the sizing note).
 *
 * Invariants: every run ends with a convergence check and reports failures as such, never as a
 * figure; no timing is asserted here (the smoke test checks shapes, the report the targets);
 * every server started is stopped, Redis and PostgreSQL included, even when a case fails. Each
 * case gets a fresh PostgreSQL database and an empty Redis. Relays are not pinned: the machine
 * has 2 cores for 1–3 relays, Redis, PostgreSQL and the load generator together.
 */
import fs from 'node:fs';
import { Redis } from 'ioredis';
import { startTestPostgres, startTestRedis } from '../../sync-server/cluster/test-servers.ts';
import { connectMany, createClient, type BenchClient } from '../relay/clients.ts';
import { cpuSeconds, median, percentile, round, rssBytes, sleep } from '../relay/proc.ts';
import { killAllServers, ServerHandle, TARGETS } from '../relay/targets.ts';
import {
	FanoutSession,
	sameState,
	type FanoutShape,
	type Placement,
	type WindowResult
} from '../relay/workloads.ts';
import { startFront } from './front.ts';

export type ClusterProfile = {
	name: string;
	relays: number[];
	fanout: {
		shape: FanoutShape;
		rates: number[];
		warmMs: number;
		measureMs: number;
		repeats: number;
	};
	hop: { shape: FanoutShape; rate: number; warmMs: number; measureMs: number; repeats: number };
	failover: { clients: number; docs: number; writeEveryMs: number; repeats: number; capMs: number };
	cost: { clients: number; clientsPerDoc: number; idleMs: number; repeats: number };
};

export const FULL: ClusterProfile = {
	name: 'full',
	relays: [1, 2, 3],
	fanout: {
		shape: { rooms: 20, subscribers: 5 },
		rates: [10, 40],
		warmMs: 1000,
		measureMs: 4000,
		repeats: 3
	},
	hop: {
		shape: { rooms: 10, subscribers: 4 },
		rate: 10,
		warmMs: 1000,
		measureMs: 4000,
		repeats: 5
	},
	failover: { clients: 150, docs: 30, writeEveryMs: 1000, repeats: 3, capMs: 30_000 },
	cost: { clients: 1000, clientsPerDoc: 10, idleMs: 20_000, repeats: 1 }
};

export const SMOKE: ClusterProfile = {
	name: 'smoke',
	relays: [1, 2],
	fanout: {
		shape: { rooms: 2, subscribers: 3 },
		rates: [10],
		warmMs: 200,
		measureMs: 600,
		repeats: 1
	},
	hop: { shape: { rooms: 2, subscribers: 4 }, rate: 10, warmMs: 200, measureMs: 600, repeats: 1 },
	failover: { clients: 9, docs: 3, writeEveryMs: 100, repeats: 1, capMs: 20_000 },
	cost: { clients: 20, clientsPerDoc: 5, idleMs: 500, repeats: 1 }
};

/** The targets of the issue. */
export const SECOND_HOP_BUDGET_MS = 5;
export const FAILOVER_BUDGET_MS = 3000;

/** CPU seconds of the cluster's parts over a window, and the window's length. */
type CpuSplit = { relays: number; redis: number; postgres: number; seconds: number };

export type FanoutRun = WindowResult & {
	relays: number;
	cpu: CpuSplit;
	/** CPU µs per delivery: relays; per update written: Redis, PostgreSQL. */
	relayUsPerDelivery: number;
	redisUsPerUpdate: number;
	postgresUsPerUpdate: number;
	relayRssMb: number[];
	converged: boolean;
};

export type HopRun = {
	same: GroupFigures;
	other: GroupFigures;
	/** Probes on the same Redis during the window (where the second hop's time goes). */
	probe: ProbeFigures;
	converged: boolean;
};
/** A durable append like the relay's (MULTI: XADD + SADD) and a pub/sub message's trip, ms. */
type ProbeFigures = {
	appendP50Ms: number;
	appendP99Ms: number;
	pubsubP50Ms: number;
	pubsubP99Ms: number;
};
type GroupFigures = { deliveries: number; p50Ms: number; p99Ms: number; maxMs: number };

export type FailoverRun = {
	clients: number;
	/** Clients the killed relay held (their sockets closed by the kill). */
	moved: number;
	/** kill -9 to the last (p50: the median) moved client synced again on another relay, ms. */
	resyncedMs: number;
	p50Ms: number;
	notResynced: number;
	/** Connections the front accepted from the kill until all were synced again. */
	attempts: number;
	/** The moved clients' time from kill to socket closed, p50 / max, ms. */
	closedP50Ms: number;
	closedMaxMs: number;
	/** CPU from the kill until all were synced again, % of one core: relays, Redis, PostgreSQL, this load generator. */
	cpuPct: { relays: number; redis: number; postgres: number; clients: number };
	converged: boolean;
	/** Clients whose confirmed state (message 100) is not in the final document. */
	lostOfConfirmed: number;
};

export type CostRun = {
	clients: number;
	docs: number;
	baseRssMb: number;
	rssMb: number;
	rssKbPerClient: number;
	/** Idle CPU (awareness renewals, heartbeats) per 1,000 clients, % of one core. */
	idleCpuPctPer1000: number;
	redisRssMb: number;
	postgresRssMb: number;
};

export type ClusterResult = {
	profile: string;
	fanout: { relays: number; rate: number; runs: FanoutRun[] }[];
	hop: HopRun[];
	failover: FailoverRun[];
	cost: CostRun[];
	load: string[];
};

// ---------------------------------------------------------------------------------------------
// The processes: Redis, PostgreSQL (its server and backends) and the relays.

/** Pids whose command line contains `needle` (Linux /proc). */
function pidsWith(needle: string): number[] {
	const pids: number[] = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
			if (cmdline.includes(needle)) pids.push(Number(entry));
		} catch {
			// Gone meanwhile.
		}
	}
	return pids;
}

/** A process and its children (PostgreSQL's backends and workers). */
function withChildren(pid: number): number[] {
	const pids = [pid];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			if (ppid === pid) pids.push(Number(entry));
		} catch {
			// Gone meanwhile.
		}
	}
	return pids;
}

/**
 * A document's state vector (client id → next clock), read from its struct store: the clients'
 * Yjs is bench/relay's copy, and importing a second copy here would break its type checks.
 */
function stateVector(doc: BenchClient['doc']): Map<number, number> {
	const sv = new Map<number, number>();
	for (const [client, structs] of doc.store.clients) {
		const last = structs.at(-1);
		if (last) sv.set(client, last.id.clock + last.length);
	}
	return sv;
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

type Infra = Awaited<ReturnType<typeof startInfra>>;

async function startInfra() {
	const [redis, postgres] = await Promise.all([startTestRedis(), startTestPostgres()]);
	// Redis names itself `redis-server 127.0.0.1:<port>`; the postmaster has `-p <port>`.
	const redisPid = pidsWith(`127.0.0.1:${redis.port}`).find((pid) => pid !== process.pid);
	const postmaster = pidsWith(`-p ${postgres.port} `).find((pid) =>
		fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres')
	);
	return {
		redis,
		postgres,
		redisPids: () => (redisPid ? [redisPid] : []),
		postgresPids: () => (postmaster ? withChildren(postmaster) : [])
	};
}

/** Relays in cluster mode on one fresh database and an empty Redis. */
class Cluster {
	readonly relays: ServerHandle[] = [];
	#infra: Infra;

	private constructor(infra: Infra) {
		this.#infra = infra;
	}

	static async start(infra: Infra, count: number): Promise<Cluster> {
		const cluster = new Cluster(infra);
		const databaseUrl = await infra.postgres.createDatabase();
		const redis = new Redis(infra.redis.url);
		await redis.flushall();
		redis.disconnect();
		try {
			// One after another: the first seeds PostgreSQL with its signing keys and the others
			// take them, so the first relay's token (the clients') opens documents on every relay.
			for (let i = 0; i < count; i++) {
				const relay = new ServerHandle(TARGETS.ours, {
					cpus: null,
					env: {
						REDIS_URL: infra.redis.url,
						DATABASE_URL: databaseUrl,
						// The worker folds the streams into PostgreSQL during the runs, so its cost is measured.
						CLUSTER_COMPACT_MS: '1000',
						CLUSTER_COMPACT_MIN_LIFETIME_MS: '2000',
						BOOTSTRAP: 'off'
					}
				});
				cluster.relays.push(relay);
				await relay.start();
			}
		} catch (error) {
			await cluster.dispose();
			throw error;
		}
		return cluster;
	}

	/** The relay every client's token comes from. */
	get first(): ServerHandle {
		return this.relays[0]!;
	}

	/** CPU seconds so far of the relays (but `except`), Redis and PostgreSQL. */
	cpu(except?: ServerHandle): Omit<CpuSplit, 'seconds'> {
		const live = this.relays.filter((r) => r.running && r !== except);
		return {
			relays: sum(live.map((r) => cpuSeconds(r.pid))),
			redis: sum(this.#infra.redisPids().map(cpuSeconds)),
			postgres: sum(this.#infra.postgresPids().map(cpuSeconds))
		};
	}

	/** Measures the cluster's CPU between `start()` and `end()` (a `Placement`'s `measure`). */
	cpuWindow(): { measure: Placement['measure']; result(): CpuSplit } {
		let from = this.cpu();
		let t0 = performance.now();
		let split: CpuSplit = { relays: NaN, redis: NaN, postgres: NaN, seconds: NaN };
		return {
			measure: {
				start: () => {
					from = this.cpu();
					t0 = performance.now();
				},
				end: () => {
					const to = this.cpu();
					split = {
						relays: to.relays - from.relays,
						redis: to.redis - from.redis,
						postgres: to.postgres - from.postgres,
						seconds: (performance.now() - t0) / 1000
					};
				}
			},
			result: () => split
		};
	}

	async dispose(): Promise<void> {
		await Promise.all(this.relays.map((relay) => relay.dispose()));
	}
}

// ---------------------------------------------------------------------------------------------
// The cases.

async function fanoutCase(
	infra: Infra,
	relays: number,
	profile: ClusterProfile['fanout'],
	rate: number,
	log: (line: string) => void
): Promise<FanoutRun[]> {
	const cluster = await Cluster.start(infra, relays);
	const cpu = cluster.cpuWindow();
	const { subscribers } = profile.shape;
	// Round-robin over the relays: writer of room r on relay r, its observers on the next ones.
	const url = (room: number, observer: number | null) =>
		cluster.relays[(room + (observer === null ? 0 : observer + 1)) % relays]!.wsUrl;
	const session = await FanoutSession.open(
		cluster.first,
		profile.shape,
		`n${relays}r${rate}`,
		{ content: 'map' },
		{ url, measure: cpu.measure }
	);
	return measureWindows(cluster, session, profile, rate, async (measure) => {
		const window = await measure();
		const split = cpu.result();
		const updates = window.offeredUpdatesPerSec * (profile.measureMs / 1000);
		const delivered = window.deliveriesPerSec * (profile.measureMs / 1000);
		const run: Omit<FanoutRun, 'converged'> = {
			...window,
			relays,
			cpu: split,
			relayUsPerDelivery: round((split.relays * 1e6) / Math.max(1, delivered), 1),
			redisUsPerUpdate: round((split.redis * 1e6) / Math.max(1, updates), 1),
			postgresUsPerUpdate: round((split.postgres * 1e6) / Math.max(1, updates), 1),
			relayRssMb: cluster.relays.map((r) => round(rssBytes(r.pid) / 1048576, 1))
		};
		log(
			`fan-out ${relays} relay(s), ${profile.shape.rooms}×${subscribers} at ${rate}/s: ` +
				`${window.deliveriesPerSec} deliveries/s, p50 ${window.p50Ms} ms, p99 ${window.p99Ms} ms, ` +
				`lost ${window.notDelivered}, relays ${run.relayUsPerDelivery} µs/delivery`
		);
		return run;
	});
}

/**
 * The measuring loop of the cases that time a fan-out session: `profile.repeats` windows at
 * `rate` (the first after `profile.warmMs` of warm-up, the next after 300 ms), each turned into
 * a run by `toRun`, which calls `measure` for its window and may take figures around it. Every
 * run then carries whether the session's documents converged in the end. Closes the session and
 * disposes of the cluster, whatever happens.
 */
async function measureWindows<Run>(
	cluster: Cluster,
	session: FanoutSession,
	profile: { repeats: number; warmMs: number; measureMs: number },
	rate: number,
	toRun: (measure: () => Promise<WindowResult>) => Promise<Run>
): Promise<(Run & { converged: boolean })[]> {
	const runs: Run[] = [];
	try {
		for (let i = 0; i < profile.repeats; i++) {
			const warmMs = i === 0 ? profile.warmMs : 300;
			runs.push(await toRun(() => session.window(rate, warmMs, profile.measureMs)));
		}
		const converged = await session.converged();
		return runs.map((run) => ({ ...run, converged }));
	} finally {
		session.close();
		await cluster.dispose();
	}
}

/**
 * Times, every `everyMs` while it runs, a durable append shaped like the relay's (one MULTI of
 * XADD + SADD, answered after Redis's fsync) and a PUBLISH to a subscriber of this process.
 */
function probeRedis(url: string, everyMs = 50): { stop(): Promise<ProbeFigures> } {
	const writer = new Redis(url);
	const subscriber = new Redis(url);
	const appends: number[] = [];
	const trips: number[] = [];
	subscriber.on('message', (_channel: string, sent: string) =>
		trips.push(performance.now() - Number(sent))
	);
	const subscribed = subscriber.subscribe('bench:probe');
	const timer = setInterval(() => {
		const t0 = performance.now();
		writer
			.multi()
			.xadd('bench:probe', 'MAXLEN', '~', '1000', '*', 'u', 'x'.repeat(100))
			.sadd('bench:probe-docs', 'probe')
			.exec()
			.then(() => appends.push(performance.now() - t0))
			.catch(() => {});
		void subscribed.then(() => writer.publish('bench:probe', String(performance.now())));
	}, everyMs);
	return {
		async stop() {
			clearInterval(timer);
			await sleep(2 * everyMs);
			writer.disconnect();
			subscriber.disconnect();
			const p = (values: number[], at: number) =>
				round(percentile(Float64Array.from(values).sort(), at));
			return {
				appendP50Ms: p(appends, 50),
				appendP99Ms: p(appends, 99),
				pubsubP50Ms: p(trips, 50),
				pubsubP99Ms: p(trips, 99)
			};
		}
	};
}

async function hopCase(
	infra: Infra,
	profile: ClusterProfile['hop'],
	log: (line: string) => void
): Promise<HopRun[]> {
	const cluster = await Cluster.start(infra, 2);
	const [a, b] = cluster.relays as [ServerHandle, ServerHandle];
	const session = await FanoutSession.open(
		cluster.first,
		profile.shape,
		'hop',
		{ content: 'map' },
		{
			url: (_room, observer) => (observer === null || observer % 2 === 0 ? a : b).wsUrl,
			group: (_room, observer) => (observer % 2 === 0 ? 'same' : 'other')
		}
	);
	return measureWindows(cluster, session, profile, profile.rate, async (measure) => {
		const probe = probeRedis(infra.redis.url);
		const window = await measure();
		const same = window.byGroup!.same!;
		const other = window.byGroup!.other!;
		const probed = await probe.stop();
		log(
			`second hop: writer on A, readers on A p50 ${same.p50Ms} / p99 ${same.p99Ms} ms, ` +
				`on B p50 ${other.p50Ms} / p99 ${other.p99Ms} ms (${window.notDelivered} lost); ` +
				`probes: durable append p50 ${probed.appendP50Ms} / p99 ${probed.appendP99Ms} ms, ` +
				`pub/sub p50 ${probed.pubsubP50Ms} / p99 ${probed.pubsubP99Ms} ms`
		);
		return { same, other, probe: probed };
	});
}

async function failoverCase(
	infra: Infra,
	profile: ClusterProfile['failover'],
	log: (line: string) => void
): Promise<FailoverRun> {
	const cluster = await Cluster.start(infra, 3);
	const front = await startFront(cluster.relays.map((r) => r.port));
	const docName = (i: number) => `c/bench/board/failover-${i % profile.docs}`;
	const clients: BenchClient[] = [];
	let writer: NodeJS.Timeout | undefined;
	try {
		clients.push(
			...(await connectMany(
				(i) =>
					createClient(cluster.first, docName(i), {
						url: `ws://127.0.0.1:${front.port}/sync`,
						persisted: true
					}),
				profile.clients
			))
		);
		let seq = 0;
		writer = setInterval(() => {
			for (const client of clients) client.doc.getMap('m').set(String(seq), seq);
			seq++;
		}, profile.writeEveryMs);
		await sleep(1000);

		const victim = cluster.relays[1]!;
		const held = front.connectionsTo(victim.port);
		let killedAt = Infinity;
		const moved = new Set<BenchClient>();
		const resynced = new Map<BenchClient, number>();
		const closed: number[] = [];
		for (const client of clients) {
			client.onDisconnected(() => {
				if (performance.now() < killedAt || moved.has(client)) return;
				moved.add(client);
				closed.push(performance.now() - killedAt);
			});
			client.onSynced(() => {
				if (moved.has(client) && !resynced.has(client))
					resynced.set(client, performance.now() - killedAt);
			});
		}
		const confirmed = clients.map((client) => client.persisted());
		killedAt = performance.now();
		const accepted = front.accepted;
		const cpu0 = cluster.cpu(victim);
		const self0 = process.cpuUsage();
		await victim.kill9();
		const deadline = performance.now() + profile.capMs;
		while ((moved.size < held || resynced.size < moved.size) && performance.now() < deadline) {
			await sleep(10);
		}
		const cpu1 = cluster.cpu(victim);
		const self1 = process.cpuUsage(self0);
		const window = (performance.now() - killedAt) / 1000;
		const pct = (seconds: number) => round((100 * seconds) / window, 0);
		const cpuPct = {
			relays: pct(cpu1.relays - cpu0.relays),
			redis: pct(cpu1.redis - cpu0.redis),
			postgres: pct(cpu1.postgres - cpu0.postgres),
			clients: pct((self1.user + self1.system) / 1e6)
		};
		const times = [...resynced.values()].sort((x, y) => x - y);
		const attempts = front.accepted - accepted;
		closed.sort((x, y) => x - y);
		await sleep(500);
		clearInterval(writer);
		writer = undefined;

		const byDoc = new Map<string, BenchClient[]>();
		clients.forEach((client, i) =>
			byDoc.set(docName(i), [...(byDoc.get(docName(i)) ?? []), client])
		);
		const deadlineConverge = performance.now() + 15_000;
		let converged = false;
		while (!converged && performance.now() < deadlineConverge) {
			converged = [...byDoc.values()].every((group) => sameState(group.map((c) => c.doc)));
			if (!converged) await sleep(100);
		}
		// A client's confirmed state vector must be covered by its document as it ended.
		const lostOfConfirmed = clients.filter((client, i) => {
			const sv = stateVector(client.doc);
			return [...(confirmed[i] ?? new Map<number, number>())].some(
				([id, clock]) => (sv.get(id) ?? 0) < clock
			);
		}).length;
		const run: FailoverRun = {
			clients: clients.length,
			moved: moved.size,
			resyncedMs: Math.round(times.at(-1) ?? NaN),
			p50Ms: Math.round(percentile(times, 50)),
			notResynced: moved.size - resynced.size + Math.max(0, held - moved.size),
			attempts,
			cpuPct,
			closedP50Ms: Math.round(percentile(closed, 50)),
			closedMaxMs: Math.round(closed.at(-1) ?? NaN),
			converged,
			lostOfConfirmed
		};
		log(
			`failover: kill -9 of a relay holding ${held} of ${clients.length} clients; ` +
				`sockets closed after p50 ${run.closedP50Ms} / max ${run.closedMaxMs} ms, ` +
				`all synced again after ${run.resyncedMs} ms (p50 ${run.p50Ms} ms, ${attempts} connections), ` +
				`converged ${converged}, confirmed lost ${lostOfConfirmed}; CPU meanwhile ${JSON.stringify(cpuPct)} %`
		);
		return run;
	} finally {
		clearInterval(writer);
		for (const client of clients) {
			client.destroy();
			client.doc.destroy();
		}
		await front.close();
		await cluster.dispose();
	}
}

async function costCase(
	infra: Infra,
	profile: ClusterProfile['cost'],
	log: (line: string) => void
): Promise<CostRun> {
	const cluster = await Cluster.start(infra, 1);
	const relay = cluster.first;
	const docs = Math.ceil(profile.clients / profile.clientsPerDoc);
	let clients: BenchClient[] = [];
	try {
		await relay.heap(); // a full collection, so the baseline is not garbage
		const baseRss = rssBytes(relay.pid);
		clients = await connectMany(
			(i) => createClient(relay, `c/bench/board/cost-${i % docs}`),
			profile.clients
		);
		await sleep(1000);
		const cpu0 = cpuSeconds(relay.pid);
		const t0 = performance.now();
		await sleep(profile.idleMs);
		const idleCpu = cpuSeconds(relay.pid) - cpu0;
		const seconds = (performance.now() - t0) / 1000;
		await relay.heap();
		const rss = rssBytes(relay.pid);
		const mb = (bytes: number) => round(bytes / 1048576, 1);
		const run: CostRun = {
			clients: profile.clients,
			docs,
			baseRssMb: mb(baseRss),
			rssMb: mb(rss),
			rssKbPerClient: round((rss - baseRss) / 1024 / profile.clients, 1),
			idleCpuPctPer1000: round(((100 * idleCpu) / seconds) * (1000 / profile.clients), 2),
			redisRssMb: mb(sum(infra.redisPids().map(rssBytes))),
			postgresRssMb: mb(sum(infra.postgresPids().map(rssBytes)))
		};
		log(
			`cost: ${profile.clients} clients on ${docs} documents: relay RSS ${run.baseRssMb} → ${run.rssMb} MB ` +
				`(${run.rssKbPerClient} KB/client), idle CPU ${run.idleCpuPctPer1000} % of a core per 1,000`
		);
		return run;
	} finally {
		for (const client of clients) {
			client.destroy();
			client.doc.destroy();
		}
		await cluster.dispose();
	}
}

const uptime = (): string => {
	try {
		return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
	} catch {
		return '?';
	}
};

/** Runs every case of `profile`, starting and stopping its own Redis and PostgreSQL. */
export async function runClusterBench(
	profile: ClusterProfile,
	log: (line: string) => void = console.error
): Promise<ClusterResult> {
	const infra = await startInfra();
	const result: ClusterResult = {
		profile: profile.name,
		fanout: [],
		hop: [],
		failover: [],
		cost: [],
		load: []
	};
	const noteLoad = (what: string) => {
		const line = `${what}: load ${uptime()}`;
		result.load.push(line);
		log(line);
	};
	try {
		for (const rate of profile.fanout.rates) {
			for (const relays of profile.relays) {
				noteLoad(`fan-out ${relays} relay(s) at ${rate}/s`);
				result.fanout.push({
					relays,
					rate,
					runs: await fanoutCase(infra, relays, profile.fanout, rate, log)
				});
			}
		}
		if (profile.hop.repeats > 0) {
			noteLoad('second hop');
			result.hop = await hopCase(infra, profile.hop, log);
		}
		for (let i = 0; i < profile.failover.repeats; i++) {
			noteLoad(`failover ${i + 1}`);
			result.failover.push(await failoverCase(infra, profile.failover, log));
		}
		for (let i = 0; i < profile.cost.repeats; i++) {
			noteLoad(`cost ${i + 1}`);
			result.cost.push(await costCase(infra, profile.cost, log));
		}
		noteLoad('end');
		return result;
	} finally {
		killAllServers();
		await Promise.all([infra.redis.close(), infra.postgres.close()]);
	}
}

/** The median of `pick` over runs. */
export function med<T>(runs: T[], pick: (run: T) => number): number {
	return median(runs.map(pick));
}
