/**
 * `npm run bench:map`: the community map with 10,000 case pins on a phone-sized Chromium,
 * opened from the device's storage.
 *
 *   node bench/map/run.ts [--cases 10000] [--grids 12] [--runs 5] [--pan-frames 240] [--profile]
 *                         [--trace <file>]
 *
 * Method: builds a community of `--grids` grids and `--cases` cases, every one with a place in
 * its grid, and the map document with every grid's area and five buildings each (seed.ts, the
 * app's own model commands), stores the directory, the map and the boards in a temporary relay
 * DATA_DIR and in the page's IndexedDB (bench/app-harness.ts), blocks the relay's WebSocket (so
 * everything is read from the device), signs the page in, and opens the community map `--runs`
 * times after one warm-up.
 *
 * - Time to interactive: from the map screen's start (its first element in the DOM, after the
 *   app's own start, which is the same for every screen and has its budget in
 *   tests/first-load.spec.ts; bench:summaries and bench:households judge their screens so) to the
 *   first moment the map reports `idle` (maplibre has drawn every source and holds no pending
 *   work) with every pin in its source. Target ≤ 1 s. From navigation start is printed beside it.
 * - Panning: `--pan-frames` frames of a circular pan driven from requestAnimationFrame (one
 *   `panBy` per frame, as a finger drag does); the frame rate is 1000 / the median interval
 *   between frames. Target ≥ 30 fps. Then again with the CPU slowed 4× (Chromium's emulation):
 *   reported, not judged. Chromium runs with its frame-rate limit off, so frames are not paced
 *   to a 60 Hz display (paced, every rate between 30 and 60 fps reads as 30).
 * - The WebGL renderer string (headless Chromium draws WebGL in software, SwiftShader).
 * - Grid areas and buildings drawn: distinct features in their fill layers at the fitted view.
 * - `--profile`: a CPU profile of the last load (functions by self time) and when each script
 *   was fetched, and the map's steps (created, style loaded, pins in its source, idle).
 *
 * Needs a built app (`npm run build`; built here when `build/` is missing). Prints a summary,
 * writes raw figures to bench/results/map-<time>.json and exits 1 naming a missed target.
 */
import type { Page } from '@playwright/test';
import { mapDocName } from '../../src/lib/wire/doc-names.ts';
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
import { seedMap } from './seed.ts';

const TARGET_INTERACTIVE_MS = 1000;
const TARGET_PAN_FPS = 30;

const CASES = option('cases', 10_000);
const GRIDS = option('grids', 12);
const RUNS = option('runs', 5);
const PAN_FRAMES = option('pan-frames', 240);
/** Records a CPU profile of the last load and prints the functions with the most self time. */
const PROFILE = process.argv.includes('--profile');
/** `--trace <file>`: writes a Chrome trace (every thread: page, map worker, GPU) of the last load. */
const TRACE = process.argv.includes('--trace')
	? process.argv[process.argv.indexOf('--trace') + 1]
	: undefined;

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

/** Grid areas and buildings the map drew (distinct features in their fill layers, on screen). */
async function renderedFeatures(page: Page): Promise<{ areas: number; buildings: number }> {
	return page.evaluate(() => {
		type MapLike = {
			queryRenderedFeatures(options: { layers: string[] }): { properties: { featureId: string } }[];
		};
		const map = (window as unknown as { __gridboardMaps: MapLike[] }).__gridboardMaps.at(-1)!;
		const count = (layer: string) =>
			new Set(map.queryRenderedFeatures({ layers: [layer] }).map((f) => f.properties.featureId))
				.size;
		return { areas: count('grids-fill'), buildings: count('buildings-fill') };
	});
}

