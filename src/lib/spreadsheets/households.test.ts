/**
 * The household spreadsheets end to end, on files: the messy fixtures of
 * tests/fixtures/households/ (made by make-households.ts) read, recognised and parsed to the
 * households and row errors a person would expect; a re-import plans nothing new; an export
 * read back (CSV with its BOM, XLSX through read-excel-file) gives the rows, masked or in full.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HouseholdId, ResidentInput } from '$lib/domain/household';
import type { HouseholdExportRow } from '$lib/domain/household-export';
import {
	parseHouseholdTable,
	planHouseholdImport,
	recogniseHeader,
	type HouseholdImport
} from '$lib/domain/household-import';
import { readSpreadsheet, SpreadsheetReadError, type XlsxSheetReader } from './read';
import { EXPORT_LABELS_ZH, MESSY_FIELDS } from './test-fixtures';
import { householdsCsv, householdsXlsx } from './write';

const FIXTURES = path.resolve(import.meta.dirname, '../../../tests/fixtures/households');
// In Node, read-excel-file's node entry (the app uses its browser entry); loaded like the app's.
const nodeXlsx: XlsxSheetReader = async (input, options) => {
	const { readSheet } = await import('read-excel-file/node');
	return readSheet<string>(Buffer.from(input), options);
};
const TODAY = new Date('2026-06-01T00:00:00Z');

async function importFile(name: string): Promise<HouseholdImport> {
	const bytes = fs.readFileSync(path.join(FIXTURES, name));
	const table = await readSpreadsheet(bytes, name, undefined, nodeXlsx);
	return parseHouseholdTable(table, recogniseHeader(table), { today: TODAY });
}

const resident = (fields: Partial<ResidentInput> & Pick<ResidentInput, 'name'>): ResidentInput => ({
	relation: 'other',
	phone: '',
	idNumber: '',
	birthYear: null,
	tags: [],
	note: '',
	...fields
});

/** What both fixtures hold (make-households.ts), row numbers as the file shows them. */
const EXPECTED_HOUSEHOLDS = [
	{
		rows: [5, 6, 11],
		input: {
			address: { compound: '阳光小区', building: '3号楼', unit: '2单元', room: '301' },
			colour: 'red',
			colourReason: '独居高龄老人',
			note: '',
			residents: [
				resident({
					name: '张伟',
					relation: 'head',
					phone: '13812345678',
					idNumber: '11010519491231002X',
					birthYear: 1949,
					tags: ['elderlyAlone']
				}),
				resident({
					name: '李秀英',
					relation: 'spouse',
					phone: '13912345678',
					idNumber: '330102195203080045',
					birthYear: 1952,
					tags: ['disability']
				}),
				resident({ name: '张小明', relation: 'child', birthYear: 1985 })
			]
		}
	},
	{
		rows: [7],
		input: {
			address: { compound: '阳光小区', building: '3栋', unit: '2单元', room: '302室' },
			colour: 'yellow',
			colourReason: '低保',
			note: '租住',
			residents: [
				resident({
					name: '王芳',
					relation: 'head',
					phone: '13600001111',
					idNumber: '330106198001151529',
					birthYear: 1980
				})
			]
		}
	},
	{
		rows: [12],
		input: {
			address: { compound: '幸福家园', building: '1栋', unit: '', room: '101' },
			colour: 'green',
			colourReason: '',
			note: '空置',
			residents: []
		}
	},
	{
		rows: [13],
		input: {
			address: { compound: '幸福家园', building: '2栋', unit: '1单元', room: '201' },
			colour: 'yellow',
			colourReason: '残疾',
			note: '',
			residents: [
				resident({
					name: '孙丽',
					relation: 'child',
					phone: '13700001234',
					idNumber: '44030419900307123X',
					birthYear: 1990,
					tags: ['disability']
				})
			]
		}
	}
];

const EXPECTED_ERRORS = [
	{ row: 9, column: 7, reason: 'id_check_digit' },
	{ row: 10, column: 6, reason: 'phone_format' }
];

