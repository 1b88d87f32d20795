/**
 * Keeps the cluster benchmark and the local cluster from rotting: a tiny run of every case of
 * bench/cluster/harness.ts (real Redis and PostgreSQL, relays in child processes) must deliver
 * everything, converge and lose nothing confirmed; `npm run cluster:local`'s relays answer
 * `/health`, and docs/cluster/nginx.conf sends to the ports it starts them on. No timing
 * thresholds: this machine is shared and noisy (the report says whether the targets were met).
 */
import fs from 'node:fs';
import { expect, it } from 'vitest';
import { runClusterBench, SMOKE } from './harness.ts';
import { LOCAL_PORTS, startLocalCluster } from './local.ts';
import { clusterReport } from './run.ts';

it('runs fan-out on 1 and 2 relays, the second hop, failover and the cost case', async () => {
	const lines: string[] = [];
	const result = await runClusterBench(SMOKE, (line) => lines.push(line));

	expect(result.fanout.map((f) => f.relays)).toEqual(SMOKE.relays);
	const { rooms, subscribers } = SMOKE.fanout.shape;
	for (const { runs } of result.fanout) {
		expect(runs).toHaveLength(SMOKE.fanout.repeats);
		for (const run of runs) {
			expect(run.converged).toBe(true);
			expect(run.notDelivered).toBe(0);
			// Every update measured reaches every observer of its room, once.
			expect(run.deliveriesPerSec).toBeCloseTo(run.offeredUpdatesPerSec * subscribers, -1);
			expect(run.offeredUpdatesPerSec).toBeGreaterThan(0);
			expect(run.p99Ms).toBeGreaterThanOrEqual(run.p50Ms);
			expect(run.relayRssMb).toHaveLength(run.relays);
			expect(run.cpu.relays).toBeGreaterThanOrEqual(0);
		}
	}
	expect(rooms).toBeGreaterThan(0);

	expect(result.hop).toHaveLength(SMOKE.hop.repeats);
	for (const hop of result.hop) {
		expect(hop.converged).toBe(true);
		// Half of each room's observers on the writer's relay, half on the other.
		expect(hop.same.deliveries).toBe(hop.other.deliveries);
		expect(hop.same.deliveries).toBeGreaterThan(0);
		expect(hop.probe.appendP99Ms).toBeGreaterThan(0);
	}

	expect(result.failover).toHaveLength(SMOKE.failover.repeats);
	for (const failover of result.failover) {
		expect(failover.moved).toBeGreaterThan(0);
		expect(failover.notResynced).toBe(0);
		expect(failover.converged).toBe(true);
		expect(failover.lostOfConfirmed).toBe(0);
		expect(failover.resyncedMs).toBeGreaterThan(0);
	}

	const [cost] = result.cost;
	expect(cost?.clients).toBe(SMOKE.cost.clients);
	expect(cost?.redisRssMb).toBeGreaterThan(0);
	expect(cost?.postgresRssMb).toBeGreaterThan(0);
	expect(Number.isFinite(cost?.rssKbPerClient)).toBe(true);

	const report = clusterReport(result);
	expect(report).toContain('Second hop at p99');
	expect(report).toContain('Failover, median of the runs');
	expect(lines.join('\n')).toMatch(/load \d/);
}, 240_000);

it('npm run cluster:local starts three relays that answer /health, the ports nginx.conf uses', async () => {
	const upstreams = [
		...fs.readFileSync('docs/cluster/nginx.conf', 'utf8').matchAll(/server 127\.0\.0\.1:(\d+)/g)
	].map((match) => Number(match[1]));
	expect(upstreams).toEqual(LOCAL_PORTS);

	// Free ports here (the developer's fixed ones may be taken on a test machine).
	const cluster = await startLocalCluster(LOCAL_PORTS.map(() => 0));
	try {
		expect(cluster.relays).toHaveLength(LOCAL_PORTS.length);
		for (const relay of cluster.relays) {
			const response = await fetch(`${relay}/health`);
			expect(response.status).toBe(200);
			expect(((await response.json()) as { ok: boolean }).ok).toBe(true);
		}
	} finally {
		await cluster.close();
	}
}, 120_000);
