/**
 * One household's page: its address (edited over what was seen), its colour with why (a reason
 * for yellow and red) and the colour's history, conflicts to settle ("keep this one"), residents
 * (add, edit, tags, remove with an undo), masked phones and ID numbers revealed one at a time
 * (./reveal.svelte.ts), the timeline of visits and colour changes, delete and restore.
 *
 * Invariant: the only caller of the household commands for this page; every result lands in
 * `problem` (or beside a form's field), none is dropped; an accepted command clears it.
 */

import { createContext } from 'svelte';
import type * as Y from 'yjs';
import {
	ADDRESS_PARTS,
	parseAddress,
	type AddressPart,
	type HouseholdColour,
	type HouseholdId,
	type ResidentId,
	type ResidentTag
} from '$lib/domain/household';
import type { EditId } from '$lib/domain/ids';
import { canAdminister } from '$lib/wire';
import type { Result } from '$lib/domain/result';
import {
	addResident,
	deleteHousehold,
	editHouseholdField,
	editResidentField,
	mayWriteHouseholds,
	restoreHousehold,
	setResidentRemoved,
	setColour,
	setResidentTag,
	type ColourChange,
	type EditableHouseholdField,
	type EditableResidentField,
	type HouseholdContext,
	type HouseholdSnapshot,
	type ResidentSnapshot,
	type VisitSnapshot
} from '$lib/model/household';
import { FieldDraft } from '../field-draft.svelte';
import { householdProblem, type HouseholdProblem, type HouseholdReason } from './problem';
import { ResidentDraft, residentFieldOf } from './resident-draft.svelte';
import { Reveal, type Timers } from './reveal.svelte';

export type TimelineEntry =
	| Readonly<{ kind: 'visit'; at: number; id: string; visit: VisitSnapshot }>
	| Readonly<{
			kind: 'colour';
			at: number;
			id: string;
			change: ColourChange;
			/** The colour before (null for the first). */
			from: HouseholdColour | null;
	  }>;

/** Visits and colour changes, newest first. */
export function householdTimeline(household: HouseholdSnapshot): readonly TimelineEntry[] {
	const entries: TimelineEntry[] = [];
	let from: HouseholdColour | null = null;
	for (const change of household.colourState.history) {
		entries.push({ kind: 'colour', at: change.at, id: change.editId, change, from });
		from = change.colour;
	}
	for (const visit of household.visits) {
		entries.push({ kind: 'visit', at: visit.visitedAt, id: visit.id, visit });
	}
	return Object.freeze(
		entries.sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
	);
}

type AddressDraft = Record<AddressPart, string>;
type ResidentEdit = Record<Exclude<EditableResidentField, 'phone' | 'idNumber'>, string> & {
	phone: string;
	idNumber: string;
};
const RESIDENT_EDIT_FIELDS = [
	'name',
	'relation',
	'phone',
	'idNumber',
	'birthYear',
	'note'
] as const satisfies readonly EditableResidentField[];

export type HouseholdScreenSources = Readonly<{
	doc: Y.Doc;
	household: { readonly current: HouseholdSnapshot | null };
	householdId: HouseholdId;
	context: () => HouseholdContext;
	clock?: () => number;
	timers?: Timers;
}>;

export class HouseholdScreen {
	readonly householdId: HouseholdId;
	readonly #doc: Y.Doc;
	readonly #source: HouseholdScreenSources['household'];
	readonly #context: () => HouseholdContext;
	readonly #clock: () => number;
	problem = $state<HouseholdProblem | null>(null);
	/** Masked values shown in full on purpose, one at a time. */
	readonly reveal: Reveal;
	readonly address = new FieldDraft<AddressDraft>(ADDRESS_PARTS);
	/** The colour being set (with its reason), or null while the editor is closed. */
	colourDraft = $state<{ colour: HouseholdColour; reason: string; seen: readonly EditId[] } | null>(
		null
	);
	/** The resident being added, or null. */
	adding = $state<ResidentDraft | null>(null);
	/** The resident being edited (phone and ID number start empty: typed only to change them). */
	editing = $state<{ residentId: ResidentId; draft: FieldDraft<ResidentEdit> } | null>(null);
	editErrors = $state<Partial<Record<EditableResidentField, HouseholdReason>>>({});
	/** The resident just removed, offered back ("undo") until the next action. */
	undo = $state<ResidentId | null>(null);

