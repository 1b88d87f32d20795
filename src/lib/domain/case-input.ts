/**
 * Case and grid input: the fields a case has and what a valid value for each looks like.
 *
 * Invariant: every value a command stores has passed through these validators, trimmed;
 * lengths count Unicode code points, so 120 Chinese characters are 120, not 240 bytes.
 */

import { parseMapPoint } from './geo';
import { parseAssignee } from './assignees';
import { isCaseCategory, type CaseCategory } from './case-category';
import {
	isCaseChannel,
	isHandlingType,
	isPriority,
	type CaseChannel,
	type HandlingType,
	type Priority,
	type Tier
} from './case-options';
import type { CaseStatus } from './case-status';
import { isValidIdSegment } from './ids';
import { err, ok, type Result } from './result';

export const CASE_TITLE_MAX = 120;
export const CASE_DESCRIPTION_MAX = 5000;
export const CASE_LOCATION_MAX = 200;
export const CASE_PERSON_MAX = 40;
export const CASE_CONTACT_MAX = 100;
export const CASE_COMMENT_MAX = 2000;
export const CASE_ASSIGNEES_MAX = 10;
export const GRID_NAME_MAX = 40;

/** Fields a person edits in the case form (text and choices), each a field log. */
export const EDITABLE_CASE_FIELDS = [
	'title',
	'description',
	'category',
	'channel',
	'location',
	'mapPoint',
	'reporterName',
	'residentContact',
	'handlingType',
	'priority'
] as const;
export type EditableCaseField = (typeof EDITABLE_CASE_FIELDS)[number];

/**
 * Every field kept as a per-field edit log. `assignees`, `deadline`, `status`, `tier` and
 * `duplicateOf` change only through their own commands (assign, set deadline, status actions,
 * escalate / hand back, mark duplicate), which check who may make them.
 */
export const CASE_FIELDS = [
	...EDITABLE_CASE_FIELDS,
	'assignees',
	'deadline',
	'status',
	'tier',
	'duplicateOf'
] as const;
export type CaseField = (typeof CASE_FIELDS)[number];

/** The fields the first schema had; a case without them is not a case. */
export const ORIGINAL_CASE_FIELDS = [
	'title',
	'description',
	'category',
	'location',
	'status'
] as const;

export type CaseFieldValues = {
	title: string;
	description: string;
	category: CaseCategory;
	/** '' when not recorded (cases from before channels existed). */
	channel: CaseChannel | '';
	location: string;
	/** `"lng,lat"` or ''. */
	mapPoint: string;
	reporterName: string;
	residentContact: string;
	handlingType: HandlingType;
	priority: Priority;
	/** Assignee entries (names, or `<name>#<memberId>`: domain/assignees.ts), sorted, joined by ','. */
	assignees: string;
	/** Epoch ms, or null for "the tier's default" (case-deadline.ts). */
	deadline: number | null;
	status: CaseStatus;
	tier: Tier;
	/** The case this one duplicates, or ''. */
	duplicateOf: string;
};

/**
 * Every field's default: what a new case takes for a field its report leaves out, what an edit
 * form starts from, and what a reader shows for a field an older case lacks. The one copy.
 */
export const CASE_FIELD_DEFAULTS: { readonly [F in CaseField]: CaseFieldValues[F] } = Object.freeze(
	{
		title: '',
		description: '',
		category: 'other',
		channel: '',
		location: '',
		mapPoint: '',
		reporterName: '',
		residentContact: '',
		handlingType: 'supervised',
		priority: 'normal',
		assignees: '',
		deadline: null,
		status: 'reported',
		tier: 'grid',
		duplicateOf: ''
	}
);

/** What a form submits; optional fields take their defaults. */
export type NewCaseInput = Readonly<{
	title: string;
	description?: string;
	category: string;
	channel?: string;
	location?: string;
	mapPoint?: string;
	reporterName?: string;
	residentContact?: string;
	handlingType?: string;
	priority?: string;
	deadline?: number | null;
	assignees?: readonly string[];
	/** Where the case is first held (default the grid): e.g. a joint meeting hands it to the community. */
	tier?: Tier;
}>;

export type CaseInput = Readonly<
	Pick<CaseFieldValues, EditableCaseField | 'assignees' | 'deadline'>
>;

export type CaseInputReason =
	| 'title_required'
	| 'title_too_long'
	| 'description_too_long'
	| 'category_invalid'
	| 'channel_invalid'
	| 'location_too_long'
	| 'map_point_invalid'
	| 'reporter_name_too_long'
	| 'resident_contact_too_long'
	| 'handling_type_invalid'
	| 'priority_invalid'
	| 'deadline_invalid';
export type AssigneesReason = 'assignee_invalid' | 'too_many_assignees';
export type CommentReason = 'comment_required' | 'comment_too_long';
export type GridNameReason = 'name_required' | 'name_too_long';

function codePoints(value: string): number {
	let count = 0;
	for (const _ of value) count++;
	return count;
}

