/**
 * `npm run bench:presence`: what the relay does when presence renewals come in phase (issue 22,
 * "Each relay holds up for days"). 1,000 stock y-websocket clients on a realistic spread of
 * documents (45 documents × 20 clients and 2 hot documents × 50), connected together, so their
 * 15 s awareness renewals fall in the same seconds, are held through at least two renewal
 * cycles while one client per document writes timestamped updates (2 per second) that its
 * document's probes time. Per second of the hold: delivery latency of those updates (by
 * send time), relay CPU, awareness messages the clients received (what the relay forwarded), the
 * clients' own renewals and the latency of `/health`. The renewal seconds are those holding at
 * least 5 % of the clients' renewals.
 *
 * Options: --before=<dir> (a checkout of the relay to compare with, e.g. `git archive main | tar
 * -x -C <dir>` with node_modules linked; its runs alternate with this tree's), --runs=N (per arm,
 * default 3), --hold=S (seconds, default 40), --spread=20x45,50x2 (clients × documents, the
 * default; 100x10 is "few documents"), --small (3 × 4 clients and a 20 s hold: a check of
 * the harness), --loaders=N (load processes, default 3; 0: every client in this process, the
 * old way), --probes=N (per document, default 1), --profile (the relay under --cpu-prof: its
 * busy time per function in the renewal and in the quiet seconds). Deliveries are timed by the
 * probes, which stay in this process beside each document's writer; the other clients run in
 * forked load processes (presence-load.ts) at a lower priority, and time theirs apart. The relay
 * runs on core 0, in a session of its own, and the clients on core 1 when `taskset` works. Per
 * second the run also reads how long the relay and this process waited for a core. Raw JSON goes
 * to bench/results/; the last lines are a summary (medians per arm); exits 0.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flag, option } from './args.ts';
import { selfTimeWithin } from './cpu-profile.ts';
import { REPO_ROOT } from './prepare.ts';
import { writeRawFigures } from './results.ts';
import {
	ClientGroup,
	now,
	type LoadAnswer,
	type LoadCommand,
	type LoadDoc,
	type SecondCounts
} from './presence-load.ts';
import { cpuSeconds, median, percentile, round, sleep } from './proc.ts';
import { killServersOnExit, PINNED, ServerHandle, TARGETS } from './targets.ts';

if (PINNED)
	execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
process.setMaxListeners(0);
killServersOnExit();

const small = flag('small');
const before = option('before');
const runs = Number(option('runs') ?? (small ? 1 : 3));
const holdMs = Number(option('hold') ?? (small ? 20 : 40)) * 1000;
/** Documents as [clients, count]: the first client of each document writes. */
const SPREAD: [clients: number, docs: number][] =
	option('spread')
		?.split(',')
		.map((part) => {
			const [clients, docs] = part.split('x').map(Number);
			return [clients!, docs!] as [number, number];
		}) ??
	(small
		? [[4, 3]]
		: [
				[20, 45],
				[50, 2]
			]);
/** Load processes holding all clients but the writers and probes (0: all in this process). */
const LOADERS = Number(option('loaders') ?? 3);
/** Probes per document, in this process beside the writer. */
const PROBES = Number(option('probes') ?? 1);
const WRITES_PER_SEC = 2;
const RENEWAL_SHARE = 0.05;
const LOAD_SCRIPT = fileURLToPath(new URL('./presence-load.ts', import.meta.url));
/** The load processes' niceness: the measuring process (0) runs first when both are runnable. */
const LOAD_NICE = 10;
/** Runs the relay under `--cpu-prof` and prints where its CPU went in renewal and quiet seconds. */
const PROFILE = flag('profile');
/** A calm second: the relay and the measuring process each waited at most this for a core. */
const CALM_WAIT_MS = 20;

type Second = SecondCounts & {
	serverCpuPct: number;
	loadCpuPct: number;
	/** Latencies timed by the load clients (in their own processes). */
	loadLatencies: number[];
	healthMs: number[];
	/** How long the relay, and this process, were runnable but waited for a core (ms). */
	relayWaitMs: number;
	probeWaitMs: number;
};

