/**
 * `npm run bench:load`: the first load on a weak link, in Chromium under its own network and CPU
 * emulation (default: 400 kbit/s down and up, 400 ms latency, CPU 4× slower).
 *
 *   node bench/load/run.ts [--runs 5] [--build build] [--label after] [--json] …  (options.ts)
 *
 * Method: starts the real relay (sync-server/main.ts) on a free port with a temporary DATA_DIR
 * serving `--build`, creates a community (identity store, as `npm run admin -- create-community`
 * does), a volunteer invite through the relay API, and signs a secretary in through `/api/join`.
 * Each run is a fresh Chromium profile (cold HTTP cache, no service worker):
 * 1. newcomer: opens the invite link (`/join#code`); first paint (first contentful paint: the boot
 *    bar counts), first real content (the join form drawn), the form working (its button enabled:
 *    the app's code has run), and the time until the service worker is activated (the app works
 *    offline from then on);
 * 2. returning user: the same profile signs in (credential in localStorage, as the app keeps it),
 *    opens the community home once at full speed (warm-up: IndexedDB and caches filled), then
 *    opens it again under emulation in a new tab; first paint, first real content (the home's
 *    heading drawn) and, not judged, its grids (the directory read from the device) drawn.
 * Real content is timed in the page itself (`watchShown`): the first animation frame in which the
 * element is laid out and visible, so the test driver's polling under the slowed CPU adds nothing.
 * The targets are judged on real content.
 * Bytes are what crossed the wire (CDP `encodedDataLength`, headers included) for the page and
 * its service worker: responses served by the service worker or the memory/disk cache count
 * zero, as they cost no network. The service worker's own target is throttled like the page,
 * through a browser-level CDP connection (cdp.ts), so its precache competes for the same link.
 *
 * Medians over `--runs`; `--json` prints the summary as JSON. Writes the raw figures to
 * bench/results/load-<time>.json; exits with status 1, naming them, when a target is missed. Needs a built app (`npm run build`; built here when missing).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type CDPSession, type Page } from '@playwright/test';
import { createCommunity, mintServiceToken } from '../../sync-server/identity.ts';
import { SqliteIdentityStore } from '../../sync-server/identity-sqlite.ts';
import { KeyRing } from '../../sync-server/tokens.ts';
import { startRelayProcess } from '../relay-process.ts';
import { CdpConnection } from './cdp.ts';
import {
	formatSummary,
	missedTargets,
	parseLoadArgs,
	summarize,
	type LoadOptions,
	type NewcomerRun,
	type ReturningRun
} from './options.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const TIMEOUT_MS = 120_000;

function ensureBuild(dir: string): void {
	if (fs.existsSync(path.join(dir, '200.html'))) return;
	if (path.resolve(dir) !== path.join(ROOT, 'build')) throw new Error(`${dir}: no 200.html`);
	console.log('No build/ yet: building the app (npm run build)…');
	const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
	if (built.status !== 0) throw new Error('npm run build failed');
}

function startRelay(dataDir: string, staticDir: string) {
	return startRelayProcess({ DATA_DIR: dataDir, STATIC_DIR: staticDir, BOOTSTRAP: 'off' });
}

async function api<T>(origin: string, urlPath: string, body: object, token?: string): Promise<T> {
	const response = await fetch(origin + urlPath, {
		method: 'POST',
		headers: {
			'content-type': 'application/json',
			...(token ? { authorization: `Bearer ${token}` } : {})
		},
		body: JSON.stringify(body)
	});
	if (!response.ok) throw new Error(`${urlPath}: ${response.status} ${await response.text()}`);
	return (await response.json()) as T;
}

/** Bytes over the wire, from the page's and the service worker's CDP network events. */
class Meter {
	total = 0;
	readonly #cached = new Set<string>();