export function isEditableCaseField(value: unknown): value is EditableCaseField {
	return (EDITABLE_CASE_FIELDS as readonly unknown[]).includes(value);
}

export function isCaseField(value: unknown): value is CaseField {
	return (CASE_FIELDS as readonly unknown[]).includes(value);
}

function isMapPoint(value: string): boolean {
	return parseMapPoint(value) !== null;
}

const within = (max: number, reason: CaseInputReason) => (trimmed: string) =>
	codePoints(trimmed) > max ? err(reason) : ok(trimmed);

/** Validates and normalises one editable field's value. */
export function validateCaseField<F extends EditableCaseField>(
	field: F,
	value: string
): Result<CaseFieldValues[F], CaseInputReason>;
export function validateCaseField(
	field: EditableCaseField,
	value: string
): Result<string, CaseInputReason> {
	const trimmed = value.trim();
	switch (field) {
		case 'title':
			if (trimmed === '') return err('title_required');
			return within(CASE_TITLE_MAX, 'title_too_long')(trimmed);
		case 'description':
			return within(CASE_DESCRIPTION_MAX, 'description_too_long')(trimmed);
		case 'category':
			return isCaseCategory(trimmed) ? ok(trimmed) : err('category_invalid');
		case 'channel':
			return trimmed === '' || isCaseChannel(trimmed) ? ok(trimmed) : err('channel_invalid');
		case 'location':
			return within(CASE_LOCATION_MAX, 'location_too_long')(trimmed);
		case 'mapPoint':
			return trimmed === '' || isMapPoint(trimmed) ? ok(trimmed) : err('map_point_invalid');
		case 'reporterName':
			return within(CASE_PERSON_MAX, 'reporter_name_too_long')(trimmed);
		case 'residentContact':
			return within(CASE_CONTACT_MAX, 'resident_contact_too_long')(trimmed);
		case 'handlingType':
			return isHandlingType(trimmed) ? ok(trimmed) : err('handling_type_invalid');
		case 'priority':
			return isPriority(trimmed) ? ok(trimmed) : err('priority_invalid');
	}
}

export function isValidDeadline(value: unknown): value is number | null {
	return value === null || (typeof value === 'number' && Number.isSafeInteger(value) && value > 0);
}

/**
 * Assignee entries (plain names, or `<name>#<memberId>` for a member: domain/assignees.ts):
 * names trimmed, non-empty, at most 40 characters, no commas (the stored form joins entries with
 * ','), at most ten people; returned with one entry per person (a member once, whatever name it
 * came with), sorted and joined.
 */
export function validateAssignees(entries: readonly string[]): Result<string, AssigneesReason> {
	const byKey = new Map<string, string>();
	for (const raw of entries) {
		const entry = raw.trim();
		const { name, memberId } = parseAssignee(entry);
		if (
			name.trim() === '' ||
			name !== name.trim() ||
			entry.includes(',') ||
			codePoints(name) > CASE_PERSON_MAX
		) {
			return err('assignee_invalid');
		}
		const key = memberId === null ? `name:${name}` : `member:${memberId}`;
		if (!byKey.has(key)) byKey.set(key, entry);
	}
	if (byKey.size > CASE_ASSIGNEES_MAX) return err('too_many_assignees');
	return ok([...byKey.values()].sort().join(','));
}

/** The stored assignees string as a list. */
export function splitAssignees(value: string): readonly string[] {
	return Object.freeze(value === '' ? [] : value.split(','));
}

export function validateComment(text: string): Result<string, CommentReason> {
	const trimmed = text.trim();
	if (trimmed === '') return err('comment_required');
	return codePoints(trimmed) > CASE_COMMENT_MAX ? err('comment_too_long') : ok(trimmed);
}

export function isDuplicateTarget(value: unknown): value is string {
	return value === '' || isValidIdSegment(value);
}

/** Validates a new case; reports the first failing field in form order. */
export function validateCaseInput(
	input: NewCaseInput
): Result<CaseInput, CaseInputReason | AssigneesReason> {
	const values: Partial<Record<EditableCaseField, string>> = {};
	for (const field of EDITABLE_CASE_FIELDS) {
		// A report must name its title and category: without them it fails, not defaults.
		const fallback = field === 'title' || field === 'category' ? '' : CASE_FIELD_DEFAULTS[field];
		const valid = validateCaseField(field, input[field] ?? fallback);
		if (!valid.ok) return valid;
		values[field] = valid.value;
	}
	const deadline = input.deadline ?? null;
	if (!isValidDeadline(deadline)) return err('deadline_invalid');
	const assignees = validateAssignees(input.assignees ?? []);
	if (!assignees.ok) return assignees;
	return ok(
		Object.freeze({
			...(values as Pick<CaseFieldValues, EditableCaseField>),
			assignees: assignees.value,
			deadline
		})
	);
}

export function validateGridName(name: string): Result<string, GridNameReason> {
	const trimmed = name.trim();
	if (trimmed === '') return err('name_required');
	return codePoints(trimmed) > GRID_NAME_MAX ? err('name_too_long') : ok(trimmed);
}