type Summary = { p50: number; p99: number; max: number };

type RunResult = {
	arm: string;
	clients: number;
	docs: number;
	loaders: number;
	holdS: number;
	renewalSeconds: number[];
	/** Delivery as the probes time it (the measuring process): all, renewal and quiet seconds. */
	all: Summary;
	renewal: Summary;
	quiet: Summary;
	/** The same, as the load clients time it (their processes busy decoding presence). */
	loadRenewal: Summary;
	loadQuiet: Summary;
	/**
	 * The probes' delivery in the calm seconds only: those in which neither the relay nor the
	 * measuring process waited for a core more than CALM_WAIT_MS (the machine's other load).
	 */
	calmRenewal: Summary & { seconds: number };
	calmQuiet: Summary & { seconds: number };
	/** Median per second of the relay's, and the measuring process's, wait for a core (ms). */
	relayWaitRenewalMs: number;
	relayWaitQuietMs: number;
	probeWaitMs: number;
	serverCpuPct: number;
	renewalServerCpuPct: number;
	quietServerCpuPct: number;
	peakServerCpuPct: number;
	/** CPU of the client processes (measuring + load), % of one core. */
	loadCpuPct: number;
	awarenessReceived: number;
	awarenessSent: number;
	peakAwarenessPerSec: number;
	/** Relay CPU from the start of the hold until every update was delivered (starvation-proof). */
	serverCpuMs: number;
	/**
	 * Time the relay's event loop was runnable but waiting for a core, per second of the hold
	 * (/proc/<pid>/schedstat): how much of the latency is the machine's other load.
	 */
	relayWaitMsPerSec: number;
	/** Relay CPU spent in the renewal seconds, per renewal second. */
	renewalServerCpuMsPerSec: number;
	healthMaxMs: number;
	notDelivered: number;
	converged: boolean;
	/** Each second of the hold, with the probes' p99 of the updates sent in it. */
	seconds: {
		renewals: number;
		awarenessReceived: number;
		serverCpuPct: number;
		loadCpuPct: number;
		relayWaitMs: number;
		probeWaitMs: number;
		p99Ms: number;
		loadP99Ms: number;
	}[];
};

function summary(values: number[]): Summary {
	const sorted = Float64Array.from(values).sort();
	return {
		p50: round(percentile(sorted, 50)),
		p99: round(percentile(sorted, 99)),
		max: round(sorted.at(-1) ?? NaN)
	};
}

/** How long the main thread of `pid` waited on a run queue so far, in ms (0 if unknown). */
function runQueueWaitMs(pid: number): number {
	try {
		return Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
	} catch {
		return 0;
	}
}

/** A forked process holding a group of load clients (presence-load.ts), driven over IPC. */
class LoadProcess {
	readonly child: ChildProcess;
	#answers: LoadAnswer[] = [];
	#waiting: ((answer: LoadAnswer) => void) | null = null;

	constructor() {
		this.child = fork(LOAD_SCRIPT, ['--load-process'], {
			stdio: ['ignore', 'inherit', 'inherit', 'ipc']
		});
		this.child.on('message', (answer: LoadAnswer) => {
			if (this.#waiting) {
				const waiting = this.#waiting;
				this.#waiting = null;
				waiting(answer);
			} else this.#answers.push(answer);
		});
		// Below the measuring process: the probes' clock readings come first on the shared core.
		try {
			os.setPriority(this.child.pid!, LOAD_NICE);
		} catch {
			// Not permitted: the same priority, and the probes share the core evenly.
		}
	}

	send(command: LoadCommand): void {
		this.child.send(command);
	}

	next(): Promise<LoadAnswer> {
		const queued = this.#answers.shift();
		if (queued) return Promise.resolve(queued);
		return new Promise((resolve, reject) => {
			this.#waiting = resolve;
			this.child.once('exit', (code) => reject(new Error(`load process exited (${code})`)));
		});
	}

	async close(): Promise<void> {
		if (this.child.exitCode !== null) return;
		const exited = new Promise((resolve) => this.child.once('exit', resolve));
		this.send({ type: 'close' });
		await exited;
	}
}

