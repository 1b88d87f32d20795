/**
 * Ledger export: the cases a board shows as filtered (board-query), read in full, written to CSV
 * (BOM) and XLSX, parse back with the right rows — every field, the timeline summary, the photo
 * links — in the board's order; a case missing from its document is left out.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import Papa from 'papaparse';
import { applyBoardQuery, EMPTY_BOARD_QUERY } from '$lib/domain/board-query';
import { DAY_MS } from '$lib/domain/case-deadline';
import {
	addCaseComment,
	applyCaseStatusAction,
	attachCasePhoto,
	createCase,
	escalateCase,
	listCases
} from '$lib/model/case';
import { caseContext, LI, WANG } from '$lib/model/testing/fixtures';
import { tableCsv, tablesXlsx } from '$lib/spreadsheets/write';
import { LEDGER_COLUMNS, ledgerRows, ledgerTable, type LedgerLabels } from './ledger-export';

const T0 = Date.parse('2026-03-02T02:00:00Z');
const LABELS: LedgerLabels = {
	columns: Object.fromEntries(LEDGER_COLUMNS.map((c) => [c, `列:${c}`])) as LedgerLabels['columns'],
	grid: (id) => `网格${id}`,
	category: (id) => `类:${id}`,
	channel: (id) => `渠:${id}`,
	status: (id) => `状:${id}`,
	tier: (id) => `层:${id}`,
	priority: (id) => `优:${id}`,
	handling: (id) => `处:${id}`,
	satisfaction: (id) => `满:${id}`,
	time: (at) => new Date(at).toISOString(),
	entry: (entry) => `${entry.by}/${entry.kind}`,
	yes: '是',
	no: '否'
};

function board(): Y.Doc {
	const doc = new Y.Doc();
	const make = (title: string, days: number, category = 'sanitation') => {
		const made = createCase(
			doc,
			{ title, category, location: '3号楼', description: `描述 ${title}`, reporterName: '张阿姨' },
			caseContext(WANG, T0 + days * DAY_MS)
		);
		if (!made.ok) throw new Error(made.reason);
		return made.value;
	};
	const a = make('=楼道灯不亮', 0);
	make('垃圾清运', 1, 'noise');
	const c = make('电动车充电', 2);
	applyCaseStatusAction(doc, a, 'accept', {}, caseContext(LI, T0 + 3 * DAY_MS));
	addCaseComment(doc, a, '已联系物业', caseContext(LI, T0 + 4 * DAY_MS));
	attachCasePhoto(
		doc,
		a,
		{ hash: 'a'.repeat(64), mime: 'image/jpeg', width: 10, height: 10, bytes: 100 },
		caseContext(WANG, T0 + 5 * DAY_MS)
	);
	escalateCase(doc, c, '需社区协调', caseContext(LI, T0 + 6 * DAY_MS));
	return doc;
}

describe('ledger export', () => {
	it('the filtered board, every field, timeline summary and photo links, to CSV and XLSX', async () => {
		const doc = board();
		const shown = applyBoardQuery(
			listCases(doc),
			{ ...EMPTY_BOARD_QUERY, categories: ['sanitation'] },
			{}
		);
		expect(shown).toHaveLength(2);
		const wanted = [
			...shown.map((item) => ({ gridId: 'g1', id: item.id })),
			{ gridId: 'g1', id: 'c-gone' }
		];
		const rows = ledgerRows(
			wanted,
			() => doc,
			(hash) => `https://relay/blobs/${hash}`
		);
		expect(rows.map((row) => row.title)).toEqual(['电动车充电', '=楼道灯不亮']);
		const [escalated, light] = rows;
		expect(escalated).toMatchObject({ escalated: true, tier: 'community', timelineCount: 2 });
		expect(light).toMatchObject({
			status: 'accepted',
			reporterName: '张阿姨',
			description: '描述 =楼道灯不亮',
			timelineCount: 4,
			photos: [`https://relay/blobs/${'a'.repeat(64)}`]
		});
		expect(light!.lastEntry).toMatchObject({ kind: 'photo_added', by: WANG.name });

		const table = ledgerTable(rows, LABELS);
		expect(table[0]).toEqual(LEDGER_COLUMNS.map((c) => `列:${c}`));
		const csv = await tableCsv(table);
		expect(csv.startsWith('\uFEFF')).toBe(true);
		const parsed = Papa.parse<string[]>(csv.slice(1), { skipEmptyLines: true }).data;
		expect(parsed).toHaveLength(3);
		const col = (name: (typeof LEDGER_COLUMNS)[number]) => LEDGER_COLUMNS.indexOf(name);
		// A formula-like title is written as text (guarded), never run.
		expect(parsed[2]![col('title')]).toBe("'=楼道灯不亮");
		expect(parsed[2]![col('timelineCount')]).toBe('4');
		expect(parsed[2]![col('timelineLast')]).toBe(`${WANG.name}/photo_added`);
		expect(parsed[2]![col('photos')]).toBe(`https://relay/blobs/${'a'.repeat(64)}`);
		expect(parsed[1]![col('escalated')]).toBe('是');
		expect(parsed[1]![col('grid')]).toBe('网格g1');

		const xlsx = await tablesXlsx([{ name: '案件台账', rows: table }]);
		const { default: readXlsxFile } = await import('read-excel-file/node');
		const sheets = await readXlsxFile(Buffer.from(await xlsx.arrayBuffer()));
		expect(sheets.map((sheet) => sheet.sheet)).toEqual(['案件台账']);
		const data = sheets[0]!.data;
		expect(data).toHaveLength(3);
		expect(data[0]).toEqual(table[0]);
		expect(data[2]![col('title')]).toBe('=楼道灯不亮');
		expect(data[2]![col('id')]).toBe(light!.id);
		expect(data[1]![col('status')]).toBe('状:reported');
	});
});
