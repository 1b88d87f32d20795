/**
 * `npm run bench:guard`: how long the relay's write guard takes over a long update (a chain of
 * unmerged comments, as an offline phone's pushes arrive when nothing merged them), at three
 * lengths. The check must grow linearly with the chain: ten times the comments, about ten times
 * the time (a quadratic check would take a hundred). Figures in docs/benchmarks.md.
 */
import * as Y from 'yjs';
import { writeRulesOf } from '../../src/lib/wire/write-rules-of.ts';
import { checkUpdate } from '../../sync-server/write-guard.ts';
import { commentChain, timelineOf, writeCase } from '../../sync-server/write-rules-fixture.ts';

const RUNS = 5;
const writer = { memberId: 'm-vol', name: 'Vol', role: 'volunteer', grids: [] } as const;
const target = { kind: 'board', id: 'g1' } as const;

/** The least time of RUNS checks of a chain of `count` comments, in ms. */
function timeChain(count: number): number {
	let best = Infinity;
	for (let run = 0; run < RUNS; run++) {
		const doc = new Y.Doc();
		writeCase(doc, 'k3', writer.name);
		const update = commentChain(0x3c4a1, timelineOf(doc, 'k3')._item!.id, count, writer.name);
		const started = performance.now();
		const verdict = checkUpdate(doc, Y.decodeUpdate(update), writeRulesOf(target), writer, target);
		const took = performance.now() - started;
		if (!verdict.ok) throw new Error(`a chain of ${count} was refused: ${verdict.reason}`);
		best = Math.min(best, took);
	}
	return best;
}

const measure = (count: number) => ({ count, ms: timeChain(count) });
const small = measure(2_000);
const large = measure(20_000);
const larger = measure(40_000);
for (const { count, ms } of [small, large, larger]) {
	console.log(`${String(count).padStart(6)} comments: ${ms.toFixed(1)} ms (best of ${RUNS})`);
}
console.log(
	`20,000 / 2,000: ${(large.ms / small.ms).toFixed(1)}× (linear ≈ 10×, quadratic ≈ 100×)`
);
