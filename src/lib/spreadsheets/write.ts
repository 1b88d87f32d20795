/**
 * Writing the household export (`$lib/domain/household-export`) as a file: CSV with a UTF-8
 * byte-order mark (so Excel in China reads the Chinese right) or XLSX; and any table or set of
 * tables (the community report's workbook, a board's ledger) the same ways: `tableCsv`,
 * `tablesXlsx`.
 *
 * Invariant: every household cell is written as text, so an ID number or a phone stays the
 * digits it is (a generic table writes numbers as numbers, text as text);
 * a cell that starts like a formula (`=`, `+`, `-`, `@`) is written so a spreadsheet shows it as
 * text and never runs it. The writers (papaparse, write-excel-file) are loaded on first use,
 * never with the first screen.
 */

import {
	householdExportTable,
	type HouseholdExportLabels,
	type HouseholdExportOptions,
	type HouseholdExportRow
} from '$lib/domain/household-export';

const BOM = '\uFEFF';

/** The export as CSV text: a BOM, CRLF line ends, a header row. */
export async function householdsCsv(
	households: readonly HouseholdExportRow[],
	labels: HouseholdExportLabels,
	options: HouseholdExportOptions = {}
): Promise<string> {
	const { default: Papa } = await import('papaparse');
	const table = householdExportTable(households, labels, options);
	return BOM + Papa.unparse(table, { newline: '\r\n', escapeFormulae: true }) + '\r\n';
}

/** The export as an XLSX file (one sheet, the header row bold and frozen). */
export async function householdsXlsx(
	households: readonly HouseholdExportRow[],
	labels: HouseholdExportLabels,
	options: HouseholdExportOptions & Readonly<{ sheetName?: string }> = {}
): Promise<Blob> {
	const { default: writeXlsxFile } = await import('write-excel-file/browser');
	const [header, ...rows] = householdExportTable(households, labels, options);
	const text = (value: string) => ({ value, type: String });
	return writeXlsxFile(
		[
			header!.map((value) => ({ ...text(value), fontWeight: 'bold' as const })),
			...rows.map((row) => row.map(text))
		],
		{ sheet: options.sheetName, stickyRowsCount: 1 }
	).toBlob();
}

/** A cell of a generic table: text, a number, or empty. */
export type TableCell = string | number | null;
export type TableSheet = Readonly<{ name: string; rows: readonly (readonly TableCell[])[] }>;

/** Any table as CSV text: a BOM, CRLF line ends, formula-like text cells guarded. */
export async function tableCsv(rows: readonly (readonly TableCell[])[]): Promise<string> {
	const { default: Papa } = await import('papaparse');
	const text = rows.map((row) => row.map((cell) => (cell === null ? '' : String(cell))));
	return BOM + Papa.unparse(text, { newline: '\r\n', escapeFormulae: true }) + '\r\n';
}

/** Sheet names Excel accepts: at most 31 characters, none of : \ / ? * [ ], unique. */
function sheetNames(names: readonly string[]): string[] {
	const used = new Set<string>();
	return names.map((name, i) => {
		let clean = name.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31) || `Sheet${i + 1}`;
		while (used.has(clean)) clean = `${clean.slice(0, 28)}-${i + 1}`;
		used.add(clean);
		return clean;
	});
}

/** Several tables as one XLSX workbook, a sheet each; a sheet's first row bold and frozen. */
export async function tablesXlsx(sheets: readonly TableSheet[]): Promise<Blob> {
	const { default: writeXlsxFile } = await import('write-excel-file/browser');
	const names = sheetNames(sheets.map((sheet) => sheet.name));
	const cell = (value: TableCell, bold: boolean) =>
		value === null
			? null
			: typeof value === 'number'
				? { value, type: Number, ...(bold ? { fontWeight: 'bold' as const } : {}) }
				: { value, type: String, ...(bold ? { fontWeight: 'bold' as const } : {}) };
	return writeXlsxFile(
		sheets.map((sheet, s) => ({
			data: (sheet.rows.length > 0 ? sheet.rows : [[]]).map((row, r) =>
				row.map((value) => cell(value, r === 0))
			),
			sheet: names[s],
			stickyRowsCount: 1
		})) as never
	).toBlob();
}
