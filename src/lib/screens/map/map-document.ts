/**
 * Where the map screens get the community's drawn features (grid areas and buildings) from:
 * the map document (`c/{communityId}/map`) read by the map model's `readMap`.
 *
 * PLUG: this is the one switch. While `src/lib/model/map` is not in this tree, `MAP_DOCUMENT`
 * is null and the map screens read nothing (no boundaries: the "not drawn yet" note). When it
 * lands, set it to `{ docName: mapDocName, read: readMap }` (the map document's name builder
 * from `$lib/wire`/`$lib/domain/ids` and the reader from `$lib/model/map`); nothing else changes.
 *
 * Invariant: `read` is a pure reader returning frozen plain values (the types of domain/geo.ts).
 */
import type * as Y from 'yjs';
import type { Building, GridArea } from '$lib/domain/geo';

export type MapFeatures = Readonly<{
	grids: readonly GridArea[];
	buildings: readonly Building[];
}>;

export type MapDocument = Readonly<{
	docName: (communityId: string) => string;
	read: (doc: Y.Doc) => MapFeatures;
}>;

export const MAP_DOCUMENT: MapDocument | null = null;

export const NO_MAP_FEATURES: MapFeatures = Object.freeze({ grids: [], buildings: [] });
