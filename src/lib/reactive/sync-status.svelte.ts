/**
 * The status bar's source: every open document session's sync state, summarised, as a reactive
 * `current`. Sessions come and go with the registry (which also opens, at start, every document
 * with changes not yet on the relay: see `restorePending`); the browser's online/offline events
 * count too.
 */
import { createSubscriber } from 'svelte/reactivity';
import type { DocSession } from '$lib/sync/doc-session';
import type { SessionRegistry } from '$lib/sync/session-registry';
import { summarizeSync, type SyncSummary } from '$lib/sync/sync-summary';

export class SyncStatus {
	readonly #registry: SessionRegistry;
	readonly #subscribe: () => void;

	constructor(registry: SessionRegistry) {
		this.#registry = registry;
		this.#subscribe = createSubscriber((update) => {
			// Plain bookkeeping of per-session listeners, not state to render.
			// eslint-disable-next-line svelte/prefer-svelte-reactivity
			const detach = new Map<DocSession, () => void>();
			const track = () => {
				// eslint-disable-next-line svelte/prefer-svelte-reactivity
				const open = new Set(registry.all());
				for (const session of open) {
					if (!detach.has(session)) detach.set(session, session.subscribe(update));
				}
				for (const [session, off] of detach) {
					if (!open.has(session)) {
						off();
						detach.delete(session);
					}
				}
				update();
			};
			const offRegistry = registry.subscribe(track);
			track();
			window.addEventListener('online', update);
			window.addEventListener('offline', update);
			return () => {
				offRegistry();
				for (const off of detach.values()) off();
				window.removeEventListener('online', update);
				window.removeEventListener('offline', update);
			};
		});
	}

	get current(): SyncSummary {
		this.#subscribe();
		return summarizeSync(
			this.#registry.all().map((session) => session.getState()),
			navigator.onLine,
			{ restoring: this.#registry.isRestoring() }
		);
	}
}
