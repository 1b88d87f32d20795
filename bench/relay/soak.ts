/**
 * `npm run bench:soak`: does one relay hold up for days (issue 22)? Two cases.
 *
 * Memory: the embedded relay (SQLite) in a child process pinned to core 1 (`taskset -c 1`; this
 * process on core 0), driven by stock y-websocket clients through phases: baseline, a connection
 * ramp, a hold (one writer per document), every client leaving, then churn rounds of
 * connect–sync–write–confirm–disconnect cycles on many documents, each round followed by an idle
 * phase until every document is unloaded. After each phase: the relay's RSS as it stands and its
 * anonymous memory (/proc/<pid>/smaps_rollup), then, after a full GC in the relay
 * (bench/relay/servers/gc-hook.mjs), its process.memoryUsage(). The figure that matters is the
 * RSS after each idle phase against the baseline (target: within 25 %), round after round.
 * Every write is confirmed (message 100) before its client leaves, and at the end every document
 * is read back and counted: nothing lost.
 *
 * Presence: `npm run bench:presence` (bench/relay/presence.ts) run as a child, its output kept.
 *
 * Options: --rounds=N (churn rounds, default 5), --cycles=N (per round, default 3000), --settle=S (idle
 * seconds after the last document unloaded, default 30),
 * --clients=N (ramp, default 1000), --docs=N (documents, default 500), --hold=S (default 30),
 * --small (a check of the harness: 2 rounds of 200 cycles, 100 clients), --no-presence,
 * --presence-args="--runs=1" (passed on), --env=KEY=VALUE (for the relay; repeatable: try an
 * allocator setting), --doc (write the figures into docs/benchmarks.md between its
 * `bench:soak` markers). Raw JSON goes to bench/results/.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import * as Y from 'yjs';
import { flag, option, options } from './args.ts';
import { connectMany, createClient, type BenchClient } from './clients.ts';
import { REPO_ROOT } from './prepare.ts';
import { writeDocBlock, writeRawFigures } from './results.ts';
import { ProcWindow, round, rssBytes, sleep } from './proc.ts';
import { killServersOnExit, PINNED, ServerHandle, TARGETS } from './targets.ts';

/** The relay's core; the clients take the other one. */
const RELAY_CORE = 1;
if (PINNED) {
	// A thread that ends while taskset walks them fails the call: try again.
	for (let attempt = 0; attempt < 5; attempt++) {
		try {
			execFileSync('taskset', ['-a', '-p', '-c', String(1 - RELAY_CORE), String(process.pid)], {
				stdio: 'ignore'
			});
			break;
		} catch {
			// Next attempt.
		}
	}
}
process.setMaxListeners(0);
killServersOnExit();

const small = flag('small');
const ROUNDS = Number(option('rounds') ?? (small ? 2 : 5));
const CYCLES = Number(option('cycles') ?? (small ? 200 : 3000));
const CLIENTS = Number(option('clients') ?? (small ? 100 : 1000));
const DOCS = Number(option('docs') ?? (small ? 50 : 500));
const HOLD_MS = Number(option('hold') ?? (small ? 5 : 30)) * 1000;
/** Cycles in flight at once during churn. */
const PARALLEL = 50;
/** The relay unloads a document this long after its last client left. */
const IDLE_UNLOAD_MS = 2000;
/** After the last document is unloaded, the relay is left alone this long before measuring. */
const SETTLE_MS = Number(option('settle') ?? 30) * 1000;
/** The target: RSS after load within this share of the baseline. */
const RSS_MARGIN = 0.25;
const relayEnv: Record<string, string> = Object.fromEntries(
	options('env').map((a) => {
		const [key, ...value] = a.split('=');
		return [key!, value.join('=')];
	})
);

