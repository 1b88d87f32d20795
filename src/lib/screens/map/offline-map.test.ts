/**
 * The offline map card's facts over a fake basemap store: not downloaded with the relay's size,
 * the empty state when the relay has none, progress kept after an interruption, downloaded, and
 * an update offered when the relay's archive differs.
 */
import { describe, expect, it } from 'vitest';
import type {
	BasemapStore,
	DownloadResult,
	Progress,
	Remote,
	StoredBasemap
} from '$lib/map/basemap-store';
import { OfflineMapScreen } from './offline-map.svelte';

function fakeStore(start: { stored?: StoredBasemap | null; remote?: Remote | null }) {
	const state = {
		stored: start.stored ?? null,
		remote: start.remote ?? null,
		partial: null as Progress | null,
		next: null as DownloadResult | null
	};
	const store: BasemapStore = {
		stored: async () => state.stored,
		partial: async () => state.partial,
		file: async () => null,
		remote: async () =>
			state.remote ? { ok: true, remote: state.remote } : { ok: false, reason: 'no_basemap' },
		download: async (onProgress) => {
			onProgress?.({ done: 10, total: 100 });
			const result = state.next!;
			if (result.ok) state.stored = result.stored;
			return result;
		}
	};
	return { state, store };
}

describe('OfflineMapScreen', () => {
	it('shows the empty state when the relay has no basemap', async () => {
		const { store } = fakeStore({});
		const screen = new OfflineMapScreen(store);
		expect(screen.current.ready).toBe(false);
		await screen.load();
		expect(screen.current).toMatchObject({ ready: true, stored: null, noBasemap: true });
	});

	it('downloads, keeps progress after an interruption, then shows the stored map and offers updates', async () => {
		const remote = { etag: '"a"', size: 100 };
		const { state, store } = fakeStore({ remote });
		const screen = new OfflineMapScreen(store);
		await screen.load();
		expect(screen.current).toMatchObject({ stored: null, remote, noBasemap: false });

		state.next = { ok: false, reason: 'interrupted', progress: { done: 40, total: 100 } };
		expect(await screen.download()).toBe(false);
		expect(screen.current).toMatchObject({
			downloading: false,
			error: 'interrupted',
			progress: { done: 40, total: 100 }
		});

		const stored = { etag: '"a"', size: 100, savedAt: 5 };
		state.next = { ok: true, stored, fresh: true };
		expect(await screen.download()).toBe(true);
		expect(screen.current).toMatchObject({ stored, progress: null, error: null });
		expect(screen.current.updateAvailable).toBe(false);

		state.remote = { etag: '"b"', size: 120 };
		await screen.load();
		expect(screen.current.updateAvailable).toBe(true);
	});
});
