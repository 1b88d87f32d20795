import { describe, expect, it } from 'vitest';
import {
	boardDocName,
	directoryDocName,
	DOC_KINDS,
	formatDocName,
	householdsDocName,
	ID_MAX_LENGTH,
	isValidIdSegment,
	mapDocName,
	meetingDocName,
	meetingIndexDocName,
	parseDocName,
	tasksDocName,
	type DocName
} from './doc-names.ts';

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

describe('document-name builders', () => {
	it('write only names the parser accepts, each of its kind', () => {
		const built: [string, DocName][] = [
			[directoryDocName('demo'), { communityId: 'demo', kind: 'directory', id: null }],
			[boardDocName('demo', 'g1'), { communityId: 'demo', kind: 'board', id: 'g1' }],
			[householdsDocName('demo', 'g1'), { communityId: 'demo', kind: 'households', id: 'g1' }],
			[tasksDocName('demo'), { communityId: 'demo', kind: 'tasks', id: null }],
			[meetingIndexDocName('demo'), { communityId: 'demo', kind: 'meetings', id: 'index' }],
			[meetingDocName('demo', 'm-1'), { communityId: 'demo', kind: 'meetings', id: 'm-1' }],
			[mapDocName('demo'), { communityId: 'demo', kind: 'map', id: null }]
		];
		for (const [name, value] of built) {
			expect(parseDocName(name)).toEqual({ ok: true, value });
			expect(formatDocName(value)).toBe(name);
		}
		expect(built.map(([, value]) => value.kind).sort()).toEqual([...DOC_KINDS, 'meetings'].sort());
	});

	it('accept every id of the segment grammar and nothing else', () => {
		expect(isValidIdSegment('a'.repeat(ID_MAX_LENGTH))).toBe(true);
		expect(isValidIdSegment('a'.repeat(ID_MAX_LENGTH + 1))).toBe(false);
		for (const id of ['g1', '0', 'a-b_c']) {
			expect(isValidIdSegment(id)).toBe(true);
			expect(parseDocName(boardDocName('demo', id)).ok).toBe(true);
		}
		for (const id of ['', '-a', '_a', 'A', 'a/b', 'a.b', 7]) {
			expect(isValidIdSegment(id)).toBe(false);
			if (typeof id === 'string') expect(parseDocName(boardDocName('demo', id)).ok).toBe(false);
		}
	});
});
