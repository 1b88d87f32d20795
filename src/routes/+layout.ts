import { browser } from '$app/environment';
import { readCredential } from '$lib/sync/credential-store';

// Data lives in the browser: the app is a client-rendered SPA. Only `/join` is prerendered (its
// `+page.ts`): a newcomer's first screen is in its HTML; this load then runs at build time too.
export const ssr = false;
export const prerender = false;

/**
 * A signed-in device needs the sync engine (Yjs, IndexedDB, the relay link) for its documents;
 * a newcomer (the welcome, `/join`) needs none of it, so it loads only with a credential and
 * stays off the first screen of a new volunteer on a weak link. Handed over as a loader, not
 * loaded here: the root layout starts it once the first frame is painted, so the shell and the
 * community home's heading (drawn from the credential) never wait for Yjs to parse and run.
 */
export function load() {
	const engine =
		browser && readCredential(localStorage) ? () => import('$lib/engine/app-sync') : null;
	return { engine };
}