describe('household import from the fixtures', () => {
	it.each(['households.xlsx', 'households-gbk.csv'])(
		'%s: the header found through merged cells',
		async (name) => {
			const bytes = fs.readFileSync(path.join(FIXTURES, name));
			const table = await readSpreadsheet(bytes, name, undefined, nodeXlsx);
			// Blank rows 4 and 8 are gone; every other row keeps its number in the file.
			expect(table.map((r) => r.row)).toEqual([1, 2, 3, 5, 6, 7, 9, 10, 11, 12, 13]);
			const header = recogniseHeader(table);
			expect(header.headerIndex).toBe(2);
			expect(header.labels.slice(0, 5)).toEqual(['小区', '楼栋', '单元', '门牌号', '姓名']);
			expect(header.mapping).toEqual(MESSY_FIELDS);
		}
	);

	it.each(['households.xlsx', 'households-gbk.csv'])(
		'%s: the households and the row errors',
		async (name) => {
			const imported = await importFile(name);
			expect(imported.households.map(({ rows, input }) => ({ rows, input }))).toEqual(
				EXPECTED_HOUSEHOLDS
			);
			expect(imported.errors).toEqual(EXPECTED_ERRORS);
			expect(imported.erroneousRows).toEqual([9, 10]);
			expect(imported.rowCount).toBe(8);
		}
	);

	it('the plan is refused while rows have errors, and skips them when asked', async () => {
		const imported = await importFile('households.xlsx');
		expect(planHouseholdImport(imported, new Map(), { skipErroneousRows: false })).toEqual({
			ok: false,
			reason: 'rows_have_errors'
		});
		const plan = planHouseholdImport(imported, new Map(), { skipErroneousRows: true });
		expect(plan.ok && plan.value.fresh).toHaveLength(4);
		expect(plan.ok && plan.value.skippedRows).toEqual([9, 10]);
	});

	it('"3栋 301室" already in the register is a duplicate of the file\'s "3号楼 301"', async () => {
		const imported = await importFile('households-gbk.csv');
		const { addressKey } = await import('$lib/domain/household');
		const existing = new Map([
			[
				addressKey({ compound: '阳光小区', building: '3栋', unit: '2单元', room: '301室' }),
				'h1' as HouseholdId
			]
		]);
		const plan = planHouseholdImport(imported, existing, { skipErroneousRows: true });
		expect(plan.ok).toBe(true);
		if (!plan.ok) return;
		expect(plan.value.duplicates.map((d) => [d.existingId, d.household.rows])).toEqual([
			['h1', [5, 6, 11]]
		]);
		expect(plan.value.fresh).toHaveLength(3);
	});

	it('a re-import of the same file plans no new household', async () => {
		const first = await importFile('households.xlsx');
		const register = new Map(
			first.households.map((h, i) => [h.key, `h${i}` as HouseholdId] as const)
		);
		for (const name of ['households.xlsx', 'households-gbk.csv']) {
			const again = await importFile(name);
			const plan = planHouseholdImport(again, register, { skipErroneousRows: true });
			expect(plan.ok && plan.value.fresh).toEqual([]);
			expect(plan.ok && plan.value.duplicates).toHaveLength(4);
		}
	});

	it('a file of another kind or a broken XLSX is refused with a reason', async () => {
		await expect(readSpreadsheet(new Uint8Array([1, 2]), 'old.xls')).rejects.toEqual(
			new SpreadsheetReadError('unsupported_file')
		);
		await expect(
			readSpreadsheet(new TextEncoder().encode('not a zip'), 'x.xlsx', undefined, nodeXlsx)
		).rejects.toMatchObject({ reason: 'unreadable_file' });
	});
});

describe('reading', () => {
	it('a 5,000-row XLSX is read, recognised and parsed within the 5 s budget (issue 18)', async () => {
		const { default: writeXlsxFile } = await import('write-excel-file/node');
		const sheet = [
			['小区', '楼栋', '单元', '门牌号', '姓名', '与户主关系', '联系电话', '身份证号', '管理等级']
		];
		for (let i = 0; i < 5000; i++)
			sheet.push([
				'阳光小区',
				`${i % 60}栋`,
				`${i % 4}单元`,
				`${i}`,
				`居民${i}`,
				'户主',
				'13812345678',
				'11010519491231002X',
				'黄'
			]);
		const bytes = await writeXlsxFile(sheet).toBuffer();
		const table = await readSpreadsheet(bytes, 'big.xlsx', undefined, nodeXlsx);
		const imported = await parseHouseholdTable(table, recogniseHeader(table), { today: TODAY });
		expect(imported.errors).toEqual([]);
		expect(imported.households).toHaveLength(5000);
		// How long it takes is measured by `npm run bench:households`, not here.
	});

	it('reports progress from 0 to 1', async () => {
		const fractions: number[] = [];
		const csv = '楼栋,门牌号\n' + '3栋,101\n'.repeat(50_000);
		const table = await readSpreadsheet(new TextEncoder().encode(csv), 'big.csv', (f) =>
			fractions.push(f)
		);
		expect(table).toHaveLength(50_001);
		expect(fractions[0]).toBe(0);
		expect(fractions.at(-1)).toBe(1);
		expect(fractions.length).toBeGreaterThan(3);
		expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
	});

	it('UTF-8 with and without a BOM, and UTF-16 with one', async () => {
		const text = '楼栋,姓名\r\n3栋,张伟\r\n';
		const utf8 = new TextEncoder().encode(text);
		const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]);
		const utf16 = new Uint8Array([
			0xff,
			0xfe,
			...new Uint8Array(Uint16Array.from(text, (c) => c.charCodeAt(0)).buffer)
		]);
		for (const bytes of [utf8, bom, utf16]) {
			const table = await readSpreadsheet(bytes, 'a.csv');
			expect(table.map((r) => r.cells)).toEqual([
				['楼栋', '姓名'],
				['3栋', '张伟']
			]);
		}
	});

	it('long numbers keep every digit, whatever form the file wrote them in', async () => {
		const reader: XlsxSheetReader = async () => [
			['1.3812345678E10', '1.10101199003077E+17', 13812345678, '8.5E-3', 1949, true]
		];
		const table = await readSpreadsheet(new Uint8Array(4), 'a.xlsx', undefined, reader);
		expect(table[0]!.cells).toEqual([
			'13812345678',
			'110101199003077000',
			'13812345678',
			'0.0085',
			'1949',
			'true'
		]);
	});
});

