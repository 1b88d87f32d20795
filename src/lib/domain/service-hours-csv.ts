/**
 * A tiny CSV encoder for the service-hours export (RFC 4180), made to open correctly in Excel
 * with Chinese text: a UTF-8 byte-order mark first (without it Excel reads UTF-8 as the local
 * ANSI code page and shows mojibake), CRLF line ends, every field quoted with inner quotes
 * doubled. A field that starts like a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading `'`,
 * so a name typed as `=HYPERLINK(...)` stays text (OWASP "CSV injection").
 *
 * Invariant: pure; the output parses back to exactly the input rows (apart from the guard).
 */

import { DEFAULT_TIME_ZONE, monthKeyOf, dayKeyOf } from './due-date';
import type { HourRecord } from './service-hours';

export const BOM = '\uFEFF';
const FORMULA_START = /^[=+\-@\t\r]/;

export type CsvCell = string | number;

export function encodeCsvField(value: CsvCell): string {
	let text = typeof value === 'number' ? String(value) : value;
	if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
	return `"${text.replaceAll('"', '""')}"`;
}

export function encodeCsv(rows: readonly (readonly CsvCell[])[]): string {
	return BOM + rows.map((row) => row.map(encodeCsvField).join(',')).join('\r\n') + '\r\n';
}

export type HoursCsvLabels = Readonly<{
	header: readonly [string, string, string, string, string, string];
	source: (source: HourRecord['source']) => string;
	/** The community's time zone: dates and months are its calendar's (default Asia/Shanghai). */
	timeZone?: string;
}>;

/** One row per record: date, month, volunteer, hours, kind of work, what. Oldest first. */
export function hoursCsv(records: readonly HourRecord[], labels: HoursCsvLabels): string {
	const sorted = [...records].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
	return encodeCsv([
		labels.header,
		...sorted.map((record) => [
			dayKeyOf(record.at, labels.timeZone ?? DEFAULT_TIME_ZONE),
			monthKeyOf(record.at, labels.timeZone ?? DEFAULT_TIME_ZONE),
			record.name,
			record.hours,
			labels.source(record.source),
			record.title
		])
	]);
}
