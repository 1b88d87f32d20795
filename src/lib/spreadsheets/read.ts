/**
 * Reading a spreadsheet file (CSV or XLSX) into a table of text cells, in the browser, for the
 * household import (`$lib/domain/household-import`).
 *
 * CSV: the encoding is detected from the bytes: a UTF-8 byte-order mark or valid UTF-8 is UTF-8,
 * a UTF-16 mark is UTF-16 (Excel's "Unicode text"), anything else is GBK (what Excel saves in
 * China). XLSX: the first sheet, with numbers kept as the digits the file holds (an 11-digit
 * phone or an ID number typed as a number never becomes 1.38e10; an exponent the file itself
 * wrote, like Excel's `1.10101199003077E+17`, is expanded digit by digit, never through a float).
 *
 * A CSV cell guarded against formulas by a leading `'` (as our export writes it) reads back
 * without the quote.
 *
 * Invariant: every cell is trimmed text ('' for empty); blank rows are dropped and every kept row
 * carries its number in the file, so an error names the row the user sees. The parsers
 * (papaparse, read-excel-file) are loaded on first use, never with the first screen.
 */

import type { SpreadsheetRow, SpreadsheetTable } from '$lib/domain/household-import';

/** Reads the first sheet of an XLSX file into rows of cells (read-excel-file's `readSheet`). */
export type XlsxSheetReader = (
	input: ArrayBuffer,
	options: { parseNumber: (text: string) => string; trim: boolean }
) => Promise<readonly (readonly unknown[])[]>;

export type SpreadsheetKind = 'csv' | 'xlsx';

export type SpreadsheetReadReason = 'unsupported_file' | 'unreadable_file';

export class SpreadsheetReadError extends Error {
	readonly reason: SpreadsheetReadReason;
	constructor(reason: SpreadsheetReadReason) {
		super(reason);
		this.reason = reason;
	}
}

/** The kind a file name says, or `null` (an old binary .xls is not supported). */
export function spreadsheetKind(fileName: string): SpreadsheetKind | null {
	const extension = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
	if (extension === 'csv' || extension === 'txt') return 'csv';
	if (extension === 'xlsx') return 'xlsx';
	return null;
}

/**
 * Reads a CSV or XLSX file's first sheet. `onProgress` gets the fraction read (0–1). Throws a
 * `SpreadsheetReadError` for a file of another kind or one that cannot be parsed.
 */
export async function readSpreadsheet(
	bytes: ArrayBuffer | Uint8Array,
	fileName: string,
	onProgress?: (fraction: number) => void,
	readXlsx: XlsxSheetReader = browserXlsxReader
): Promise<SpreadsheetTable> {
	const kind = spreadsheetKind(fileName);
	if (kind === null) throw new SpreadsheetReadError('unsupported_file');
	const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
	onProgress?.(0);
	let rows: (readonly unknown[])[];
	try {
		rows =
			kind === 'csv'
				? await parseCsv(decodeText(data), onProgress)
				: [
						...(await readXlsx(
							data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer,
							{ parseNumber: (text) => text, trim: true }
						))
					];
	} catch (error) {
		if (error instanceof SpreadsheetReadError) throw error;
		throw new SpreadsheetReadError('unreadable_file');
	}
	const table: SpreadsheetRow[] = [];
	rows.forEach((cells, index) => {
		const texts = cells.map(cellText);
		if (texts.some((text) => text !== ''))
			table.push(Object.freeze({ row: index + 1, cells: Object.freeze(texts) }));
	});
	onProgress?.(1);
	return Object.freeze(table);
}

const browserXlsxReader: XlsxSheetReader = async (input, options) => {
	const { readSheet } = await import('read-excel-file/browser');
	return readSheet<string>(input, options);
};

/** UTF-8 (with or without its mark), UTF-16 with its mark, else GBK. */
export function decodeText(bytes: Uint8Array): string {
	if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
		return new TextDecoder('utf-8').decode(bytes.subarray(3));
	if (bytes[0] === 0xff && bytes[1] === 0xfe)
		return new TextDecoder('utf-16le').decode(bytes.subarray(2));
	if (bytes[0] === 0xfe && bytes[1] === 0xff)
		return new TextDecoder('utf-16be').decode(bytes.subarray(2));
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		return new TextDecoder('gbk').decode(bytes);
	}
}

/** Rows between two progress reports while a CSV is parsed. */
const PROGRESS_ROWS = 2000;

async function parseCsv(
	text: string,
	onProgress?: (fraction: number) => void
): Promise<string[][]> {
	const { default: Papa } = await import('papaparse');
	const rows: string[][] = [];
	let failed = false;
	Papa.parse<string[]>(text, {
		skipEmptyLines: false,
		step: (results) => {
			rows.push(results.data.map(unguardFormula));
			// A stray quote is the one error that loses structure; ragged rows are fine.
			if (results.errors.some((e) => e.type === 'Quotes')) failed = true;
			if (rows.length % PROGRESS_ROWS === 0)
				onProgress?.(Math.min(0.99, results.meta.cursor / Math.max(1, text.length)));
		}
	});
	if (failed) throw new SpreadsheetReadError('unreadable_file');
	return rows;
}

/**
 * A CSV cell written with a formula guard (`'=…`, `'+…`, `'-…`, `'@…`: ours, papaparse's
 * `escapeFormulae`, or a person's) reads back as the text it guarded.
 */
const unguardFormula = (cell: string) => (/^'[=+\-@]/.test(cell) ? cell.slice(1) : cell);

/** A cell as trimmed text: numbers as their digits, dates as YYYY-MM-DD, booleans as true/false. */
function cellText(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (value instanceof Date)
		return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
	if (typeof value === 'number') return Number.isFinite(value) ? expandExponent(String(value)) : '';
	return expandExponent(String(value).trim());
}

/** `1.3812345678E10` → `13812345678`, digit by digit; any other text unchanged. */
export function expandExponent(text: string): string {
	const match = /^(-?)(\d+)(?:\.(\d+))?[eE]([+-]?\d+)$/.exec(text);
	if (!match) return text;
	const [, sign, whole, fraction = '', exponent] = match;
	const digits = whole! + fraction;
	const point = whole!.length + Number(exponent);
	if (point >= digits.length)
		return sign + (digits + '0'.repeat(point - digits.length)).replace(/^0+(?=\d)/, '');
	if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
	return `${sign}${digits.slice(0, point).replace(/^0+(?=\d)/, '')}.${digits.slice(point)}`;
}
