import { describe, expect, it } from 'vitest';
import type { HouseholdId, ResidentInput } from './household';
import {
	mappingProblems,
	parseHouseholdTable,
	planHouseholdImport,
	recogniseColumn,
	recogniseHeader,
	residentsToAdd,
	type HouseholdColumnMapping,
	type SpreadsheetTable
} from './household-import';

const TODAY = new Date('2026-06-01T00:00:00Z');
const table = (...rows: string[][]): SpreadsheetTable =>
	rows.map((cells, i) => ({ row: i + 1, cells }));
const parse = (rows: SpreadsheetTable) =>
	parseHouseholdTable(rows, recogniseHeader(rows), { today: TODAY });
const resident = (fields: Partial<ResidentInput> & Pick<ResidentInput, 'name'>): ResidentInput => ({
	relation: 'other',
	phone: '',
	idNumber: '',
	birthYear: null,
	tags: [],
	note: '',
	...fields
});

describe('recogniseColumn', () => {
	it.each([
		['小区名称', 'compound'],
		['楼号', 'building'],
		['栋', 'building'],
		['单元', 'unit'],
		['户号', 'room'],
		['室', 'room'],
		['门牌号', 'room'],
		[' 姓 名 ', 'name'],
		['与户主关系', 'relation'],
		['手机号（必填）', 'phone'],
		['联系电话*', 'phone'],
		['公民身份号码', 'idNumber'],
		['身份证号:', 'idNumber'],
		['出生年月', 'birthYear'],
		['年龄', 'age'],
		['标签', 'tags'],
		['独居老人', 'tag:elderlyAlone'],
		['低保户', 'tag:lowIncome'],
		['出租', 'tag:rented'],
		['空置', 'tag:vacant'],
		['三色', 'colour'],
		['管理等级', 'colour'],
		['颜色原因', 'colourReason'],
		['备注', 'note'],
		['Building', 'building'],
		['Room', 'room'],
		['ID number', 'idNumber'],
		['Phone', 'phone'],
		['Birth year', 'birthYear'],
		['Colour reason', 'colourReason'],
		['Elderly living alone', 'tag:elderlyAlone']
	])('%s → %s', (label, field) => {
		expect(recogniseColumn(label)).toBe(field);
	});

	it.each(['', '序号', '居民信息', '最近走访'])('%s is not a field', (label) => {
		expect(recogniseColumn(label)).toBeNull();
	});
});

describe('recogniseHeader', () => {
	it('a one-row header on the first row', () => {
		const header = recogniseHeader(
			table(['序号', '楼栋', '房号', '姓名'], ['1', '3栋', '101', '张伟'])
		);
		expect(header).toEqual({
			headerIndex: 0,
			labels: ['序号', '楼栋', '房号', '姓名'],
			mapping: [null, 'building', 'room', 'name']
		});
	});

	it('under a title; a group label spread over its merged span; a field mapped once', () => {
		const header = recogniseHeader(
			table(
				['住户台账', '', '', '', ''],
				['楼栋', '居民信息', '', '', '电话'],
				['', '姓名', '电话', '手机号', ''],
				['3栋', '张伟', '13812345678', '', '']
			)
		);
		expect(header.headerIndex).toBe(2);
		expect(header.labels).toEqual(['楼栋', '姓名', '电话', '手机号', '电话']);
		expect(header.mapping).toEqual(['building', 'name', 'phone', null, null]);
	});

	it('a table of 200,000 rows (no spread of every row into one call)', () => {
		const rows: SpreadsheetTable = Array.from({ length: 200_001 }, (_, i) => ({
			row: i + 1,
			cells: i === 0 ? ['楼栋', '房号'] : ['3栋', '101']
		}));
		expect(recogniseHeader(rows).mapping).toEqual(['building', 'room']);
	});

	it('nothing recognisable: no field mapped, the first row as labels', () => {
		expect(recogniseHeader(table(['a', 'b'], ['1', '2']))).toEqual({
			headerIndex: 0,
			labels: ['a', 'b'],
			mapping: [null, null]
		});
	});

	it('the problems of a mapping', () => {
		expect(mappingProblems(['building', 'name', 'tags', 'tags'])).toEqual([]);
		expect(mappingProblems(['compound', 'name'])).toEqual(['no_address_column']);
		expect(mappingProblems(['room', 'name', 'name'])).toEqual(['field_mapped_twice']);
	});
});

