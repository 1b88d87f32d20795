/**
 * Where the map screens get the community's drawn features (grid areas and buildings) from:
 * the map document (`c/{communityId}/map`) read by the map model's `readMap`.
 *
 * PLUG: this is the one switch, set to the map document's name builder and reader (null would
 * make the map screens read nothing: no boundaries, the "not drawn yet" note).
 *
 * Invariant: `read` is a pure reader returning frozen plain values (the types of domain/geo.ts).
 */
import type * as Y from 'yjs';
import { mapDocName, type Building, type GridArea } from '$lib/domain/geo';
import { readMap } from '$lib/model/map';

export type MapFeatures = Readonly<{
	grids: readonly GridArea[];
	buildings: readonly Building[];
}>;

export type MapDocument = Readonly<{
	docName: (communityId: string) => string;
	read: (doc: Y.Doc) => MapFeatures;
}>;

export const MAP_DOCUMENT: MapDocument | null = { docName: mapDocName, read: readMap };

export const NO_MAP_FEATURES: MapFeatures = Object.freeze({ grids: [], buildings: [] });
