/**
 * The status bar's source: every open document session's sync state, summarised, as a reactive
 * `current`. Sessions come and go with the registry (which also opens, at start, every document
 * with changes not yet on the relay: see `restorePending`); the browser's online/offline events
 * count too, and so do the photos waiting in the photo outbox once it is attached
 * (`attachPhotos`; the outbox module loads after the first screen). Signed in, the photo count is
 * unknown until then, and the summary says so (loading, never "all saved").
 */
import { createSubscriber } from 'svelte/reactivity';
import type { SessionRegistry } from '$lib/sync/session-registry';
import { summarizeSync, type SyncSummary } from '$lib/sync/sync-summary';

/** What the summary needs of the photo outbox (photo-outbox.ts). */
export type PhotoCounter = {
	pendingCount(): number;
	pendingKnown(): boolean;
	subscribe(listener: () => void): () => void;
};

export type SyncStatusOptions = {
	/** Photos will be attached (signed in): until then their count is unknown. */
	expectPhotos?: boolean;
	photos?: PhotoCounter | null;
};

export type UnsentDocument = Readonly<{ docName: string; changes: number }>;

export class SyncStatus {
	readonly #registry: SessionRegistry;
	readonly #subscribe: () => void;
	readonly #expectPhotos: boolean;
	#photos: PhotoCounter | null;
	#photosAttached: (() => void) | null = null;

	constructor(registry: SessionRegistry, options: SyncStatusOptions = {}) {
		this.#registry = registry;
		this.#photos = options.photos ?? null;
		this.#expectPhotos = options.expectPhotos ?? this.#photos !== null;
		this.#subscribe = createSubscriber((update) => {
			const offSessions = registry.watchSessions(update);
			let offPhotos = this.#photos?.subscribe(update) ?? null;
			this.#photosAttached = () => {
				offPhotos?.();
				offPhotos = this.#photos?.subscribe(update) ?? null;
				update();
			};
			window.addEventListener('online', update);
			window.addEventListener('offline', update);
			return () => {
				offSessions();
				offPhotos?.();
				this.#photosAttached = null;
				window.removeEventListener('online', update);
				window.removeEventListener('offline', update);
			};
		});
	}

	/** Counts the photo outbox's pending photos from now on. */
	attachPhotos(photos: PhotoCounter): void {
		if (this.#photos === photos) return;
		this.#photos = photos;
		this.#photosAttached?.();
	}

	get current(): SyncSummary {
		this.#subscribe();
		const photos = this.#photos;
		return summarizeSync(
			this.#registry.all().map((session) => session.getState()),
			// Prerendered (`/join` at build time) there is no navigator: online, nothing pending.
			typeof navigator === 'undefined' || navigator.onLine,
			{
				restoring: this.#registry.isRestoring(),
				photosPending: photos
					? photos.pendingKnown()
						? photos.pendingCount()
						: null
					: this.#expectPhotos
						? null
						: undefined
			}
		);
	}

	/** The open documents with changes the relay has not confirmed (the removal notice lists them). */
	get unsent(): readonly UnsentDocument[] {
		this.#subscribe();
		return this.#registry
			.all()
			.map((session) => ({ docName: session.docName, changes: session.getState().unconfirmed }))
			.filter((document) => document.changes > 0);
	}
}
