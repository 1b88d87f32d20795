/**
 * Yjs → runes. A `DocSnapshot` wraps one Y.Doc and a pure reader `(doc) => Snapshot` and exposes
 * the reader's result as `current`. Invariant: `current` is never older than the doc; the reader
 * runs at most once per change, and only when someone reads `current`.
 */
import { createSubscriber } from 'svelte/reactivity';
import type * as Y from 'yjs';

export class DocSnapshot<T> {
	readonly #doc: Y.Doc;
	readonly #read: (doc: Y.Doc) => T;
	readonly #subscribe: () => void;
	#version = 0;
	#cachedVersion = -1;
	#cached: T | undefined;
	// Plain (non-reactive) bookkeeping of subscribers; reactivity comes from createSubscriber.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#listeners = new Set<() => void>();
	#onTransaction = (transaction: Y.Transaction) => {
		if (transaction.changed.size === 0 && transaction.deleteSet.clients.size === 0) return;
		this.#version++;
		for (const listener of this.#listeners) listener();
	};

	constructor(doc: Y.Doc, read: (doc: Y.Doc) => T) {
		this.#doc = doc;
		this.#read = read;
		// Always count versions, so a read outside a reactive context is never stale. Not the
		// 'update' event: listening to it makes Yjs encode every transaction, including the
		// one that loads a stored document (local-store.ts).
		doc.on('afterTransaction', this.#onTransaction);
		this.#subscribe = createSubscriber((update) => {
			this.#listeners.add(update);
			return () => this.#listeners.delete(update);
		});
	}

	get current(): T {
		this.#subscribe();
		if (this.#cachedVersion !== this.#version) {
			this.#cached = this.#read(this.#doc);
			this.#cachedVersion = this.#version;
		}
		return this.#cached as T;
	}

	destroy(): void {
		this.#doc.off('afterTransaction', this.#onTransaction);
		this.#listeners.clear();
	}
}
