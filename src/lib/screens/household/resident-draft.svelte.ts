/**
 * A resident being typed (the "add household" form's residents, the household page's "add
 * resident"): its fields as typed, each field's problem, and the input a command takes.
 *
 * Invariant: `check` runs the domain's own parsers (domain/household.ts), the same the commands
 * run, so every field's problem shows at once beside it; nothing typed is dropped or changed
 * until a command accepts it.
 */

import {
	HOUSEHOLD_NOTE_MAX,
	parseBirthYear,
	parseBoundedText,
	parseIdNumber,
	parsePhone,
	RESIDENT_NAME_MAX,
	type ResidentInput,
	type ResidentRelation,
	type ResidentTag
} from '$lib/domain/household';
import type { ResidentCommandReason } from '$lib/model/household';

export const RESIDENT_DRAFT_FIELDS = [
	'name',
	'relation',
	'phone',
	'idNumber',
	'birthYear',
	'note'
] as const;
export type ResidentDraftField = (typeof RESIDENT_DRAFT_FIELDS)[number];
export type ResidentErrors = Partial<Record<ResidentDraftField | 'tags', ResidentCommandReason>>;

/** The field a resident refusal is about (shown beside it). */
export function residentFieldOf(reason: ResidentCommandReason): ResidentDraftField | 'tags' | null {
	switch (reason) {
		case 'name_required':
		case 'name_too_long':
			return 'name';
		case 'relation_invalid':
			return 'relation';
		case 'phone_format':
			return 'phone';
		case 'id_format':
		case 'id_birth_date':
		case 'id_check_digit':
			return 'idNumber';
		case 'birth_year':
			return 'birthYear';
		case 'note_too_long':
			return 'note';
		case 'tag_invalid':
			return 'tags';
		default:
			return null;
	}
}

export class ResidentDraft {
	name = $state('');
	relation = $state<ResidentRelation>('head');
	phone = $state('');
	idNumber = $state('');
	birthYear = $state('');
	note = $state('');
	tags = $state<ResidentTag[]>([]);
	errors = $state<ResidentErrors>({});

	constructor(relation: ResidentRelation = 'head') {
		this.relation = relation;
	}

	toggleTag(tag: ResidentTag): void {
		this.tags = this.tags.includes(tag) ? this.tags.filter((t) => t !== tag) : [...this.tags, tag];
	}

	/** Whether anything was typed (an untouched extra row is not a resident). */
	get blank(): boolean {
		return [this.name, this.phone, this.idNumber, this.birthYear, this.note].every(
			(value) => value.trim() === ''
		);
	}

	/** Checks every field; true when none has a problem. */
	check(today: Date): boolean {
		const errors: ResidentErrors = {};
		const name = parseBoundedText(this.name, RESIDENT_NAME_MAX, true);
		if (!name.ok) errors.name = name.reason === 'required' ? 'name_required' : 'name_too_long';
		const phone = parsePhone(this.phone);
		if (!phone.ok) errors.phone = phone.reason;
		const id = parseIdNumber(this.idNumber, today);
		if (!id.ok) errors.idNumber = id.reason;
		const year = parseBirthYear(this.birthYear, today);
		if (!year.ok) errors.birthYear = year.reason;
		if (!parseBoundedText(this.note, HOUSEHOLD_NOTE_MAX).ok) errors.note = 'note_too_long';
		this.errors = errors;
		return Object.keys(errors).length === 0;
	}

	/** Shows a command's refusal beside its field; false when it is about no field of a resident. */
	refuse(reason: ResidentCommandReason): boolean {
		const field = residentFieldOf(reason);
		if (field === null) return false;
		this.errors = { ...this.errors, [field]: reason };
		return true;
	}

	/** What the commands take (the birth year as typed: `check` vouched for it). */
	input(today: Date): ResidentInput {
		const year = parseBirthYear(this.birthYear, today);
		return {
			name: this.name,
			relation: this.relation,
			phone: this.phone,
			idNumber: this.idNumber,
			birthYear: year.ok ? year.value : null,
			tags: [...this.tags],
			note: this.note
		};
	}
}
