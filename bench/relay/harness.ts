/**
 * Runs the targets one after another through the workloads of a profile and checks the
 * targets the issue sets for our relay.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkBetterSqlite3, checkLeveldown } from './prepare.ts';
import { round, sleep } from './proc.ts';
import { PINNED, ServerHandle, TARGETS, type TargetId } from './targets.ts';
import {
	buildFixture,
	checksCost,
	coldLoad,
	fanout,
	idleDocs,
	ramp,
	storm,
	writeFloorFile,
	type ChecksResult,
	type ColdResult,
	type FanoutResult,
	type FanoutShape,
	type IdleResult,
	type RampResult,
	type StormResult
} from './workloads.ts';

export type Profile = {
	name: string;
	targets: TargetId[];
	w1: { name: string; shape: FanoutShape; ratePerWriter: number }[];
	w1Timing: { warmMs: number; measureMs: number; repeats: number };
	w2: {
		shape: FanoutShape;
		startRate: number;
		maxRate: number;
		/** Halvings of the gap between the highest passing and the lowest failing rate. */
		refineSteps: number;
		stepMs: number;
		repeats: number;
	} | null;
	w3: { docs: number; docBytes: number; capMs: number; idleUnloadMs: number } | null;
	w4: { bytes: number; repeats: number } | null;
	w5: { clients: number; rooms: number; writeRate: number; writeMs: number; capMs: number } | null;
	/**
	 * Ours only: what the write checks cost, fan-out with board comments written as a member
	 * (checked, attested) against the same written with service tokens (`checksCost`).
	 */
	checks: {
		runs: { name: string; shape: FanoutShape; ratePerWriter: number }[];
		repeats: number;
	} | null;
};

/** The issue's budget for the write checks: server CPU per delivery, checked over unchecked. */
export const CHECKS_BUDGET_PCT = 20;

export const FULL: Profile = {
	name: 'full',
	targets: ['raw-ws', 'ours', 'ywss', 'ywss-leveldb', 'hocuspocus', 'hocuspocus-sqlite'],
	w1: [
		{
			name: '1 room × 100 subscribers, 20 upd/s',
			shape: { rooms: 1, subscribers: 100 },
			ratePerWriter: 20
		},
		{
			name: '50 rooms × 5 subscribers, 10 upd/s each',
			shape: { rooms: 50, subscribers: 5 },
			ratePerWriter: 10
		}
	],
	w1Timing: { warmMs: 1000, measureMs: 3000, repeats: 3 },
	w2: {
		shape: { rooms: 10, subscribers: 10 },
		startRate: 10,
		maxRate: 2560,
		refineSteps: 2,
		stepMs: 2000,
		repeats: 3
	},
	w3: { docs: 500, docBytes: 10_000, capMs: 65_000, idleUnloadMs: 30_000 },
	w4: { bytes: 10 * 1024 * 1024, repeats: 5 },
	w5: { clients: 500, rooms: 50, writeRate: 50, writeMs: 2000, capMs: 60_000 },
	checks: {
		runs: [
			{
				name: '1 room × 100 subscribers, 20 upd/s',
				shape: { rooms: 1, subscribers: 100 },
				ratePerWriter: 20
			},
			{
				name: '50 rooms × 5 subscribers, 10 upd/s each',
				shape: { rooms: 50, subscribers: 5 },
				ratePerWriter: 10
			}
		],
		repeats: 6
	}
};

export const SMOKE: Profile = {
	name: 'smoke',
	targets: ['raw-ws', 'ours', 'ywss'],
	w1: [
		{
			name: '2 rooms × 3 subscribers, 20 upd/s',
			shape: { rooms: 2, subscribers: 3 },
			ratePerWriter: 20
		}
	],
	w1Timing: { warmMs: 300, measureMs: 1000, repeats: 1 },
	w2: {
		shape: { rooms: 1, subscribers: 3 },
		startRate: 20,
		maxRate: 40,
		refineSteps: 1,
		stepMs: 500,
		repeats: 1
	},
	w3: { docs: 5, docBytes: 1000, capMs: 4000, idleUnloadMs: 500 },
	w4: { bytes: 200_000, repeats: 1 },
	w5: { clients: 12, rooms: 2, writeRate: 20, writeMs: 600, capMs: 20_000 },
	checks: {
		runs: [
			{
				name: '2 rooms × 3 subscribers, 20 upd/s',
				shape: { rooms: 2, subscribers: 3 },
				ratePerWriter: 20
			}
		],
		repeats: 1
	}
};

type Failed = { failed: string };
type Maybe<T> = T | Failed | { notRun: string };

