/**
 * The screen model of a map (the community's or one grid's): the drawn features from the map
 * document (map-document.ts, the one switch), the board's cases and query from the page, and
 * `current`, the facts the page draws (map-facts.ts). A map only reads: it has no commands, so
 * no one, whatever their role, gets an editing control from it.
 *
 * Invariant: `current` is `mapFacts` of the latest inputs and features; call during component
 * init (it holds the map document's session for the component's lifetime).
 */
import type { CommunityId } from '$lib/domain/ids';
import { useDoc } from '$lib/reactive/use-doc.svelte';
import { MAP_DOCUMENT, NO_MAP_FEATURES, type MapFeatures } from './map-document';
import { mapFacts, type MapCase, type MapFacts, type MapInputs } from './map-facts';

export type MapPageInputs<T extends MapCase> = Omit<MapInputs<T>, 'areas' | 'buildings'>;

export class MapScreen<T extends MapCase> {
	readonly #features: { readonly current: MapFeatures };
	readonly #inputs: () => MapPageInputs<T>;

	constructor(communityId: CommunityId, inputs: () => MapPageInputs<T>) {
		this.#inputs = inputs;
		this.#features = MAP_DOCUMENT
			? useDoc(MAP_DOCUMENT.docName(communityId), MAP_DOCUMENT.read).snapshot
			: { current: NO_MAP_FEATURES };
	}

	readonly #current = $derived.by(() => {
		const features = this.#features.current;
		return mapFacts({ ...this.#inputs(), areas: features.grids, buildings: features.buildings });
	});

	get current(): MapFacts {
		return this.#current;
	}
}
