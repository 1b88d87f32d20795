/**
 * The app's photo outbox: one per AppState (per signed-in membership), created on first use
 * and kept for the life of the app, so pending uploads continue while the person moves between
 * screens. Not a module singleton: keyed by the AppState handed down through context.
 *
 * Whenever one of the app's relay connections opens, the outbox tries its pending photos at once:
 * the relay is reachable right now, whatever the browser's `online` flag said before (a phone
 * on a network that carried nothing is "online" and never fires the event when it recovers).
 */
import type { AppState } from '$lib/reactive/app-context.svelte';
import type { DocSession } from '$lib/sync/doc-session';
import { createPhotoOutbox, type PhotoOutbox } from '$lib/sync/photo-outbox';

const outboxes = new WeakMap<AppState, PhotoOutbox>();

export function photoOutboxFor(app: AppState): PhotoOutbox {
	let outbox = outboxes.get(app);
	if (!outbox) {
		const created = createPhotoOutbox({ communityId: app.communityId, tokens: app.tokens });
		outbox = created;
		outboxes.set(app, created);
		const watched = new WeakSet<DocSession>();
		const watch = (sessions: DocSession[]): void => {
			for (const session of sessions) {
				if (watched.has(session)) continue;
				watched.add(session);
				let wasOnline = session.getState().connection === 'online';
				session.subscribe((state) => {
					const online = state.connection === 'online';
					if (online && !wasOnline && created.pendingCount() > 0) created.retryNow();
					wasOnline = online;
				});
			}
		};
		watch(app.registry.all());
		app.registry.subscribe(watch);
	}
	return outbox;
}
