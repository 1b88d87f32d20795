/**
 * Writing the household export (`$lib/domain/household-export`) as a file: CSV with a UTF-8
 * byte-order mark (so Excel in China reads the Chinese right) or XLSX.
 *
 * Invariant: every cell is written as text, so an ID number or a phone stays the digits it is;
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
