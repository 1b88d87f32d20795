/**
 * The "add household" form: the address parts, the colour and why, a note, and the first
 * residents; every field's problem beside the field, the command's refusal too.
 *
 * Invariant: the form is checked in full with the domain's parsers before the one command runs,
 * so all problems show at once; the form clears only when `createHousehold` accepted it, and a
 * refusal keeps everything typed.
 */

import type * as Y from 'yjs';
import {
	ADDRESS_PART_MAX,
	COLOUR_REASON_MAX,
	HOUSEHOLD_NOTE_MAX,
	parseAddress,
	parseBoundedText,
	type HouseholdColour,
	type HouseholdId
} from '$lib/domain/household';
import {
	createHousehold,
	type CreateHouseholdReason,
	type HouseholdContext,
	type ResidentCommandReason
} from '$lib/model/household';
import { ResidentDraft, residentFieldOf } from './resident-draft.svelte';

/** Where a problem shows: a household field, or the form as a whole. */
export type HouseholdFormField = 'address' | 'reason' | 'note' | 'form';
export type HouseholdFormErrors = Partial<Record<HouseholdFormField, CreateHouseholdReason>>;

const ADDRESS_REASONS: readonly string[] = [
	'address_required',
	'address_too_long',
	'duplicate_address',
	'building_invalid'
];

export class HouseholdForm {
	readonly #doc: Y.Doc;
	readonly #context: () => HouseholdContext;
	readonly #clock: () => number;
	open = $state(false);
	compound = $state('');
	building = $state('');
	unit = $state('');
	room = $state('');
	colour = $state<HouseholdColour>('green');
	reason = $state('');
	note = $state('');
	residents = $state<ResidentDraft[]>([new ResidentDraft()]);
	errors = $state<HouseholdFormErrors>({});

	constructor(doc: Y.Doc, context: () => HouseholdContext, clock: () => number) {
		this.#doc = doc;
		this.#context = context;
		this.#clock = clock;
	}

	/** A colour other than green needs a reason (the form says so before it is sent). */
	get reasonRequired(): boolean {
		return this.colour !== 'green';
	}

	addResident(): void {
		this.residents = [...this.residents, new ResidentDraft('spouse')];
	}

	dropResident(index: number): void {
		this.residents = this.residents.filter((_, i) => i !== index);
	}

	#check(today: Date): boolean {
		const errors: HouseholdFormErrors = {};
		const parts = {
			compound: this.compound,
			building: this.building,
			unit: this.unit,
			room: this.room
		};
		const address = parseAddress(parts);
		if (!address.ok) errors.address = address.reason;
		else if (Object.values(parts).some((part) => !parseBoundedText(part, ADDRESS_PART_MAX).ok)) {
			errors.address = 'address_too_long';
		}
		const reason = parseBoundedText(this.reason, COLOUR_REASON_MAX, this.reasonRequired);
		if (!reason.ok)
			errors.reason = reason.reason === 'required' ? 'reason_required' : 'reason_too_long';
		if (!parseBoundedText(this.note, HOUSEHOLD_NOTE_MAX).ok) errors.note = 'note_too_long';
		this.errors = errors;
		let residentsOk = true;
		for (const resident of this.residents) {
			if (resident.blank) resident.errors = {};
			else if (!resident.check(today)) residentsOk = false;
		}
		return Object.keys(errors).length === 0 && residentsOk;
	}

	#refuse(reason: CreateHouseholdReason): void {
		if (ADDRESS_REASONS.includes(reason)) this.errors = { address: reason };
		else if (reason === 'reason_required' || reason === 'reason_too_long') this.errors = { reason };
		else if (reason === 'note_too_long') this.errors = { note: reason };
		else if (residentFieldOf(reason as ResidentCommandReason) !== null) {
			// The command names no resident; the first one whose field it is shows it.
			const shown = this.residents.some(
				(resident) => !resident.blank && resident.refuse(reason as ResidentCommandReason)
			);
			this.errors = shown ? {} : { form: reason };
		} else this.errors = { form: reason };
	}

	/** Registers the household; its id once accepted (the form then clears and closes). */
	submit(): HouseholdId | null {
		const at = this.#clock();
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local value for the parsers, not state
		const today = new Date(at);
		if (!this.#check(today)) return null;
		const result = createHousehold(
			this.#doc,
			{
				address: {
					compound: this.compound,
					building: this.building,
					unit: this.unit,
					room: this.room
				},
				colour: this.colour,
				colourReason: this.reason,
				note: this.note,
				residents: this.residents
					.filter((resident) => !resident.blank)
					.map((resident) => resident.input(today))
			},
			{ ...this.#context(), at }
		);
		if (!result.ok) {
			this.#refuse(result.reason);
			return null;
		}
		this.reset();
		return result.value;
	}

	reset(): void {
		this.open = false;
		this.compound = this.building = this.unit = this.room = '';
		this.colour = 'green';
		this.reason = this.note = '';
		this.residents = [new ResidentDraft()];
		this.errors = {};
	}
}
