/**
 * `npm run bench:relay` (full, ≤ 15 min on 2 cores) or `npm run bench:relay:smoke`.
 *
 * Options: --smoke, --only=ours,ywss (targets), --skip=w1,w3 (workloads), --w2=1x200[,3]
 * (the W2 ramp's rooms × subscribers [and repeats]; docs/benchmarks.md, "Hot room"), --doc (write
 * the figures into docs/benchmarks.md between its markers), --checks (only the write-checks
 * comparison on our relay, `checksCost`; with --doc into its own block). Raw JSON goes to
 * bench/results/.
 */
import { execFileSync } from 'node:child_process';
import { ARGS, flag, option } from './args.ts';
import { FULL, runBenchmark, SMOKE, type Profile } from './harness.ts';
import { writeDocBlock, writeRawFigures } from './results.ts';
import { checksMarkdown, markdownReport, textReport } from './report.ts';
import { killServersOnExit, PINNED, type TargetId } from './targets.ts';

// The load generator (this process, all its threads) on core 1; servers go on core 0.
if (PINNED)
	execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });

killServersOnExit();

// HocuspocusProvider 4.7 closes a still-connecting socket without an 'error' listener when a
// connection attempt fails under load; that must not end the whole benchmark.
process.on('uncaughtException', (error) => {
	console.error(`(client library error, ignored: ${error.message})`);
});

const profile: Profile = { ...(flag('smoke') ? SMOKE : FULL) };
const only = option('only');
if (only) profile.targets = only.split(',') as TargetId[];
for (const arg of ARGS) {
	const w2 = /^--w2=(\d+)x(\d+)(?:,(\d+))?$/.exec(arg);
	if (w2 && profile.w2)
		profile.w2 = {
			...profile.w2,
			shape: { rooms: Number(w2[1]), subscribers: Number(w2[2]) },
			repeats: Number(w2[3] ?? profile.w2.repeats)
		};
	const skip = /^--skip=(.*)$/.exec(arg)?.[1];
	if (skip)
		for (const w of skip.split(','))
			(profile as Record<string, unknown>)[w] = w === 'w1' ? [] : null;
}

const checksOnly = flag('checks');
if (checksOnly)
	Object.assign(profile, { targets: ['ours'], w1: [], w2: null, w3: null, w4: null, w5: null });

const result = await runBenchmark(profile, (line) => console.log(line));
const file = writeRawFigures(`relay-${profile.name}`, result.startedAt, result);
console.log(`\n${textReport(result)}\n\nRaw figures: ${file}`);

if (flag('doc')) {
	if (checksOnly) writeDocBlock('bench:checks', checksMarkdown(result));
	else writeDocBlock('bench:relay', markdownReport(result));
}
// Providers and timers of failed runs must not keep the process alive.
process.exit(0);
