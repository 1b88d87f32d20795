/**
 * The screen model of a map (the community's or one grid's): the drawn features from the map
 * document (map-document.ts, the one switch), the board's cases and query from the page, the
 * household markers of the registers this person may read (map-households.ts), and `current`,
 * the facts the page draws (map-facts.ts). A map only reads: it has no commands, so no one,
 * whatever their role, gets an editing control from it.
 *
 * First pins from summaries: while the page has no live cases yet (`cases: null`, its boards
 * still being read from the device), the pins come from the boards' stored summaries
 * (summary-cases.ts), taken once per set of grids, when the query can be drawn from them. When
 * the live cases come, the pins they make replace them only if some pin differs: the same pins
 * stay the same list, so the map's source is not set again and nothing moves.
 *
 * Invariant: `current` is `mapFacts` of the latest inputs and features (of the summaries' cases
 * until the live ones come); a household register is opened only when `canReadHouseholds`
 * allows it (a volunteer's map never holds a household); call during component init (it holds
 * the documents' sessions for the component's lifetime).
 */
import type { BoardSummary } from '$lib/domain/summaries';
import type { CommunityId } from '$lib/domain/ids';
import type { MapPin } from '$lib/map/layers';
import { listHouseholds } from '$lib/model/household';
import { useDoc } from '$lib/reactive/use-doc.svelte';
import { canReadHouseholds, householdsDocName, type AccessClaims } from '$lib/wire';
import { MAP_DOCUMENT, NO_MAP_FEATURES, type MapFeatures } from './map-document';
import { mapFacts, type MapCase, type MapFacts, type MapInputs } from './map-facts';
import { householdMarkers } from './map-households';
import { canDrawFromSummaries, keepSamePins, summaryMapCases } from './summary-cases';

export type MapPageInputs = Omit<MapInputs, 'areas' | 'buildings' | 'cases' | 'households'> &
	Readonly<{
		/** The cases the board lists, or null while its documents are still being read. */
		cases: readonly MapCase[] | null;
		/** Until then: each listed board's stored summary (null where there is none). */
		summaries: readonly Readonly<{ gridId: string; summary: BoardSummary | null }>[];
		/** The board lists only open cases (the community's). */
		openOnly: boolean;
	}>;

/** Whose households the map may show: the member's claims and the grids the map covers. */
export type MapHouseholds = Readonly<{ claims: AccessClaims; gridIds: readonly string[] }>;

export class MapScreen {
	readonly #features: { readonly current: MapFeatures };
	readonly #inputs: () => MapPageInputs;
	readonly #registers: readonly {
		gridId: string;
		snapshot: { readonly current: ReturnType<typeof listHouseholds> };
	}[];
	/** The summaries' cases, taken once for these grids (later reads of them change nothing). */
	#first: { grids: string; cases: MapCase[] } | null = null;
	/** The pins handed to the map last. */
	#pins: readonly MapPin[] | null = null;

	constructor(
		communityId: CommunityId,
		inputs: () => MapPageInputs,
		households: MapHouseholds | null = null
	) {
		this.#inputs = inputs;
		this.#features = MAP_DOCUMENT
			? useDoc(MAP_DOCUMENT.docName(communityId), MAP_DOCUMENT.read).snapshot
			: { current: NO_MAP_FEATURES };
		this.#registers = (households?.gridIds ?? [])
			.filter((gridId) => canReadHouseholds(households!.claims, gridId))
			.map((gridId) => ({
				gridId,
				snapshot: useDoc(householdsDocName(communityId, gridId), listHouseholds).snapshot
			}));
	}

	/** The cases drawn: the live ones, else the summaries'; null while neither can be. */
	readonly #cases = $derived.by((): readonly MapCase[] | null => {
		const { cases, summaries, openOnly, query } = this.#inputs();
		if (cases !== null) return cases;
		if (!canDrawFromSummaries(query)) return null;
		const grids = summaries.map((board) => board.gridId).join(',');
		if (this.#first?.grids === grids) return this.#first.cases;
		const first = summaryMapCases(summaries, openOnly);
		if (first) this.#first = { grids, cases: first };
		return first;
	});

	// Apart from the cases, so a filter change hands the map the same markers (no redraw).
	readonly #markers = $derived.by(() =>
		householdMarkers(
			this.#features.current.buildings,
			this.#registers.map((r) => ({ gridId: r.gridId, households: r.snapshot.current }))
		)
	);

	readonly #current = $derived.by(() => {
		const features = this.#features.current;
		const households = this.#markers;
		const { cases: _, summaries: __, openOnly: ___, ...inputs } = this.#inputs();
		const facts = mapFacts({
			...inputs,
			cases: this.#cases ?? [],
			areas: features.grids,
			buildings: features.buildings,
			households
		});
		const pins = keepSamePins(this.#pins, facts.data.cases);
		this.#pins = pins;
		if (pins === facts.data.cases) return facts;
		return Object.freeze({ ...facts, data: Object.freeze({ ...facts.data, cases: pins }) });
	});

	get current(): MapFacts {
		return this.#current;
	}

	/** No case can be drawn yet: the documents are being read and no summary can stand in. */
	get waiting(): boolean {
		return this.#cases === null;
	}
}
