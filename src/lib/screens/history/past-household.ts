/**
 * What the household's "as of" view (ARCHITECTURE.md "Back in time") reads from a past register
 * and how it differs from now: the household through the live reader `readHousehold`, shown
 * through `pastHouseholdView`, and the parts (address, colour, residents) changed since.
 *
 * Invariants: pure functions of a document or of two snapshots; the view of the past holds a
 * resident's phone and ID number only masked (there is no "show" in the past: the live page's
 * reveal is the only way a full value reaches a screen), and only residents not removed then.
 */
import type * as Y from 'yjs';
import {
	ADDRESS_PARTS,
	RESIDENT_TAGS,
	type HouseholdAddress,
	type HouseholdColour,
	type ResidentTag
} from '$lib/domain/household';
import { readHousehold, type HouseholdSnapshot, type ResidentSnapshot } from '$lib/model/household';

/** A resident as the past view shows it: phone and ID number masked, nothing to reveal. */
export type PastResident = Readonly<{
	id: string;
	name: string;
	relation: string;
	birthYear: number | null;
	phone: string;
	idNumber: string;
	tags: readonly ResidentTag[];
	note: string;
}>;

export type PastHouseholdView = Readonly<{
	address: HouseholdAddress;
	colour: HouseholdColour;
	reason: string;
	note: string;
	deleted: boolean;
	residents: readonly PastResident[];
	visitCount: number;
	lastVisitAt: number | null;
}>;

export const HOUSEHOLD_PARTS = ['address', 'colour', 'residents'] as const;
export type HouseholdPart = (typeof HOUSEHOLD_PARTS)[number];

/** The household as it was; null when it did not exist yet. */
export function pastHouseholdReader(householdId: string): (doc: Y.Doc) => HouseholdSnapshot | null {
	return (doc) => readHousehold(doc, householdId);
}

const living = (household: HouseholdSnapshot) =>
	household.residents.filter((resident) => !resident.removed);

/** What the past view renders: masked values only, the residents who lived there then. */
export function pastHouseholdView(household: HouseholdSnapshot): PastHouseholdView {
	return Object.freeze({
		address: household.address,
		colour: household.colourState.colour,
		reason: household.colourState.reason,
		note: household.note,
		deleted: household.deleted,
		residents: Object.freeze(
			living(household).map((resident) =>
				Object.freeze({
					id: resident.id,
					name: resident.fields.name.value,
					relation: resident.fields.relation.value,
					birthYear: resident.fields.birthYear.value,
					phone: resident.masked.phone,
					idNumber: resident.masked.idNumber,
					tags: resident.tags,
					note: resident.fields.note.value
				})
			)
		),
		visitCount: household.visits.length,
		lastVisitAt: household.lastVisitAt
	});
}

/** A resident's values compared in full (a changed digit of a masked number counts). */
function residentKey(resident: ResidentSnapshot): string {
	const { name, relation, phone, idNumber, birthYear, note } = resident.fields;
	const tags = RESIDENT_TAGS.filter((tag) => resident.tags.includes(tag));
	return JSON.stringify([
		resident.id,
		name.value,
		relation.value,
		phone.value,
		idNumber.value,
		birthYear.value,
		note.value,
		tags
	]);
}

/** The parts that differ between the past and now, in `HOUSEHOLD_PARTS` order. */
export function changedHouseholdParts(
	past: HouseholdSnapshot | null,
	now: HouseholdSnapshot | null
): readonly HouseholdPart[] {
	if (past === null || now === null) return [];
	const differs: Record<HouseholdPart, boolean> = {
		address: ADDRESS_PARTS.some((part) => past.address[part] !== now.address[part]),
		colour:
			past.colourState.colour !== now.colourState.colour ||
			past.colourState.reason !== now.colourState.reason,
		residents:
			living(past).map(residentKey).sort().join('\n') !==
			living(now).map(residentKey).sort().join('\n')
	};
	return HOUSEHOLD_PARTS.filter((part) => differs[part]);
}