type Snapshot = {
	phase: string;
	/** VmRSS as it stands at the end of the phase, MB. */
	rssMb: number;
	/** Anonymous memory (smaps_rollup), MB. */
	anonMb: number;
	where: ReturnType<typeof where>;
	/** Peak RSS during the phase, MB. */
	peakRssMb: number;
	/** After a full GC in the relay: process.memoryUsage(), MB. */
	gc: { rssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number };
	/** Relay CPU during the phase, ms. */
	cpuMs: number;
	docsLoaded: number | null;
	/** Connect–sync–write–confirm–disconnect cycles done in the phase. */
	cycles: number;
	/** The relay's `memory-returned` events in the phase (sync-server/memory-return.ts). */
	returns: { rssBeforeMb: number; rssAfterMb: number; pauseMs: number }[];
	loadavg: number[];
};

const mb = (bytes: number): number => round(bytes / 1048576, 1);

/** The relay's `memory-returned` events since the last snapshot. */
const returns: Snapshot['returns'] = [];

function anonBytes(pid: number): number {
	try {
		const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
		return Number(/^Anonymous:\s+(\d+) kB/m.exec(text)?.[1] ?? 0) * 1024;
	} catch {
		return 0;
	}
}

/**
 * Where the resident anonymous memory is, from /proc/<pid>/smaps: `v8Pages`, anonymous mappings of
 * exactly 256 KiB (V8 allocates its heap pages one such mapping each, and keeps freed ones pooled);
 * `mallocMain`, the main malloc arena (`[heap]`); `otherAnon`, the rest (thread arenas, V8's large
 * objects and code range, thread stacks). MB.
 */
function where(pid: number): { v8Pages: number; mallocMain: number; otherAnon: number } {
	const out = { v8Pages: 0, mallocMain: 0, otherAnon: 0 };
	let kind: keyof typeof out | null = null;
	try {
		for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
			const map = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
			if (map) {
				const size = parseInt(map[2]!, 16) - parseInt(map[1]!, 16);
				const name = map[3]!.trim();
				kind =
					name === '[heap]'
						? 'mallocMain'
						: name
							? null
							: size === 256 * 1024
								? 'v8Pages'
								: 'otherAnon';
			} else if (kind && line.startsWith('Rss:')) out[kind] += Number(line.split(/\s+/)[1]) * 1024;
		}
	} catch {
		// The process is gone.
	}
	return { v8Pages: mb(out.v8Pages), mallocMain: mb(out.mallocMain), otherAnon: mb(out.otherAnon) };
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number) {
	const end = performance.now() + timeoutMs;
	while (!(await check())) {
		if (performance.now() > end) return false;
		await sleep(100);
	}
	return true;
}

async function snapshot(
	server: ServerHandle,
	phase: string,
	window: ProcWindow,
	cycles: number
): Promise<Snapshot> {
	const pid = server.pid;
	const rss = rssBytes(pid);
	const anon = anonBytes(pid);
	const place = where(pid);
	const used = window.end();
	const heap = await server.heap();
	return {
		phase,
		rssMb: mb(rss),
		anonMb: mb(anon),
		where: place,
		peakRssMb: used.peakRssMb,
		gc: {
			rssMb: mb(heap?.rss ?? NaN),
			heapUsedMb: mb(heap?.heapUsed ?? NaN),
			heapTotalMb: mb((heap as { heapTotal?: number } | null)?.heapTotal ?? NaN),
			externalMb: mb(heap?.external ?? NaN)
		},
		cpuMs: used.serverCpuMs,
		docsLoaded: await server.docsLoaded(),
		cycles,
		returns: returns.splice(0),
		loadavg: os.loadavg().map((v) => round(v, 2))
	};
}

