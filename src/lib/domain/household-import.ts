/**
 * Household import: from a table of text cells (a spreadsheet read by `$lib/spreadsheets`) to
 * households the model can create, with every problem reported by row (issue 18).
 *
 *   table ──recogniseHeader──▶ header row + column mapping (the user corrects it in a preview)
 *         ──parseHouseholdTable──▶ households grouped by addressKey + per-row errors
 *         ──planHouseholdImport(existing keys)──▶ new households, duplicates (merge or skip)
 *
 * Recognition works on the spreadsheets people keep today: Chinese or English headers, a
 * two-row header with a group label merged over several columns ("居民信息" over 姓名/电话),
 * one row per resident where the household's address is written on its first row only (the
 * address cells merged down, or left blank), tags as yes/no columns or one 标签 column.
 *
 * Invariant: nothing is silently dropped. A row is either part of exactly one household or has
 * at least one error naming it (1-based, as the file numbers it); a row with an error adds
 * nothing, and a plan is refused while errors stand unless the user chose to skip those rows.
 * Words we do not recognise (an unusual relation, an unknown tag) are kept in the resident's
 * note. Pure: no Yjs, no DOM; long tables are processed in chunks that yield to the event loop.
 */

import {
	ADDRESS_PARTS,
	COLOUR_RANK,
	HOUSEHOLD_NOTE_MAX,
	COLOUR_REASON_MAX,
	RESIDENT_NAME_MAX,
	RESIDENT_TAGS,
	addressKey,
	birthYearOfIdNumber,
	normaliseText,
	parseAddress,
	parseBirthYear,
	parseBoundedText,
	parseIdNumber,
	parsePhone,
	type AddressPart,
	type AddressReason,
	type BirthYearReason,
	type HouseholdColour,
	type HouseholdId,
	type HouseholdInput,
	type IdNumberReason,
	type PhoneReason,
	type ResidentInput,
	type ResidentRelation,
	type ResidentTag
} from './household';
import { err, ok, type Result } from './result';

/** One row of a spreadsheet as text cells; `row` is its number in the file (1-based). */
export type SpreadsheetRow = Readonly<{ row: number; cells: readonly string[] }>;
/** A sheet's non-blank rows, in file order. */
export type SpreadsheetTable = readonly SpreadsheetRow[];

/** What a column holds. `tag:<tag>` is a yes/no column for one tag; `tags` lists tags. */
export type HouseholdColumnField =
	| AddressPart
	| 'name'
	| 'relation'
	| 'phone'
	| 'idNumber'
	| 'birthYear'
	| 'age'
	| 'tags'
	| `tag:${ResidentTag}`
	| 'colour'
	| 'colourReason'
	| 'note'
	| 'residentNote';

/** Column index → field, `null` for a column that is not imported. */
export type HouseholdColumnMapping = readonly (HouseholdColumnField | null)[];

// Vocabulary: what people write in headers and cells. Compared after `fold`.

