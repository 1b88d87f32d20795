/**
 * The labels of the household screens in the active language: colours, resident tags and
 * relations, and the text of every reason a household screen shows (households, residents,
 * visits, and the case or task a visit's follow-up makes).
 *
 * Invariant: each map is keyed by its union, with no fallback: a new colour, tag, relation or
 * reason fails type-checking until it has a text here.
 */
import { m } from '$lib/paraglide/messages.js';
import type {
	HouseholdAddress,
	HouseholdColour,
	ResidentRelation,
	ResidentTag
} from '$lib/domain/household';
import type { HouseholdProblem, HouseholdReason } from '$lib/screens/household/problem';
import { CASE_FORM_PROBLEMS } from './case-labels';
import { reasonText } from './work-labels';

const COLOURS: Record<HouseholdColour, () => string> = {
	green: m.household_colour_green,
	yellow: m.household_colour_yellow,
	red: m.household_colour_red
};
export const colourLabel = (colour: HouseholdColour) => COLOURS[colour]();

const TAGS: Record<ResidentTag, () => string> = {
	elderlyAlone: m.household_tag_elderly_alone,
	disability: m.household_tag_disability,
	lowIncome: m.household_tag_low_income,
	veteran: m.household_tag_veteran,
	specialCare: m.household_tag_special_care,
	rented: m.household_tag_rented,
	vacant: m.household_tag_vacant
};
export const tagLabel = (tag: ResidentTag) => TAGS[tag]();

const RELATIONS: Record<ResidentRelation, () => string> = {
	head: m.household_relation_head,
	spouse: m.household_relation_spouse,
	child: m.household_relation_child,
	parent: m.household_relation_parent,
	grandchild: m.household_relation_grandchild,
	sibling: m.household_relation_sibling,
	tenant: m.household_relation_tenant,
	other: m.household_relation_other
};
export const relationLabel = (relation: string) =>
	(RELATIONS as Record<string, () => string>)[relation]?.() ?? relation;

const REASONS: Record<HouseholdReason, () => string> = {
	not_permitted: m.not_permitted,
	duplicate_address: m.household_reason_duplicate_address,
	address_required: m.household_reason_address_required,
	address_too_long: m.household_reason_address_too_long,
	colour_invalid: m.settings_visit_colour_invalid,
	reason_required: m.household_reason_reason_required,
	reason_too_long: m.household_reason_too_long,
	name_required: m.household_reason_name_required,
	name_too_long: m.household_reason_too_long,
	relation_invalid: m.household_reason_relation_invalid,
	tag_invalid: m.household_reason_tag_invalid,
	note_too_long: m.household_reason_too_long,
	id_format: m.household_reason_id_format,
	id_birth_date: m.household_reason_id_birth_date,
	id_check_digit: m.household_reason_id_check_digit,
	phone_format: m.household_reason_phone_format,
	birth_year: m.household_reason_birth_year,
	building_invalid: m.household_reason_building_invalid,
	interval_invalid: m.household_reason_interval_invalid,
	household_not_found: m.household_not_found,
	household_deleted: m.household_reason_deleted,
	resident_not_found: m.household_reason_resident_not_found,
	visit_time_invalid: m.household_reason_visit_time,
	visit_date_invalid: m.household_reason_visit_time,
	visitors_invalid: m.household_reason_visitors,
	findings_too_long: m.household_reason_too_long,
	bad_photo: m.work_reason_bad_photo,
	visit_not_found: m.household_reason_visit_not_found,
	target_invalid: m.household_reason_visit_not_found
};
export const householdReasonText = (reason: HouseholdReason): string => REASONS[reason]();

const isHouseholdReason = (reason: string): reason is HouseholdReason => reason in REASONS;

/** A problem in words: a follow-up's case or task refusal in the ledger's or the tasks' words. */
export function householdProblemText(problem: HouseholdProblem): string {
	if (problem.on === 'household') return householdReasonText(problem.reason);
	if (isHouseholdReason(problem.reason)) return householdReasonText(problem.reason);
	if (problem.on === 'case') {
		return CASE_FORM_PROBLEMS[problem.reason as Exclude<typeof problem.reason, HouseholdReason>]();
	}
	return reasonText(problem.reason as Exclude<typeof problem.reason, HouseholdReason>);
}

/** A household's address on one line: "幸福里 3号楼 2单元 301室" (empty parts left out). */
export const addressText = (address: HouseholdAddress): string =>
	[address.compound, address.building, address.unit, address.room]
		.filter((part) => part !== '')
		.join(' ');
