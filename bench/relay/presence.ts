/**
 * `npm run bench:presence`: what the relay does when presence renewals come in phase (issue 22,
 * "Each relay holds up for days"). 1,000 stock y-websocket clients on a realistic spread of
 * documents (45 documents × 20 clients and 2 hot documents × 50), connected together, so their
 * 15 s awareness renewals fall in the same seconds, are held through at least two renewal
 * cycles while one client per document writes timestamped updates (2 per second) that its
 * document's other clients time. Per second of the hold: delivery latency of those updates (by
 * send time), relay CPU, awareness messages the clients received (what the relay forwarded), the
 * clients' own renewals and the latency of `/health`. The renewal seconds are those holding at
 * least 5 % of the clients' renewals.
 *
 * Options: --before=<dir> (a checkout of the relay to compare with, e.g. `git archive main | tar
 * -x -C <dir>` with node_modules linked; its runs alternate with this tree's), --runs=N (per arm,
 * default 3), --hold=S (seconds, default 40), --spread=20x45,50x2 (clients × documents, the
 * default; 100x10 is "few documents"), --small (3 × 4 clients and a 20 s hold: a check of
 * the harness). The relay runs on core 0 and this process on core 1 when `taskset` works. Raw
 * JSON goes to bench/results/.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectMany, createClient, type BenchClient } from './clients.ts';
import { REPO_ROOT } from './prepare.ts';
import { cpuSeconds, median, percentile, round, sleep } from './proc.ts';
import { killAllServers, PINNED, ServerHandle, TARGETS } from './targets.ts';
import { sameState } from './workloads.ts';

if (PINNED)
	execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
process.setMaxListeners(0);
process.on('exit', killAllServers);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		killAllServers();
		process.exit(130);
	});
}

const args = process.argv.slice(2);
const option = (name: string): string | undefined =>
	args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const small = args.includes('--small');
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
const WRITES_PER_SEC = 2;
const RENEWAL_SHARE = 0.05;

type Second = {
	latencies: number[];
	serverCpuPct: number;
	loadCpuPct: number;
	awarenessReceived: number;
	/** Awareness messages the clients sent: y-websocket sends one per change it sees. */
	awarenessSent: number;
	renewals: number;
	healthMs: number[];
};

type RunResult = {
	arm: string;
	clients: number;
	docs: number;
	holdS: number;
	renewalSeconds: number[];
	p50Ms: number;
	p99Ms: number;
	maxMs: number;
	renewalP99Ms: number;
	renewalMaxMs: number;
	otherP99Ms: number;
	serverCpuPct: number;
	renewalServerCpuPct: number;
	peakServerCpuPct: number;
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
	/** Each second of the hold, with the p99 of the updates sent in it. */
	seconds: (Omit<Second, 'latencies' | 'healthMs'> & { p99Ms: number })[];
};

function summary(values: number[]): { p50: number; p99: number; max: number } {
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

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
	const end = performance.now() + timeoutMs;
	while (!check()) {
		if (performance.now() > end) return false;
		await sleep(50);
	}
	return true;
}

