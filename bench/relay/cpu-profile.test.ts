import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inclusiveShare, selfTimeByPackage, topSelfTime } from './cpu-profile.ts';
import { REPO_ROOT } from './prepare.ts';

const frame = (functionName: string, url: string, lineNumber = 0) => ({
	functionName,
	url,
	lineNumber
});

function writeProfile(): string {
	const nodes = [
		{ id: 1, callFrame: frame('(garbage collector)', ''), hitCount: 10 },
		{
			id: 2,
			callFrame: frame('integrate', 'file:///x/node_modules/yjs/dist/yjs.mjs', 9909),
			hitCount: 50
		},
		{
			id: 3,
			callFrame: frame('transact', 'file:///x/node_modules/yjs/dist/yjs.mjs', 3399),
			hitCount: 10
		},
		{
			id: 4,
			callFrame: frame('send', 'file:///x/node_modules/@hocuspocus/server/d.mjs', 1),
			hitCount: 20
		},
		{
			id: 5,
			callFrame: frame('flush', `file://${REPO_ROOT}/sync-server/room.ts`, 187),
			hitCount: 5
		},
		{ id: 6, callFrame: frame('emit', 'node:events', 488), hitCount: 5 }
	];
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpu-profile-'));
	const file = path.join(dir, 'p.cpuprofile');
	fs.writeFileSync(file, JSON.stringify({ nodes, startTime: 0, endTime: 1 }));
	return file;
}

describe('cpu profiles', () => {
	it('ranks functions by self time, named by repository path and line', () => {
		const top = topSelfTime(writeProfile(), 3);
		expect(top.map((t) => t.pct)).toEqual([50, 20, 10]);
		expect(top[0]!.fn).toBe('integrate /x/node_modules/yjs/dist/yjs.mjs:9910');
	});

	it('groups self time by package, scoped packages whole, repository files by path', () => {
		const byWhere = Object.fromEntries(
			selfTimeByPackage(writeProfile()).map(({ where, pct }) => [where, pct])
		);
		expect(byWhere).toEqual({
			yjs: 60,
			'@hocuspocus/server': 20,
			'(garbage collector)': 10,
			'sync-server/room.ts': 5,
			'node (built-in modules)': 5
		});
	});

	it('inclusiveShare: busy samples inside a function and its callees, from its first sample', () => {
		// root → (idle); root → run → check → decode; root → send
		const nodes = [
			{ id: 1, callFrame: frame('(root)', ''), children: [2, 3, 6] },
			{ id: 2, callFrame: frame('(idle)', '') },
			{ id: 3, callFrame: frame('run', 'file:///x/c.js'), children: [4] },
			{ id: 4, callFrame: frame('check', 'file:///x/room.js'), children: [5] },
			{ id: 5, callFrame: frame('decode', 'file:///x/lib.js') },
			{ id: 6, callFrame: frame('send', 'file:///x/c.js') }
		];
		// Start-up (send ×3) before the first check is not counted; idle never is.
		const samples = [6, 6, 6, 4, 2, 2, 5, 6, 3, 6, 2];
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpu-profile-'));
		const file = path.join(dir, 'p.cpuprofile');
		fs.writeFileSync(file, JSON.stringify({ nodes, startTime: 0, endTime: 1, samples }));
		// From the first check: 4, 5 inside; 6, 3, 6 outside → 2 of 5.
		expect(inclusiveShare(file, (f) => f.functionName === 'check')).toBe(40);
		expect(inclusiveShare(file, (f) => f.functionName === 'nothing')).toBe(0);
	});
});
