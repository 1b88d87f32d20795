/**
 * The session registry of a device that is not signed in: no documents, nothing to sync, nothing
 * stored. It keeps Yjs, IndexedDB and the relay link off a newcomer's first screen (the welcome
 * and `/join`); a signed-in start loads the real registry (`engine/app-sync.ts`).
 *
 * Invariant: no signed-out screen opens a document; `acquire` says so loudly if one tries.
 */
import type { ClearResult } from './local-store.ts';
import type { SessionRegistry } from './session-registry.ts';

export function createIdleRegistry(): SessionRegistry {
	return {
		acquire(docName) {
			throw new Error(`not signed in: no document session for ${docName}`);
		},
		all: () => [],
		subscribe: () => () => undefined,
		watchSessions: () => () => undefined,
		retryLocalWrites: () => undefined,
		restorePending: async () => 0,
		isRestoring: () => false,
		clearAllLocalData: async (): Promise<ClearResult> => ({ ok: true }),
		resetDocument: async (): Promise<ClearResult> => ({ ok: true }),
		destroy: () => undefined
	};
}