/** Spreads documents over `n` groups, the largest first, so that the groups hold alike. */
function spread(docs: LoadDoc[], n: number): LoadDoc[][] {
	const groups: LoadDoc[][] = Array.from({ length: n }, () => []);
	const sizes = Array<number>(n).fill(0);
	for (const doc of [...docs].sort((a, b) => b.clients - a.clients)) {
		const i = sizes.indexOf(Math.min(...sizes));
		groups[i]!.push(doc);
		sizes[i]! += doc.clients;
	}
	return groups;
}

async function run(arm: string, relayRoot: string | undefined, index: number): Promise<RunResult> {
	const cpuProfileDir = PROFILE
		? fs.mkdtempSync(path.join(REPO_ROOT, 'bench/results/profiles-presence-'))
		: undefined;
	const server = new ServerHandle(TARGETS.ours, { relayRoot, cpuProfileDir, ownSession: true });
	await server.start();
	let profileWindows: { renewal: [number, number][]; quiet: [number, number][] } | null = null;
	const names: string[] = [];
	const sizes = SPREAD.flatMap(([size, count]) => Array<number>(count).fill(size));
	for (let i = 0; i < sizes.length; i++) names.push(`c/bench/board/presence-${index}-${i}`);
	const total = sizes.reduce((a, b) => a + b, 0);
	// The measuring process holds each document's writer and PROBES probes; the load processes
	// hold the rest (with --loaders=0, the measuring process holds every client, as it used to).
	const here = LOADERS === 0 ? sizes : sizes.map((size) => Math.min(size, 1 + PROBES));
	const probes = new ClientGroup(true);
	const loadDocs = names.map((name, i) => ({ name, clients: sizes[i]! - here[i]! }));
	const loaders: LoadProcess[] = [];
	const seconds: Second[] = [];
	const second = (i: number): Second => {
		while (seconds.length <= i)
			seconds.push({
				latencies: [],
				loadLatencies: [],
				serverCpuPct: NaN,
				loadCpuPct: NaN,
				relayWaitMs: NaN,
				probeWaitMs: NaN,
				awarenessReceived: 0,
				awarenessSent: 0,
				renewals: 0,
				healthMs: []
			});
		return seconds[i]!;
	};

	try {
		// Writers and probes first, then the load, so that their renewals stay in phase.
		await probes.connect(
			server,
			names.map((name, i) => ({ name, clients: here[i]! }))
		);
		for (const docs of spread(
			loadDocs.filter((doc) => doc.clients > 0),
			LOADERS
		)) {
			if (docs.length === 0) continue;
			const loader = new LoadProcess();
			loaders.push(loader);
			loader.send({ type: 'connect', wsUrl: server.wsUrl, token: server.token, docs });
			await loader.next();
		}
		const loadPids = [process.pid, ...loaders.map((l) => l.child.pid!)];
		const loadCpu = () => loadPids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);

		// Connected together: the renewals come in phase from ~15 s on.
		const t0 = now();
		const t0Here = performance.now();
		const t0Us = Number(process.hrtime.bigint() / 1000n);
		probes.start(t0);
		for (const loader of loaders) loader.send({ type: 'measure', t0 });
		// Document i writes its k-th update at t0 + (k + i / docs) / WRITES_PER_SEC seconds.
		const written = names.map(() => 0);
		const writeTimer = setInterval(() => {
			const at = now();
			for (const [i, doc] of probes.docs.entries()) {
				const dueAt = () => t0 + ((written[i]! + i / names.length) * 1000) / WRITES_PER_SEC;
				while (dueAt() <= at)
					doc.clients[0]!.doc.getMap<number>('m').set(String(written[i]!++), now());
			}
		}, 10);
		const cpuAtStart = cpuSeconds(server.pid);
		const waitAtStart = runQueueWaitMs(server.pid);
		let cpu = cpuAtStart;
		let load = loadCpu();
		let lastSample = t0Here;
		let relayWait = waitAtStart;
		let probeWait = runQueueWaitMs(process.pid);
		const sampleTimer = setInterval(() => {
			const at = performance.now();
			const s = second(Math.floor((at - 1 - t0Here) / 1000));
			const c = cpuSeconds(server.pid);
			const l = loadCpu();
			const elapsed = (at - lastSample) / 1000;
			s.serverCpuPct = round(((c - cpu) * 100) / elapsed, 1);
			s.loadCpuPct = round(((l - load) * 100) / elapsed, 1);
			const rw = runQueueWaitMs(server.pid);
			const pw = runQueueWaitMs(process.pid);
			s.relayWaitMs = round(rw - relayWait, 1);
			s.probeWaitMs = round(pw - probeWait, 1);
			relayWait = rw;
			probeWait = pw;
			cpu = c;
			load = l;
			lastSample = at;
		}, 1000);
		let probing = true;
		const probe = (async () => {
			while (probing) {
				const start = performance.now();
				const i = Math.floor((start - t0Here) / 1000);
				try {
					await (await fetch(server.statsUrl)).arrayBuffer();
					second(i).healthMs.push(performance.now() - start);
				} catch {
					second(i).healthMs.push(NaN);
				}
				await sleep(250);
			}
		})();
		await sleep(holdMs);
		clearInterval(writeTimer);
		const relayWaitMsPerSec = round(
			(runQueueWaitMs(server.pid) - waitAtStart) / (holdMs / 1000),
			0
		);
		probing = false;
		clearInterval(sampleTimer);
		await probe;
		const writtenByDoc = Object.fromEntries(names.map((name, i) => [name, written[i]!]));
		for (const loader of loaders) loader.send({ type: 'stop', written: writtenByDoc });
		const reports = [await probes.stop(writtenByDoc)];
		for (const loader of loaders) {
			const answer = await loader.next();
			if (answer.type === 'report') reports.push(answer.report);
		}
		const serverCpuMs = Math.round((cpuSeconds(server.pid) - cpuAtStart) * 1000);
		for (const [r, report] of reports.entries())
			for (const [i, counts] of report.seconds.entries()) {
				const s = second(i);
				s.awarenessReceived += counts.awarenessReceived;
				s.awarenessSent += counts.awarenessSent;
				s.renewals += counts.renewals;
				if (r === 0) s.latencies.push(...counts.latencies);
				else s.loadLatencies.push(...counts.latencies);
			}
		const states = new Map<string, string[]>();
		for (const report of reports)
			for (const [name, list] of Object.entries(report.states))
				states.set(name, [...(states.get(name) ?? []), ...list]);
		const converged = [...states.values()].every((list) => list.every((s) => s === list[0]));
		const notDelivered = reports.reduce((sum, r) => sum + r.notDelivered, 0);

		const held = seconds.slice(0, Math.floor(holdMs / 1000));
		const renewalSeconds = held
			.map((s, i) => (s.renewals >= RENEWAL_SHARE * total ? i : -1))
			.filter((i) => i >= 0);
		const inRenewal = new Set(renewalSeconds);
		const window = (i: number): [number, number] => [t0Us + i * 1e6, t0Us + (i + 1) * 1e6];
		profileWindows = {
			renewal: renewalSeconds.map(window),
			quiet: held
				.map((_, i) => i)
				.filter((i) => !inRenewal.has(i))
				.map(window)
		};
		const renewalHeld = held.filter((_, i) => inRenewal.has(i));
		const quietHeld = held.filter((_, i) => !inRenewal.has(i));
		const calm = (list: Second[]) => {
			const calmSeconds = list.filter(
				(s) => s.relayWaitMs <= CALM_WAIT_MS && s.probeWaitMs <= CALM_WAIT_MS
			);
			return {
				...summary(calmSeconds.flatMap((s) => s.latencies)),
				seconds: calmSeconds.length
			};
		};
		const cpuOf = (list: Second[]) =>
			round(median(list.map((s) => s.serverCpuPct).filter(Number.isFinite)), 1);
		const mean = (values: number[]) =>
			round(values.reduce((a, b) => a + b, 0) / Math.max(1, values.length), 1);
		return {
			arm,
			clients: total,
			docs: names.length,
			loaders: loaders.length,
			holdS: holdMs / 1000,
			renewalSeconds,
			all: summary(held.flatMap((s) => s.latencies)),
			renewal: summary(renewalHeld.flatMap((s) => s.latencies)),
			quiet: summary(quietHeld.flatMap((s) => s.latencies)),
			calmRenewal: calm(renewalHeld),
			calmQuiet: calm(quietHeld),
			relayWaitRenewalMs: round(
				median(renewalHeld.map((s) => s.relayWaitMs).filter(Number.isFinite)),
				0
			),
			relayWaitQuietMs: round(
				median(quietHeld.map((s) => s.relayWaitMs).filter(Number.isFinite)),
				0
			),
			probeWaitMs: round(median(held.map((s) => s.probeWaitMs).filter(Number.isFinite)), 0),
			loadRenewal: summary(renewalHeld.flatMap((s) => s.loadLatencies)),
			loadQuiet: summary(quietHeld.flatMap((s) => s.loadLatencies)),
			serverCpuPct: mean(held.map((s) => s.serverCpuPct).filter(Number.isFinite)),
			renewalServerCpuPct: cpuOf(renewalHeld),
			quietServerCpuPct: cpuOf(quietHeld),
			peakServerCpuPct: Math.max(...held.map((s) => s.serverCpuPct).filter(Number.isFinite)),
			loadCpuPct: mean(held.map((s) => s.loadCpuPct).filter(Number.isFinite)),
			awarenessReceived: held.reduce((sum, s) => sum + s.awarenessReceived, 0),
			awarenessSent: held.reduce((sum, s) => sum + s.awarenessSent, 0),
			serverCpuMs,
			relayWaitMsPerSec,
			renewalServerCpuMsPerSec: round(
				10 * mean(renewalHeld.map((s) => s.serverCpuPct).filter(Number.isFinite)),
				0
			),
			peakAwarenessPerSec: Math.max(...held.map((s) => s.awarenessReceived)),
			healthMaxMs: round(Math.max(...held.flatMap((s) => s.healthMs)), 1),
			notDelivered,
			converged,
			seconds: held.map((s) => ({
				renewals: s.renewals,
				awarenessReceived: s.awarenessReceived,
				serverCpuPct: s.serverCpuPct,
				loadCpuPct: s.loadCpuPct,
				relayWaitMs: s.relayWaitMs,
				probeWaitMs: s.probeWaitMs,
				p99Ms: summary(s.latencies).p99,
				loadP99Ms: summary(s.loadLatencies).p99
			}))
		};
	} finally {
		probes.destroy();
		await Promise.all(loaders.map((loader) => loader.close().catch(() => undefined)));
		await server.dispose();
		if (cpuProfileDir && profileWindows) printProfile(cpuProfileDir, profileWindows);
	}
}

