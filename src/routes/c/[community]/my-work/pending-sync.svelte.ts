/**
 * The open documents with changes this device made that the relay has not yet confirmed, as a
 * reactive `current` ("waiting to sync" on My work). Sessions come and go with the registry.
 */
import { createSubscriber } from 'svelte/reactivity';
import type { DocSession } from '$lib/sync/doc-session';
import type { SessionRegistry } from '$lib/sync/session-registry';

export type PendingDoc = Readonly<{ docName: string; unconfirmed: number }>;

export class PendingSync {
	readonly #registry: SessionRegistry;
	readonly #subscribe: () => void;

	constructor(registry: SessionRegistry) {
		this.#registry = registry;
		this.#subscribe = createSubscriber((update) => {
			// Plain bookkeeping of per-session listeners, not state to render.
			// eslint-disable-next-line svelte/prefer-svelte-reactivity
			const detach = new Map<DocSession, () => void>();
			const track = () => {
				for (const session of registry.all()) {
					if (!detach.has(session)) detach.set(session, session.subscribe(update));
				}
				update();
			};
			const off = registry.subscribe(track);
			track();
			return () => {
				off();
				for (const stop of detach.values()) stop();
			};
		});
	}

	get current(): readonly PendingDoc[] {
		this.#subscribe();
		return this.#registry
			.all()
			.map((session) => session.getState())
			.filter((state) => state.unconfirmed > 0)
			.map((state) => ({ docName: state.docName, unconfirmed: state.unconfirmed }));
	}
}
