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
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { createCommunity } from '../../sync-server/identity.ts';
import { SqliteIdentityStore } from '../../sync-server/identity-sqlite.ts';
import { SqliteStore } from '../../sync-server/storage/sqlite.ts';
import { KeyRing } from '../../sync-server/tokens.ts';
import { boardDocName, directoryDocName } from '../../src/lib/wire/index.ts';
import { startRelayProcess } from '../relay-process.ts';
import { seedBoard } from './seed.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

function option(name: string, fallback: number): number {
	const index = process.argv.indexOf(`--${name}`);
	const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
	if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name}: a positive integer`);
	return value;
}

const CASES = option('cases', 10_000);
const RUNS = option('runs', 7);
const OFFLINE = process.argv.includes('--offline');
/** Records a CPU profile of the last run and prints the functions with the most self time. */
const PROFILE = process.argv.includes('--profile');

type ProfileNode = {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
};

function hottest(profile: { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] }) {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const self = new Map<string, number>();
	(profile.samples ?? []).forEach((id, i) => {
		const frame = byId.get(id)?.callFrame;
		if (!frame) return;
		const file = frame.url.split('/').pop() ?? '';
		const name = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
		self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000);
	});
	return [...self].sort((a, b) => b[1] - a[1]).slice(0, 20);
}

const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const ms = (value: number) => `${Math.round(value)} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function ensureBuild(): void {
	if (fs.existsSync(path.join(ROOT, 'build', '200.html'))) return;
	console.log('No build/ yet: building the app (npm run build)…');
	const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
	if (built.status !== 0) throw new Error('npm run build failed');
}

function startRelay(dataDir: string) {
	return startRelayProcess({ DATA_DIR: dataDir, STATIC_DIR: 'build' });
}

const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

async function main(): Promise<void> {
	ensureBuild();
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-bench-board-'));
	const communityId = 'bench-board';

	const seedStart = performance.now();
	const data = seedBoard(communityId, CASES);
	const seedMs = performance.now() - seedStart;
	console.log(
		`Board of ${data.cases} cases built in ${ms(seedMs)}: update ${mb(data.board.byteLength)}`
	);
	const directoryDoc = directoryDocName(communityId);
	const boardDoc = boardDocName(communityId, data.gridId);

	new KeyRing(dataDir);
	const docs = new SqliteStore(dataDir);
	docs.appendBatch([
		{ doc: directoryDoc, update: data.directory },
		{ doc: boardDoc, update: data.board }
	]);
	docs.close();
	const identities = new SqliteIdentityStore(dataDir);
	const { code } = createCommunity(identities, 'Benchmark', communityId);
	identities.close();

	const { child, origin } = await startRelay(dataDir);
	const browser = await chromium.launch({
		executablePath: fs.existsSync(CHROMIUM) ? CHROMIUM : undefined,
		args: ['--disable-background-networking', '--disable-component-update', '--no-first-run']
	});
	try {
		const deviceId = 'bench-device';
		const joined = await fetch(`${origin}/api/join`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ code, displayName: '李书记', deviceId })
		});
		if (!joined.ok) throw new Error(`join: ${joined.status} ${await joined.text()}`);
		const membership = await joined.json();

		const context = await browser.newContext({
			viewport: { width: 360, height: 740 },
			deviceScaleFactor: 2,
			isMobile: true,
			hasTouch: true,
			locale: 'zh-CN',
			serviceWorkers: 'block'
		});
		if (OFFLINE) await context.routeWebSocket(/\/sync/, (ws) => ws.close());
		const page = await context.newPage();
		page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
		if (process.env.BENCH_DEBUG) page.on('console', (m) => console.error(`console: ${m.text()}`));

		// Seed this origin's storage from a page that does not run the app.
		await page.goto(`${origin}/health`);
		await page.evaluate(
			async ({ credential, deviceId, rows }) => {
				localStorage.setItem('gridboard:credential', JSON.stringify(credential));
				localStorage.setItem('gridboard:deviceId', deviceId);
				const decode = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
				for (const [docName, base64] of rows) {
					await new Promise<void>((resolve, reject) => {
						const request = indexedDB.open(`gridboard:${docName}`, 1);
						request.onupgradeneeded = () => {
							request.result.createObjectStore('updates', { autoIncrement: true });
							request.result.createObjectStore('meta');
						};
						request.onerror = () => reject(request.error);
						request.onsuccess = () => {
							const db = request.result;
							const tx = db.transaction('updates', 'readwrite');
							tx.objectStore('updates').add(decode(base64));
							tx.oncomplete = () => (db.close(), resolve());
							tx.onerror = () => reject(tx.error);
						};
					});
				}
			},
			{
				credential: membership,
				deviceId,
				rows: [
					[directoryDoc, toBase64(data.directory)],
					[boardDoc, toBase64(data.board)]
				] as [string, string][]
			}
		);

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
			if (profiling) {
				await cdp.send('Profiler.enable');
				await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
				await cdp.send('Profiler.start');
			}
			await page.goto(boardUrl);
			await page.waitForFunction(
				() => (window as unknown as { __board: { firstFrame?: number } }).__board.firstFrame,
				undefined,
				{ timeout: 60_000 }
			);
			const marks = await page.evaluate(() => ({
				...(window as unknown as { __board: { firstRow: number; firstFrame: number } }).__board,
				count: Number(
					document.querySelector('[data-testid="case-list"]')?.getAttribute('data-count')
				),
				rows: document.querySelectorAll('[data-testid="case-row"]').length
			}));
			if (profiling) {
				const { profile } = await cdp.send('Profiler.stop');
				console.log('Self time by function (ms), last run:');
				for (const [name, time] of hottest(profile))
					console.log(`  ${time.toFixed(0).padStart(6)}  ${name}`);
			}
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
			machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load ${os
				.loadavg()
				.map((l) => l.toFixed(2))
				.join(' ')}`,
			chromium: browser.version()
		};
		console.log(
			`\nBoard of ${summary.cases} cases${OFFLINE ? ' (relay unreachable)' : ''}: ` +
				`median ${ms(summary.medianFirstRowMs)} to the first row, ` +
				`${ms(summary.medianFirstFrameMs)} to the painted list ` +
				`(min ${ms(summary.minFirstFrameMs)}, max ${ms(summary.maxFirstFrameMs)}, ${summary.runs} runs); ` +
				`JS heap ${summary.medianHeapUsedMB} MB; ${summary.rowsInDom} rows in the DOM.`
		);
		const resultsDir = path.join(ROOT, 'bench', 'results');
		fs.mkdirSync(resultsDir, { recursive: true });
		const file = path.join(
			resultsDir,
			`board-${new Date().toISOString().replace(/[:.]/g, '-')}.json`
		);
		fs.writeFileSync(file, JSON.stringify({ summary, runs }, null, '\t') + '\n');
		console.log(`Raw figures: ${path.relative(ROOT, file)}`);
	} finally {
		await browser.close();
		child.kill('SIGTERM');
		fs.rmSync(dataDir, { recursive: true, force: true });
	}
}

await main();