function printProfile(
	dir: string,
	windows: { renewal: [number, number][]; quiet: [number, number][] }
): void {
	for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
		for (const [name, list] of Object.entries(windows)) {
			const { busyMs, top } = selfTimeWithin(path.join(dir, file), list, 15);
			const perSecond = round(busyMs / Math.max(1, list.length), 0);
			console.log(
				`relay profile, ${name} seconds (${list.length}): ${perSecond} ms busy per second`
			);
			for (const { fn, ms } of top)
				console.log(`  ${String(round(ms / Math.max(1, list.length), 1)).padStart(6)} ms/s  ${fn}`);
		}
		console.log(`  (${path.relative(REPO_ROOT, path.join(dir, file))})`);
	}
}

const arms: [string, string | undefined][] = before
	? [
			['before', path.resolve(before)],
			['after', undefined]
		]
	: [['this tree', undefined]];
const results: RunResult[] = [];
const loads: number[][] = [];
const ms = ({ p50, p99, max }: Summary) => `p50 ${p50} / p99 ${p99} / max ${max} ms`;
let index = 0;
for (let r = 0; r < runs; r++) {
	for (const [arm, root] of arms) {
		loads.push(os.loadavg().map((v) => round(v, 2)));
		const result = await run(arm, root, index++);
		results.push(result);
		console.log(
			`${arm} #${r + 1}: ${result.clients} clients / ${result.docs} docs (${result.loaders} load processes), renewal seconds ${result.renewalSeconds.join(',')}: ` +
				`delivery to the probes ${ms(result.renewal)} in them, ${ms(result.quiet)} outside; ` +
				`in the calm seconds (${result.calmRenewal.seconds} + ${result.calmQuiet.seconds}) ${ms(result.calmRenewal)} / ${ms(result.calmQuiet)}; ` +
				`the relay waited for a core ${result.relayWaitRenewalMs} ms per renewal second, ${result.relayWaitQuietMs} ms per quiet second, this process ${result.probeWaitMs} ms; ` +
				`to the load clients ${ms(result.loadRenewal)} in them, ${ms(result.loadQuiet)} outside; ` +
				`relay CPU ${result.serverCpuPct} % mean / ${result.renewalServerCpuPct} % in renewal seconds / ${result.quietServerCpuPct} % outside / peak ${result.peakServerCpuPct} %, ` +
				`${result.serverCpuMs} ms in all (waited for a core ${result.relayWaitMsPerSec} ms/s), ${result.renewalServerCpuMsPerSec} ms per renewal second; ` +
				`awareness received ${result.awarenessReceived} (peak ${result.peakAwarenessPerSec}/s), sent ${result.awarenessSent}; /health max ${result.healthMaxMs} ms; ` +
				`clients' CPU ${result.loadCpuPct} %; not delivered ${result.notDelivered}, converged ${result.converged}; loadavg ${loads.at(-1)!.join(' ')}`
		);
		await sleep(2000);
	}
}