describe('parseHouseholdTable', () => {
	it('tags listed in one column, relations and ages; words not known kept in the note', async () => {
		const result = await parse(
			table(
				['楼栋', '房号', '姓名', '关系', '年龄', '身份证号', '标签', '居民备注'],
				[
					'3栋',
					'101',
					'张伟',
					'儿媳',
					'70岁',
					'',
					'独居老人、低保,rented；爱下棋的',
					'腿脚不便，需照顾'
				],
				['3栋', '102', '李娜', '', '', '11010519491231002X', '', '']
			)
		);
		expect(result.errors).toEqual([]);
		expect(result.households.map((h) => h.input.residents)).toEqual([
			[
				resident({
					name: '张伟',
					birthYear: 1956,
					tags: ['elderlyAlone', 'lowIncome', 'rented'],
					note: '腿脚不便，需照顾；与户主关系：儿媳；爱下棋的'
				})
			],
			[resident({ name: '李娜', idNumber: '11010519491231002X', birthYear: 1949 })]
		]);
	});

	it('birth years from dates and years; an impossible one is an error', async () => {
		const result = await parse(
			table(
				['房号', '姓名', '出生年月'],
				['1', 'a', '1950-03-01'],
				['2', 'b', '1950.03'],
				['3', 'c', '1950年3月'],
				['4', 'd', '195003'],
				['5', 'e', '2030'],
				['6', 'f', '五零年']
			)
		);
		expect(result.households.map((h) => h.input.residents[0]!.birthYear)).toEqual([
			1950, 1950, 1950, 1950
		]);
		expect(result.errors).toEqual([
			{ row: 6, column: 2, reason: 'birth_year' },
			{ row: 7, column: 2, reason: 'birth_year' }
		]);
	});

	it('every bad value is reported with its row and column; such a row adds nothing', async () => {
		const result = await parse(
			table(
				['楼栋', '房号', '姓名', '电话', '颜色', '独居老人'],
				['3栋', '101', '张伟', '', '紫', ''],
				['3栋', '102', '李娜', '', '红', '也许'],
				['3栋', '103', '', '13812345678', '', ''],
				['', '', '王五', '123', '', ''],
				['', '', '', '', '', ''],
				['3栋', '104', '赵六', '', '', '']
			)
		);
		expect(result.errors).toEqual([
			{ row: 2, column: 4, reason: 'colour_unknown' },
			{ row: 3, column: 5, reason: 'tag_value' },
			{ row: 4, column: 2, reason: 'name_required' },
			// The blank address takes the row above's (a household's second resident), which is 103.
			{ row: 5, column: 3, reason: 'phone_format' }
		]);
		expect(result.erroneousRows).toEqual([2, 3, 4, 5]);
		expect(result.households.map((h) => h.rows)).toEqual([[7]]);
		expect(result.rowCount).toBe(5);
	});

	it('an address missing on the first row is an error, not a guess', async () => {
		const result = await parse(table(['楼栋', '房号', '姓名'], ['', '', '张伟']));
		expect(result.errors).toEqual([{ row: 2, column: 0, reason: 'address_required' }]);
	});

	it('rows of one address are one household: the most attention, joined reasons, one of each resident', async () => {
		const result = await parse(
			table(
				['小区', '楼栋', '单元', '室', '姓名', '身份证号', '三色', '原因', '备注'],
				['阳光', '3号楼', '2单元', '301', '张伟', '11010519491231002X', '黄', '低保', '租住'],
				['阳光', '3栋', '2', '301室', '李娜', '', '重点', '独居', '租住'],
				['阳光', '3栋', '2', '301', '张伟', '11010519491231002X', '', '', '']
			)
		);
		expect(result.errors).toEqual([]);
		expect(result.households).toHaveLength(1);
		const [household] = result.households;
		expect(household!.rows).toEqual([2, 3, 4]);
		expect(household!.input).toMatchObject({
			address: { compound: '阳光', building: '3号楼', unit: '2单元', room: '301' },
			colour: 'red',
			colourReason: '低保；独居',
			note: '租住'
		});
		expect(household!.input.residents.map((r) => r.name)).toEqual(['张伟', '李娜']);
	});

	it('5,000 rows in chunks, yielding to the event loop between them', async () => {
		const rows = [['楼栋', '房号', '姓名', '电话', '身份证号']];
		for (let i = 0; i < 5000; i++)
			rows.push([`${i % 60}栋`, `${i}`, `居民${i}`, '13812345678', '11010519491231002X']);
		const progress: number[] = [];
		let timerRan = false;
		let timerRanBeforeEnd = false;
		const result = await parseHouseholdTable(table(...rows), recogniseHeader(table(...rows)), {
			today: TODAY,
			onProgress: (done, total) => {
				expect(total).toBe(5000);
				if (progress.length === 0) setTimeout(() => (timerRan = true), 0);
				if (done < total && timerRan) timerRanBeforeEnd = true;
				progress.push(done);
			}
		});
		expect(result.households).toHaveLength(5000);
		expect(progress).toEqual(Array.from({ length: 10 }, (_, i) => (i + 1) * 500));
		expect(timerRanBeforeEnd).toBe(true);
		// How long 5,000 rows take is measured by `npm run bench:households`, not here.
	});
});

