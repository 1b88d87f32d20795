/**
 * `node bench/relay/profile.ts`: runs our relay under `node --cpu-prof` through the fan-out
 * load of W2 (at a fixed rate) and a 10 MB cold load, then prints the functions with the most
 * self time. The .cpuprofile files stay in bench/results/profiles/ (open them in Chrome DevTools).
 *
 * `node bench/relay/profile.ts checks [ROOMS]x[SUBSCRIBERS] [RATE]` instead profiles board
 * comments written as a member (every update checked by write-guard.ts and its client attested)
 * and prints the share of the server's busy time inside the checks and the attestations,
 * callees included: a figure the machine's load does not move much, unlike CPU per delivery.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './prepare.ts';
import { inclusiveShare, topSelfTime } from './cpu-profile.ts';
import { PINNED, ServerHandle, TARGETS } from './targets.ts';
import { buildFixture, coldLoad, FanoutSession } from './workloads.ts';

if (PINNED)
	execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
process.setMaxListeners(0);
const dir = path.join(REPO_ROOT, 'bench/results/profiles');
fs.mkdirSync(dir, { recursive: true });

const checksArgs = process.argv[2] === 'checks' ? process.argv.slice(3) : null;
const phases = checksArgs ? (['checks'] as const) : (['fanout', 'cold-load'] as const);

for (const phase of phases) {
	const phaseDir = fs.mkdtempSync(path.join(dir, `${phase}-`));
	const server = new ServerHandle(TARGETS.ours, { cpuProfileDir: phaseDir });
	await server.start();
	if (phase === 'checks') {
		const [rooms = 10, subscribers = 10] = (checksArgs?.[0] ?? '10x10').split('x').map(Number);
		const rate = Number(checksArgs?.[1] ?? 40);
		const member = await server.memberToken();
		const session = await FanoutSession.open(server, { rooms, subscribers }, 'prof', {
			content: 'comments',
			token: member.token,
			name: member.name
		});
		const w = await session.window(rate, 500, 20_000);
		console.log(
			`checked comments ${rooms}×${subscribers} at ${rate}/s per writer: ${w.deliveriesPerSec} deliveries/s, not delivered ${w.notDelivered}, server CPU ${w.serverCpuPct}%, ${w.cpuUsPerDelivery} µs/delivery, attested: ${session.attested(true)}`
		);
		session.close();
	} else if (phase === 'fanout') {
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
		if (phase === 'checks') {
			const share = (name: string, inside: (f: { functionName: string; url: string }) => boolean) =>
				console.log(
					`  ${String(inclusiveShare(path.join(phaseDir, file), inside)).padStart(5)}%  of busy time: ${name}`
				);
			const isRelay = (url: string, file: string) => url.endsWith(`sync-server/${file}`);
			share(
				'room.check + room.attest: what the checks add',
				(f) => ['check', 'attest'].includes(f.functionName) && isRelay(f.url, 'room.ts')
			);
			share(
				'room.check (write-guard.ts checkUpdate)',
				(f) => f.functionName === 'check' && isRelay(f.url, 'room.ts')
			);
			share('room.attest', (f) => f.functionName === 'attest' && isRelay(f.url, 'room.ts'));
			share('write-guard.ts, all of it', (f) => isRelay(f.url, 'write-guard.ts'));
			share(
				'Y.decodeUpdate (every update, checked or not)',
				(f) => f.functionName === 'decodeUpdate'
			);
		}
	}
	await server.dispose();
}
process.exit(0);