export type TargetResult = {
	id: TargetId;
	label: string;
	durability: string;
	notRun?: string;
	w1: Maybe<FanoutResult>[];
	w2: Maybe<RampResult>[];
	w3?: Maybe<IdleResult>;
	w4?: Maybe<ColdResult>;
	w5?: Maybe<StormResult>;
	checks?: Maybe<ChecksResult>[];
};

export type Check = { target: string; met: boolean | null; detail: string };

export type BenchResult = {
	profile: string;
	startedAt: string;
	durationS: number;
	machine: {
		nproc: number;
		cpu: string;
		node: string;
		pinned: boolean;
		loadBefore: number[];
		loadAfter: number[];
		memGb: number;
	};
	targets: TargetResult[];
	checks: Check[];
};

export const isOk = <T extends object>(value: Maybe<T> | undefined): value is T =>
	value !== undefined && !('failed' in value) && !('notRun' in value);

/** A failure message that names a server that died as its cause. */
function blamed(server: ServerHandle | undefined, why: string): string {
	return server?.crashed ? `server died (${server.crashed}); ${why}` : why;
}

/**
 * Runs one workload; a failure is a result, not an exception. With `server` (or when `fn`
 * throws a `withServer` error), a server that died during it is named as the cause.
 */
async function attempt<T extends { converged: boolean }>(
	what: string,
	log: (line: string) => void,
	fn: () => Promise<T>,
	server?: ServerHandle
): Promise<Maybe<T>> {
	const failed = (why: string): string => {
		const reason = blamed(server, why);
		log(`  ${what}: FAILED (${reason})`);
		return reason;
	};
	try {
		const value = await fn();
		if (!value.converged) return { ...value, failed: failed('clients did not converge') };
		return value;
	} catch (error) {
		return { failed: failed((error as Error).message) };
	}
}

