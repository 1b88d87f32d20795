/**
 * The words of the household spreadsheet screens (import, export) in the active language: what a
 * column holds, the export's header and cell words, and the text of every reason those screens
 * show.
 *
 * Invariant: every export word is one the import recognises (domain/household-import.ts), in
 * both languages (sheet-labels.test.ts reads an export back), so a file written here imports
 * again; each map is keyed by its union, so a new reason fails type-checking until it has a text.
 */
import { m } from '$lib/paraglide/messages.js';
import type { HouseholdExportLabels } from '$lib/domain/household-export';
import type { HouseholdColumnField, ImportRowReason } from '$lib/domain/household-import';
import type { HouseholdColour, ResidentRelation, ResidentTag } from '$lib/domain/household';
import type { ExportProblem } from '$lib/screens/household/export-screen.svelte';
import type { ImportBlock, ImportProblem } from '$lib/screens/household/import-screen.svelte';

type Options = { locale?: 'en' | 'zh-CN' };
type Text = (inputs?: Record<string, never>, options?: Options) => string;

const TAG: Record<ResidentTag, Text> = {
	elderlyAlone: m.hsheet_f_tag_elderlyAlone,
	disability: m.hsheet_f_tag_disability,
	lowIncome: m.hsheet_f_tag_lowIncome,
	veteran: m.hsheet_f_tag_veteran,
	specialCare: m.hsheet_f_tag_specialCare,
	rented: m.hsheet_f_tag_rented,
	vacant: m.hsheet_f_tag_vacant
};

const COLOUR: Record<HouseholdColour, Text> = {
	green: m.hsheet_f_colour_green,
	yellow: m.hsheet_f_colour_yellow,
	red: m.hsheet_f_colour_red
};

const RELATION: Record<ResidentRelation, Text> = {
	head: m.hsheet_f_rel_head,
	spouse: m.hsheet_f_rel_spouse,
	child: m.hsheet_f_rel_child,
	parent: m.hsheet_f_rel_parent,
	grandchild: m.hsheet_f_rel_grandchild,
	sibling: m.hsheet_f_rel_sibling,
	tenant: m.hsheet_f_rel_tenant,
	other: m.hsheet_f_rel_other
};

const FIELD: Record<Exclude<HouseholdColumnField, `tag:${string}`>, Text> = {
	compound: m.hsheet_f_compound,
	building: m.hsheet_f_building,
	unit: m.hsheet_f_unit,
	room: m.hsheet_f_room,
	name: m.hsheet_f_name,
	relation: m.hsheet_f_relation,
	phone: m.hsheet_f_phone,
	idNumber: m.hsheet_f_idNumber,
	birthYear: m.hsheet_f_birthYear,
	age: m.hsheet_f_age,
	tags: m.hsheet_f_tags,
	colour: m.hsheet_f_colour,
	colourReason: m.hsheet_f_colourReason,
	note: m.hsheet_f_note,
	residentNote: m.hsheet_f_residentNote
};

/** What a column holds, as the mapping select names it. */
export function fieldLabel(field: HouseholdColumnField, options?: Options): string {
	if (field.startsWith('tag:')) return TAG[field.slice(4) as ResidentTag]({}, options);
	return FIELD[field as keyof typeof FIELD]({}, options);
}

export const colourLabel = (colour: HouseholdColour) => COLOUR[colour]();

const table = <K extends string>(map: Record<K, Text>, options?: Options) =>
	Object.fromEntries(
		Object.entries(map).map(([k, text]) => [k, (text as Text)({}, options)])
	) as Record<K, string>;

/** The export's header and cell words in the active language (or `locale`). */
export function exportLabels(timeZone: string, options?: Options): HouseholdExportLabels {
	const f = (field: keyof typeof FIELD) => FIELD[field]({}, options);
	return {
		headers: {
			compound: f('compound'),
			building: f('building'),
			unit: f('unit'),
			room: f('room'),
			colour: f('colour'),
			colourReason: f('colourReason'),
			name: f('name'),
			relation: f('relation'),
			phone: f('phone'),
			idNumber: f('idNumber'),
			birthYear: f('birthYear'),
			tags: f('tags'),
			residentNote: f('residentNote'),
			lastVisit: m.hsheet_f_lastVisit({}, options),
			note: f('note')
		},
		colours: table(COLOUR, options),
		relations: table(RELATION, options),
		tags: table(TAG, options),
		timeZone
	};
}

const ROW_REASON: Record<ImportRowReason, () => string> = {
	address_required: m.hsheet_row_address_required,
	address_too_long: m.hsheet_row_address_too_long,
	id_format: m.hsheet_row_id_format,
	id_birth_date: m.hsheet_row_id_birth_date,
	id_check_digit: m.hsheet_row_id_check_digit,
	phone_format: m.hsheet_row_phone_format,
	birth_year: m.hsheet_row_birth_year,
	name_required: m.hsheet_row_name_required,
	name_too_long: m.hsheet_row_name_too_long,
	colour_unknown: m.hsheet_row_colour_unknown,
	colour_reason_too_long: m.hsheet_row_colour_reason_too_long,
	note_too_long: m.hsheet_row_note_too_long,
	tag_value: m.hsheet_row_tag_value
};
export const rowReasonLabel = (reason: ImportRowReason) => ROW_REASON[reason]();

const IMPORT_PROBLEM: Record<ImportProblem, () => string> = {
	unsupported_file: m.hsheet_import_p_unsupported_file,
	unreadable_file: m.hsheet_import_p_unreadable_file,
	empty_file: m.hsheet_import_p_empty_file,
	not_permitted: m.hsheet_import_p_not_permitted,
	invalid_rows: m.hsheet_import_p_invalid_rows,
	reason_needed: m.hsheet_import_p_reason_needed
};
export const importProblemLabel = (problem: ImportProblem) => IMPORT_PROBLEM[problem]();

const IMPORT_BLOCK: Record<ImportBlock, () => string> = {
	no_address_column: m.hsheet_import_b_no_address_column,
	field_mapped_twice: m.hsheet_import_b_field_mapped_twice,
	rows_have_errors: m.hsheet_import_b_rows_have_errors,
	reason_needed: m.hsheet_import_b_reason_needed,
	nothing_to_import: m.hsheet_import_b_nothing_to_import
};
export const importBlockLabel = (block: ImportBlock) => IMPORT_BLOCK[block]();

const EXPORT_PROBLEM: Record<ExportProblem, () => string> = {
	not_permitted: m.hsheet_export_p_not_permitted,
	export_invalid: m.hsheet_export_p_export_invalid,
	nothing_to_export: m.hsheet_export_p_nothing_to_export
};
export const exportProblemLabel = (problem: ExportProblem) => EXPORT_PROBLEM[problem]();
