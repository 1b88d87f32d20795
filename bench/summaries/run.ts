/**
 * `npm run bench:summaries`: the community board of `--grids` grids × `--cases` cases opened from
 * device storage with the relay unreachable — how soon its first rows show (drawn from the boards'
 * summaries) and how soon every board is live — and how long a board's summary takes to follow
 * an edit (the work the document session does in the edit's own transaction).
 *
 *   node bench/summaries/run.ts [--grids 12] [--cases 1000] [--runs 5]
 *
 * Method: builds the boards with the app's model commands (bench/board/seed.ts, shared with
 * bench:board), stores them in a temporary relay DATA_DIR and in the page's IndexedDB (local-store format, no summaries; the shared
 * harness, bench/app-harness.ts, as bench:board and bench:map), signs the page in,
 * and opens the community board once (warm-up: every board loads and stores its summary beside
 * it). Then `--runs` times: a fresh page load of `/c/<id>/board` with the relay's WebSocket
 * blocked; the figures are the time from navigation start to the first case row in the DOM (and
 * the frame after it), and to the moment every board is live (`data-live`). The first ten rows'
 * ids at the first row and once live must be the same (no jump). Then `--runs` fresh loads of the
 * dashboard (`/c/<id>/dashboard`, this month) the same way: the time from navigation start to the
 * frame after the totals row shows figures (its open count must equal the seeded open cases; issue
 * 19's target: ≤ 500 ms). The edit figure: Node, one board
 * of `--cases` cases, `summarizeBoard` in `afterTransaction` after each of 200 edits (status
 * changes and title edits), median and worst.
 *
 * Needs a built app (`npm run build`; built here when `build/` is missing). Raw figures go to
 * bench/results/summaries-<time>.json.
 */
import { serialize } from 'node:v8';
import * as Y from 'yjs';
import { boardDocName, directoryDocName } from '../../src/lib/wire/index.ts';
import { loadUntil, machine, median, option, startBenchApp, writeResults } from '../app-harness.ts';
import { seedCommunity } from '../board/seed.ts';

type Summary = typeof import('../../src/lib/model/summary/index.ts');
type Case = typeof import('../../src/lib/model/case/index.ts');
const { summarizeBoard }: Summary = await import('../../src/lib/model/summary/index.ts');
const caseModel: Case = await import('../../src/lib/model/case/index.ts');

const GRIDS = option('grids', 12);
const CASES = option('cases', 1000);
const RUNS = option('runs', 5);

const ms = (value: number) => `${value < 10 ? value.toFixed(2) : Math.round(value)} ms`;

/** How long a board's summary takes to follow an edit, as the document session does it. */
function editFigures(update: Uint8Array) {
	const doc = new Y.Doc();
	Y.applyUpdate(doc, update);
	let started = 0;
	const times: number[] = [];
	summarizeBoard(doc);
	doc.on('afterTransaction', () => {
		summarizeBoard(doc);
		times.push(performance.now() - started);
	});
	const ids = caseModel.listCases(doc).map((item) => item.id);
	const authority = {
		claims: { cid: 'b', role: 'secretary', grids: [] },
		memberId: '',
		gridId: 'g'
	};
	const context = { actor: { name: '李书记', deviceId: 'd-bench' }, authority } as never;
	for (let i = 0; i < 200; i++) {
		const id = ids[(i * 37) % ids.length]!;
		started = performance.now();
		if (i % 2) caseModel.editCaseField(doc, id, 'title', `楼道灯不亮 ${i}`, context);
		else caseModel.addCaseComment(doc, id, `已联系物业 ${i}`, context);
	}
	if (process.env.BENCH_DEBUG) console.log(times.map((t) => t.toFixed(1)).join(' '));
	const sorted = [...times].sort((a, b) => a - b);
	return {
		medianMs: median(times),
		p95Ms: sorted[Math.floor(sorted.length * 0.95)]!,
		maxMs: Math.max(...times),
		bytes: serialize(summarizeBoard(doc)).byteLength,
		documentBytes: update.byteLength
	};
}