describe('the import plan', () => {
	it('fresh and duplicate households; refused with errors unless skipped', async () => {
		const imported = await parse(
			table(
				['楼栋', '房号', '姓名'],
				['3栋', '101', 'a'],
				['3栋', '102', 'b'],
				['', '', ''],
				['x', '103', '']
			)
		);
		const existing = new Map([[imported.households[0]!.key, 'h1' as HouseholdId]]);
		const plan = planHouseholdImport(imported, existing, { skipErroneousRows: false });
		expect(plan.ok).toBe(true);
		if (!plan.ok) return;
		expect(plan.value.fresh.map((h) => h.rows)).toEqual([[3], [5]]);
		expect(plan.value.duplicates.map((d) => [d.existingId, d.household.rows])).toEqual([
			['h1', [2]]
		]);
		expect(plan.value.skippedRows).toEqual([]);
	});

	it('residentsToAdd: the same ID number, or the same name when either has none', () => {
		const existing = [
			resident({ name: '张伟', idNumber: '11010519491231002X' }),
			resident({ name: '李娜' })
		];
		const incoming = [
			resident({ name: '张 伟', idNumber: '11010519491231002X' }),
			resident({ name: '张伟', idNumber: '330102195203080045' }),
			resident({ name: '李娜', idNumber: '330106198001151529' }),
			resident({ name: '王五' }),
			resident({ name: '王五' })
		];
		expect(residentsToAdd(existing, incoming).map((r) => r.name + r.idNumber)).toEqual([
			'张伟330102195203080045',
			'王五'
		]);
	});
});

// A mapping the user corrected in the preview is used as given.
it('a corrected mapping is used as given', async () => {
	const rows = table(['地址', '住户'], ['3栋', '张伟']);
	const mapping: HouseholdColumnMapping = ['building', 'name'];
	const result = await parseHouseholdTable(rows, { headerIndex: 0, mapping }, { today: TODAY });
	expect(result.households.map((h) => h.input.address.building)).toEqual(['3栋']);
});
