/**
 * The screen model of a map (the community's or one grid's): the drawn features from the map
 * document (map-document.ts, the one switch), the board's cases and query from the page, the
 * household markers of the registers this person may read (map-households.ts), and `current`,
 * the facts the page draws (map-facts.ts). A map only reads: it has no commands, so no one,
 * whatever their role, gets an editing control from it.
 *
 * Invariant: `current` is `mapFacts` of the latest inputs and features; a household register is
 * opened only when `canReadHouseholds` allows it (a volunteer's map never holds a household);
 * call during component init (it holds the documents' sessions for the component's lifetime).
 */
import type { CommunityId } from '$lib/domain/ids';
import { listHouseholds } from '$lib/model/household';
import { useDoc } from '$lib/reactive/use-doc.svelte';
import { canReadHouseholds, householdsDocName, type AccessClaims } from '$lib/wire';
import { MAP_DOCUMENT, NO_MAP_FEATURES, type MapFeatures } from './map-document';
import { mapFacts, type MapCase, type MapFacts, type MapInputs } from './map-facts';
import { householdMarkers } from './map-households';

export type MapPageInputs<T extends MapCase> = Omit<
	MapInputs<T>,
	'areas' | 'buildings' | 'households'
>;

/** Whose households the map may show: the member's claims and the grids the map covers. */
export type MapHouseholds = Readonly<{ claims: AccessClaims; gridIds: readonly string[] }>;

export class MapScreen<T extends MapCase> {
	readonly #features: { readonly current: MapFeatures };
	readonly #inputs: () => MapPageInputs<T>;
	readonly #registers: readonly {
		gridId: string;
		snapshot: { readonly current: ReturnType<typeof listHouseholds> };
	}[];

	constructor(
		communityId: CommunityId,
		inputs: () => MapPageInputs<T>,
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
		return mapFacts({
			...this.#inputs(),
			areas: features.grids,
			buildings: features.buildings,
			households
		});
	});

	get current(): MapFacts {
		return this.#current;
	}
}
