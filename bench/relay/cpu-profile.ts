/** Reads a .cpuprofile (V8's format, as `node --cpu-prof` and the inspector write it). */
import fs from 'node:fs';
import { REPO_ROOT } from './prepare.ts';

type Node = {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	hitCount?: number;
};
type Profile = { nodes: Node[]; startTime: number; endTime: number };

export function topSelfTime(file: string, count = 20): { fn: string; pct: number }[] {
	const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
	const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
	const byFn = new Map<string, number>();
	for (const n of profile.nodes) {
		const { functionName, url, lineNumber } = n.callFrame;
		const where = url
			? `${url.replace(/^file:\/\//, '').replace(`${REPO_ROOT}/`, '')}:${lineNumber + 1}`
			: '';
		const key = `${functionName || '(anonymous)'} ${where}`.trim();
		byFn.set(key, (byFn.get(key) ?? 0) + (n.hitCount ?? 0));
	}
	return [...byFn]
		.sort((a, b) => b[1] - a[1])
		.slice(0, count)
		.map(([fn, hits]) => ({ fn, pct: Math.round((1000 * hits) / total) / 10 }));
}

/**
 * Self time grouped by package (`node_modules/<name>`), by repository file outside them, and by
 * V8's own entries ("(garbage collector)", "(idle)"): which library a process is busy in.
 */
export function selfTimeByPackage(file: string, count = 12): { where: string; pct: number }[] {
	const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
	const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
	const byWhere = new Map<string, number>();
	for (const n of profile.nodes) {
		const { functionName, url } = n.callFrame;
		const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
		const where =
			pkg ??
			(url.startsWith('node:')
				? 'node (built-in modules)'
				: url
					? url.replace(/^file:\/\//, '').replace(`${REPO_ROOT}/`, '')
					: functionName || '(native)');
		byWhere.set(where, (byWhere.get(where) ?? 0) + (n.hitCount ?? 0));
	}
	return [...byWhere]
		.sort((a, b) => b[1] - a[1])
		.slice(0, count)
		.map(([where, hits]) => ({ where, pct: Math.round((1000 * hits) / total) / 10 }));
}
