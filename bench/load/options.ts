/**
 * `npm run bench:load`'s arguments and its summary (pure, unit-tested in options.test.ts).
 */

export type LoadOptions = {
	/** Measured runs (each a fresh browser profile: cold cache, no service worker). */
	runs: number;
	/** The built app to serve (`build` by default; another directory measures another build). */
	build: string;
	/** What the figures are called in the summary ("after", "main", …). */
	label: string;
	downKbps: number;
	upKbps: number;
	latencyMs: number;
	cpuSlowdown: number;
	json: boolean;
};

export const DEFAULTS: LoadOptions = {
	runs: 5,
	build: 'build',
	label: 'this build',
	downKbps: 400,
	upKbps: 400,
	latencyMs: 400,
	cpuSlowdown: 4,
	json: false
};

export const USAGE = `usage: npm run bench:load -- [--runs N] [--build DIR] [--label TEXT]
       [--down KBPS] [--up KBPS] [--latency MS] [--cpu RATE] [--json]`;

const NUMERIC: Record<string, keyof LoadOptions> = {
	'--runs': 'runs',
	'--down': 'downKbps',
	'--up': 'upKbps',
	'--latency': 'latencyMs',
	'--cpu': 'cpuSlowdown'
};

/** Parses `--name value` and `--name=value`; throws with the usage on anything else. */
export function parseLoadArgs(argv: readonly string[]): LoadOptions {
	const options: LoadOptions = { ...DEFAULTS };
	const args = argv.flatMap((arg) =>
		arg.startsWith('--') && arg.includes('=')
			? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
			: [arg]
	);
	for (let i = 0; i < args.length; i++) {
		const arg = args[i]!;
		if (arg === '--json') {
			options.json = true;
			continue;
		}
		if (arg !== '--build' && arg !== '--label' && !(arg in NUMERIC)) {
			throw new Error(`unknown argument ${arg}\n${USAGE}`);
		}
		const value = args[i + 1];
		if (value === undefined) throw new Error(`${arg}: missing value\n${USAGE}`);
		i++;
		if (arg === '--build') options.build = value;
		else if (arg === '--label') options.label = value;
		else if (arg in NUMERIC) {
			const parsed = Number(value);
			const key = NUMERIC[arg]!;
			const positive = Number.isFinite(parsed) && parsed > 0;
			const integer = key !== 'runs' || Number.isSafeInteger(parsed);
			if (!positive || !integer)
				throw new Error(`${arg}: a positive number, got "${value}"\n${USAGE}`);
			(options[key] as number) = parsed;
		} else throw new Error(`unknown argument ${arg}\n${USAGE}`);
	}
	return options;
}

/**
 * One measured visit. Times are ms from navigation start; bytes are what crossed the wire.
 * First paint is Chromium's first contentful paint: anything, the boot bar's logo included.
 * Real content is the first frame showing what the person came for (the join form, the home's
 * heading): the targets are judged on it.
 */
export type NewcomerRun = {
	firstPaintMs: number;
	realContentMs: number;
	bytesToFirstPaint: number;
	bytesToRealContent: number;
	/** The join form can be sent: the app's code has arrived and run. */
	interactiveMs: number;
	offlineReadyMs: number;
	/** Everything the page and its service worker downloaded until the app worked offline. */
	bytesToOfflineReady: number;
};

export type ReturningRun = {
	firstPaintMs: number;
	realContentMs: number;
	/** The home's grids (the directory document, read from the device) are shown: not judged. */
	dataShownMs: number;
	bytesToFirstPaint: number;
	bytesToRealContent: number;
};

export type Stat = { median: number; min: number; max: number };

export function stat(values: readonly number[]): Stat {
	if (values.length === 0) throw new Error('no values');
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
	return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** First real content (not first paint): the join form for a newcomer, the home for a return. */
export const TARGETS = { newcomerRealContentMs: 2500, returningRealContentMs: 1000 };

export type LoadSummary = {
	label: string;
	runs: number;
	link: string;
	newcomer: Record<keyof NewcomerRun, Stat>;
	returning: Record<keyof ReturningRun, Stat>;
	meetsTargets: { newcomer: boolean; returning: boolean };
};

function statsOf<T extends Record<string, number>>(runs: readonly T[]): Record<keyof T, Stat> {
	const keys = Object.keys(runs[0] ?? {}) as (keyof T)[];
	return Object.fromEntries(keys.map((key) => [key, stat(runs.map((run) => run[key]))])) as Record<
		keyof T,
		Stat
	>;
}

export function summarize(
	options: LoadOptions,
	newcomer: readonly NewcomerRun[],
	returning: readonly ReturningRun[]
): LoadSummary {
	if (newcomer.length === 0 || returning.length === 0) throw new Error('no runs to summarize');
	const n = statsOf(newcomer);
	const r = statsOf(returning);
	return {
		label: options.label,
		runs: newcomer.length,
		link: `${options.downKbps} kbit/s down, ${options.upKbps} kbit/s up, ${options.latencyMs} ms latency, CPU ${options.cpuSlowdown}× slower`,
		newcomer: n,
		returning: r,
		meetsTargets: {
			newcomer: n.realContentMs.median <= TARGETS.newcomerRealContentMs,
			returning: r.realContentMs.median <= TARGETS.returningRealContentMs
		}
	};
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const range = (x: Stat, f: (n: number) => string) => `${f(x.median)} (${f(x.min)}–${f(x.max)})`;

/** The targets this summary misses, as sentences (none: all met). */
export function missedTargets(summary: LoadSummary): string[] {
	const missed: string[] = [];
	if (!summary.meetsTargets.newcomer)
		missed.push(
			`newcomer's join form at ${s(summary.newcomer.realContentMs.median)} (target ≤ ${s(TARGETS.newcomerRealContentMs)})`
		);
	if (!summary.meetsTargets.returning)
		missed.push(
			`returning user's home heading at ${s(summary.returning.realContentMs.median)} (target ≤ ${s(TARGETS.returningRealContentMs)})`
		);
	return missed;
}

/** The summary as text lines, medians with min–max. */
export function formatSummary(summary: LoadSummary): string {
	const { newcomer: n, returning: r } = summary;
	const ok = (yes: boolean) => (yes ? 'meets target' : 'MISSES target');
	return [
		`${summary.label}: ${summary.runs} runs, ${summary.link} (median, min–max)`,
		`newcomer, join page (cold cache):`,
		`  first paint        ${range(n.firstPaintMs, s)}`,
		`  join form shown    ${range(n.realContentMs, s)}  [≤ ${s(TARGETS.newcomerRealContentMs)}: ${ok(summary.meetsTargets.newcomer)}]`,
		`  join form works    ${range(n.interactiveMs, s)}`,
		`  bytes to first paint ${range(n.bytesToFirstPaint, kb)}; to the form ${range(n.bytesToRealContent, kb)}`,
		`  works offline (service worker activated) ${range(n.offlineReadyMs, s)}, ${range(n.bytesToOfflineReady, kb)} downloaded by then`,
		`returning user, community home (signed in, service worker, warm):`,
		`  first paint        ${range(r.firstPaintMs, s)}`,
		`  home heading shown ${range(r.realContentMs, s)}  [≤ ${s(TARGETS.returningRealContentMs)}: ${ok(summary.meetsTargets.returning)}]`,
		`  grids shown        ${range(r.dataShownMs, s)}`,
		`  bytes to first paint ${range(r.bytesToFirstPaint, kb)}; to the home ${range(r.bytesToRealContent, kb)}`
	].join('\n');
}
