/**
 * The browser benchmarks' shared harness (`bench/board/run.ts`, `bench/map/run.ts`,
 * `bench/summaries/run.ts`): a built app served by a real relay over a temporary DATA_DIR holding
 * the benchmark's documents, a phone-sized headless Chromium signed in through `/api/join`, and the same documents in the
 * page's IndexedDB (the app's local-store format: database `gridboard:<docName>`, store
 * `updates`, one row holding the encoded update), so the app opens them from the device; and the
 * measuring steps they share: a load timed by an init script's marks (`loadUntil`), a CPU profile
 * of it (`startProfile` / `printProfile`), medians, results files.
 *
 * Invariant: everything it starts (relay process, browser, DATA_DIR) is gone after `close()`;
 * the page is seeded from `/health`, a page that does not run the app.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
	chromium,
	type Browser,
	type BrowserContext,
	type CDPSession,
	type Page
} from '@playwright/test';
import { createCommunity } from '../sync-server/identity.ts';
import { SqliteIdentityStore } from '../sync-server/identity-sqlite.ts';
import { SqliteStore } from '../sync-server/storage/sqlite.ts';
import { KeyRing } from '../sync-server/tokens.ts';
import { startRelayProcess } from './relay-process.ts';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

/** `--name <positive integer>` from the command line, or `fallback`. */
export function option(name: string, fallback: number): number {
	const index = process.argv.indexOf(`--${name}`);
	const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
	if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name}: a positive integer`);
	return value;
}

export const median = (values: number[]): number => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
export const ms = (value: number): string => `${Math.round(value)} ms`;

type ProfileNode = {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
};

/** A CPU profile's 20 functions with the most self time (ms), as `name file:line`. */
export function hottest(profile: {
	nodes: ProfileNode[];
	samples?: number[];
	timeDeltas?: number[];
}) {
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

/** Starts sampling a CPU profile of the page (every 0.5 ms) on its CDP session. */
export async function startProfile(cdp: CDPSession): Promise<void> {
	await cdp.send('Profiler.enable');
	await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
	await cdp.send('Profiler.start');
}

/** Stops the profile `startProfile` began and prints the functions with the most self time. */
export async function printProfile(cdp: CDPSession, what: string): Promise<void> {
	const { profile } = await cdp.send('Profiler.stop');
	console.log(`Self time by function (ms), ${what}:`);
	for (const [name, time] of hottest(profile))
		console.log(`  ${time.toFixed(0).padStart(6)}  ${name}`);
}

/**
 * Opens `url` and waits until the marks an init script keeps in `window[global]` hold every key
 * of `until` (no longer than `timeout` ms); returns those marks (times from navigation start).
 */
export async function loadUntil<T>(
	page: Page,
	url: string,
	marks: Readonly<{ global: string; until: readonly string[]; timeout: number }>
): Promise<T> {
	await page.goto(url);
	await page.waitForFunction(
		({ global, until }) => {
			const held = (window as unknown as Record<string, Record<string, number> | undefined>)[
				global
			];
			return until.every((key) => held?.[key] !== undefined);
		},
		marks,
		{ timeout: marks.timeout }
	);
	return page.evaluate((global) => (window as unknown as Record<string, T>)[global]!, marks.global);
}

/** Cores, CPU model and load average now (the machine is shared: figures depend on it). */
export function machine(): string {
	const load = os
		.loadavg()
		.map((l) => l.toFixed(2))
		.join(' ');
	return `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load ${load}`;
}

function ensureBuild(): void {
	if (fs.existsSync(path.join(ROOT, 'build', '200.html'))) return;
	console.log('No build/ yet: building the app (npm run build)…');
	const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
	if (built.status !== 0) throw new Error('npm run build failed');
}

export type BenchApp = Readonly<{
	origin: string;
	browser: Browser;
	context: BrowserContext;
	page: Page;
	close: () => Promise<void>;
}>;

export type BenchAppOptions = Readonly<{
	/** Names the temporary DATA_DIR. */
	name: string;
	communityId: string;
	/** Documents (name, encoded update) stored by the relay and in the page's IndexedDB. */
	docs: readonly (readonly [string, Uint8Array])[];
	/** Close the relay's WebSocket at once: the app reads everything from the device. */
	offline: boolean;
	/** Extra Chromium switches. */
	chromiumArgs?: readonly string[];
}>;

/** Starts relay and browser, signs a page in and seeds its IndexedDB; `close()` stops all. */
export async function startBenchApp(options: BenchAppOptions): Promise<BenchApp> {
	ensureBuild();
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `gridboard-bench-${options.name}-`));
	new KeyRing(dataDir);
	const store = new SqliteStore(dataDir);
	store.appendBatch(options.docs.map(([doc, update]) => ({ doc, update })));
	store.close();
	const identities = new SqliteIdentityStore(dataDir);
	const { code } = createCommunity(identities, 'Benchmark', options.communityId);
	identities.close();

	const { child, origin } = await startRelayProcess({ DATA_DIR: dataDir, STATIC_DIR: 'build' });
	let browser: Browser | null = null;
	const close = async () => {
		await browser?.close();
		child.kill('SIGTERM');
		fs.rmSync(dataDir, { recursive: true, force: true });
	};
	try {
		browser = await chromium.launch({
			executablePath: fs.existsSync(CHROMIUM) ? CHROMIUM : undefined,
			args: [
				'--disable-background-networking',
				'--disable-component-update',
				'--no-first-run',
				...(options.chromiumArgs ?? [])
			]
		});
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
		if (options.offline) await context.routeWebSocket(/\/sync/, (ws) => ws.close());
		const page = await context.newPage();
		page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
		if (process.env.BENCH_DEBUG) page.on('console', (m) => console.error(`console: ${m.text()}`));

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
				rows: options.docs.map(([name, update]): [string, string] => [
					name,
					Buffer.from(update).toString('base64')
				])
			}
		);
		return { origin, browser, context, page, close };
	} catch (error) {
		await close();
		throw error;
	}
}

/** Writes raw figures to bench/results/<name>-<time>.json; returns the path from the repo root. */
export function writeResults(name: string, figures: unknown): string {
	const dir = path.join(ROOT, 'bench', 'results');
	fs.mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
	fs.writeFileSync(file, JSON.stringify(figures, null, '\t') + '\n');
	return path.relative(ROOT, file);
}