	track(on: (event: string, listener: (params: Record<string, unknown>) => void) => void): void {
		on('Network.responseReceived', (params) => {
			const response = params.response as {
				fromServiceWorker?: boolean;
				fromDiskCache?: boolean;
				fromPrefetchCache?: boolean;
			};
			if (response.fromServiceWorker || response.fromDiskCache || response.fromPrefetchCache) {
				this.#cached.add(String(params.requestId));
			}
		});
		on('Network.requestServedFromCache', (params) => this.#cached.add(String(params.requestId)));
		on('Network.loadingFinished', (params) => {
			if (this.#cached.has(String(params.requestId))) return;
			this.total += Number(params.encodedDataLength ?? 0);
		});
	}
}

type Link = { down: number; up: number; latency: number; cpu: number };

function conditions(link: Link | null) {
	return link
		? {
				offline: false,
				latency: link.latency,
				downloadThroughput: (link.down * 1000) / 8,
				uploadThroughput: (link.up * 1000) / 8
			}
		: { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 };
}

/** A Chromium profile whose page tabs and service workers all go through the emulated link. */
class Profile {
	#link: Link | null = null;
	readonly #serviceWorkerMeter = new Meter();
	readonly #swSessions = new Set<string>();

	readonly context: BrowserContext;
	readonly cdp: CdpConnection;
	readonly dir: string;

	private constructor(context: BrowserContext, cdp: CdpConnection, dir: string) {
		this.context = context;
		this.cdp = cdp;
		this.dir = dir;
		cdp.on('Target.attachedToTarget', (params) => {
			const sessionId = String(params.sessionId);
			const info = params.targetInfo as { type: string };
			if (info.type !== 'service_worker') return;
			this.#swSessions.add(sessionId);
			void (async () => {
				await cdp.send('Network.enable', {}, sessionId);
				await cdp.send('Network.emulateNetworkConditions', conditions(this.#link), sessionId);
				await cdp.send('Runtime.runIfWaitingForDebugger', {}, sessionId);
			})().catch(() => undefined);
		});
		cdp.on('Target.detachedFromTarget', (params) =>
			this.#swSessions.delete(String(params.sessionId))
		);
		const forServiceWorkers = (
			event: string,
			listener: (params: Record<string, unknown>) => void
		) =>
			cdp.on(event, (params, sessionId) => {
				if (sessionId && this.#swSessions.has(sessionId)) listener(params);
			});
		this.#serviceWorkerMeter.track(forServiceWorkers);
	}

	static async launch(): Promise<Profile> {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-bench-load-'));
		const context = await chromium.launchPersistentContext(dir, {
			executablePath: fs.existsSync(CHROMIUM) ? CHROMIUM : undefined,
			viewport: { width: 360, height: 740 },
			deviceScaleFactor: 2,
			isMobile: true,
			hasTouch: true,
			locale: 'zh-CN',
			args: [
				'--remote-debugging-port=0',
				'--disable-background-networking',
				'--disable-component-update',
				'--no-first-run',
				'--disable-quic'
			]
		});
		const portFile = path.join(dir, 'DevToolsActivePort');
		const deadline = Date.now() + 10_000;
		while (!fs.existsSync(portFile) || fs.readFileSync(portFile, 'utf8').split('\n').length < 2) {
			if (Date.now() > deadline) throw new Error('Chromium did not open its DevTools port');
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		const [port, wsPath] = fs.readFileSync(portFile, 'utf8').split('\n');
		const cdp = await CdpConnection.open(`ws://127.0.0.1:${port}${wsPath}`);
		await cdp.send('Target.setAutoAttach', {
			autoAttach: true,
			waitForDebuggerOnStart: true,
			flatten: true,
			filter: [{ type: 'service_worker', exclude: false }, { exclude: true }]
		});
		return new Profile(context, cdp, dir);
	}

	/** Service-worker bytes so far (all of this profile's service workers). */
	get serviceWorkerBytes(): number {
		return this.#serviceWorkerMeter.total;
	}

	/** Sets the link for the service workers (now and later ones). */
	async setLink(link: Link | null): Promise<void> {
		this.#link = link;
		for (const sessionId of this.#swSessions) {
			await this.cdp
				.send('Network.emulateNetworkConditions', conditions(link), sessionId)
				.catch(() => undefined);
		}
	}

	/** A new tab with its own meter, on the link given (page and CPU). */
	async tab(link: Link | null): Promise<{ page: Page; session: CDPSession; bytes: () => number }> {
		await this.setLink(link);
		const page = await this.context.newPage();
		page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
		const session = await this.context.newCDPSession(page);
		const meter = new Meter();
		meter.track((event, listener) => session.on(event as never, listener as never));
		await session.send('Network.enable');
		await session.send('Network.setCacheDisabled', { cacheDisabled: false });
		await session.send('Network.emulateNetworkConditions', conditions(link));
		await session.send('Emulation.setCPUThrottlingRate', { rate: link?.cpu ?? 1 });
		const swBase = this.serviceWorkerBytes;
		return { page, session, bytes: () => meter.total + this.serviceWorkerBytes - swBase };
	}

	async close(): Promise<void> {
		this.cdp.close();
		await this.context.close();
		fs.rmSync(this.dir, { recursive: true, force: true });
	}
}

/** What counts as the real content of each screen. */
const JOIN_FORM = '[data-testid="join"] form';
/** The join form works: its button is enabled once the app's code has run (hydrated). */
const JOIN_WORKS = '[data-testid="join-submit"]:not([disabled])';
const HOME_HEADING = 'main h1';
/** The home's grids: the list, or the empty state of a community without grids. */
const HOME_GRIDS = 'main [data-testid="grid-list"], main [data-testid="empty-state"]';

/**
 * Before the page's own scripts: records, per selector, the time (ms from navigation start) of
 * the first animation frame in which a matching element is laid out and visible. The frame's
 * paint follows it within the same frame.
 */
async function watchShown(page: Page, selectors: string[]): Promise<void> {
	await page.addInitScript((watched: string[]) => {
		const shown: Record<string, number> = {};
		(window as unknown as { __shown: Record<string, number> }).__shown = shown;
		const tick = () => {
			for (const selector of watched) {
				if (selector in shown) continue;
				const element = document.querySelector(selector);
				if (!element || element.getClientRects().length === 0) continue;
				if (getComputedStyle(element).visibility === 'hidden') continue;
				shown[selector] = performance.now();
			}
			if (watched.some((selector) => !(selector in shown))) requestAnimationFrame(tick);
		};
		requestAnimationFrame(tick);
	}, selectors);
}

/** Resolves with the first contentful paint (ms from navigation start) once it happened. */
function firstPaint(page: Page): Promise<number> {
	return page.evaluate(
		() =>
			new Promise<number>((resolve) => {
				new PerformanceObserver((list, observer) => {
					const entry = list.getEntriesByName('first-contentful-paint')[0];
					if (!entry) return;
					observer.disconnect();
					resolve(entry.startTime);
				}).observe({ type: 'paint', buffered: true });
			})
	);
}

/** When `selector` was first drawn (see `watchShown`), once it is visible. */
async function shownAt(page: Page, selector: string): Promise<number> {
	await page.locator(selector).first().waitFor({ state: 'visible', timeout: TIMEOUT_MS });
	const handle = await page.waitForFunction(
		(watched) => (window as unknown as { __shown: Record<string, number> }).__shown[watched],
		selector,
		{ timeout: TIMEOUT_MS }
	);
	return (await handle.jsonValue()) as number;
}

/** Ms from navigation start until this page's service worker is activated. */
function serviceWorkerActivated(page: Page): Promise<number> {
	return page.evaluate(async () => {
		const registration = await navigator.serviceWorker.ready;
		const worker = registration.active!;
		if (worker.state !== 'activated') {
			await new Promise<void>((resolve) =>
				worker.addEventListener('statechange', () => worker.state === 'activated' && resolve())
			);
		}
		return performance.now();
	});
}

async function main(options: LoadOptions): Promise<string[]> {
	const staticDir = path.resolve(ROOT, options.build);
	ensureBuild(staticDir);
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridboard-bench-load-data-'));
	const communityId = 'bench-load';
	const identities = new SqliteIdentityStore(dataDir);
	const { code } = createCommunity(identities, '幸福社区', communityId);
	identities.close();
	const serviceToken = mintServiceToken(new KeyRing(dataDir), {
		communityId,
		role: 'secretary',
		ttlSeconds: 3600
	});

	const { child, origin } = await startRelay(dataDir, staticDir);
	const link: Link = {
		down: options.downKbps,
		up: options.upKbps,
		latency: options.latencyMs,
		cpu: options.cpuSlowdown
	};
	const newcomer: NewcomerRun[] = [];
	const returning: ReturningRun[] = [];
	try {
		const membership = await api<object>(origin, '/api/join', {
			code,
			displayName: '李书记',
			deviceId: 'bench-secretary'
		});
		const invite = await api<{ code: string }>(
			origin,
			`/api/communities/${communityId}/invites`,
			{ role: 'volunteer', grids: [], maxUses: 1, expiresInHours: 24 },
			serviceToken
		);
		const joinUrl = `${origin}/join#${invite.code}`;
		const homeUrl = `${origin}/c/${communityId}`;
		const log = options.json ? () => undefined : (line: string) => console.log(line);
		log(`Relay ${origin} serving ${staticDir}; ${options.runs} runs`);

		for (let run = 1; run <= options.runs; run++) {
			const profile = await Profile.launch();
			try {
				// 1. A newcomer opens the invite link: cold cache, no service worker.
				const first = await profile.tab(link);
				await watchShown(first.page, [JOIN_FORM, JOIN_WORKS]);
				await first.page.goto(joinUrl, { waitUntil: 'commit', timeout: TIMEOUT_MS });
				const fcp = await firstPaint(first.page);
				const bytesToFirstPaint = first.bytes();
				// Nothing contentful is painted before first paint: the form's frame is never earlier.
				const formMs = Math.max(fcp, await shownAt(first.page, JOIN_FORM));
				const bytesToForm = first.bytes();
				const worksMs = await shownAt(first.page, JOIN_WORKS);
				const offlineReadyMs = await serviceWorkerActivated(first.page);
				const bytesToOfflineReady = first.bytes();
				newcomer.push({
					firstPaintMs: fcp,
					realContentMs: formMs,
					bytesToFirstPaint,
					bytesToRealContent: bytesToForm,
					interactiveMs: worksMs,
					offlineReadyMs,
					bytesToOfflineReady
				});
				// Signed in (what /join stores), then the home once at full speed: the warm-up.
				await first.page.evaluate((value) => {
					localStorage.setItem('gridboard:credential', JSON.stringify(value));
				}, membership);
				await first.page.close();
				const warm = await profile.tab(null);
				await warm.page.goto(homeUrl);
				await warm.page.locator(HOME_HEADING).first().waitFor({ timeout: TIMEOUT_MS });
				await warm.page.waitForLoadState('networkidle');
				await warm.page.close();

				// 2. The returning user opens the app again, on the weak link.
				const again = await profile.tab(link);
				await watchShown(again.page, [HOME_HEADING, HOME_GRIDS]);
				await again.page.goto(homeUrl, { waitUntil: 'commit', timeout: TIMEOUT_MS });
				const homeFcp = await firstPaint(again.page);
				const homeBytesToFirst = again.bytes();
				const homeShown = Math.max(homeFcp, await shownAt(again.page, HOME_HEADING));
				const bytesToHome = again.bytes();
				const gridsShown = Math.max(homeFcp, await shownAt(again.page, HOME_GRIDS));
				returning.push({
					firstPaintMs: homeFcp,
					realContentMs: homeShown,
					dataShownMs: gridsShown,
					bytesToFirstPaint: homeBytesToFirst,
					bytesToRealContent: bytesToHome
				});
				log(
					`run ${run}: newcomer first paint ${Math.round(fcp)} ms, join form ${Math.round(formMs)} ms ` +
						`(${(bytesToForm / 1024).toFixed(1)} KB), works ${Math.round(worksMs)} ms, offline-ready ${Math.round(offlineReadyMs)} ms ` +
						`(${(bytesToOfflineReady / 1024).toFixed(1)} KB); returning first paint ${Math.round(homeFcp)} ms, ` +
						`home heading ${Math.round(homeShown)} ms, grids ${Math.round(gridsShown)} ms`
				);
			} finally {
				await profile.close();
			}
		}
	} finally {
		child.kill();
		fs.rmSync(dataDir, { recursive: true, force: true });
	}

	const summary = summarize(options, newcomer, returning);
	const resultsDir = path.join(ROOT, 'bench', 'results');
	fs.mkdirSync(resultsDir, { recursive: true });
	const file = path.join(resultsDir, `load-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
	fs.writeFileSync(file, JSON.stringify({ options, summary, newcomer, returning }, null, 2));
	if (options.json) console.log(JSON.stringify(summary, null, 2));
	else console.log(`\n${formatSummary(summary)}\n\nRaw figures: ${path.relative(ROOT, file)}`);
	return missedTargets(summary);
}

let options: LoadOptions;
try {
	options = parseLoadArgs(process.argv.slice(2));
} catch (error) {
	console.error((error as Error).message);
	process.exit(2);
}
main(options).then(
	(missed) => {
		for (const target of missed) console.error(`target missed: ${target}`);
		process.exit(missed.length === 0 ? 0 : 1);
	},
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	}
);
