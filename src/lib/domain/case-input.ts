/**
 * Case and grid input: the fields a case has and what a valid value for each looks like.
 *
 * Invariant: every value a command stores has passed through these validators, trimmed;
 * lengths count Unicode code points, so 120 Chinese characters are 120, not 240 bytes.
 */

import { isCaseCategory, type CaseCategory } from './case-category';
import type { CaseStatus } from './case-status';
import { err, ok, type Result } from './result';

export const CASE_TITLE_MAX = 120;
export const CASE_DESCRIPTION_MAX = 5000;
export const CASE_LOCATION_MAX = 200;
export const GRID_NAME_MAX = 40;

export const EDITABLE_CASE_FIELDS = ['title', 'description', 'category', 'location'] as const;
export type EditableCaseField = (typeof EDITABLE_CASE_FIELDS)[number];

/** Every field kept as a per-field edit log; status changes only through status actions. */
export const CASE_FIELDS = [...EDITABLE_CASE_FIELDS, 'status'] as const;
export type CaseField = (typeof CASE_FIELDS)[number];

export type CaseFieldValues = {
	title: string;
	description: string;
	category: CaseCategory;
	location: string;
	status: CaseStatus;
};

/** What a form submits; optional fields default to the empty string. */
export type NewCaseInput = Readonly<{
	title: string;
	description?: string;
	category: string;
	location?: string;
}>;

export type CaseInput = Readonly<Omit<CaseFieldValues, 'status'>>;

export type CaseInputReason =
	| 'title_required'
	| 'title_too_long'
	| 'description_too_long'
	| 'category_invalid'
	| 'location_too_long';

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
			return codePoints(trimmed) > CASE_TITLE_MAX ? err('title_too_long') : ok(trimmed);
		case 'description':
			return codePoints(trimmed) > CASE_DESCRIPTION_MAX ? err('description_too_long') : ok(trimmed);
		case 'category':
			return isCaseCategory(trimmed) ? ok(trimmed) : err('category_invalid');
		case 'location':
			return codePoints(trimmed) > CASE_LOCATION_MAX ? err('location_too_long') : ok(trimmed);
	}
}

/** Validates a new case; reports the first failing field in form order. */
export function validateCaseInput(input: NewCaseInput): Result<CaseInput, CaseInputReason> {
	const title = validateCaseField('title', input.title);
	if (!title.ok) return title;
	const description = validateCaseField('description', input.description ?? '');
	if (!description.ok) return description;
	const category = validateCaseField('category', input.category);
	if (!category.ok) return category;
	const location = validateCaseField('location', input.location ?? '');
	if (!location.ok) return location;
	return ok(
		Object.freeze({
			title: title.value,
			description: description.value,
			category: category.value,
			location: location.value
		})
	);
}

export function validateGridName(name: string): Result<string, GridNameReason> {
	const trimmed = name.trim();
	if (trimmed === '') return err('name_required');
	return codePoints(trimmed) > GRID_NAME_MAX ? err('name_too_long') : ok(trimmed);
}