function print(s: Snapshot, baseline: number): void {
	const vs = round((100 * (s.rssMb - baseline)) / baseline, 0);
	console.log(
		`${s.phase.padEnd(22)} RSS ${s.rssMb} MB (${vs >= 0 ? '+' : ''}${vs} %), anon ${s.anonMb} MB ` +
			`(V8 pages ${s.where.v8Pages}, malloc [heap] ${s.where.mallocMain}, other ${s.where.otherAnon}), ` +
			`peak ${s.peakRssMb} MB | after GC: RSS ${s.gc.rssMb}, heap ${s.gc.heapUsedMb}/${s.gc.heapTotalMb}, ` +
			`external ${s.gc.externalMb} MB | relay CPU ${s.cpuMs} ms, ${s.cycles} cycles, ` +
			`docs loaded ${s.docsLoaded} | load ${s.loadavg.join(' ')}` +
			s.returns
				.map(
					(r) =>
						`\n  memory returned: ${r.rssBeforeMb} → ${r.rssAfterMb} MB, paused ${r.pauseMs} ms`
				)
				.join('')
	);
}

/** Documents' names and how many writes each got (read back at the end). */
const docName = (i: number): string => `c/bench/board/soak-${i}`;
const written = new Array<number>(DOCS).fill(0);

function destroy(clients: BenchClient[]): void {
	for (const client of clients) {
		client.destroy();
		client.doc.destroy();
	}
}

/** Writes one entry into doc `i` through `client` and waits for the relay's confirmation. */
async function writeConfirmed(client: BenchClient, i: number): Promise<void> {
	const map = client.doc.getMap<string>('m');
	map.set(`${client.doc.clientID}-${written[i]!++}`, 'x'.repeat(200));
	const clock = Y.getState(client.doc.store, client.doc.clientID);
	const confirmed = await waitFor(
		() => (client.persisted()?.get(client.doc.clientID) ?? 0) >= clock,
		30_000
	);
	if (!confirmed) throw new Error(`${docName(i)}: write not confirmed in 30 s`);
}

/** One connect–sync–write–confirm–disconnect cycle on document `i`, as a stock client. */
async function cycle(server: ServerHandle, i: number): Promise<void> {
	const client = createClient(server, docName(i), { persisted: true });
	try {
		await client.whenSynced(30_000);
		await writeConfirmed(client, i);
	} finally {
		destroy([client]);
	}
}

async function idle(server: ServerHandle): Promise<void> {
	const unloaded = await waitFor(
		async () => (await server.docsLoaded()) === 0,
		IDLE_UNLOAD_MS * 10 + 60_000
	);
	if (!unloaded) throw new Error('documents still loaded a minute after the last client left');
	const trace: number[] = [];
	for (let t = 0; t < SETTLE_MS; t += 5000) {
		await sleep(Math.min(5000, SETTLE_MS - t));
		trace.push(mb(rssBytes(server.pid)));
	}
	if (trace.length > 1) console.log(`  RSS every 5 s while idle: ${trace.join(', ')} MB`);
}

