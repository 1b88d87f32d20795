/**
 * `node bench/relay/profile-load.ts TARGET [RATE] [ROOMSxSUBSCRIBERS]`: profiles the LOAD
 * GENERATOR (this process, through the inspector, during the window only) and the server
 * (`--cpu-prof`) while one fan-out window runs at RATE updates/s per writer (default 480, shape
 * 1x200), then prints where each spent its time.
 * It answers "who is the ceiling of W2": when the generator's core is full and the server's is
 * not, the ramp measures the clients, not the server (docs/benchmarks.md).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { REPO_ROOT } from './prepare.ts';
import { selfTimeByPackage, topSelfTime } from './cpu-profile.ts';
import { PINNED, ServerHandle, TARGETS, type TargetId } from './targets.ts';
import { FanoutSession } from './workloads.ts';

const [id = 'ours', rateArg = '480', shapeArg = '1x200'] = process.argv.slice(2);
if (!(id in TARGETS)) throw new Error(`unknown target ${id}: one of ${Object.keys(TARGETS)}`);
const [rooms, subscribers] = shapeArg.split('x').map(Number);
if (!rooms || !subscribers) throw new Error(`shape ${shapeArg}: expected ROOMSxSUBSCRIBERS`);

const session = new Session();
session.connect();

if (PINNED)
	execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
process.setMaxListeners(0);
const profiles = path.join(REPO_ROOT, 'bench/results/profiles');
fs.mkdirSync(profiles, { recursive: true });
const dir = fs.mkdtempSync(path.join(profiles, `load-${id}-`));
const server = new ServerHandle(TARGETS[id as TargetId], { cpuProfileDir: dir });
await server.start();
const fanout = await FanoutSession.open(server, { rooms, subscribers }, 'load');
// Only the window is profiled on the generator's side, not the set-up.
await session.post('Profiler.enable');
await session.post('Profiler.start');
const w = await fanout.window(Number(rateArg), 500, 4000);
const { profile } = await session.post('Profiler.stop');
const loadFile = path.join(dir, 'load-generator.cpuprofile');
fs.writeFileSync(loadFile, JSON.stringify(profile));
console.log(
	`${id}, ${rooms}×${subscribers} at ${rateArg}/s per writer: ${w.deliveriesPerSec} deliveries/s, p99 ${w.p99Ms} ms, server CPU ${w.serverCpuPct}%, load generator CPU ${w.loadCpuPct}%`
);
fanout.close();
await server.stop();
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
	console.log(`\n${path.relative(REPO_ROOT, path.join(dir, file))}`);
	for (const { where, pct } of selfTimeByPackage(path.join(dir, file), 8))
		console.log(`  ${String(pct).padStart(5)}%  ${where}`);
	console.log('  top functions:');
	for (const { fn, pct } of topSelfTime(path.join(dir, file), 12))
		console.log(`  ${String(pct).padStart(5)}%  ${fn}`);
}
await server.dispose();
process.exit(0);