export async function runBenchmark(
	profile: Profile,
	log: (line: string) => void = console.log
): Promise<BenchResult> {
	process.setMaxListeners(0);
	const started = Date.now();
	const cpu =
		/model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ??
		os.cpus()[0]?.model ??
		'unknown';
	const machine = {
		nproc: os.cpus().length,
		cpu,
		node: process.version,
		pinned: PINNED,
		loadBefore: os.loadavg().map((v) => round(v, 2)),
		loadAfter: [] as number[],
		memGb: round(os.totalmem() / 2 ** 30, 1)
	};
	const sqlite = profile.targets.includes('hocuspocus-sqlite') ? checkBetterSqlite3() : null;
	const leveldb = profile.targets.includes('ywss-leveldb') ? await checkLeveldown() : null;
	const fixture = profile.w4 ? buildFixture(profile.w4.bytes) : null;
	const results: TargetResult[] = [];

	for (const id of profile.targets) {
		const spec = TARGETS[id];
		const result: TargetResult = {
			id,
			label: spec.label,
			durability: spec.durability,
			w1: [],
			w2: []
		};
		results.push(result);
		if (id === 'hocuspocus-sqlite' && sqlite && !sqlite.ok) result.notRun = sqlite.reason;
		if (id === 'ywss-leveldb' && leveldb && !leveldb.ok) result.notRun = leveldb.reason;
		if (result.notRun) {
			log(`${spec.label}: not run: ${result.notRun}`);
			continue;
		}
		log(`${spec.label}`);
		const opts = {
			idleUnloadMs: profile.w3?.idleUnloadMs
		};
		const withServer = async <T>(
			fn: (server: ServerHandle) => Promise<T>,
			extraEnv?: Record<string, string>
		): Promise<T> => {
			const server = new ServerHandle(spec, { ...opts, env: extraEnv });
			try {
				await server.start();
				return await fn(server);
			} catch (error) {
				if (!server.crashed) throw error;
				throw new Error(blamed(server, (error as Error).message), { cause: error });
			} finally {
				await server.dispose();
			}
		};

		// W1 and W2 share a server.
		try {
			await withServer(async (server) => {
				for (const [i, w1] of profile.w1.entries()) {
					const r = await attempt(
						`W1 ${w1.name}`,
						log,
						() =>
							fanout(server, w1.shape, {
								...profile.w1Timing,
								ratePerWriter: w1.ratePerWriter,
								tag: `w1${i}`
							}),
						server
					);
					result.w1.push(r);
					if (isOk(r))
						log(
							`  W1 ${w1.name}: p50 ${r.median.p50Ms} ms, p99 ${r.median.p99Ms} ms, ${r.median.deliveriesPerSec} deliveries/s, server CPU ${r.median.serverCpuPct}%`
						);
					await sleep(300);
				}
				const w2 = profile.w2;
				if (w2) {
					for (let i = 0; i < w2.repeats; i++) {
						const r = await attempt(
							'W2 ramp',
							log,
							() => ramp(server, w2.shape, { ...w2, p99LimitMs: 50, tag: `w2${i}` }),
							server
						);
						result.w2.push(r);
						if (isOk(r))
							log(
								`  W2 ramp #${i + 1}: best ${r.bestDeliveriesPerSec} deliveries/s at p99 ≤ 50 ms (${r.stoppedBecause})`
							);
						await sleep(300);
					}
				}
			});
		} catch (error) {
			result.w1.push({ failed: (error as Error).message });
		}

		const checks = profile.checks;
		if (checks && id === 'ours') {
			result.checks = [];
			try {
				await withServer(async (server) => {
					for (const [i, run] of checks.runs.entries()) {
						const r = await attempt(
							`checks ${run.name}`,
							log,
							() =>
								checksCost(server, run.shape, {
									...profile.w1Timing,
									repeats: checks.repeats,
									ratePerWriter: run.ratePerWriter,
									tag: `ck${i}`
								}),
							server
						);
						result.checks!.push(r);
						if (isOk(r))
							log(
								`  checks ${run.name}: ${round(r.medianUnchecked.cpuUsPerDelivery, 2)} µs CPU/delivery unchecked, ${round(r.medianChecked.cpuUsPerDelivery, 2)} checked (${r.costPct > 0 ? '+' : ''}${r.costPct} %)`
							);
						await sleep(300);
					}
				});
			} catch (error) {
				result.checks.push({ failed: (error as Error).message });
			}
		}

		if (id === 'raw-ws') {
			const w4 = profile.w4;
			if (w4 && fixture) {
				const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-floor-'));
				const file = writeFloorFile(dir, fixture);
				result.w4 = await attempt('W4 floor', log, () =>
					withServer((server) => coldLoad(server, fixture, { repeats: w4.repeats, tag: 'w4' }), {
						FLOOR_FILE: file
					})
				);
				fs.rmSync(dir, { recursive: true, force: true });
				if (isOk(result.w4))
					log(`  W4 floor (read file + send): fresh ${result.w4.median.emptyMs} ms`);
			}
			continue;
		}

		const w3 = profile.w3;
		if (w3) {
			result.w3 = await attempt('W3 idle docs', log, () =>
				withServer((server) => idleDocs(server, { ...w3, tag: 'w3' }))
			);
			if (isOk(result.w3)) {
				const r = result.w3;
				log(
					`  W3: ${r.heapPerDocKb} KB heap/doc, unloaded ${r.unloadedAfterMs === null ? `never within ${r.waitedMs} ms (${r.docsLoadedAfter} still loaded)` : `after ${r.unloadedAfterMs} ms`}`
				);
			}
		}
		const w4 = profile.w4;
		if (w4 && fixture) {
			if (!spec.persistent)
				result.w4 = { notRun: 'no persistence: the document is gone after a restart' };
			else {
				result.w4 = await attempt('W4 cold load', log, () =>
					withServer((server) => coldLoad(server, fixture, { repeats: w4.repeats, tag: 'w4' }))
				);
				if (isOk(result.w4))
					log(
						`  W4: fresh joiner ${result.w4.median.emptyMs} ms, 95% joiner ${result.w4.median.partialMs} ms`
					);
			}
		}
		const w5 = profile.w5;
		if (w5) {
			if (!spec.persistent)
				result.w5 = { notRun: 'no persistence: every edit is lost on kill -9 by design' };
			else {
				result.w5 = await attempt('W5 storm', log, () =>
					withServer((server) => storm(server, { ...w5, tag: 'w5' }))
				);
				if (isOk(result.w5)) {
					const r = result.w5;
					log(
						`  W5: ${r.clients} clients re-synced p50 ${r.resyncP50Ms} ms / all ${r.resyncAllMs ?? 'never'} ms; lost ${r.lostOfSent}/${r.writtenBeforeKill} sent${r.lostOfConfirmed === null ? '' : `, ${r.lostOfConfirmed}/${r.confirmedBeforeKill} confirmed`}`
					);
				}
			}
		}
	}
	machine.loadAfter = os.loadavg().map((v) => round(v, 2));
	return {
		profile: profile.name,
		startedAt: new Date(started).toISOString(),
		durationS: Math.round((Date.now() - started) / 1000),
		machine,
		targets: results,
		checks: checkTargets(results)
	};
}

const PEERS: TargetId[] = ['ywss', 'ywss-leveldb', 'hocuspocus', 'hocuspocus-sqlite'];

