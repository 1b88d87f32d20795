/**
 * A grid's household register as its page shows it: the counts by colour (domain/household-stats),
 * the households filtered by colour, by tag and by a search over the address and the residents'
 * names, sorted red first, then by days overdue, then by address; and the "add household" form.
 *
 * Invariant: pure reading over the register's snapshot, the community's visit plan and the clock
 * (`tick()` moves it); deleted households are listed only when asked for. The only command it
 * calls is the form's (./household-form.svelte.ts).
 */

import type * as Y from 'yjs';
import {
	COLOUR_RANK,
	normaliseText,
	type HouseholdColour,
	type ResidentTag,
	type VisitDue,
	type VisitPlanDefaults
} from '$lib/domain/household';
import { householdStats, type HouseholdStats } from '$lib/domain/household-stats';
import {
	intervalOf,
	mayWriteHouseholds,
	type HouseholdContext,
	type HouseholdSummary
} from '$lib/model/household';
import { visitDue } from '$lib/domain/household';
import { HouseholdForm } from './household-form.svelte';

export type RegisterRow = Readonly<{
	household: HouseholdSummary;
	intervalDays: number;
	due: VisitDue;
}>;

export type RegisterSources = Readonly<{
	doc: Y.Doc;
	households: { readonly current: readonly HouseholdSummary[] };
	settings: { readonly current: Readonly<{ visitPlan: VisitPlanDefaults; timeZone: string }> };
	context: () => HouseholdContext;
	clock?: () => number;
}>;

/** Folded for matching: full-width folded, spaces dropped, lower case. */
const fold = (text: string) => normaliseText(text).replace(/\s+/g, '').toLowerCase();

export function matchesQuery(household: HouseholdSummary, query: string): boolean {
	const wanted = fold(query);
	if (wanted === '') return true;
	const { compound, building, unit, room } = household.address;
	if (fold(`${compound}${building}${unit}${room}`).includes(wanted)) return true;
	return household.residentNames.some((name) => fold(name).includes(wanted));
}

const compareRows = (a: RegisterRow, b: RegisterRow) =>
	COLOUR_RANK[a.household.colour] - COLOUR_RANK[b.household.colour] ||
	b.due.overdueDays - a.due.overdueDays ||
	a.due.dueAt - b.due.dueAt;

export class RegisterScreen {
	readonly #sources: RegisterSources;
	readonly #clock: () => number;
	colour = $state<HouseholdColour | 'all'>('all');
	tag = $state<ResidentTag | 'all'>('all');
	query = $state('');
	showDeleted = $state(false);
	/** The time visits are judged at; `tick()` moves it (the page does, every minute). */
	now = $state(0);
	readonly form: HouseholdForm;

	constructor(sources: RegisterSources) {
		this.#sources = sources;
		this.#clock = sources.clock ?? Date.now;
		this.now = this.#clock();
		this.form = new HouseholdForm(sources.doc, sources.context, this.#clock);
	}

	tick(): void {
		this.now = this.#clock();
	}

	get mayWrite(): boolean {
		return mayWriteHouseholds(this.#sources.context().authority);
	}

	/** Counts by colour and this month's visits, over the live households. */
	readonly stats: HouseholdStats = $derived.by(() =>
		householdStats({
			households: this.#sources.households.current,
			plan: this.#sources.settings.current.visitPlan,
			now: this.now,
			timeZone: this.#sources.settings.current.timeZone
		})
	);

	/** Every household with its next visit, sorted (before the filters). */
	readonly #all: readonly RegisterRow[] = $derived.by(() => {
		const plan = this.#sources.settings.current.visitPlan;
		const rows = this.#sources.households.current.map((household) => {
			const intervalDays = intervalOf(household, plan);
			const since = household.colourSince;
			const due = visitDue({ lastVisitAt: household.lastVisitAt, since, intervalDays }, this.now);
			return Object.freeze({ household, intervalDays, due });
		});
		// The model's list is in address order; a stable sort keeps it within equal rows.
		return Object.freeze(rows.sort(compareRows));
	});

	/** The rows the filters and the search let through. */
	readonly rows: readonly RegisterRow[] = $derived.by(() =>
		this.#all.filter(
			({ household }) =>
				household.deleted === this.showDeleted &&
				(this.colour === 'all' || household.colour === this.colour) &&
				(this.tag === 'all' || household.tags.includes(this.tag)) &&
				matchesQuery(household, this.query)
		)
	);

	/** Households on the register (not deleted), whatever the filters. */
	get total(): number {
		return this.stats.total;
	}

	get deletedCount(): number {
		return this.#sources.households.current.filter((household) => household.deleted).length;
	}

	get filtered(): boolean {
		return this.colour !== 'all' || this.tag !== 'all' || this.query.trim() !== '';
	}

	clearFilters(): void {
		this.colour = 'all';
		this.tag = 'all';
		this.query = '';
	}
}