console.log('\nSummary (medians per arm):');
for (const [arm] of arms) {
	const mine = results.filter((r) => r.arm === arm);
	const m = (get: (r: RunResult) => number) => round(median(mine.map(get)), 1);
	const sm = (get: (r: RunResult) => Summary): Summary => ({
		p50: m((r) => get(r).p50),
		p99: m((r) => get(r).p99),
		max: m((r) => get(r).max)
	});
	console.log(
		`${arm} (${mine.length} runs, ${mine[0]?.clients} clients): delivery to the probes in renewal seconds ${ms(sm((r) => r.renewal))}, ` +
			`in quiet seconds ${ms(sm((r) => r.quiet))}; to the load clients ${ms(sm((r) => r.loadRenewal))} / ${ms(sm((r) => r.loadQuiet))}; ` +
			`in calm seconds (renewal ${mine.map((r) => r.calmRenewal.seconds).join('/')}, quiet ${mine.map((r) => r.calmQuiet.seconds).join('/')}) ${ms(sm((r) => r.calmRenewal))} / ${ms(sm((r) => r.calmQuiet))}; ` +
			`the relay waited for a core ${m((r) => r.relayWaitRenewalMs)} ms per renewal second, ${m((r) => r.relayWaitQuietMs)} per quiet second, the probes' process ${m((r) => r.probeWaitMs)}; ` +
			`relay CPU mean ${m((r) => r.serverCpuPct)} %, renewal seconds ${m((r) => r.renewalServerCpuPct)} %, quiet ${m((r) => r.quietServerCpuPct)} %, peak ${m((r) => r.peakServerCpuPct)} %; ` +
			`${m((r) => r.serverCpuMs)} ms in all (waited for a core ${m((r) => r.relayWaitMsPerSec)} ms/s), ${m((r) => r.renewalServerCpuMsPerSec)} ms per renewal second; ` +
			`awareness forwarded ${m((r) => r.awarenessReceived)} (peak ${m((r) => r.peakAwarenessPerSec)}/s), sent ${m((r) => r.awarenessSent)}; /health max ${m((r) => r.healthMaxMs)} ms; ` +
			`clients' CPU ${m((r) => r.loadCpuPct)} %; not delivered ${m((r) => r.notDelivered)}; all converged ${mine.every((r) => r.converged)}; ` +
			`loadavg ${loads[0]?.[0]}–${os.loadavg()[0]!.toFixed(2)}`
	);
}
const figures = { pinned: PINNED, loads, loadAfter: os.loadavg(), results };
console.log(`Raw figures: ${writeRawFigures('presence', new Date().toISOString(), figures)}`);
process.exit(0);