export function medianRampBest(result: TargetResult | undefined): number {
	const values = (result?.w2 ?? [])
		.filter(isOk)
		.map((r) => r.bestDeliveriesPerSec)
		.sort((a, b) => a - b);
	if (values.length === 0) return NaN;
	return values[values.length >> 1] ?? NaN;
}

export function checkTargets(results: TargetResult[]): Check[] {
	const get = (id: TargetId) => results.find((r) => r.id === id);
	const ours = get('ours');
	const raw = get('raw-ws');
	const checks: Check[] = [];
	// 1. Throughput against the best peer.
	const peerBest = Math.max(
		...PEERS.map((id) => medianRampBest(get(id))).filter((v) => Number.isFinite(v))
	);
	const oursBest = medianRampBest(ours);
	if (Number.isFinite(oursBest) && Number.isFinite(peerBest) && peerBest > 0) {
		checks.push({
			target: '≥ 2× best peer deliveries/s at p99 ≤ 50 ms',
			met: oursBest >= 2 * peerBest,
			detail: `ours ${oursBest}/s, best peer ${peerBest}/s: ${round(oursBest / peerBest, 2)}×`
		});
	} else
		checks.push({
			target: '≥ 2× best peer deliveries/s at p99 ≤ 50 ms',
			met: null,
			detail: 'not measured'
		});
	// 2. p99 within 2 ms of the raw floor at 100 subscribers (first W1 shape).
	const o1 = ours?.w1[0];
	const r1 = raw?.w1[0];
	if (isOk(o1) && isOk(r1)) {
		const d = round(o1.median.p99Ms - r1.median.p99Ms, 2);
		checks.push({
			target: 'p99 within 2 ms of raw ws (first W1 shape)',
			met: d <= 2,
			detail: `ours ${o1.median.p99Ms} ms, raw ${r1.median.p99Ms} ms: ${d < 0 ? '−' : '+'}${Math.abs(d)} ms`
		});
	} else
		checks.push({
			target: 'p99 within 2 ms of raw ws (first W1 shape)',
			met: null,
			detail: 'not measured'
		});
	// 3. No confirmed edit lost.
	const w5 = ours?.w5;
	if (isOk(w5))
		checks.push({
			target: '0 confirmed edits lost after kill -9',
			met: w5.lostOfConfirmed === 0,
			detail: `${w5.lostOfConfirmed} of ${w5.confirmedBeforeKill} confirmed lost (${w5.lostOfSent} of ${w5.writtenBeforeKill} sent)`
		});
	else
		checks.push({
			target: '0 confirmed edits lost after kill -9',
			met: null,
			detail: w5 ? JSON.stringify(w5).slice(0, 120) : 'not measured'
		});
	// 4. Idle docs unloaded within 60 s.
	const w3 = ours?.w3;
	if (isOk(w3))
		checks.push({
			target: 'idle docs unloaded within 60 s',
			met: w3.unloadedAfterMs !== null && w3.unloadedAfterMs <= 60_000,
			detail:
				w3.unloadedAfterMs === null
					? `not unloaded within ${w3.waitedMs} ms`
					: `unloaded after ${w3.unloadedAfterMs} ms`
		});
	else checks.push({ target: 'idle docs unloaded within 60 s', met: null, detail: 'not measured' });
	// 5. Cold load within 2× of read + send.
	const o4 = ours?.w4;
	const r4 = raw?.w4;
	if (isOk(o4) && isOk(r4)) {
		const ratio = round(o4.median.emptyMs / r4.median.emptyMs, 2);
		checks.push({
			target: 'cold load within 2× of read + send',
			met: ratio <= 2,
			detail: `ours ${o4.median.emptyMs} ms, floor ${r4.median.emptyMs} ms: ${ratio}× (95% joiner ${o4.median.partialMs} ms)`
		});
	} else
		checks.push({
			target: 'cold load within 2× of read + send',
			met: null,
			detail: 'not measured'
		});
	// 6. The write checks within their budget, in every fan-out shape measured.
	const measured = (ours?.checks ?? []).filter(isOk);
	const budget = `write checks cost ≤ ${CHECKS_BUDGET_PCT} % server CPU per delivery`;
	checks.push(
		measured.length === 0
			? { target: budget, met: null, detail: 'not measured' }
			: {
					target: budget,
					met: measured.every((r) => r.costPct <= CHECKS_BUDGET_PCT),
					detail: measured
						.map(
							(r) =>
								`${r.shape.rooms}×${r.shape.subscribers}: ${r.costPct > 0 ? '+' : ''}${r.costPct} %`
						)
						.join(', ')
				}
	);
	return checks;
}
