/**
 * The open documents with changes this device made that the relay has not yet confirmed, as a
 * reactive `current` ("waiting to sync" on My work). Sessions come and go with the registry.
 */
import { createSubscriber } from 'svelte/reactivity';
import type { SessionRegistry } from '$lib/sync/session-registry';

export type PendingDoc = Readonly<{ docName: string; unconfirmed: number }>;

export class PendingSync {
	readonly #registry: SessionRegistry;
	readonly #subscribe: () => void;

	constructor(registry: SessionRegistry) {
		this.#registry = registry;
		this.#subscribe = createSubscriber((update) => registry.watchSessions(update));
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