async function memoryCase(): Promise<{ phases: Snapshot[]; lost: number; baselineMb: number }> {
	const server = new ServerHandle(TARGETS.ours, {
		idleUnloadMs: IDLE_UNLOAD_MS,
		core: RELAY_CORE,
		env: relayEnv,
		onEvent: (event) => {
			if (event.event === 'memory-returned') returns.push(event as Snapshot['returns'][number]);
		}
	});
	await server.start();
	const phases: Snapshot[] = [];
	try {
		await sleep(SETTLE_MS);
		let window = new ProcWindow(server.pid);
		const baseline = await snapshot(server, 'baseline', window, 0);
		phases.push(baseline);
		const baselineMb = baseline.rssMb;
		print(baseline, baselineMb);

		// Ramp: CLIENTS clients over DOCS documents, 50 handshakes in flight.
		window = new ProcWindow(server.pid);
		const clients = await connectMany(
			(k) => createClient(server, docName(k % DOCS), { persisted: true }),
			CLIENTS
		);
		phases.push(await snapshot(server, `ramp (${CLIENTS} clients)`, window, 0));
		print(phases.at(-1)!, baselineMb);

		// Hold: the first client of each document writes twice a second, confirmed.
		window = new ProcWindow(server.pid);
		const writers = clients.slice(0, Math.min(DOCS, CLIENTS));
		let holding = true;
		let holdWrites = 0;
		await Promise.all(
			writers.map(async (client, i) => {
				const end = performance.now() + HOLD_MS;
				await sleep((i / writers.length) * 500);
				while (holding && performance.now() < end) {
					await writeConfirmed(client, i);
					holdWrites++;
					await sleep(500);
				}
			})
		);
		holding = false;
		phases.push(await snapshot(server, `hold (${HOLD_MS / 1000} s)`, window, holdWrites));
		print(phases.at(-1)!, baselineMb);

		window = new ProcWindow(server.pid);
		destroy(clients);
		await idle(server);
		phases.push(await snapshot(server, 'idle after hold', window, 0));
		print(phases.at(-1)!, baselineMb);

		for (let round_ = 1; round_ <= ROUNDS; round_++) {
			window = new ProcWindow(server.pid);
			let next = 0;
			await Promise.all(
				Array.from({ length: PARALLEL }, async () => {
					while (next < CYCLES) {
						const k = next++;
						await cycle(server, (k * 7 + round_) % DOCS);
					}
				})
			);
			phases.push(await snapshot(server, `churn ${round_}`, window, CYCLES));
			print(phases.at(-1)!, baselineMb);
			window = new ProcWindow(server.pid);
			await idle(server);
			phases.push(await snapshot(server, `idle after churn ${round_}`, window, 0));
			print(phases.at(-1)!, baselineMb);
		}

		// Nothing lost: every document read back holds every confirmed write.
		let lost = 0;
		const readers = await connectMany((i) => createClient(server, docName(i)), DOCS);
		for (const [i, reader] of readers.entries())
			lost += Math.max(0, written[i]! - reader.doc.getMap('m').size);
		destroy(readers);
		return { phases, lost, baselineMb };
	} finally {
		await server.dispose();
	}
}

/** Runs `npm run bench:presence` as a child; its output goes to ours and into the report. */
function presenceCase(): Promise<{ output: string; code: number | null }> {
	const extra = option('presence-args')?.split(' ').filter(Boolean) ?? (small ? ['--small'] : []);
	return new Promise((resolve) => {
		const child = spawn(
			process.execPath,
			['--disable-warning=ExperimentalWarning', 'bench/relay/presence.ts', ...extra],
			{ cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] }
		);
		let output = '';
		const keep = (chunk: Buffer) => {
			process.stdout.write(chunk);
			output += chunk.toString();
		};
		child.stdout.on('data', keep);
		child.stderr.on('data', keep);
		child.on('exit', (code) => resolve({ output, code }));
	});
}

type SoakResult = {
	startedAt: string;
	pinned: boolean;
	relayEnv: Record<string, string>;
	options: { rounds: number; cycles: number; clients: number; docs: number; holdS: number };
	baselineMb: number;
	phases: Snapshot[];
	/** RSS after each idle phase over the baseline. */
	idleRatios: number[];
	/** Largest rise of post-idle RSS from one churn round to the next, MB. */
	maxRoundGrowthMb: number;
	withinTarget: boolean;
	lost: number;
	presence: { output: string; code: number | null } | null;
};

