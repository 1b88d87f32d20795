/** Reads a .cpuprofile (V8's format, as `node --cpu-prof` and the inspector write it). */
import fs from 'node:fs';
import { REPO_ROOT } from './prepare.ts';

type CallFrame = { functionName: string; url: string; lineNumber: number };
type Node = { id: number; callFrame: CallFrame; hitCount?: number; children?: number[] };
type Profile = {
	nodes: Node[];
	startTime: number;
	endTime: number;
	samples?: number[];
	timeDeltas?: number[];
};

/** A script's URL as a path, relative to the repository when inside it. */
const shortUrl = (url: string): string =>
	url.replace(/^file:\/\//, '').replace(`${REPO_ROOT}/`, '');

/** Self time summed per `keyOf` of each node's call frame, highest first, in % of all samples. */
function selfTimeBy(
	file: string,
	keyOf: (frame: CallFrame) => string,
	count: number
): { key: string; pct: number }[] {
	const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
	const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
	const byKey = new Map<string, number>();
	for (const n of profile.nodes) {
		const key = keyOf(n.callFrame);
		byKey.set(key, (byKey.get(key) ?? 0) + (n.hitCount ?? 0));
	}
	return [...byKey]
		.sort((a, b) => b[1] - a[1])
		.slice(0, count)
		.map(([key, hits]) => ({ key, pct: Math.round((1000 * hits) / total) / 10 }));
}

/** Self time per function, named with its file and line. */
export function topSelfTime(file: string, count = 20): { fn: string; pct: number }[] {
	return selfTimeBy(
		file,
		({ functionName, url, lineNumber }) =>
			`${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim(),
		count
	).map(({ key, pct }) => ({ fn: key, pct }));
}

/**
 * Self time grouped by package (`node_modules/<name>`), by repository file outside them, and by
 * V8's own entries ("(garbage collector)", "(idle)"): which library a process is busy in.
 */
export function selfTimeByPackage(file: string, count = 12): { where: string; pct: number }[] {
	return selfTimeBy(
		file,
		({ functionName, url }) => {
			const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
			if (pkg) return pkg;
			if (url.startsWith('node:')) return 'node (built-in modules)';
			return url ? shortUrl(url) : functionName || '(native)';
		},
		count
	).map(({ key, pct }) => ({ where: key, pct }));
}

/**
 * Share of the busy samples (all but "(idle)") spent inside a function `inside` accepts, its
 * callees included, in %: what one part of the server costs of everything it does. Counted
 * from the first sample inside such a function, so that start-up (compiling modules, opening
 * the database) does not dilute it.
 */
export function inclusiveShare(file: string, inside: (frame: CallFrame) => boolean): number {
	const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const within = new Set<number>();
	const idle = new Set<number>();
	const walk = (node: Node, counted: boolean): void => {
		const here = counted || inside(node.callFrame);
		if (here) within.add(node.id);
		if (node.callFrame.functionName === '(idle)') idle.add(node.id);
		for (const child of node.children ?? []) walk(byId.get(child)!, here);
	};
	const root = profile.nodes[0];
	if (root) walk(root, false);
	const samples = profile.samples ?? [];
	const first = samples.findIndex((id) => within.has(id));
	if (first === -1) return 0;
	let busy = 0;
	let hits = 0;
	for (const id of samples.slice(first)) {
		if (idle.has(id)) continue;
		busy++;
		if (within.has(id)) hits++;
	}
	return busy === 0 ? 0 : Math.round((1000 * hits) / busy) / 10;
}

/**
 * Self time per function (named with its file and line) of the samples taken within `windows`
 * (pairs of CLOCK_MONOTONIC microseconds, the clock of a profile's times and of
 * `process.hrtime`), highest first, in ms, with the busy ms (all but "(idle)") in the windows.
 */
export function selfTimeWithin(
	file: string,
	windows: [fromUs: number, toUs: number][],
	count = 20
): { busyMs: number; top: { fn: string; ms: number }[] } {
	const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
	const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
	const samples = profile.samples ?? [];
	const deltas = profile.timeDeltas ?? [];
	const byFn = new Map<string, number>();
	let at = profile.startTime;
	let busyUs = 0;
	for (let i = 0; i < samples.length; i++) {
		const previous = at;
		at += deltas[i] ?? 0;
		if (!windows.some(([from, to]) => at >= from && at < to)) continue;
		const frame = byId.get(samples[i]!)!;
		if (frame.functionName === '(idle)') continue;
		// A sample stands for the time since the one before it.
		const us = at - previous;
		busyUs += us;
		const { functionName, url, lineNumber } = frame;
		const key =
			`${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
		byFn.set(key, (byFn.get(key) ?? 0) + us);
	}
	return {
		busyMs: Math.round(busyUs / 100) / 10,
		top: [...byFn]
			.sort((a, b) => b[1] - a[1])
			.slice(0, count)
			.map(([fn, us]) => ({ fn, ms: Math.round(us / 100) / 10 }))
	};
}
