/**
 * `node bench/relay/profile.ts`: runs our relay under `node --cpu-prof` through the fan-out
 * load of W2 (at a fixed rate) and a 10 MB cold load, then prints the functions with the most
 * self time. The .cpuprofile files stay in bench/results/profiles/ (open them in Chrome DevTools).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './prepare.ts';
import { PINNED, ServerHandle, TARGETS } from './targets.ts';
import { buildFixture, coldLoad, FanoutSession } from './workloads.ts';

type Node = {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	hitCount?: number;
};
type Profile = { nodes: Node[]; startTime: number; endTime: number };

export function topSelfTime(file: string, count = 20): { fn: string; pct: number }[] {
	const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
	const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
	const byFn = new Map<string, number>();
	for (const n of profile.nodes) {
		const { functionName, url, lineNumber } = n.callFrame;
		const where = url
			? `${url.replace(/^file:\/\//, '').replace(`${REPO_ROOT}/`, '')}:${lineNumber + 1}`
			: '';
		const key = `${functionName || '(anonymous)'} ${where}`.trim();
		byFn.set(key, (byFn.get(key) ?? 0) + (n.hitCount ?? 0));
	}
	return [...byFn]
		.sort((a, b) => b[1] - a[1])
		.slice(0, count)
		.map(([fn, hits]) => ({ fn, pct: Math.round((1000 * hits) / total) / 10 }));
}

if (PINNED)
	execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
process.setMaxListeners(0);
const dir = path.join(REPO_ROOT, 'bench/results/profiles');
fs.mkdirSync(dir, { recursive: true });

for (const phase of ['fanout', 'cold-load'] as const) {
	const phaseDir = fs.mkdtempSync(path.join(dir, `${phase}-`));
	const server = new ServerHandle(TARGETS.ours, { cpuProfileDir: phaseDir });
	await server.start();
	if (phase === 'fanout') {
		const session = await FanoutSession.open(server, { rooms: 10, subscribers: 10 }, 'prof');
		const w = await session.window(160, 500, 5000);
		console.log(
			`fan-out 10×10 at 160/s per writer: ${w.deliveriesPerSec} deliveries/s, p99 ${w.p99Ms} ms, server CPU ${w.serverCpuPct}%, ${w.cpuUsPerDelivery} µs/delivery`
		);
		session.close();
	} else {
		const fixture = buildFixture(10 * 1024 * 1024);
		const r = await coldLoad(server, fixture, { repeats: 2, tag: 'prof' });
		console.log(`cold load 10 MB: fresh ${r.median.emptyMs} ms, 95% ${r.median.partialMs} ms`);
	}
	await server.stop();
	for (const file of fs.readdirSync(phaseDir).filter((f) => f.endsWith('.cpuprofile'))) {
		console.log(`\n${phase}: ${path.relative(REPO_ROOT, path.join(phaseDir, file))}`);
		for (const { fn, pct } of topSelfTime(path.join(phaseDir, file)))
			console.log(`  ${String(pct).padStart(5)}%  ${fn}`);
	}
	await server.dispose();
}
process.exit(0);