const HEADER_WORDS: Readonly<Record<HouseholdColumnField, readonly string[]>> = {
	compound: ['小区', '小区名称', '小区名', '所属小区', '院落', 'compound', 'estate'],
	building: ['楼栋', '楼号', '栋', '栋号', '楼栋号', '幢', '楼', 'building', 'bldg'],
	unit: ['单元', '单元号', 'unit', 'entrance'],
	room: ['门牌号', '房号', '室', '户号', '房间号', '门牌', '房屋号', 'room', 'door', 'apartment'],
	name: ['姓名', '居民姓名', '住户姓名', '户主姓名', '名字', 'name', 'fullname', 'resident'],
	relation: ['与户主关系', '与户主的关系', '关系', '家庭关系', 'relation', 'relationship'],
	phone: [
		'联系电话',
		'手机号',
		'手机号码',
		'电话',
		'电话号码',
		'联系方式',
		'手机',
		'phone',
		'mobile',
		'tel',
		'telephone'
	],
	idNumber: [
		'身份证号',
		'身份证号码',
		'公民身份号码',
		'身份证',
		'证件号码',
		'idnumber',
		'idno',
		'id'
	],
	birthYear: [
		'出生年份',
		'出生年月',
		'出生日期',
		'出生年',
		'birthyear',
		'yearofbirth',
		'dateofbirth',
		'born'
	],
	age: ['年龄', 'age'],
	tags: ['标签', '人员类别', '人员类型', '特殊人群', '类别', 'tags', 'tag'],
	'tag:elderlyAlone': ['独居老人', '独居', 'elderlylivingalone', 'elderlyalone', 'livesalone'],
	'tag:disability': ['残疾人', '残疾', 'disability', 'disabled'],
	'tag:lowIncome': ['低保户', '低保', 'lowincome'],
	'tag:veteran': ['退役军人', '军人', 'veteran'],
	'tag:specialCare': ['特殊关爱', '特殊关爱对象', '关爱对象', 'specialcare'],
	'tag:rented': ['租户', '出租', '出租户', '出租房', 'rented', 'rental'],
	'tag:vacant': ['空置', '空置房', '空房', 'vacant'],
	colour: ['颜色', '管理等级', '三色', '三色管理', '等级', '户颜色', 'colour', 'color', 'level'],
	colourReason: [
		'颜色原因',
		'原因',
		'等级原因',
		'标色原因',
		'三色原因',
		'colourreason',
		'colorreason',
		'reason'
	],
	note: ['备注', '说明', '户备注', 'note', 'notes', 'remarks'],
	residentNote: ['居民备注', '人员备注', 'residentnote']
};

const COLOUR_WORDS: Readonly<Record<HouseholdColour, readonly string[]>> = {
	red: ['红', '红色', '重点', '重点户', '红色重点', 'red'],
	yellow: ['黄', '黄色', '关注', '关注户', '黄色关注', 'yellow'],
	green: ['绿', '绿色', '平安', '平安户', '绿色平安', '正常', '一般', 'green']
};

const RELATION_WORDS: Readonly<Record<ResidentRelation, readonly string[]>> = {
	head: ['户主', '本人', 'head', 'self'],
	spouse: ['配偶', '妻', '妻子', '夫', '丈夫', '爱人', '老伴', 'spouse', 'wife', 'husband'],
	child: [
		'子',
		'女',
		'儿子',
		'女儿',
		'长子',
		'次子',
		'三子',
		'长女',
		'次女',
		'三女',
		'独子',
		'独女',
		'子女',
		'孩子',
		'child',
		'son',
		'daughter'
	],
	parent: [
		'父亲',
		'母亲',
		'父',
		'母',
		'父母',
		'岳父',
		'岳母',
		'公公',
		'婆婆',
		'parent',
		'father',
		'mother'
	],
	grandchild: [
		'孙子',
		'孙女',
		'外孙',
		'外孙子',
		'外孙女',
		'孙',
		'孙辈',
		'孙子女',
		'grandchild',
		'grandson',
		'granddaughter'
	],
	sibling: [
		'兄',
		'弟',
		'姐',
		'妹',
		'哥哥',
		'弟弟',
		'姐姐',
		'妹妹',
		'兄弟姐妹',
		'sibling',
		'brother',
		'sister'
	],
	tenant: ['租户', '租客', '承租人', 'tenant', 'renter'],
	other: ['其他', '其它', 'other']
};

const YES = ['是', '有', '√', '✓', '✔', '☑', 'y', 'yes', 'true', '1'];
const NO = ['', '否', '无', '没有', '不是', '×', '✗', '-', 'n', 'no', 'false', '0'];

