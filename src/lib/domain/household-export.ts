/**
 * Household export: the table a grid's or the community's households are written to (CSV or
 * XLSX by `$lib/spreadsheets`), one row per resident, a household without residents on one row
 * of its own (issue 18).
 *
 * Invariant: ID numbers and phone numbers leave masked (`maskIdNumber`, `maskPhone`) unless the
 * caller asks for them in full; every value is text, so a spreadsheet never turns an ID number
 * into 1.1e17. The header and the words for colours, relations and tags are the caller's (the
 * screen passes its i18n strings); the column order is fixed here, and the import recognises
 * the Chinese and English headers it writes.
 */

import { DEFAULT_TIME_ZONE, dayKeyOf } from './due-date';
import {
	ADDRESS_PARTS,
	maskIdNumber,
	maskPhone,
	type HouseholdAddress,
	type HouseholdColour,
	type ResidentInput,
	type ResidentRelation,
	type ResidentTag
} from './household';

export const HOUSEHOLD_EXPORT_COLUMNS = [
	...ADDRESS_PARTS,
	'colour',
	'colourReason',
	'name',
	'relation',
	'phone',
	'idNumber',
	'birthYear',
	'tags',
	'residentNote',
	'lastVisit',
	'note'
] as const;
export type HouseholdExportColumn = (typeof HOUSEHOLD_EXPORT_COLUMNS)[number];

/** One household as exported: what the register holds plus its last visit. */
export type HouseholdExportRow = Readonly<{
	address: HouseholdAddress;
	colour: HouseholdColour;
	colourReason: string;
	note: string;
	residents: readonly ResidentInput[];
	/** When it was last visited (ms), `null` if never. */
	lastVisitAt: number | null;
}>;

export type HouseholdExportLabels = Readonly<{
	headers: Readonly<Record<HouseholdExportColumn, string>>;
	colours: Readonly<Record<HouseholdColour, string>>;
	relations: Readonly<Record<ResidentRelation, string>>;
	tags: Readonly<Record<ResidentTag, string>>;
	/** The community's time zone for the last visit's date (default Asia/Shanghai). */
	timeZone?: string;
}>;

export type HouseholdExportOptions = Readonly<{
	/** ID numbers and phones in full (the secretary asked on purpose); masked otherwise. */
	full?: boolean;
}>;

/** The header row and one text row per resident (per household without residents). */
export function householdExportTable(
	households: readonly HouseholdExportRow[],
	labels: HouseholdExportLabels,
	options: HouseholdExportOptions = {}
): string[][] {
	const zone = labels.timeZone ?? DEFAULT_TIME_ZONE;
	const id = options.full ? (v: string) => v : maskIdNumber;
	const phone = options.full ? (v: string) => v : maskPhone;
	const rows: string[][] = [HOUSEHOLD_EXPORT_COLUMNS.map((column) => labels.headers[column])];
	for (const household of households) {
		const residents: (ResidentInput | null)[] =
			household.residents.length > 0 ? [...household.residents] : [null];
		for (const resident of residents) {
			const cells: Record<HouseholdExportColumn, string> = {
				...household.address,
				colour: labels.colours[household.colour],
				colourReason: household.colourReason,
				name: resident?.name ?? '',
				relation: resident ? labels.relations[resident.relation] : '',
				phone: resident ? phone(resident.phone) : '',
				idNumber: resident ? id(resident.idNumber) : '',
				birthYear: resident?.birthYear == null ? '' : String(resident.birthYear),
				tags: resident ? resident.tags.map((tag) => labels.tags[tag]).join('、') : '',
				residentNote: resident?.note ?? '',
				lastVisit: household.lastVisitAt === null ? '' : dayKeyOf(household.lastVisitAt, zone),
				note: household.note
			};
			rows.push(HOUSEHOLD_EXPORT_COLUMNS.map((column) => cells[column]));
		}
	}
	return rows;
}
