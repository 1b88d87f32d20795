/**
 * A refused update reads in words: the path's segments name what it touched, every reason has a
 * sentence in both languages, and the notice names the document and the count.
 */
import { describe, expect, it } from 'vitest';
import { baseLocale, overwriteGetLocale } from '$lib/paraglide/runtime.js';
import { WRITE_REFUSALS } from '$lib/wire';
import {
	refusalCause,
	refusalNotice,
	refusalReasonText,
	refusedDocText,
	refusedPart,
	refusedPartText,
	type RefusedPart
} from './refusal-labels';

describe('refusedPart: a refusal path in words', () => {
	const table: [string, RefusedPart][] = [
		['cases/c-1/fields/status~123/[]', { part: 'case_field', field: 'status' }],
		['cases/c-1/fields/status~123', { part: 'case_field', field: 'status' }],
		['cases/c-1/fields/assignees', { part: 'case_field', field: 'assignees' }],
		['cases/c-1/fields', { part: 'case' }],
		['cases/c-1/timeline/[]', { part: 'case_history' }],
		['cases/c-1/timeline', { part: 'case_history' }],
		['cases/c-1/initial', { part: 'case_report' }],
		['cases/c-1/photos~9/[]', { part: 'case_photo' }],
		['cases/c-1/receipts/e-1', { part: 'case_receipt' }],
		['cases/c-1/receipts~9/e-1', { part: 'case_receipt' }],
		['cases/c-1', { part: 'case' }],
		['cases/c-1/unknown', { part: 'case' }],
		['1234567:8', { part: 'depends' }],
		['attest/123', { part: 'authorship' }],
		['attest', { part: 'authorship' }],
		['cases', { part: 'other' }],
		['notes', { part: 'other' }],
		['', { part: 'other' }]
	];
	it.each(table)('%s', (path, expected) => {
		expect(refusedPart(path)).toEqual(expected);
	});
});

describe('refusalCause: the refusal worth telling', () => {
	const refused = (firstReason: string, lastReason: string) =>
		({ count: 2, firstReason, firstPath: 'first', lastReason, lastPath: 'last' }) as Parameters<
			typeof refusalCause
		>[0];
	it.each([
		['not_permitted', 'missing_dependency', { reason: 'not_permitted', path: 'first' }],
		['missing_dependency', 'history', { reason: 'history', path: 'last' }],
		['missing_dependency', 'missing_dependency', { reason: 'missing_dependency', path: 'first' }],
		['author', 'shape', { reason: 'author', path: 'first' }]
	])('first %s, last %s', (first, last, expected) => {
		expect(refusalCause(refused(first, last))).toEqual(expected);
	});
});

describe('texts', () => {
	const inBoth = (read: () => string) =>
		(['en', 'zh-CN'] as const).map((tag) => {
			overwriteGetLocale(() => tag);
			try {
				return read();
			} finally {
				overwriteGetLocale(() => baseLocale);
			}
		});

	it('every reason (and an unknown one) has a sentence in both languages', () => {
		for (const reason of [...WRITE_REFUSALS, 'unknown' as const]) {
			const [en, zh] = inBoth(() => refusalReasonText(reason));
			expect(en, reason).toMatch(/^[a-z][\x20-\x7e’]+$/);
			expect(zh, reason).toMatch(/[\u4e00-\u9fff]/);
			expect(en).not.toContain('_');
		}
	});

	it('what and which document read as words, never the raw path or name', () => {
		expect(inBoth(() => refusedPartText({ part: 'case_field', field: 'status' }))).toEqual([
			"a case's status",
			'事项的状态'
		]);
		expect(inBoth(() => refusedPartText({ part: 'case_history' }))).toEqual([
			'a history entry',
			'一条处理记录'
		]);
		expect(inBoth(() => refusedDocText('c/demo/board/g01'))).toEqual([
			"this grid's board",
			'本网格看板'
		]);
		expect(inBoth(() => refusedDocText('c/demo/meetings/index'))[0]).toBe('the meeting list');
		expect(inBoth(() => refusedDocText('c/demo/meetings/m1'))[0]).toBe("a meeting's record");
		expect(inBoth(() => refusedDocText('c/demo/tasks'))[0]).toBe('the tasks, patrols and wishes');
		expect(inBoth(() => refusedDocText('not a name'))[0]).toBe('a document');
	});

	it('the notice names the count, the document, the reason and the part', () => {
		const refusal = {
			docName: 'c/demo/board/g01',
			unconfirmed: 3,
			refused: {
				count: 4,
				firstReason: 'not_permitted',
				firstPath: 'cases/c-1/fields/status~5/[]',
				lastReason: 'missing_dependency',
				lastPath: '5:9'
			}
		} as const;
		expect(inBoth(() => refusalNotice(refusal))).toEqual([
			"The server refused 3 of your changes to this grid's board: your role may not do this (a case's status).",
			'服务器拒绝了你对本网格看板的 3 项更改：你的角色无权这样做（事项的状态）。'
		]);
		expect(inBoth(() => refusalNotice({ ...refusal, unconfirmed: 1 }))[0]).toBe(
			"The server refused your change to this grid's board: your role may not do this (a case's status)."
		);
	});
});
