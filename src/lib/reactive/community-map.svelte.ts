/**
 * The community's map document for a screen: opens `c/{communityId}/map` for the calling
 * component's lifetime (like the directory, use-doc.svelte.ts) and exposes `readMap` as a
 * reactive snapshot: grid areas, buildings and open conflicts, re-read only when the map changed
 * (src/lib/model/map/readers.ts). Screens show a loading state until `ready`.
 *
 * The map's commands (src/lib/model/map/commands.ts) take `handle.doc`; a screen model builds
 * their context with `memberContext` (src/lib/screens/command-context.ts).
 *
 * Invariant: one document session per call, released when the component is destroyed.
 */
import { mapDocName } from '$lib/domain/geo';
import type { CommunityId } from '$lib/domain/ids';
import { readFeature, readMap, type FeatureSnapshot, type MapSnapshot } from '$lib/model/map';
import { DocSnapshot } from './doc-snapshot.svelte';
import { useDoc, type DocHandle } from './use-doc.svelte';

/** Opens the community's map; call during component init. */
export function useCommunityMap(communityId: CommunityId): DocHandle<MapSnapshot> {
	return useDoc(mapDocName(communityId), readMap);
}

/**
 * One feature of an open map, for a form or a drawing tool editing it: its values and the heads
 * to pass back as `seen`. Call `destroy()` when the editor closes.
 */
export function featureSnapshot(
	map: DocHandle<MapSnapshot>,
	featureId: string
): DocSnapshot<FeatureSnapshot | null> {
	return new DocSnapshot(map.doc, (doc) => readFeature(doc, featureId));
}
