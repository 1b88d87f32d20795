/**
 * `node bench/relay/profile.ts`: runs our relay under `node --cpu-prof` through the fan-out
 * load of W2 (at a fixed rate) and a 10 MB cold load, then prints the functions with the most
 * self time. The .cpuprofile files stay in bench/results/profiles/ (open them in Chrome DevTools).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './prepare.ts';
import { topSelfTime } from './cpu-profile.ts';
import { PINNED, ServerHandle, TARGETS } from './targets.ts';
import { buildFixture, coldLoad, FanoutSession } from './workloads.ts';

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
