/**
 * Component-scoped access to one document: acquires its session from the registry for the
 * lifetime of the calling component and releases it on destroy. Call during component init.
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
};

export function useDoc<T>(docName: string, read: (doc: Y.Doc) => T): DocHandle<T> {
	const app = getAppState();
	const { session, release } = app.registry.acquire(docName);
	const snapshot = new DocSnapshot(session.doc, read);
	onDestroy(() => {
		snapshot.destroy();
		release();
	});
	return { session, doc: session.doc, snapshot, loaded: session.whenLoaded };
}
