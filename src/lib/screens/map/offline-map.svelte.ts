/**
 * The "Offline map" card's screen model: whether this phone holds its community's basemap
 * (size, when), whether the relay has one and whether it is newer, and the download with its
 * progress (bytes done of the total) and the reason it stopped.
 *
 * Invariant: the only caller of the basemap store's download for the card; one download at a
 * time; every result is kept (`error` says why in the view's words, `progress` keeps what an
 * interrupted download already stored, so "Resume" continues from there).
 */
import {
	createBasemapStore,
	type BasemapFailure,
	type BasemapStore,
	type Progress,
	type Remote,
	type StoredBasemap
} from '$lib/map/basemap-store';
import type { TokenGetter } from '$lib/sync/photo-outbox';

export type OfflineMapView = Readonly<{
	/** False until the device's copy has been read. */
	ready: boolean;
	stored: StoredBasemap | null;
	/** The relay's archive, once asked (null: not asked, offline, or none). */
	remote: Remote | null;
	/** The relay has no basemap for this community (the secretary has not built one). */
	noBasemap: boolean;
	/** The relay's archive differs from the stored one. */
	updateAvailable: boolean;
	downloading: boolean;
	/** Bytes stored of the archive being downloaded (also after an interruption). */
	progress: Progress | null;
	error: BasemapFailure | null;
}>;

export class OfflineMapScreen {
	readonly #store: BasemapStore;
	#ready = $state(false);
	#stored = $state<StoredBasemap | null>(null);
	#remote = $state<Remote | null>(null);
	#noBasemap = $state(false);
	#downloading = $state(false);
	#progress = $state<Progress | null>(null);
	#error = $state<BasemapFailure | null>(null);

	constructor(store: BasemapStore) {
		this.#store = store;
	}

	/** The card of a community, with this device's tokens (null when signed out). */
	static forCommunity(communityId: string, tokens: TokenGetter | null): OfflineMapScreen {
		return new OfflineMapScreen(createBasemapStore({ communityId, tokens }));
	}

	get current(): OfflineMapView {
		const stored = this.#stored;
		const remote = this.#remote;
		return Object.freeze({
			ready: this.#ready,
			stored,
			remote,
			noBasemap: this.#noBasemap,
			updateAvailable: stored !== null && remote !== null && remote.etag !== stored.etag,
			downloading: this.#downloading,
			progress: this.#progress,
			error: this.#error
		});
	}

	/** Reads the device's copy, then asks the relay what it has (quietly when offline). */
	async load(): Promise<void> {
		this.#stored = await this.#store.stored();
		this.#progress = await this.#store.partial();
		this.#ready = true;
		const answer = await this.#store.remote();
		if (answer.ok) {
			this.#remote = answer.remote;
			this.#noBasemap = false;
		} else {
			this.#remote = null;
			this.#noBasemap = answer.reason === 'no_basemap';
		}
	}

	/** Downloads (or resumes, or updates to) the relay's archive. */
	async download(): Promise<boolean> {
		if (this.#downloading) return false;
		this.#downloading = true;
		this.#error = null;
		try {
			const result = await this.#store.download((progress) => {
				this.#progress = progress;
			});
			if (result.ok) {
				this.#stored = result.stored;
				this.#remote = { etag: result.stored.etag, size: result.stored.size };
				this.#progress = null;
				this.#noBasemap = false;
				return true;
			}
			this.#error = result.reason;
			this.#progress = result.progress;
			if (result.reason === 'no_basemap') this.#noBasemap = true;
			return false;
		} finally {
			this.#downloading = false;
		}
	}
}
