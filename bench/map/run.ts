/**
 * `npm run bench:map`: the community map with 10,000 case pins on a phone-sized Chromium,
 * opened from the device's storage.
 *
 *   node bench/map/run.ts [--cases 10000] [--grids 12] [--runs 5] [--pan-frames 240]
 *
 * Method: builds a community of `--grids` grids and `--cases` cases, every one with a place in
 * its grid (seed.ts, the app's own model commands), stores the directory and the boards in a
 * temporary relay DATA_DIR and in the page's IndexedDB (the app's local-store format), blocks
 * the relay's WebSocket (so everything is read from the device), signs the page in, and opens
 * the community map `--runs` times after one warm-up.
 *
 * - Time to interactive: navigation start to the first moment the map reports `idle` (maplibre
 *   has drawn every source and holds no pending work) with every pin in its source. Target ≤ 1 s.
 * - Panning: `--pan-frames` frames of a circular pan driven from requestAnimationFrame (one
 *   `panBy` per frame, as a finger drag does); the frame rate is 1000 / the median interval
 *   between frames. Target ≥ 30 fps. Then again with the CPU slowed 4× (Chromium's emulation):
 *   reported, not judged.
 * - The WebGL renderer string (headless Chromium draws WebGL in software, SwiftShader).
 *
 * The 60 buildings and 12 grid areas of seed.ts are drawn only once the map document is plugged
 * in (src/lib/screens/map/map-document.ts); until then the summary says they were not drawn.
 *
 * Needs a built app (`npm run build`; built here when `build/` is missing). Prints a summary,
 * writes raw figures to bench/results/map-<time>.json and exits 1 naming a missed target.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { createCommunity } from '../../sync-server/identity.ts';
import { SqliteIdentityStore } from '../../sync-server/identity-sqlite.ts';
import { SqliteStore } from '../../sync-server/storage/sqlite.ts';
import { KeyRing } from '../../sync-server/tokens.ts';
import { boardDocName, directoryDocName } from '../../src/lib/wire/index.ts';
import { startRelayProcess } from '../relay-process.ts';
import { seedMap } from './seed.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const TARGET_INTERACTIVE_MS = 1000;
const TARGET_PAN_FPS = 30;

function option(name: string, fallback: number): number {
	const index = process.argv.indexOf(`--${name}`);
	const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
	if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name}: a positive integer`);
	return value;
}

const CASES = option('cases', 10_000);
const GRIDS = option('grids', 12);
const RUNS = option('runs', 5);
const PAN_FRAMES = option('pan-frames', 240);

const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const ms = (value: number) => `${Math.round(value)} ms`;
const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function ensureBuild(): void {
	if (fs.existsSync(path.join(ROOT, 'build', '200.html'))) return;
	console.log('No build/ yet: building the app (npm run build)…');
	const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
	if (built.status !== 0) throw new Error('npm run build failed');
}

/** Pans in a circle for `frames` animation frames; returns the frame rate from the median interval. */
async function panFps(page: Page, frames: number): Promise<{ fps: number; worstMs: number }> {
	return page.evaluate(async (frames) => {
		type MapLike = { panBy(offset: [number, number], options: { animate: boolean }): void };
		const map = (window as unknown as { __gridboardMaps: MapLike[] }).__gridboardMaps.at(-1)!;
		const times: number[] = [];
		await new Promise<void>((resolve) => {
			const step = (time: number) => {
				times.push(time);
				const angle = (times.length / 60) * 2 * Math.PI;
				map.panBy([Math.cos(angle) * 8, Math.sin(angle) * 8], { animate: false });
				if (times.length > frames) resolve();
				else requestAnimationFrame(step);
			};
			requestAnimationFrame(step);
		});
		const intervals = times.slice(1).map((t, i) => t - times[i]!);
		const sorted = [...intervals].sort((a, b) => a - b);
		const mid = sorted[Math.floor(sorted.length / 2)]!;
		return { fps: 1000 / mid, worstMs: sorted[sorted.length - 1]! };
	}, frames);
}

