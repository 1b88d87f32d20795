/**
 * Keeps the relay benchmark from rotting: a tiny run of the real harness (our relay, one peer
 * and the raw-ws floor, a few clients, about a second per workload) must produce converged
 * results and sane numbers. No timing thresholds: this machine is shared and noisy.
 */
import { describe, expect, it } from 'vitest';
import { isOk, runBenchmark, SMOKE, type TargetResult } from './harness.ts';
import { markdownReport, textReport } from './report.ts';

describe('relay benchmark (smoke)', () => {
	it('runs every workload on ours, @y/websocket-server and the floor, and they converge', async () => {
		const lines: string[] = [];
		const result = await runBenchmark({ ...SMOKE, targets: ['raw-ws', 'ours', 'ywss'] }, (line) =>
			lines.push(line)
		);
		const byId = (id: string) => result.targets.find((t) => t.id === id) as TargetResult;
		expect(lines.join('\n')).not.toMatch(/FAILED/);

		for (const target of result.targets) {
			expect(target.notRun).toBeUndefined();
			for (const w1 of target.w1) {
				if (!isOk(w1)) throw new Error(`${target.id} W1: ${JSON.stringify(w1)}`);
				const { shape, median: m } = w1;
				expect(w1.converged).toBe(true);
				expect(m.notDelivered).toBe(0);
				expect(m.p50Ms).toBeGreaterThan(0);
				expect(m.p99Ms).toBeGreaterThanOrEqual(m.p50Ms);
				expect(m.maxMs).toBeGreaterThanOrEqual(m.p99Ms);
				// Every update measured reaches every subscriber of its room, once.
				expect(m.deliveriesPerSec).toBeCloseTo(m.offeredUpdatesPerSec * shape.subscribers, -1);
				expect(m.serverRssMb).toBeGreaterThan(10);
			}
			for (const w2 of target.w2) {
				if (!isOk(w2)) throw new Error(`${target.id} W2: ${JSON.stringify(w2)}`);
				// Whether a step stays under 50 ms is timing; that every step delivered is not.
				expect(w2.steps.length).toBeGreaterThan(0);
				for (const step of w2.steps) expect(step.deliveriesPerSec).toBeGreaterThan(0);
			}
		}

		const ours = byId('ours');
		if (!isOk(ours.w3)) throw new Error(`ours W3: ${JSON.stringify(ours.w3)}`);
		expect(ours.w3.docsLoadedWithClients).toBe(SMOKE.w3?.docs);
		expect(ours.w3.unloadedAfterMs).not.toBeNull();
		expect(ours.w3.heapPerDocKb).toBeGreaterThan(0);
		const peer = byId('ywss');
		if (!isOk(peer.w3)) throw new Error(`ywss W3: ${JSON.stringify(peer.w3)}`);
		expect(peer.w3.docsLoadedWithClients).toBe(SMOKE.w3?.docs);

		for (const t of [ours, byId('raw-ws')]) {
			if (!isOk(t.w4)) throw new Error(`${t.id} W4: ${JSON.stringify(t.w4)}`);
			expect(t.w4.converged).toBe(true);
			expect(t.w4.median.emptyMs).toBeGreaterThan(0);
		}
		expect(peer.w4).toEqual({ notRun: expect.any(String) });

		if (!isOk(ours.w5)) throw new Error(`ours W5: ${JSON.stringify(ours.w5)}`);
		expect(ours.w5.converged).toBe(true);
		expect(ours.w5.writtenBeforeKill).toBeGreaterThan(0);
		expect(ours.w5.notResynced).toBe(0);
		expect(ours.w5.lostOfConfirmed).toBe(0);

		// The write checks: member writes delivered in full, checked (attested) and measured.
		expect(ours.checks).toHaveLength(SMOKE.checks?.runs.length ?? 0);
		for (const r of ours.checks ?? []) {
			if (!isOk(r)) throw new Error(`ours checks: ${JSON.stringify(r)}`);
			expect(r.converged).toBe(true);
			expect(r.medianChecked.notDelivered).toBe(0);
			expect(r.medianUnchecked.notDelivered).toBe(0);
			expect(r.medianChecked.cpuUsPerDelivery).toBeGreaterThan(0);
			expect(Number.isFinite(r.costPct)).toBe(true);
		}

		expect(result.checks).toHaveLength(6);
		expect(result.checks.find((c) => c.target.startsWith('0 confirmed'))?.met).toBe(true);
		const text = textReport(result);
		const markdown = markdownReport(result);
		for (const t of result.targets) {
			expect(text).toContain(t.label);
			expect(markdown).toContain(t.label);
		}
	}, 180_000);
});