// Export

const EXPORT: HouseholdExportRow[] = [
	{
		address: { compound: '阳光小区', building: '3号楼', unit: '2单元', room: '301' },
		colour: 'red',
		colourReason: '独居高龄老人',
		note: '=HYPERLINK("x")',
		lastVisitAt: Date.UTC(2026, 4, 31, 17, 0), // 2026-06-01 01:00 in Shanghai
		residents: [
			resident({
				name: '张伟',
				relation: 'head',
				phone: '13812345678',
				idNumber: '11010519491231002X',
				birthYear: 1949,
				tags: ['elderlyAlone', 'lowIncome'],
				note: '耳背'
			}),
			resident({ name: '李秀英', relation: 'spouse', phone: '0571-88123456-12' })
		]
	},
	{
		address: { compound: '幸福家园', building: '1栋', unit: '', room: '101' },
		colour: 'green',
		colourReason: '',
		note: '空置',
		lastVisitAt: null,
		residents: []
	}
];

describe('household export', () => {
	it('CSV: a BOM, one row per resident, ID numbers and phones masked by default', async () => {
		const csv = await householdsCsv(EXPORT, EXPORT_LABELS_ZH);
		expect(csv.startsWith('\uFEFF')).toBe(true);
		// The note that looks like a formula is written guarded, and reads back as it was.
		expect(csv).toContain(`'=HYPERLINK(""x"")`);
		const table = await readSpreadsheet(new TextEncoder().encode(csv), 'export.csv');
		expect(table.map((r) => r.cells)).toEqual([
			Object.values(EXPORT_LABELS_ZH.headers),
			[
				'阳光小区',
				'3号楼',
				'2单元',
				'301',
				'红',
				'独居高龄老人',
				'张伟',
				'户主',
				'138****5678',
				'110105********002X',
				'1949',
				'独居老人、低保户',
				'耳背',
				'2026-06-01',
				'=HYPERLINK("x")'
			],
			[
				'阳光小区',
				'3号楼',
				'2单元',
				'301',
				'红',
				'独居高龄老人',
				'李秀英',
				'配偶',
				'0571-****3456-12',
				'',
				'',
				'',
				'',
				'2026-06-01',
				'=HYPERLINK("x")'
			],
			['幸福家园', '1栋', '', '101', '绿', '', '', '', '', '', '', '', '', '', '空置']
		]);
	});

	it('CSV and XLSX in full read back into the same households', async () => {
		const csv = await householdsCsv(EXPORT, EXPORT_LABELS_ZH, { full: true });
		const xlsx = await householdsXlsx(EXPORT, EXPORT_LABELS_ZH, { full: true, sheetName: '住户' });
		const files: [Uint8Array, string][] = [
			[new TextEncoder().encode(csv), 'export.csv'],
			[new Uint8Array(await xlsx.arrayBuffer()), 'export.xlsx']
		];
		for (const [bytes, name] of files) {
			const table = await readSpreadsheet(bytes, name, undefined, nodeXlsx);
			expect(table[1]!.cells.slice(8, 10)).toEqual(['13812345678', '11010519491231002X']);
			const header = recogniseHeader(table);
			expect(header.mapping.filter((f) => f === null)).toHaveLength(1); // 最近走访 is not imported
			const imported = await parseHouseholdTable(table, header, { today: TODAY });
			expect(imported.errors).toEqual([]);
			expect(imported.households.map((h) => h.input)).toEqual(
				[
					{
						...EXPORT[0]!,
						lastVisitAt: undefined,
						residents: [EXPORT[0]!.residents[0], { ...EXPORT[0]!.residents[1], relation: 'spouse' }]
					},
					{ ...EXPORT[1]!, lastVisitAt: undefined }
				].map(({ lastVisitAt: _, ...input }) => input)
			);
		}
	});

	it('XLSX masked by default, every cell text', async () => {
		const xlsx = await householdsXlsx(EXPORT, EXPORT_LABELS_ZH);
		const { readSheet } = await import('read-excel-file/node');
		const rows = await readSheet(Buffer.from(await xlsx.arrayBuffer()));
		expect(rows[1]!.slice(8, 11)).toEqual(['138****5678', '110105********002X', '1949']);
	});
});
