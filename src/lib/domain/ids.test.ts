import { describe, expect, it } from 'vitest';
import {
	boardDocName,
	directoryDocName,
	isValidIdSegment,
	newCaseId,
	newId,
	parseCommunityId,
	parseGridId
} from './ids';

const SEGMENT = /^[a-z0-9][a-z0-9_-]{0,39}$/;

describe('ids', () => {
	it('newId produces distinct ids in the document-name segment grammar', () => {
		const ids = Array.from({ length: 2000 }, () => newId());
		for (const id of ids) expect(id).toMatch(SEGMENT);
		expect(new Set(ids).size).toBe(ids.length);
	});

	it('newId uses every character of the alphabet (no stuck generator)', () => {
		const seen = new Set(Array.from({ length: 500 }, () => newCaseId()).join(''));
		expect(seen.size).toBe(36);
	});

	it('newId with a prefix keeps the grammar and refuses a prefix that cannot start an id', () => {
		expect(newId('case')).toMatch(/^case-[a-z0-9]{16}$/);
		expect(() => newId('Case')).toThrow(RangeError);
		expect(() => newId('')).toThrow(RangeError);
		expect(() => newId('x'.repeat(30))).toThrow(RangeError);
	});

	it.each([
		['abc', true],
		['3', true],
		['a_b-c', true],
		['a'.repeat(40), true],
		['a'.repeat(41), false],
		['', false],
		['-a', false],
		['_a', false],
		['A', false],
		['a/b', false],
		['..', false],
		['网格', false],
		['a%2f', false]
	])('isValidIdSegment(%j) is %s', (value, expected) => {
		expect(isValidIdSegment(value)).toBe(expected);
	});

	it('parse functions brand valid ids and refuse others', () => {
		expect(parseGridId('g1')).toEqual({ ok: true, value: 'g1' });
		expect(parseCommunityId('Yucheng')).toEqual({ ok: false, reason: 'invalid_id' });
	});

	it('builds document names the relay grammar accepts', () => {
		const community = parseCommunityId('yucheng');
		const grid = parseGridId('grid-03');
		if (!community.ok || !grid.ok) throw new Error('fixture ids must be valid');
		expect(directoryDocName(community.value)).toBe('c/yucheng/directory');
		expect(boardDocName(community.value, grid.value)).toBe('c/yucheng/board/grid-03');
	});
});
