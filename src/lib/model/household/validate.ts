/**
 * Household input validation for the commands: every value a household command stores passes
 * through the domain's parsers here (src/lib/domain/household.ts), so what reaches a document is
 * trimmed, folded and bounded, and a bad value is refused with its reason, never dropped.
 *
 * Invariant: pure; returns the normalised value or the first reason.
 */

import {
	ADDRESS_PART_MAX,
	birthYearOfIdNumber,
	COLOUR_REASON_MAX,
	HOUSEHOLD_NOTE_MAX,
	isHouseholdColour,
	isResidentRelation,
	isResidentTag,
	isVisitInterval,
	parseBirthYear,
	parseBoundedText,
	parseIdNumber,
	parsePhone,
	RESIDENT_NAME_MAX,
	type AddressReason,
	type BirthYearReason,
	type HouseholdColour,
	type IdNumberReason,
	type PhoneReason,
	type ResidentInput,
	type ResidentTag
} from '../../domain/household';
import { isValidIdSegment } from '../../domain/ids';
import { err, ok, type Result } from '../../domain/result';
import type {
	EditableHouseholdField,
	EditableResidentField,
	HouseholdFieldValues,
	ResidentFieldValues
} from './schema';

export type ColourReason = 'colour_invalid' | 'reason_required' | 'reason_too_long';
export type ResidentReason =
	| 'name_required'
	| 'name_too_long'
	| 'relation_invalid'
	| 'tag_invalid'
	| 'note_too_long'
	| IdNumberReason
	| PhoneReason
	| BirthYearReason;
export type HouseholdFieldReason =
	AddressReason | 'note_too_long' | 'interval_invalid' | 'building_invalid';

/** A colour with its reason: required (and bounded) for yellow and red, optional for green. */
export function validateColour(
	colour: unknown,
	reason: string
): Result<Readonly<{ colour: HouseholdColour; reason: string }>, ColourReason> {
	if (!isHouseholdColour(colour)) return err('colour_invalid');
	const text = parseBoundedText(reason, COLOUR_REASON_MAX, colour !== 'green');
	if (!text.ok) return err(text.reason === 'required' ? 'reason_required' : 'reason_too_long');
	return ok(Object.freeze({ colour, reason: text.value }));
}

export type ValidResident = Readonly<{
	values: Omit<ResidentFieldValues, 'removed'>;
	tags: readonly ResidentTag[];
}>;

export function validateResident(
	input: ResidentInput,
	today: Date
): Result<ValidResident, ResidentReason> {
	const name = parseBoundedText(input.name, RESIDENT_NAME_MAX, true);
	if (!name.ok) return err(name.reason === 'required' ? 'name_required' : 'name_too_long');
	if (!isResidentRelation(input.relation)) return err('relation_invalid');
	const phone = parsePhone(input.phone);
	if (!phone.ok) return phone;
	const idNumber = parseIdNumber(input.idNumber, today);
	if (!idNumber.ok) return idNumber;
	const birthYear = parseBirthYear(input.birthYear ?? '', today);
	if (!birthYear.ok) return birthYear;
	const note = parseBoundedText(input.note, HOUSEHOLD_NOTE_MAX);
	if (!note.ok) return err('note_too_long');
	if (!input.tags.every(isResidentTag)) return err('tag_invalid');
	return ok(
		Object.freeze({
			values: Object.freeze({
				name: name.value,
				relation: input.relation,
				phone: phone.value,
				idNumber: idNumber.value,
				// A year not typed is the one the ID number carries.
				birthYear: birthYear.value ?? birthYearOfIdNumber(idNumber.value),
				note: note.value
			}),
			tags: Object.freeze([...new Set(input.tags)])
		})
	);
}

/** One resident field as typed (text; a birth year as digits), normalised for storing. */
export function validateResidentField<F extends EditableResidentField>(
	field: F,
	raw: string,
	today: Date
): Result<ResidentFieldValues[F], ResidentReason> {
	const cast = (value: unknown) => ok(value as ResidentFieldValues[F]);
	switch (field) {
		case 'name': {
			const name = parseBoundedText(raw, RESIDENT_NAME_MAX, true);
			if (!name.ok) return err(name.reason === 'required' ? 'name_required' : 'name_too_long');
			return cast(name.value);
		}
		case 'relation':
			return isResidentRelation(raw) ? cast(raw) : err('relation_invalid');
		case 'phone': {
			const phone = parsePhone(raw);
			return phone.ok ? cast(phone.value) : phone;
		}
		case 'idNumber': {
			const id = parseIdNumber(raw, today);
			return id.ok ? cast(id.value) : id;
		}
		case 'birthYear': {
			const year = parseBirthYear(raw, today);
			return year.ok ? cast(year.value) : year;
		}
		default: {
			const note = parseBoundedText(raw, HOUSEHOLD_NOTE_MAX);
			return note.ok ? cast(note.value) : err('note_too_long');
		}
	}
}

/** One household field as typed, normalised for storing (an address part alone: bounded). */
export function validateHouseholdField<F extends EditableHouseholdField>(
	field: F,
	raw: string
): Result<HouseholdFieldValues[F], HouseholdFieldReason> {
	const cast = (value: unknown) => ok(value as HouseholdFieldValues[F]);
	switch (field) {
		case 'buildingId': {
			const id = raw.trim();
			return id === '' || isValidIdSegment(id) ? cast(id) : err('building_invalid');
		}
		case 'visitIntervalDays': {
			const days = raw.trim() === '' ? 0 : Number(raw.trim());
			return days === 0 || isVisitInterval(days) ? cast(days) : err('interval_invalid');
		}
		case 'note': {
			const note = parseBoundedText(raw, HOUSEHOLD_NOTE_MAX);
			return note.ok ? cast(note.value) : err('note_too_long');
		}
		default: {
			const part = parseBoundedText(raw, ADDRESS_PART_MAX);
			return part.ok ? cast(part.value) : err('address_too_long');
		}
	}
}