async function main(): Promise<void> {
	const communityId = 'bench-summaries';
	const seedStart = performance.now();
	const data = seedCommunity(communityId, GRIDS, CASES);
	const openCases = data.boards.reduce((sum, board) => sum + board.open, 0);
	console.log(
		`${GRIDS} boards × ${CASES} cases built in ${ms(performance.now() - seedStart)} ` +
			`(${openCases} open in all)`
	);
	const edit = editFigures(data.boards[0]!.update);
	console.log(
		`A summary follows an edit in ${ms(edit.medianMs)} (median of 200; 95th percentile ${ms(edit.p95Ms)}, worst ${ms(edit.maxMs)}); ` +
			`summary ${(edit.bytes / 1024).toFixed(1)} KB beside a ${(edit.documentBytes / 1024 / 1024).toFixed(1)} MB document`
	);

	const rows: [string, Uint8Array][] = [
		[directoryDocName(communityId), data.directory],
		...data.boards.map((board): [string, Uint8Array] => [
			boardDocName(communityId, board.gridId),
			board.update
		])
	];
	// Opened from device storage: the relay is unreachable.
	const app = await startBenchApp({ name: 'summaries', communityId, docs: rows, offline: true });
	const { browser, context, page } = app;
	try {
		await context.addInitScript(() => {
			const marks: Record<string, unknown> = {};
			(window as unknown as { __marks: Record<string, unknown> }).__marks = marks;
			const firstIds = () =>
				[...document.querySelectorAll('[data-testid="case-row"]')]
					.slice(0, 10)
					.map((row) => row.getAttribute('data-case-id'));
			new MutationObserver((_, observer) => {
				if (marks.mounted === undefined && document.querySelector('[data-testid="board-count"]')) {
					marks.mounted = performance.now();
				}
				if (marks.firstRow === undefined && document.querySelector('[data-testid="case-row"]')) {
					marks.firstRow = performance.now();
					marks.firstIds = firstIds();
					marks.liveAtFirstRow =
						document.querySelector('[data-testid="board-count"]')?.getAttribute('data-live') ===
						'true';
					requestAnimationFrame(() => (marks.firstFrame = performance.now()));
				}
				const live =
					document.querySelector('[data-testid="board-count"]')?.getAttribute('data-live') ===
					'true';
				if (live && marks.firstRow !== undefined) {
					marks.live = performance.now();
					marks.liveIds = firstIds();
					observer.disconnect();
				}
			}).observe(document, { childList: true, subtree: true, attributes: true });
		});

		const url = `${app.origin}/c/${communityId}/board`;
		const runs: {
			mounted: number;
			firstRow: number;
			firstFrame: number;
			live: number;
			fromSummaries: boolean;
		}[] = [];
		for (let run = 0; run <= RUNS; run++) {
			await page.goto('about:blank');
			const marks = await loadUntil<{
				mounted: number;
				firstRow: number;
				firstFrame: number;
				live: number;
				firstIds: string[];
				liveIds: string[];
				liveAtFirstRow: boolean;
			}>(page, url, { global: '__marks', until: ['live', 'firstFrame'], timeout: 120_000 });
			const total = Number(await page.getAttribute('[data-testid="board-count"]', 'data-total'));
			if (total !== openCases) throw new Error(`the board counts ${total}, expected ${openCases}`);
			// Without summaries (the warm-up) each board adds its rows as it loads, as before.
			if (run > 0 && JSON.stringify(marks.firstIds) !== JSON.stringify(marks.liveIds)) {
				throw new Error(`the first rows changed when the boards went live`);
			}
			if (run === 0) {
				// Every board has stored its summary once it loaded: wait for them on disk.
				await page.waitForFunction(
					async (names) => {
						const read = (name: string) =>
							new Promise<boolean>((resolve) => {
								const request = indexedDB.open(`gridboard:${name}`);
								request.onsuccess = () => {
									const tx = request.result.transaction('meta', 'readonly');
									const get = tx.objectStore('meta').get('summary');
									tx.oncomplete = () => (request.result.close(), resolve(get.result != null));
								};
								request.onerror = () => resolve(false);
							});
						return (await Promise.all(names.map(read))).every(Boolean);
					},
					rows.slice(1).map(([name]) => name),
					{ timeout: 60_000 }
				);
			}
			const label = run === 0 ? 'warm-up (no summaries yet)' : `run ${run}`;
			console.log(
				`${label}: screen mounted ${ms(marks.mounted)}, first row ${ms(marks.firstRow)} ` +
					`(${ms(marks.firstFrame - marks.mounted)} after mounting, painted), ` +
					`every board live ${ms(marks.live)}`
			);
			if (run > 0) runs.push({ ...marks, fromSummaries: !marks.liveAtFirstRow });
		}
		// The dashboard of the same community from device storage: the figures painted.
		await context.addInitScript(() => {
			const marks: Record<string, number> = {};
			(window as unknown as { __dash: Record<string, number> }).__dash = marks;
			new MutationObserver((_, observer) => {
				if (marks.mounted === undefined && document.querySelector('[data-testid="period-week"]')) {
					marks.mounted = performance.now();
				}
				const total = document.querySelector('[data-testid="grid-figures-total"] td');
				if (marks.figures === undefined && total && total.textContent?.trim() !== '—') {
					marks.figures = performance.now();
					requestAnimationFrame(() => (marks.painted = performance.now()));
					observer.disconnect();
				}
			}).observe(document, { childList: true, subtree: true, characterData: true });
		});
		const dashboardRuns: { mounted: number; figures: number; painted: number }[] = [];
		for (let run = 0; run <= RUNS; run++) {
			await page.goto('about:blank');
			const marks = await loadUntil<{ mounted: number; figures: number; painted: number }>(
				page,
				`${app.origin}/c/${communityId}/dashboard`,
				{ global: '__dash', until: ['painted'], timeout: 120_000 }
			);
			const open = await page.textContent('[data-testid="grid-figures-total"] td:nth-of-type(3)');
			if (Number(open) !== openCases)
				throw new Error(`the dashboard counts ${open} open, expected ${openCases}`);
			console.log(
				`dashboard ${run === 0 ? 'warm-up' : `run ${run}`}: mounted ${ms(marks.mounted)}, ` +
					`figures painted ${ms(marks.painted)} (${ms(marks.painted - marks.mounted)} after mounting)`
			);
			if (run > 0) dashboardRuns.push(marks);
		}
		const dashboard = {
			medianPaintedMs: Math.round(median(dashboardRuns.map((r) => r.painted))),
			maxPaintedMs: Math.round(Math.max(...dashboardRuns.map((r) => r.painted))),
			medianMountToPaintedMs: Math.round(median(dashboardRuns.map((r) => r.painted - r.mounted)))
		};
		console.log(
			`\nDashboard, ${GRIDS} × ${CASES} cases from device storage: figures painted ` +
				`${ms(dashboard.medianPaintedMs)} after navigation (max ${ms(dashboard.maxPaintedMs)}), ` +
				`${ms(dashboard.medianMountToPaintedMs)} after the screen mounted.`
		);

		const summary = {
			grids: GRIDS,
			casesPerGrid: CASES,
			openCases,
			runs: runs.length,
			medianMountedMs: Math.round(median(runs.map((r) => r.mounted))),
			medianFirstRowMs: Math.round(median(runs.map((r) => r.firstRow))),
			medianMountToPaintedMs: Math.round(median(runs.map((r) => r.firstFrame - r.mounted))),
			maxMountToPaintedMs: Math.round(Math.max(...runs.map((r) => r.firstFrame - r.mounted))),
			medianFirstFrameMs: Math.round(median(runs.map((r) => r.firstFrame))),
			maxFirstFrameMs: Math.round(Math.max(...runs.map((r) => r.firstFrame))),
			medianLiveMs: Math.round(median(runs.map((r) => r.live))),
			allFromSummaries: runs.every((r) => r.fromSummaries),
			dashboard,
			editMedianMs: Number(edit.medianMs.toFixed(2)),
			editP95Ms: Number(edit.p95Ms.toFixed(2)),
			editMaxMs: Number(edit.maxMs.toFixed(2)),
			summaryBytes: edit.bytes,
			documentBytes: edit.documentBytes,
			machine: machine(),
			chromium: browser.version()
		};
		console.log(
			`\nCommunity board, ${GRIDS} × ${CASES} cases from device storage: first rows painted ` +
				`${ms(summary.medianMountToPaintedMs)} after the screen mounted (max ` +
				`${ms(summary.maxMountToPaintedMs)}); ${ms(summary.medianFirstFrameMs)} after navigation ` +
				`(app start included); every board live ${ms(summary.medianLiveMs)}.`
		);
		console.log(`Raw figures: ${writeResults('summaries', { summary, runs })}`);
	} finally {
		await app.close();
	}
}

await main();
