/**
 * `npm run bench:board`: how fast a board of 10,000 cases opens from IndexedDB on a phone-sized
 * Chromium, and how much JavaScript heap it holds.
 *
 *   node bench/board/run.ts [--cases 10000] [--runs 7] [--offline]
 *
 * Method: builds the board with the app's model commands (seed.ts) and stores it in a temporary
 * relay DATA_DIR and in the page's IndexedDB (the app's local-store format: database
 * `gridboard:<docName>`, store `updates`, one row holding the encoded update), signs the page in
 * through `/api/join` (credential in localStorage, as the app keeps it), then loads the board URL
 * `--runs` times after one warm-up. Each load is a fresh document; the figure is the time from
 * navigation start to the first case row in the DOM, and to the next animation frame (the list
 * painted). Heap: Chromium's JSHeapUsedSize after a forced GC, with the board open. `--offline`
 * blocks the relay's WebSocket, so the board must open from IndexedDB alone.
 *
 * Needs a built app (`npm run build`; built here when `build/` is missing). Prints a summary and
 * writes raw figures to bench/results/board-<time>.json.
 */
import { boardDocName, directoryDocName } from '../../src/lib/wire/index.ts';
import {
	loadUntil,
	machine,
	median,
	ms,
	option,
	printProfile,
	startBenchApp,
	startProfile,
	writeResults
} from '../app-harness.ts';
import { seedBoard } from './seed.ts';

const CASES = option('cases', 10_000);
const RUNS = option('runs', 7);
const OFFLINE = process.argv.includes('--offline');
/** Records a CPU profile of the last run and prints the functions with the most self time. */
const PROFILE = process.argv.includes('--profile');

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
	const communityId = 'bench-board';

	const seedStart = performance.now();
	const data = seedBoard(communityId, CASES);
	const seedMs = performance.now() - seedStart;
	console.log(
		`Board of ${data.cases} cases built in ${ms(seedMs)}: update ${mb(data.board.byteLength)}`
	);
	const directoryDoc = directoryDocName(communityId);
	const boardDoc = boardDocName(communityId, data.gridId);

	const app = await startBenchApp({
		name: 'board',
		communityId,
		docs: [
			[directoryDoc, data.directory],
			[boardDoc, data.board]
		],
		offline: OFFLINE
	});
	const { browser, context, page, origin } = app;
	try {
		// Marks the first case row in the DOM and the frame after it, relative to navigation start.
		await context.addInitScript(() => {
			const marks: Record<string, number> = {};
			(window as unknown as { __board: Record<string, number> }).__board = marks;
			new MutationObserver((_, observer) => {
				if (!document.querySelector('[data-testid="case-row"]')) return;
				observer.disconnect();
				marks.firstRow = performance.now();
				requestAnimationFrame(() => (marks.firstFrame = performance.now()));
			}).observe(document, { childList: true, subtree: true });
		});

		const cdp = await context.newCDPSession(page);
		await cdp.send('Performance.enable');
		const boardUrl = `${origin}/c/${communityId}/g/${data.gridId}`;
		const runs: { firstRow: number; firstFrame: number; heapUsed: number; rows: number }[] = [];
		for (let run = 0; run <= RUNS; run++) {
			await page.goto('about:blank');
			const profiling = PROFILE && run === RUNS;
			if (profiling) await startProfile(cdp);
			const times = await loadUntil<{ firstRow: number; firstFrame: number }>(page, boardUrl, {
				global: '__board',
				until: ['firstFrame'],
				timeout: 60_000
			});
			const marks = await page.evaluate(
				(times) => ({
					...times,
					count: Number(
						document.querySelector('[data-testid="case-list"]')?.getAttribute('data-count')
					),
					rows: document.querySelectorAll('[data-testid="case-row"]').length
				}),
				times
			);
			if (profiling) await printProfile(cdp, 'last run');
			if (marks.count !== data.cases) {
				throw new Error(`the list shows ${marks.count} cases, expected ${data.cases}`);
			}
			await cdp.send('HeapProfiler.collectGarbage');
			const { metrics } = await cdp.send('Performance.getMetrics');
			const heapUsed = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
			const label = run === 0 ? 'warm-up' : `run ${run}`;
			console.log(
				`${label}: first row ${ms(marks.firstRow)}, painted ${ms(marks.firstFrame)}, ` +
					`heap ${mb(heapUsed)}, ${marks.rows} rows in the DOM`
			);
			if (run > 0) runs.push({ ...marks, heapUsed });
		}

		const summary = {
			cases: data.cases,
			runs: runs.length,
			offline: OFFLINE,
			medianFirstRowMs: Math.round(median(runs.map((r) => r.firstRow))),
			medianFirstFrameMs: Math.round(median(runs.map((r) => r.firstFrame))),
			minFirstFrameMs: Math.round(Math.min(...runs.map((r) => r.firstFrame))),
			maxFirstFrameMs: Math.round(Math.max(...runs.map((r) => r.firstFrame))),
			medianHeapUsedMB: Number((median(runs.map((r) => r.heapUsed)) / 1024 / 1024).toFixed(1)),
			rowsInDom: runs[0]?.rows ?? 0,
			updateBytes: data.board.byteLength,
			machine: machine(),
			chromium: browser.version()
		};
		console.log(
			`\nBoard of ${summary.cases} cases${OFFLINE ? ' (relay unreachable)' : ''}: ` +
				`median ${ms(summary.medianFirstRowMs)} to the first row, ` +
				`${ms(summary.medianFirstFrameMs)} to the painted list ` +
				`(min ${ms(summary.minFirstFrameMs)}, max ${ms(summary.maxFirstFrameMs)}, ${summary.runs} runs); ` +
				`JS heap ${summary.medianHeapUsedMB} MB; ${summary.rowsInDom} rows in the DOM.`
		);
		console.log(`Raw figures: ${writeResults('board', { summary, runs })}`);
	} finally {
		await app.close();
	}
}

await main();
