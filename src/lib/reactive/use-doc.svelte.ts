/**
 * Component-scoped access to one document: acquires its session from the registry for the
 * lifetime of the calling component and releases it on destroy. Call during component init.
 * `ready` turns true once the stored document is read: pages show a loading state until then
 * rather than an empty one that invites duplicate entries.
 */
import { onDestroy } from 'svelte';
import type * as Y from 'yjs';
import type { DocSession } from '$lib/sync/doc-session';
import { DocSnapshot } from './doc-snapshot.svelte';
import { getAppState } from './app-context.svelte';

export type DocHandle<T> = {
	session: DocSession;
	doc: Y.Doc;
	snapshot: DocSnapshot<T>;
	loaded: Promise<void>;
	/** Reactive: the stored document is in `doc` (`loaded` has resolved). */
	readonly ready: boolean;
};

export function useDoc<T>(docName: string, read: (doc: Y.Doc) => T): DocHandle<T> {
	const app = getAppState();
	const { session, release } = app.registry.acquire(docName);
	const snapshot = new DocSnapshot(session.doc, read);
	let ready = $state(false);
	void session.whenLoaded.then(() => (ready = true));
	onDestroy(() => {
		snapshot.destroy();
		release();
	});
	return {
		session,
		doc: session.doc,
		snapshot,
		loaded: session.whenLoaded,
		get ready() {
			return ready;
		}
	};
}