async function main(): Promise<void> {
	const communityId = 'bench-map';
	const seedStart = performance.now();
	// Every case open and placed: the community map (open cases) shows all of them.
	const data = seedMap({ communityId, grids: GRIDS, cases: CASES, placed: 1, resolveSome: false });
	const { isOpenStatus } = await import('../../src/lib/domain/case-status.ts');
	const placed = data.cases.filter(
		(c) => c.point && isOpenStatus(c.status as Parameters<typeof isOpenStatus>[0])
	).length;
	console.log(
		`${data.cases.length} cases (${placed} placed) in ${GRIDS} grids, ${data.areas.length} grid ` +
			`areas and ${data.buildings.length} buildings, built in ${ms(performance.now() - seedStart)}`
	);
	const app = await startBenchApp({
		name: 'map',
		communityId,
		docs: [
			[directoryDocName(communityId), data.directory],
			[mapDocName(communityId), data.map],
			...data.boards.map((b): [string, Uint8Array] => [
				boardDocName(communityId, b.gridId),
				b.update
			])
		],
		// Everything from the device: the relay's WebSocket is closed at once.
		offline: true,
		// Frames as fast as the page draws them, not paced to a 60 Hz display: paced, a frame of
		// 17–33 ms counts as 33 ms and a pan reads exactly 30 or 60 fps, whatever the real rate.
		chromiumArgs: ['--disable-frame-rate-limit', '--disable-gpu-vsync']
	});
	const { browser, context, page, origin } = app;
	try {
		// The map opts in to the benchmark's probe; the first idle map holding every pin is marked.
		await context.addInitScript((pins) => {
			const marks: Record<string, number> = {};
			/** What the map element and the map did, in order (printed with --profile). */
			const steps: string[] = [];
			const at = (what: string) => steps.push(`${Math.round(performance.now())} ms ${what}`);
			type Probe = { on(event: string, listener: () => void): void };
			const maps: Probe[] = [];
			const push = maps.push.bind(maps);
			maps.push = (...added: Probe[]) => {
				at('map created');
				for (const map of added) {
					map.on('load', () => at('map load (style ready)'));
					map.on('idle', () => at('map idle'));
				}
				return push(...added);
			};
			const w = window as unknown as { __gridboardMaps: unknown[]; __map: typeof marks };
			w.__gridboardMaps = maps;
			w.__map = marks;
			(window as unknown as { __mapSteps: string[] }).__mapSteps = steps;
			let lastState = '';
			let lastCount = '';
			new MutationObserver((_, observer) => {
				const count = document.querySelector('[data-testid="map-count"]')?.textContent ?? '';
				if (count.replace(/\s+/g, ' ').trim() !== lastCount) {
					at(`count "${(lastCount = count.replace(/\s+/g, ' ').trim())}"`);
				}
				const map = document.querySelector('[data-testid="map"]');
				if (
					marks.mounted === undefined &&
					document.querySelector('[data-testid="map-loading"], [data-testid="map"]')
				) {
					marks.mounted = performance.now();
				}
				if (map && marks.mapShown === undefined) marks.mapShown = performance.now();
				const state = `${map?.getAttribute('data-state')} ${map?.getAttribute('data-pins')}`;
				if (map && state !== lastState) at(`element ${(lastState = state)}`);
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
			mounted: number;
			mapShown: number;
			firstPins: number;
			fps: number;
			worstFrameMs: number;
		}[] = [];
		let renderer = '';
		let drawn = { areas: 0, buildings: 0 };
		for (let run = 0; run <= RUNS; run++) {
			await page.goto('about:blank');
			const profiling = PROFILE && run === RUNS;
			if (profiling) await startProfile(cdp);
			const tracing = TRACE && run === RUNS;
			if (tracing) await browser.startTracing(page, { path: TRACE, screenshots: false });
			const marks = await loadUntil<{
				interactive: number;
				mounted: number;
				mapShown: number;
				firstPins: number;
			}>(page, mapUrl, { global: '__map', until: ['interactive'], timeout: 120_000 });
			if (tracing) {
				await browser.stopTracing();
				console.log(`Chrome trace of the last load: ${TRACE} (chrome://tracing, Perfetto)`);
			}
			if (profiling) {
				await printProfile(cdp, 'last load');
				const scripts = await page.evaluate(() =>
					(performance.getEntriesByType('resource') as PerformanceResourceTiming[])
						.filter((e) => /\.(m?js)$/.test(e.name))
						.map(
							(e) =>
								`${Math.round(e.startTime)}–${Math.round(e.responseEnd)} ms ${e.name.split('/').pop()}`
						)
				);
				console.log('Scripts fetched (from navigation start):');
				for (const line of scripts) console.log(`  ${line}`);
				const steps = await page.evaluate(() => [
					...(window as unknown as { __mapSteps: string[] }).__mapSteps,
					...performance
						.getEntriesByType('mark')
						.map((e) => `${Math.round(e.startTime)} ms ${e.name}`)
				]);
				steps.sort((a, b) => parseInt(a) - parseInt(b));
				console.log('The map, step by step:');
				for (const line of steps) console.log(`  ${line}`);
			}
			renderer = (await page.getByTestId('map').getAttribute('data-renderer')) ?? '';
			drawn = await renderedFeatures(page);
			const pan = await panFps(page, PAN_FRAMES);
			const label = run === 0 ? 'warm-up' : `run ${run}`;
			console.log(
				`${label}: screen mounted ${ms(marks.mounted)}, map shown ${ms(marks.mapShown)}, ` +
					`first pins ${ms(marks.firstPins)}, interactive ${ms(marks.interactive)} ` +
					`(${ms(marks.interactive - marks.mounted)} after mounting), panning ${pan.fps.toFixed(1)} fps ` +
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
			gridAreasDrawn: drawn.areas,
			buildingsDrawn: drawn.buildings,
			runs: runs.length,
			medianInteractiveMs: Math.round(median(runs.map((r) => r.interactive - r.mounted))),
			maxInteractiveMs: Math.round(Math.max(...runs.map((r) => r.interactive - r.mounted))),
			medianMountedMs: Math.round(median(runs.map((r) => r.mounted))),
			medianFromNavigationMs: Math.round(median(runs.map((r) => r.interactive))),
			medianPanFps: Number(median(runs.map((r) => r.fps)).toFixed(1)),
			medianPanFpsCpu4x: Number(median(slow.map((s) => s.fps)).toFixed(1)),
			renderer,
			machine: machine(),
			chromium: browser.version()
		};
		console.log(
			`\nMap of ${summary.pins} pins in ${GRIDS} grids (from the device): interactive ` +
				`${ms(summary.medianInteractiveMs)} after the screen mounted (median of ${summary.runs}, max ` +
				`${ms(summary.maxInteractiveMs)}; from navigation start ${ms(summary.medianFromNavigationMs)}, ` +
				`the screen mounted at ${ms(summary.medianMountedMs)}); panning ${summary.medianPanFps} fps, ` +
				`${summary.medianPanFpsCpu4x} fps with the CPU slowed 4× (not judged).\n` +
				`Renderer: ${renderer}${/swiftshader/i.test(renderer) ? ' (software WebGL)' : ''}.\n` +
				`Drawn at the fitted view: ${drawn.areas} of ${data.areas.length} grid areas, ` +
				`${drawn.buildings} of ${data.buildings.length} buildings (from the map document).\n` +
				`Machine: ${summary.machine}.`
		);
		console.log(`Raw figures: ${writeResults('map', { summary, runs, slow })}`);

		const missed: string[] = [];
		if (summary.medianInteractiveMs > TARGET_INTERACTIVE_MS) {
			missed.push(
				`interactive ${summary.medianInteractiveMs} ms after mounting > ${TARGET_INTERACTIVE_MS} ms`
			);
		}
		if (summary.medianPanFps < TARGET_PAN_FPS) {
			missed.push(`panning ${summary.medianPanFps} fps < ${TARGET_PAN_FPS} fps`);
		}
		for (const target of missed) console.error(`target missed: ${target}`);
		if (missed.length > 0) process.exitCode = 1;
	} finally {
		await app.close();
	}
}

await main();