async function run(arm: string, relayRoot: string | undefined, index: number): Promise<RunResult> {
	const server = new ServerHandle(TARGETS.ours, { relayRoot });
	await server.start();
	const docs: { name: string; clients: BenchClient[] }[] = [];
	for (const [, count] of SPREAD)
		for (let i = 0; i < count; i++)
			docs.push({ name: `c/bench/board/presence-${index}-${docs.length}`, clients: [] });
	const sizes = SPREAD.flatMap(([size, count]) => Array<number>(count).fill(size));
	const total = sizes.reduce((a, b) => a + b, 0);
	const owner: number[] = sizes.flatMap((size, doc) => Array<number>(size).fill(doc));

	let t0 = Infinity;
	let measuring = false;
	const seconds: Second[] = [];
	const second = (at: number): Second | undefined => {
		if (!measuring || at < t0) return undefined;
		const i = Math.floor((at - t0) / 1000);
		while (seconds.length <= i)
			seconds.push({
				latencies: [],
				serverCpuPct: NaN,
				loadCpuPct: NaN,
				awarenessReceived: 0,
				awarenessSent: 0,
				renewals: 0,
				healthMs: []
			});
		return seconds[i];
	};
	let expected = 0;
	let delivered = 0;

	try {
		const clients = await connectMany((i) => {
			const doc = docs[owner[i]!]!;
			const writer = doc.clients.length === 0;
			const client = createClient(server, doc.name, {
				onAwarenessMessage: () => {
					const s = second(performance.now());
					if (s) s.awarenessReceived++;
				}
			});
			doc.clients.push(client);
			const id = client.doc.clientID;
			client.awareness.on('update', ({ updated }: { updated: number[] }, origin: unknown) => {
				const sent = second(performance.now());
				if (sent) sent.awarenessSent++;
				if (origin !== 'local' || !updated.includes(id)) return;
				const s = second(performance.now());
				if (s) s.renewals++;
			});
			if (!writer)
				client.doc.getMap<number>('m').observe((event) => {
					const now = performance.now();
					for (const key of event.keysChanged) {
						const sentAt = event.target.get(key)!;
						const s = second(sentAt);
						if (!s) continue;
						s.latencies.push(now - sentAt);
						delivered++;
					}
				});
			return client;
		}, total);

		// Connected together: the renewals come in phase from ~15 s on.
		t0 = performance.now();
		measuring = true;
		// Document i writes its k-th update at t0 + (k + i / docs) / WRITES_PER_SEC seconds.
		const written = docs.map(() => 0);
		const writeTimer = setInterval(() => {
			const now = performance.now();
			for (const [i, doc] of docs.entries()) {
				const dueAt = () => t0 + ((written[i]! + i / docs.length) * 1000) / WRITES_PER_SEC;
				while (dueAt() <= now) {
					doc.clients[0]!.doc.getMap<number>('m').set(String(written[i]!++), performance.now());
					expected += doc.clients.length - 1;
				}
			}
		}, 10);
		const cpuAtStart = cpuSeconds(server.pid);
		const waitAtStart = runQueueWaitMs(server.pid);
		let cpu = cpuAtStart;
		let load = process.cpuUsage();
		let lastSample = t0;
		const sampleTimer = setInterval(() => {
			const now = performance.now();
			const s = second(now - 1);
			const c = cpuSeconds(server.pid);
			const l = process.cpuUsage();
			const elapsed = (now - lastSample) / 1000;
			if (s) {
				s.serverCpuPct = round(((c - cpu) * 100) / elapsed, 1);
				s.loadCpuPct = round(
					((l.user - load.user + l.system - load.system) / 1e6 / elapsed) * 100,
					1
				);
			}
			cpu = c;
			load = l;
			lastSample = now;
		}, 1000);
		let probing = true;
		const probe = (async () => {
			while (probing) {
				const start = performance.now();
				try {
					await (await fetch(server.statsUrl)).arrayBuffer();
					second(start)?.healthMs.push(performance.now() - start);
				} catch {
					second(start)?.healthMs.push(NaN);
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
		measuring = false;
		probing = false;
		clearInterval(sampleTimer);
		await probe;
		await waitFor(() => delivered >= expected, 10_000);
		const serverCpuMs = Math.round((cpuSeconds(server.pid) - cpuAtStart) * 1000);
		const converged = await waitFor(
			() => docs.every((doc) => sameState(doc.clients.map((c) => c.doc))),
			10_000
		);
		for (const client of clients) {
			client.destroy();
			client.doc.destroy();
		}

		const held = seconds.slice(0, Math.floor(holdMs / 1000));
		const renewalSeconds = held
			.map((s, i) => (s.renewals >= RENEWAL_SHARE * total ? i : -1))
			.filter((i) => i >= 0);
		const inRenewal = new Set(renewalSeconds);
		const all = summary(held.flatMap((s) => s.latencies));
		const renewal = summary(held.filter((_, i) => inRenewal.has(i)).flatMap((s) => s.latencies));
		const other = summary(held.filter((_, i) => !inRenewal.has(i)).flatMap((s) => s.latencies));
		const cpuOf = (list: Second[]) =>
			round(median(list.map((s) => s.serverCpuPct).filter(Number.isFinite)), 1);
		const mean = (values: number[]) =>
			round(values.reduce((a, b) => a + b, 0) / Math.max(1, values.length), 1);
		return {
			arm,
			clients: total,
			docs: docs.length,
			holdS: holdMs / 1000,
			renewalSeconds,
			p50Ms: all.p50,
			p99Ms: all.p99,
			maxMs: all.max,
			renewalP99Ms: renewal.p99,
			renewalMaxMs: renewal.max,
			otherP99Ms: other.p99,
			serverCpuPct: mean(held.map((s) => s.serverCpuPct).filter(Number.isFinite)),
			renewalServerCpuPct: cpuOf(held.filter((_, i) => inRenewal.has(i))),
			peakServerCpuPct: Math.max(...held.map((s) => s.serverCpuPct).filter(Number.isFinite)),
			loadCpuPct: mean(held.map((s) => s.loadCpuPct).filter(Number.isFinite)),
			awarenessReceived: held.reduce((sum, s) => sum + s.awarenessReceived, 0),
			awarenessSent: held.reduce((sum, s) => sum + s.awarenessSent, 0),
			serverCpuMs,
			relayWaitMsPerSec,
			renewalServerCpuMsPerSec: round(
				10 *
					mean(
						held
							.filter((_, i) => inRenewal.has(i))
							.map((s) => s.serverCpuPct)
							.filter(Number.isFinite)
					),
				0
			),
			peakAwarenessPerSec: Math.max(...held.map((s) => s.awarenessReceived)),
			healthMaxMs: round(Math.max(...held.flatMap((s) => s.healthMs)), 1),
			notDelivered: expected - delivered,
			converged,
			seconds: held.map(({ latencies, healthMs: _h, ...rest }) => ({
				...rest,
				p99Ms: summary(latencies).p99
			}))
		};
	} finally {
		await server.dispose();
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
let index = 0;
for (let r = 0; r < runs; r++) {
	for (const [arm, root] of arms) {
		loads.push(os.loadavg().map((v) => round(v, 2)));
		const result = await run(arm, root, index++);
		results.push(result);
		console.log(
			`${arm} #${r + 1}: ${result.clients} clients / ${result.docs} docs, renewal seconds ${result.renewalSeconds.join(',')}: ` +
				`delivery p99 ${result.renewalP99Ms} ms in them (max ${result.renewalMaxMs}), ${result.otherP99Ms} ms outside, ` +
				`relay CPU ${result.serverCpuPct} % mean / ${result.renewalServerCpuPct} % in renewal seconds / peak ${result.peakServerCpuPct} %, ` +
				`relay CPU ${result.serverCpuMs} ms in all (waited for a core ${result.relayWaitMsPerSec} ms/s), ${result.renewalServerCpuMsPerSec} ms per renewal second, ` +
				`awareness received ${result.awarenessReceived} (peak ${result.peakAwarenessPerSec}/s), sent ${result.awarenessSent}, /health max ${result.healthMaxMs} ms, ` +
				`load ${result.loadCpuPct} %, not delivered ${result.notDelivered}, converged ${result.converged}; loadavg ${loads.at(-1)!.join(' ')}`
		);
		await sleep(2000);
	}
}

console.log('\nMedians per arm:');
for (const [arm] of arms) {
	const mine = results.filter((r) => r.arm === arm);
	const m = (key: keyof RunResult) => round(median(mine.map((r) => r[key] as number)), 1);
	console.log(
		`${arm} (${mine.length} runs): delivery p99 in renewal seconds ${m('renewalP99Ms')} ms (max ${m('renewalMaxMs')}), outside ${m('otherP99Ms')} ms, ` +
			`overall p99 ${m('p99Ms')} ms; relay CPU mean ${m('serverCpuPct')} %, renewal seconds ${m('renewalServerCpuPct')} %, peak ${m('peakServerCpuPct')} %; ` +
			`relay CPU ${m('serverCpuMs')} ms in all (waited for a core ${m('relayWaitMsPerSec')} ms/s), ${m('renewalServerCpuMsPerSec')} ms per renewal second; ` +
			`awareness received ${m('awarenessReceived')} (peak ${m('peakAwarenessPerSec')}/s), sent ${m('awarenessSent')}; /health max ${m('healthMaxMs')} ms; ` +
			`not delivered ${m('notDelivered')}; all converged ${mine.every((r) => r.converged)}`
	);
}
const dir = path.join(REPO_ROOT, 'bench/results');
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, `presence-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(
	file,
	JSON.stringify({ pinned: PINNED, loads, loadAfter: os.loadavg(), results }, null, '\t')
);
console.log(`Raw figures: ${path.relative(REPO_ROOT, file)}`);
process.exit(0);
