import { describe, expect, it } from 'vitest';
import { BOM, encodeCsv, encodeCsvField, hoursCsv } from './service-hours-csv';
import {
	dedupeHours,
	monthlyTotals,
	sumHours,
	totalsByVolunteer,
	type HourRecord
} from './service-hours';

const MARCH = Date.parse('2025-03-10T02:00:00Z');
const APRIL = Date.parse('2025-04-02T02:00:00Z');
const rec = (
	id: string,
	memberId: string,
	hours: number,
	at: number,
	sourceId = id,
	source: HourRecord['source'] = 'task'
): HourRecord => ({
	id,
	memberId,
	name: memberId === 'li' ? '李阿姨' : '王大爷',
	hours,
	source,
	sourceId,
	title: '买菜',
	at,
	by: '书记'
});

describe('service hours', () => {
	it('one piece of work credits a volunteer once: concurrent confirmations keep the earliest record', () => {
		const records = [
			rec('b', 'li', 2, MARCH + 5, 't1'),
			rec('a', 'li', 2, MARCH, 't1'),
			rec('c', 'wang', 2, MARCH, 't1')
		];
		expect(dedupeHours(records).map((r) => r.id)).toEqual(['a', 'c']);
		expect(dedupeHours([...records].reverse())).toEqual(dedupeHours(records));
	});
	it('sums half hours without drift', () => {
		expect(sumHours(Array.from({ length: 10 }, (_, i) => rec(`${i}`, 'li', 0.5, MARCH)))).toBe(5);
	});
	it('totals by volunteer, most first', () => {
		const totals = totalsByVolunteer([
			rec('a', 'li', 1, MARCH),
			rec('b', 'wang', 3, MARCH),
			rec('c', 'li', 1.5, APRIL)
		]);
		expect(totals).toEqual([
			{ memberId: 'wang', name: '王大爷', hours: 3, count: 1 },
			{ memberId: 'li', name: '李阿姨', hours: 2.5, count: 2 }
		]);
	});
	it('monthly totals, newest month first, counting volunteers once', () => {
		const totals = monthlyTotals([
			rec('a', 'li', 1, MARCH),
			rec('b', 'li', 2, MARCH),
			rec('c', 'wang', 1, APRIL)
		]);
		expect(totals).toEqual([
			{ month: '2025-04', hours: 1, volunteers: 1, count: 1 },
			{ month: '2025-03', hours: 3, volunteers: 1, count: 2 }
		]);
	});
});

describe('CSV for Excel', () => {
	const rows: [string | number, string][] = [
		['plain', '"plain"'],
		['李阿姨', '"李阿姨"'],
		['say "hi"', '"say ""hi"""'],
		['a,b', '"a,b"'],
		['line\nbreak', '"line\nbreak"'],
		['=SUM(A1)', `"'=SUM(A1)"`],
		['+86 138', `"'+86 138"`],
		['@x', `"'@x"`],
		[1.5, '"1.5"'],
		[-2, '"-2"']
	];
	for (const [value, expected] of rows) {
		it(`${JSON.stringify(value)} → ${expected}`, () =>
			expect(encodeCsvField(value)).toBe(expected));
	}
	it('starts with a UTF-8 BOM, ends lines with CRLF', () => {
		const csv = encodeCsv([
			['姓名', '小时'],
			['李阿姨', 2]
		]);
		expect(csv.startsWith(BOM)).toBe(true);
		expect(csv).toBe('\uFEFF"姓名","小时"\r\n"李阿姨","2"\r\n');
		expect(new TextEncoder().encode(csv).slice(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
	});
	it('hours export: one row per record, oldest first', () => {
		const csv = hoursCsv([rec('b', 'wang', 1, APRIL), rec('a', 'li', 2, MARCH)], {
			header: ['日期', '月份', '志愿者', '小时', '类型', '内容'],
			source: () => '任务'
		});
		expect(csv.split('\r\n')).toEqual([
			'\uFEFF"日期","月份","志愿者","小时","类型","内容"',
			'"2025-03-10","2025-03","李阿姨","2","任务","买菜"',
			'"2025-04-02","2025-04","王大爷","1","任务","买菜"',
			''
		]);
	});
});