/** Full-width folded, lower-cased, without spaces, brackets' contents and marks like `*` or `:`. */
function fold(value: string): string {
	return normaliseText(value)
		.toLowerCase()
		.replace(/[(（[【].*?[)）\]】]/gu, '')
		.replace(/[\s*:：_.#/\\-]/gu, '');
}

/** Every field a column can be mapped to, in the order a mapping select lists them. */
export const HOUSEHOLD_COLUMN_FIELDS = Object.freeze(
	Object.keys(HEADER_WORDS) as HouseholdColumnField[]
);

function lookup<K extends string>(table: Readonly<Record<K, readonly string[]>>) {
	const map = new Map<string, K>();
	for (const [key, words] of Object.entries(table) as [K, readonly string[]][])
		for (const word of words) if (!map.has(fold(word))) map.set(fold(word), key);
	return map;
}

const HEADERS = lookup(HEADER_WORDS);
const COLOURS = lookup(COLOUR_WORDS);
const RELATIONS = lookup(RELATION_WORDS);
const TAGS = new Map<string, ResidentTag>(
	RESIDENT_TAGS.flatMap((tag) =>
		[tag, ...HEADER_WORDS[`tag:${tag}`]].map((word) => [fold(word), tag] as const)
	)
);

/** The field a header names, or `null`: "联系电话", "手机号（必填）", "Phone" → `phone`. */
export function recogniseColumn(label: string): HouseholdColumnField | null {
	const word = fold(label);
	return word === '' ? null : (HEADERS.get(word) ?? null);
}

export type HeaderRecognition = Readonly<{
	/** Index into the table of the header's last row; data starts on the next one. */
	headerIndex: number;
	/** Each column's label as the preview shows it (a merged group label spread over its span). */
	labels: readonly string[];
	mapping: HouseholdColumnMapping;
}>;

/** Rows looked at for a header: titles and multi-row headers sit at the top. */
const HEADER_SEARCH_ROWS = 10;

/**
 * Finds the header and maps its columns. Each of the first rows is tried as the header's last
 * row; a column's label is its cell there or, when blank (merged down from above), the nearest
 * cell above it; rows above the candidate spread a label rightward over blank cells (merged
 * across, like 居民信息 over 姓名 and 电话). The candidate mapping the most columns wins (the first
 * on a tie); a field already mapped by a column to its left is not mapped twice, except tags.
 */
export function recogniseHeader(table: SpreadsheetTable): HeaderRecognition {
	const top = table.slice(0, HEADER_SEARCH_ROWS);
	const width = table.reduce((most, r) => Math.max(most, r.cells.length), 0);
	let best: HeaderRecognition = {
		headerIndex: 0,
		labels: Array.from({ length: width }, (_, c) => table[0]?.cells[c] ?? ''),
		mapping: Array.from({ length: width }, () => null)
	};
	let bestScore = 0;
	for (let index = 0; index < top.length; index++) {
		const spread = top.slice(0, index).map((r) => spreadRight(r.cells, width));
		const labels = Array.from({ length: width }, (_, c) => {
			const own = top[index]!.cells[c] ?? '';
			if (own.trim() !== '') return own.trim();
			for (let above = index - 1; above >= 0; above--) {
				if (spread[above]![c]!.trim() !== '') return spread[above]![c]!.trim();
			}
			return '';
		});
		const mapping = mapLabels(labels);
		const score = mapping.filter((field) => field !== null).length;
		if (score > bestScore) {
			best = { headerIndex: index, labels, mapping };
			bestScore = score;
		}
	}
	return Object.freeze(best);
}

function spreadRight(cells: readonly string[], width: number): string[] {
	const out: string[] = [];
	let last = '';
	for (let c = 0; c < width; c++) {
		const cell = (cells[c] ?? '').trim();
		if (cell !== '') last = cell;
		out.push(cell === '' ? last : cell);
	}
	return out;
}

function mapLabels(labels: readonly string[]): (HouseholdColumnField | null)[] {
	const seen = new Set<HouseholdColumnField>();
	return labels.map((label) => {
		const field = recogniseColumn(label);
		if (field === null || (seen.has(field) && field !== 'tags')) return null;
		seen.add(field);
		return field;
	});
}

export type MappingProblem = 'no_address_column' | 'field_mapped_twice';

/** What keeps a (user-corrected) mapping from being imported; empty when it can be. */
export function mappingProblems(mapping: HouseholdColumnMapping): MappingProblem[] {
	const problems: MappingProblem[] = [];
	if (!mapping.includes('building') && !mapping.includes('room'))
		problems.push('no_address_column');
	const fields = mapping.filter((field) => field !== null && field !== 'tags');
	if (new Set(fields).size !== fields.length) problems.push('field_mapped_twice');
	return problems;
}

// Rows → households

export type ImportRowReason =
	| AddressReason
	| IdNumberReason
	| PhoneReason
	| BirthYearReason
	| 'name_required'
	| 'name_too_long'
	| 'colour_unknown'
	| 'colour_reason_too_long'
	| 'note_too_long'
	| 'tag_value';

export type ImportRowError = Readonly<{
	/** The row's number in the file (1-based). */
	row: number;
	/** The column's index (0-based) in the table, `null` for the row as a whole. */
	column: number | null;
	reason: ImportRowReason;
}>;

/** One household as the file gives it: the rows it came from, merged into one input. */
export type ImportedHousehold = Readonly<{
	key: string;
	input: HouseholdInput;
	rows: readonly number[];
}>;

export type HouseholdImport = Readonly<{
	households: readonly ImportedHousehold[];
	errors: readonly ImportRowError[];
	/** Rows with at least one error, ascending: none of their values is in `households`. */
	erroneousRows: readonly number[];
	/** Data rows read (blank rows excluded). */
	rowCount: number;
}>;

export type ImportOptions = Readonly<{
	today?: Date;
	/** Called after each chunk with rows done and rows in all. */
	onProgress?: (done: number, total: number) => void;
	/** Rows per chunk between yields to the event loop (default 500). */
	chunkRows?: number;
}>;

type ParsedRow = Readonly<{
	row: number;
	address: HouseholdInput['address'];
	household: Omit<HouseholdInput, 'address' | 'residents'>;
	resident: ResidentInput | null;
}>;

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Reads the data rows under the header into households. A row whose address cells are all blank
 * belongs to the household of the row above (the address written once, merged down). Rows of
 * one address (by `addressKey`) make one household: residents in row order (a resident given
 * twice kept once), the most attention-needing colour, reasons and notes joined.
 */
export async function parseHouseholdTable(
	table: SpreadsheetTable,
	header: Readonly<{ headerIndex: number; mapping: HouseholdColumnMapping }>,
	options: ImportOptions = {}
): Promise<HouseholdImport> {
	const today = options.today ?? new Date();
	const chunk = Math.max(1, options.chunkRows ?? 500);
	const data = table.slice(header.headerIndex + 1);
	const errors: ImportRowError[] = [];
	const parsed: ParsedRow[] = [];
	let previousAddress: Record<AddressPart, string> | null = null;
	for (let start = 0; start < data.length; start += chunk) {
		for (const row of data.slice(start, start + chunk)) {
			const result = parseRow(row, header.mapping, previousAddress, today);
			if (result.blank) continue;
			previousAddress = result.rawAddress;
			if (result.errors.length > 0) errors.push(...result.errors);
			else parsed.push(result.parsed!);
		}
		options.onProgress?.(Math.min(start + chunk, data.length), data.length);
		if (start + chunk < data.length) await yieldToEventLoop();
	}
	const erroneousRows = [...new Set(errors.map((e) => e.row))];
	return Object.freeze({
		households: groupRows(parsed),
		errors: Object.freeze(errors),
		erroneousRows: Object.freeze(erroneousRows),
		rowCount: parsed.length + erroneousRows.length
	});
}

type RowOutcome = {
	blank: boolean;
	rawAddress: Record<AddressPart, string> | null;
	errors: ImportRowError[];
	parsed?: ParsedRow;
};

function parseRow(
	{ row, cells }: SpreadsheetRow,
	mapping: HouseholdColumnMapping,
	previousAddress: Record<AddressPart, string> | null,
	today: Date
): RowOutcome {
	const errors: ImportRowError[] = [];
	const fail = (column: number | null, reason: ImportRowReason) =>
		errors.push(Object.freeze({ row, column, reason }));
	const cell = (c: number) => normaliseText(cells[c] ?? '');
	const columnOf = (field: HouseholdColumnField) => mapping.indexOf(field);
	const value = (field: HouseholdColumnField) => {
		const c = columnOf(field);
		return c < 0 ? '' : cell(c);
	};
	if (mapping.every((field, c) => field === null || cell(c) === ''))
		return { blank: true, rawAddress: previousAddress, errors };

	let rawAddress = Object.fromEntries(ADDRESS_PARTS.map((p) => [p, value(p)])) as Record<
		AddressPart,
		string
	>;
	if (ADDRESS_PARTS.every((p) => rawAddress[p] === '') && previousAddress)
		rawAddress = previousAddress;
	const address = parseAddress(rawAddress);
	const addressColumn = columnOf('building') >= 0 ? columnOf('building') : columnOf('room');
	if (!address.ok) fail(addressColumn < 0 ? null : addressColumn, address.reason);

	const residentNotes: string[] = [];
	const tags = new Set<ResidentTag>();
	mapping.forEach((field, c) => {
		const text = cell(c);
		if (field === 'tags') {
			// A tag's words may hold spaces ("Elderly living alone"): a part is tried whole first.
			for (const part of text.split(/[,，、;；/|]+/u).filter((p) => p.trim() !== '')) {
				const whole = TAGS.get(fold(part));
				if (whole) {
					tags.add(whole);
					continue;
				}
				for (const word of part.split(/\s+/u).filter(Boolean)) {
					const tag = TAGS.get(fold(word));
					if (tag) tags.add(tag);
					else residentNotes.push(word);
				}
			}
		} else if (field?.startsWith('tag:')) {
			const tag = field.slice(4) as ResidentTag;
			const word = fold(text);
			if (YES.includes(word) || TAGS.get(word) === tag) tags.add(tag);
			else if (!NO.includes(word)) fail(c, 'tag_value');
		}
	});

	const colourText = fold(value('colour'));
	const colour: HouseholdColour | undefined = colourText === '' ? 'green' : COLOURS.get(colourText);
	if (!colour) fail(columnOf('colour'), 'colour_unknown');
	const colourReason = parseBoundedText(value('colourReason'), COLOUR_REASON_MAX);
	if (!colourReason.ok) fail(columnOf('colourReason'), 'colour_reason_too_long');
	const note = parseBoundedText(value('note'), HOUSEHOLD_NOTE_MAX);
	if (!note.ok) fail(columnOf('note'), 'note_too_long');

	const phone = parsePhone(value('phone'));
	if (!phone.ok) fail(columnOf('phone'), phone.reason);
	const idNumber = parseIdNumber(value('idNumber'), today);
	if (!idNumber.ok) fail(columnOf('idNumber'), idNumber.reason);
	const birthYear = parseBirthYearCell(value('birthYear'), value('age'), today);
	if (!birthYear.ok)
		fail(columnOf(value('birthYear') !== '' ? 'birthYear' : 'age'), birthYear.reason);

	const relationText = value('relation');
	let relation: ResidentRelation = 'other';
	if (relationText !== '') {
		const known = RELATIONS.get(fold(relationText));
		if (known) relation = known;
		else residentNotes.unshift(`与户主关系：${relationText}`);
	}
	const ownNote = value('residentNote');
	if (ownNote !== '') residentNotes.unshift(ownNote);

	const hasResident =
		value('name') !== '' ||
		[phone, idNumber].some((r) => r.ok && r.value !== '') ||
		value('birthYear') !== '' ||
		value('age') !== '' ||
		relationText !== '' ||
		ownNote !== '' ||
		tags.size > 0;
	const name = parseBoundedText(value('name'), RESIDENT_NAME_MAX, hasResident);
	if (!name.ok)
		fail(columnOf('name'), name.reason === 'required' ? 'name_required' : 'name_too_long');
	const residentNote = parseBoundedText(residentNotes.join('；'), HOUSEHOLD_NOTE_MAX);
	if (!residentNote.ok) fail(columnOf('residentNote'), 'note_too_long');

	if (errors.length > 0 || !address.ok || !colour || !colourReason.ok || !note.ok)
		return { blank: false, rawAddress, errors };
	const id = idNumber.ok ? idNumber.value : '';
	const resident: ResidentInput | null = hasResident
		? Object.freeze({
				name: name.ok ? name.value : '',
				relation,
				phone: phone.ok ? phone.value : '',
				idNumber: id,
				birthYear: (birthYear.ok ? birthYear.value : null) ?? birthYearOfIdNumber(id),
				tags: Object.freeze(RESIDENT_TAGS.filter((tag) => tags.has(tag))),
				note: residentNote.ok ? residentNote.value : ''
			})
		: null;
	return {
		blank: false,
		rawAddress,
		errors,
		parsed: {
			row,
			address: address.value,
			household: { colour, colourReason: colourReason.value, note: note.value },
			resident
		}
	};
}

/** A year ("1950", "1950年"), a date's year ("1950-03-01", "1950.03", "1950年3月") or an age. */
function parseBirthYearCell(
	year: string,
	age: string,
	today: Date
): Result<number | null, BirthYearReason> {
	if (year !== '') {
		const leading = /^(\d{4})(?:$|[年./-]|\d{2,4}$)/u.exec(year);
		return parseBirthYear(leading ? leading[1]! : year, today);
	}
	if (age === '') return ok(null);
	const years = Number(age.replace(/岁$/u, ''));
	if (!Number.isInteger(years) || years < 0) return err('birth_year');
	return parseBirthYear(today.getFullYear() - years, today);
}

function joinUnique(values: readonly string[]): string {
	return [...new Set(values.filter((v) => v !== ''))].join('；');
}

function groupRows(rows: readonly ParsedRow[]): readonly ImportedHousehold[] {
	const groups = new Map<string, ParsedRow[]>();
	for (const row of rows) {
		const key = addressKey(row.address);
		const group = groups.get(key);
		if (group) group.push(row);
		else groups.set(key, [row]);
	}
	return Object.freeze(
		[...groups].map(([key, group]) => {
			const colour = group
				.map((r) => r.household.colour)
				.reduce((a, b) => (COLOUR_RANK[b] < COLOUR_RANK[a] ? b : a));
			const residents = group.reduce<readonly ResidentInput[]>(
				(all, r) => (r.resident ? [...all, ...residentsToAdd(all, [r.resident])] : all),
				[]
			);
			return Object.freeze({
				key,
				rows: Object.freeze(group.map((r) => r.row)),
				input: Object.freeze({
					address: group[0]!.address,
					colour,
					colourReason: truncate(
						joinUnique(group.map((r) => r.household.colourReason)),
						COLOUR_REASON_MAX
					),
					note: truncate(joinUnique(group.map((r) => r.household.note)), HOUSEHOLD_NOTE_MAX),
					residents: Object.freeze(residents)
				})
			});
		})
	);
}

const truncate = (value: string, max: number) => [...value].slice(0, max).join('');

/**
 * The incoming residents not already among `existing`: the same person is the same ID number
 * when both have one, else the same name. For merging a household into one that exists.
 */
export function residentsToAdd(
	existing: readonly ResidentInput[],
	incoming: readonly ResidentInput[]
): ResidentInput[] {
	const out: ResidentInput[] = [];
	for (const resident of incoming) {
		const same = (other: ResidentInput) =>
			resident.idNumber !== '' && other.idNumber !== ''
				? resident.idNumber === other.idNumber
				: resident.name === other.name;
		if (!existing.some(same) && !out.some(same)) out.push(resident);
	}
	return out;
}

// The plan

export type HouseholdImportPlan = Readonly<{
	/** Households whose address is not in the register yet. */
	fresh: readonly ImportedHousehold[];
	/** Households whose address is: the user merges each into the existing one or skips it. */
	duplicates: readonly Readonly<{ household: ImportedHousehold; existingId: HouseholdId }>[];
	/** Rows left out because they have errors (only when the user chose to skip them). */
	skippedRows: readonly number[];
}>;

export type ImportPlanReason = 'rows_have_errors';

/**
 * Splits an import into new households and duplicates of existing ones (`existing` maps an
 * addressKey to the household holding it). Refused while rows have errors, unless the user
 * chose to skip those rows.
 */
export function planHouseholdImport(
	imported: HouseholdImport,
	existing: ReadonlyMap<string, HouseholdId>,
	options: Readonly<{ skipErroneousRows: boolean }>
): Result<HouseholdImportPlan, ImportPlanReason> {
	if (imported.errors.length > 0 && !options.skipErroneousRows) return err('rows_have_errors');
	const fresh: ImportedHousehold[] = [];
	const duplicates: { household: ImportedHousehold; existingId: HouseholdId }[] = [];
	for (const household of imported.households) {
		const existingId = existing.get(household.key);
		if (existingId) duplicates.push(Object.freeze({ household, existingId }));
		else fresh.push(household);
	}
	return ok(
		Object.freeze({
			fresh: Object.freeze(fresh),
			duplicates: Object.freeze(duplicates),
			skippedRows: imported.erroneousRows
		})
	);
}