async function main(): Promise<void> {
	ensureBuild();
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-bench-map-'));
	const communityId = 'bench-map';
	const seedStart = performance.now();
	// Every case open and placed: the community map (open cases) shows all of them.
	const data = seedMap({ communityId, grids: GRIDS, cases: CASES, placed: 1, resolveSome: false });
	const { isOpenStatus } = await import('../../src/lib/domain/case-status.ts');
	const placed = data.cases.filter(
		(c) => c.point && isOpenStatus(c.status as Parameters<typeof isOpenStatus>[0])
	).length;
	console.log(
		`${data.cases.length} cases (${placed} placed) in ${GRIDS} grids, ` +
			`${data.buildings.length} buildings, built in ${ms(performance.now() - seedStart)}`
	);
	const rows: [string, Uint8Array][] = [
		[directoryDocName(communityId), data.directory],
		...data.boards.map((b): [string, Uint8Array] => [boardDocName(communityId, b.gridId), b.update])
	];

	new KeyRing(dataDir);
	const docs = new SqliteStore(dataDir);
	docs.appendBatch(rows.map(([doc, update]) => ({ doc, update })));
	docs.close();
	const identities = new SqliteIdentityStore(dataDir);
	const { code } = createCommunity(identities, 'Benchmark', communityId);
	identities.close();

	const { child, origin } = await startRelayProcess({ DATA_DIR: dataDir, STATIC_DIR: 'build' });
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
		// Everything from the device: the relay's WebSocket is closed at once.
		await context.routeWebSocket(/\/sync/, (ws) => ws.close());
		const page = await context.newPage();
		page.on('pageerror', (error) => console.error(`page error: ${error.message}`));

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
				rows: rows.map(([name, update]): [string, string] => [name, toBase64(update)])
			}
		);

		// The map opts in to the benchmark's probe; the first idle map holding every pin is marked.
		await context.addInitScript((pins) => {
			const marks: Record<string, number> = {};
			const w = window as unknown as { __gridboardMaps: unknown[]; __map: typeof marks };
			w.__gridboardMaps = [];
			w.__map = marks;
			new MutationObserver((_, observer) => {
				const map = document.querySelector('[data-testid="map"]');
				if (map && marks.mapShown === undefined) marks.mapShown = performance.now();
				if (map && Number(map.getAttribute('data-pins')) > 0 && marks.firstPins === undefined) {
					marks.firstPins = performance.now();
				}
				if (map?.getAttribute('data-state') !== 'idle') return;
				if (map.getAttribute('data-pins') !== String(pins)) return;
				observer.disconnect();
				marks.interactive = performance.now();
			}).observe(document, { childList: true, subtree: true, attributes: true });
		}, placed);

		const cdp = await context.newCDPSession(page);
		const mapUrl = `${origin}/c/${communityId}/map`;
		const runs: {
			interactive: number;
			mapShown: number;
			firstPins: number;
			fps: number;
			worstFrameMs: number;
		}[] = [];
		let renderer = '';
		for (let run = 0; run <= RUNS; run++) {
			await page.goto('about:blank');
			await page.goto(mapUrl);
			await page.waitForFunction(
				() => (window as unknown as { __map: { interactive?: number } }).__map.interactive,
				undefined,
				{ timeout: 120_000 }
			);
			const marks = await page.evaluate(
				() =>
					(
						window as unknown as {
							__map: { interactive: number; mapShown: number; firstPins: number };
						}
					).__map
			);
			const interactive = marks.interactive;
			renderer = (await page.getByTestId('map').getAttribute('data-renderer')) ?? '';
			const pan = await panFps(page, PAN_FRAMES);
			const label = run === 0 ? 'warm-up' : `run ${run}`;
			console.log(
				`${label}: map shown ${ms(marks.mapShown)}, first pins ${ms(marks.firstPins)}, ` +
					`interactive ${ms(interactive)}, panning ${pan.fps.toFixed(1)} fps ` +
					`(worst frame ${ms(pan.worstMs)})`
			);
			if (run > 0) runs.push({ ...marks, fps: pan.fps, worstFrameMs: pan.worstMs });
		}

		await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
		const slow: { fps: number; worstMs: number }[] = [];
		for (let run = 0; run < 3; run++) slow.push(await panFps(page, PAN_FRAMES));
		await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
		console.log(`4× CPU slowdown: panning ${slow.map((s) => s.fps.toFixed(1)).join(' / ')} fps`);

		const summary = {
			cases: data.cases.length,
			pins: placed,
			grids: GRIDS,
			buildings: data.buildings.length,
			gridAreasAndBuildingsDrawn: false,
			runs: runs.length,
			medianInteractiveMs: Math.round(median(runs.map((r) => r.interactive))),
			maxInteractiveMs: Math.round(Math.max(...runs.map((r) => r.interactive))),
			medianPanFps: Number(median(runs.map((r) => r.fps)).toFixed(1)),
			medianPanFpsCpu4x: Number(median(slow.map((s) => s.fps)).toFixed(1)),
			renderer,
			machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load ${os
				.loadavg()
				.map((l) => l.toFixed(2))
				.join(' ')}`,
			chromium: browser.version()
		};
		console.log(
			`\nMap of ${summary.pins} pins in ${GRIDS} grids (from the device): interactive in ` +
				`${ms(summary.medianInteractiveMs)} (median of ${summary.runs}, max ` +
				`${ms(summary.maxInteractiveMs)}); panning ${summary.medianPanFps} fps, ` +
				`${summary.medianPanFpsCpu4x} fps with the CPU slowed 4× (not judged).\n` +
				`Renderer: ${renderer}${/swiftshader/i.test(renderer) ? ' (software WebGL)' : ''}.\n` +
				`Grid areas and buildings: not drawn (the map document is not plugged in yet).\n` +
				`Machine: ${summary.machine}.`
		);
		const resultsDir = path.join(ROOT, 'bench', 'results');
		fs.mkdirSync(resultsDir, { recursive: true });
		const file = path.join(
			resultsDir,
			`map-${new Date().toISOString().replace(/[:.]/g, '-')}.json`
		);
		fs.writeFileSync(file, JSON.stringify({ summary, runs, slow }, null, '\t') + '\n');
		console.log(`Raw figures: ${path.relative(ROOT, file)}`);

		const missed: string[] = [];
		if (summary.medianInteractiveMs > TARGET_INTERACTIVE_MS) {
			missed.push(`interactive ${summary.medianInteractiveMs} ms > ${TARGET_INTERACTIVE_MS} ms`);
		}
		if (summary.medianPanFps < TARGET_PAN_FPS) {
			missed.push(`panning ${summary.medianPanFps} fps < ${TARGET_PAN_FPS} fps`);
		}
		for (const target of missed) console.error(`target missed: ${target}`);
		if (missed.length > 0) process.exitCode = 1;
	} finally {
		await browser.close();
		child.kill('SIGTERM');
		fs.rmSync(dataDir, { recursive: true, force: true });
	}
}

await main();
