/**
 * The community's basemap as the map screens get it: the PMTiles archive stored on the device,
 * or null when none has been downloaded (the map then draws on a plain background).
 *
 * The archive's storage belongs to the basemap store beside this file (`basemapFile`; OPFS, IndexedDB fallback; download,
 * progress, resume). This module is the one seam between the map screens and that store: it
 * loads the store lazily (only a map screen pays for it) and, while the store is not in this
 * tree, answers "no basemap", so the screens build and run with or without it.
 *
 * Invariant: never throws; a store that fails to read is reported as `failed`, not as "none".
 */
export type BasemapResult = Readonly<{ file: Blob | null; failed: boolean }>;

type BasemapStore = { basemapFile(communityId: string): Promise<Blob | null> };

// Empty while the store module is absent (Vite resolves the glob at build time).
const stores = import.meta.glob<BasemapStore>('./basemap-store.{ts,js}');

export async function openBasemap(communityId: string): Promise<BasemapResult> {
	const load = Object.values(stores)[0];
	if (!load) return { file: null, failed: false };
	try {
		const store = await load();
		return { file: await store.basemapFile(communityId), failed: false };
	} catch (error) {
		console.warn('basemap: could not read the stored archive', error);
		return { file: null, failed: true };
	}
}
