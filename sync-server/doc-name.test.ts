import { describe, expect, it } from 'vitest';
import { formatDocName, parseDocName } from './doc-name.ts';
import { parseSyncTarget } from './server.ts';

describe('parseDocName', () => {
	it.each([
		['c/demo/board/g01', { communityId: 'demo', kind: 'board', id: 'g01' }],
		['c/demo/households/g-2_b', { communityId: 'demo', kind: 'households', id: 'g-2_b' }],
		['c/demo/meetings/m1', { communityId: 'demo', kind: 'meetings', id: 'm1' }],
		['c/demo/directory', { communityId: 'demo', kind: 'directory', id: null }],
		['c/0/tasks', { communityId: '0', kind: 'tasks', id: null }]
	])('accepts %s', (name, value) => {
		expect(parseDocName(name)).toEqual({ ok: true, value });
		expect(formatDocName(value as never)).toBe(name);
	});

	it.each([
		['', 'empty'],
		['c/demo/../x', 'bad-characters'],
		['c/demo/board/..', 'bad-characters'],
		['c/demo/unknown/x', 'unknown-kind'],
		['c/Demo/board/g1', 'bad-characters'],
		['c/demo/board/%2e%2e', 'bad-characters'],
		['c%2fdemo/board/g1', 'bad-characters'],
		['c/demo/board/g1\0', 'bad-characters'],
		['c/demo/board/g1/extra', 'bad-shape'],
		['c/demo/board', 'missing-id'],
		['c/demo/tasks/t1', 'unexpected-id'],
		['c/demo/board/', 'bad-id'],
		['c//board/g1', 'bad-community'],
		['c/-demo/board/g1', 'bad-community'],
		['x/demo/board/g1', 'bad-shape'],
		['/c/demo/board/g1', 'bad-shape'],
		['c/demo/board/_g1', 'bad-id'],
		['c/' + 'a'.repeat(41) + '/tasks', 'bad-community'],
		['c/demo/board/' + 'a'.repeat(120), 'too-long']
	])('refuses %j (%s)', (name, reason) => {
		expect(parseDocName(name)).toEqual({ ok: false, reason });
	});
});

describe('parseSyncTarget', () => {
	it('takes the raw path after /sync/ and ignores the query', () => {
		expect(parseSyncTarget('/sync/c/demo/board/g01?token=abc')).toEqual({
			ok: true,
			docName: 'c/demo/board/g01'
		});
		expect(parseSyncTarget('/other/c/demo/board/g01')).toEqual({ ok: false, reason: 'not-sync' });
		expect(parseSyncTarget('/sync/c/demo/board/g%30').ok).toBe(false);
	});
});
