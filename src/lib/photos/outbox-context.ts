/**
 * The app's photo outbox: one per AppState (per signed-in membership), created on first use
 * and kept for the life of the app, so pending uploads continue while the person moves between
 * screens. Not a module singleton: keyed by the AppState handed down through context.
 */
import type { AppState } from '$lib/reactive/app-context.svelte';
import { createPhotoOutbox, type PhotoOutbox } from '$lib/sync/photo-outbox';

const outboxes = new WeakMap<AppState, PhotoOutbox>();

export function photoOutboxFor(app: AppState): PhotoOutbox {
	let outbox = outboxes.get(app);
	if (!outbox) {
		outbox = createPhotoOutbox({ communityId: app.communityId, tokens: app.tokens });
		outboxes.set(app, outbox);
	}
	return outbox;
}