function markdown(result: SoakResult): string {
	const o = result.options;
	const rows = result.phases.map((s) => {
		const vs = round((100 * (s.rssMb - result.baselineMb)) / result.baselineMb, 0);
		return `| ${s.phase} | ${s.rssMb} (${vs >= 0 ? '+' : ''}${vs} %) | ${s.anonMb} | ${s.where.v8Pages} / ${s.where.mallocMain} | ${s.peakRssMb} | ${s.gc.heapUsedMb} / ${s.gc.heapTotalMb} | ${s.gc.externalMb} | ${s.cpuMs} | ${s.loadavg[0]} |`;
	});
	const lines = [
		`Run ${result.startedAt.slice(0, 16).replace('T', ' ')} UTC${result.pinned ? ', relay pinned to core 1' : ''}` +
			`${Object.keys(result.relayEnv).length ? `, relay env ${JSON.stringify(result.relayEnv)}` : ''}: ` +
			`${o.clients} clients over ${o.docs} documents held ${o.holdS} s, then ${o.rounds} churn rounds of ` +
			`${o.cycles} connect–sync–write–confirm–disconnect cycles, each followed by an idle phase until every ` +
			`document was unloaded (+${SETTLE_MS / 1000} s).`,
		'',
		'| phase | RSS, MB (vs baseline) | anonymous, MB | of it V8 pages / malloc `[heap]`, MB | peak RSS, MB | heap used / total after GC, MB | external, MB | relay CPU, ms | load (1 min) |',
		'| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
		...rows,
		'',
		`RSS after the idle phases: ${result.idleRatios.map((r) => `${round(100 * r, 0)} %`).join(', ')} of the baseline ` +
			`(target ≤ ${100 + 100 * RSS_MARGIN} %: ${result.withinTarget ? 'met' : 'NOT met'}); largest rise from one ` +
			`round's idle to the next: ${result.maxRoundGrowthMb} MB. Confirmed writes lost: ${result.lost}.`
	];
	const returned = result.phases.flatMap((s) => s.returns);
	if (returned.length)
		lines.push(
			'',
			`The relay gave memory back (\`memory-returned\`) ${returned.length} times: ` +
				returned
					.map((r) => `${r.rssBeforeMb} → ${r.rssAfterMb} MB (paused ${r.pauseMs} ms)`)
					.join(', ') +
				'.'
		);
	if (result.presence) {
		const medians = result.presence.output
			.split('\n')
			.filter((line) => /^\S.*\(\d+ runs?\):/.test(line));
		lines.push(
			'',
			`Presence case (\`npm run bench:presence\`, run by bench:soak; exit code ${result.presence.code}):`,
			'',
			...(medians.length ? medians.map((line) => `- ${line}`) : ['- (no summary line printed)'])
		);
	}
	return lines.join('\n');
}

const startedAt = new Date().toISOString();
const memory = await memoryCase();
const idles = memory.phases.filter((s) => s.phase.startsWith('idle'));
const churnIdles = idles.filter((s) => s.phase.includes('churn'));
const idleRatios = idles.map((s) => round(s.rssMb / memory.baselineMb, 3));
const growth = churnIdles.slice(1).map((s, i) => s.rssMb - churnIdles[i]!.rssMb);
const result: SoakResult = {
	startedAt,
	pinned: PINNED,
	relayEnv,
	options: { rounds: ROUNDS, cycles: CYCLES, clients: CLIENTS, docs: DOCS, holdS: HOLD_MS / 1000 },
	baselineMb: memory.baselineMb,
	phases: memory.phases,
	idleRatios,
	maxRoundGrowthMb: round(Math.max(0, ...growth), 1),
	withinTarget: idleRatios.every((r) => r <= 1 + RSS_MARGIN),
	lost: memory.lost,
	presence: null
};
console.log(
	`\nRSS after idle: ${idleRatios.map((r) => `${round(100 * r, 0)} %`).join(', ')} of ${memory.baselineMb} MB ` +
		`(target ≤ ${100 + 100 * RSS_MARGIN} %: ${result.withinTarget ? 'met' : 'NOT met'}); ` +
		`largest round-on-round rise ${result.maxRoundGrowthMb} MB; lost ${result.lost}`
);
if (!flag('no-presence')) {
	console.log('\nPresence case: npm run bench:presence');
	result.presence = await presenceCase();
}

console.log(`Raw figures: ${writeRawFigures('soak', startedAt, result)}`);
if (flag('doc')) writeDocBlock('bench:soak', markdown(result));
process.exit(memory.lost === 0 ? 0 : 1);