	constructor(sources: HouseholdScreenSources) {
		this.householdId = sources.householdId;
		this.#doc = sources.doc;
		this.#source = sources.household;
		this.#context = sources.context;
		this.#clock = sources.clock ?? Date.now;
		this.reveal = new Reveal(sources.timers);
	}

	get current(): HouseholdSnapshot | null {
		return this.#source.current;
	}

	get mayWrite(): boolean {
		return mayWriteHouseholds(this.#context().authority);
	}

	/** The secretary may see the household as it was on a chosen day (the relay's history). */
	get mayLookBack(): boolean {
		return canAdminister(this.#context().authority.claims.role);
	}

	get timeline(): readonly TimelineEntry[] {
		const household = this.current;
		return household ? householdTimeline(household) : [];
	}

	#ctx(seen?: readonly EditId[]) {
		return { ...this.#context(), at: this.#clock(), ...(seen ? { seen } : {}) };
	}

	#settle<V>(result: Result<V, HouseholdReason>): boolean {
		this.problem = result.ok ? null : householdProblem(result.reason);
		return result.ok;
	}

	/** What a resident's phone or ID number shows: masked, unless revealed on purpose. */
	shown(resident: ResidentSnapshot, field: 'phone' | 'idNumber'): string {
		return this.reveal.is(resident.id, field)
			? resident.fields[field].value
			: resident.masked[field];
	}

	// Address

	openAddress(): void {
		const household = this.current;
		if (!household) return;
		const fields = household.fields;
		this.address.open({
			compound: fields.compound,
			building: fields.building,
			unit: fields.unit,
			room: fields.room
		});
	}

	/** Saves the changed address parts, each over the heads seen when the editor opened. */
	saveAddress(): boolean {
		const values = this.address.values;
		if (!values) return false;
		const whole = parseAddress(values);
		if (!whole.ok) return this.#settle(whole);
		const result = this.address.save((changes) => {
			for (const part of ADDRESS_PARTS) {
				const change = changes[part];
				if (!change) continue;
				const edited = editHouseholdField(
					this.#doc,
					this.householdId,
					part,
					change.value,
					this.#ctx(change.seen)
				);
				if (!edited.ok) return edited;
			}
			return { ok: true, value: true } as const;
		});
		if (!result.ok && result.reason === 'draft_not_open') return false;
		return this.#settle(result as Result<true, HouseholdReason>);
	}

	/** Keeps one of the values a field was set to concurrently. */
	pickField(field: EditableHouseholdField, value: unknown): boolean {
		return this.#settle(
			editHouseholdField(this.#doc, this.householdId, field, String(value), this.#ctx())
		);
	}

	// Colour

	openColour(): void {
		const state = this.current?.colourState;
		if (!state) return;
		this.colourDraft = {
			colour: state.colour,
			reason: '',
			seen: state.heads as readonly EditId[]
		};
	}

	saveColour(): boolean {
		const draft = this.colourDraft;
		if (!draft) return false;
		const ok = this.#settle(
			setColour(this.#doc, this.householdId, draft.colour, draft.reason, this.#ctx(draft.seen))
		);
		if (ok) this.colourDraft = null;
		return ok;
	}

	/** Keeps one of the colours set concurrently, with the reason it was given with. */
	pickColour(value: unknown): boolean {
		const state = this.current?.colourState;
		const candidate = state?.conflict?.values.find((c) => c.value === value);
		const change = state?.history.find((c) => c.editId === candidate?.editId);
		if (!change) return false;
		return this.#settle(
			setColour(this.#doc, this.householdId, change.colour, change.reason, this.#ctx())
		);
	}

	// Residents

	startAdding(): void {
		this.adding = new ResidentDraft(this.current?.residentCount ? 'spouse' : 'head');
	}

	saveNewResident(): boolean {
		const draft = this.adding;
		if (!draft) return false;
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local value for the parsers, not state
		const today = new Date(this.#clock());
		if (!draft.check(today)) return false;
		const result = addResident(this.#doc, this.householdId, draft.input(today), this.#ctx());
		if (!result.ok) {
			if (!draft.refuse(result.reason)) this.problem = householdProblem(result.reason);
			return false;
		}
		this.problem = null;
		this.adding = null;
		return true;
	}

	startEditing(resident: ResidentSnapshot): void {
		const draft = new FieldDraft<ResidentEdit>(RESIDENT_EDIT_FIELDS);
		const f = resident.fields;
		draft.open({
			name: f.name,
			relation: f.relation,
			phone: { value: '', heads: f.phone.heads },
			idNumber: { value: '', heads: f.idNumber.heads },
			birthYear: {
				value: f.birthYear.value === null ? '' : String(f.birthYear.value),
				heads: f.birthYear.heads
			},
			note: f.note
		});
		this.editErrors = {};
		this.editing = { residentId: resident.id, draft };
	}

	/** Saves the changed fields of the resident being edited, each over what was seen. */
	saveResident(): boolean {
		const editing = this.editing;
		if (!editing) return false;
		const changes = editing.draft.changes();
		const errors: Partial<Record<EditableResidentField, HouseholdReason>> = {};
		for (const field of RESIDENT_EDIT_FIELDS) {
			const change = changes[field];
			if (!change) continue;
			const result = editResidentField(
				this.#doc,
				this.householdId,
				editing.residentId,
				field,
				change.value,
				this.#ctx(change.seen)
			);
			if (result.ok) continue;
			if (residentFieldOf(result.reason) === null) return this.#settle(result);
			errors[field] = result.reason;
		}
		this.editErrors = errors;
		if (Object.keys(errors).length > 0) return false;
		this.problem = null;
		editing.draft.close();
		this.editing = null;
		return true;
	}

	pickResidentField(residentId: ResidentId, field: EditableResidentField, value: unknown): boolean {
		const raw = value === null ? '' : String(value);
		return this.#settle(
			editResidentField(this.#doc, this.householdId, residentId, field, raw, this.#ctx())
		);
	}

	setTag(residentId: ResidentId, tag: ResidentTag, on: boolean): boolean {
		return this.#settle(
			setResidentTag(this.#doc, this.householdId, residentId, tag, on, this.#ctx())
		);
	}

	removeResident(residentId: ResidentId): boolean {
		const ok = this.#settle(
			setResidentRemoved(this.#doc, this.householdId, residentId, true, this.#ctx())
		);
		this.undo = ok ? residentId : null;
		return ok;
	}

	/** Takes back the last removal. */
	undoRemove(): boolean {
		const residentId = this.undo;
		if (!residentId) return false;
		this.undo = null;
		return this.#settle(
			setResidentRemoved(this.#doc, this.householdId, residentId, false, this.#ctx())
		);
	}

	// The household itself

	delete(): boolean {
		return this.#settle(deleteHousehold(this.#doc, this.householdId, this.#ctx()));
	}

	restore(): boolean {
		return this.#settle(restoreHousehold(this.#doc, this.householdId, this.#ctx()));
	}

	dismiss(): void {
		this.problem = null;
	}

	destroy(): void {
		this.reveal.destroy();
	}
}

export const [getHouseholdScreen, setHouseholdScreen] = createContext<HouseholdScreen>();
