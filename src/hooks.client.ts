import { readCredential } from '$lib/sync/credential-store';

/**
 * Runs before the router starts: a signed-in device starts fetching the sync engine now, beside
 * the first route's code, rather than when the root `+layout.ts` asks for it (one step later).
 */
export function init(): void {
	if (readCredential(localStorage)) void import('$lib/engine/app-sync');
}
