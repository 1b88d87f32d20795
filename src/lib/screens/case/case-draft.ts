/**
 * The case form's values: every editable field as the form holds it (text, or a choice's value),
 * for reporting a case and for editing one. An empty draft starts from the fields' defaults
 * (CASE_FIELD_DEFAULTS), with the channel the reporter's role reports through.
 */

import {
	CASE_FIELD_DEFAULTS,
	EDITABLE_CASE_FIELDS,
	type CaseFieldValues,
	type EditableCaseField
} from '$lib/domain/case-input';

export type CaseDraft = { [F in EditableCaseField]: string } & {
	category: CaseFieldValues['category'];
};

export function emptyDraft(channel: string = 'door_to_door'): CaseDraft {
	const draft = Object.fromEntries(
		EDITABLE_CASE_FIELDS.map((field) => [field, CASE_FIELD_DEFAULTS[field]])
	) as CaseDraft;
	return { ...draft, channel };
}
