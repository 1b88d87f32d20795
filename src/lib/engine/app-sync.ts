/**
 * The sync engine of a signed-in device: the document session registry (Yjs, IndexedDB, the
 * relay link), the documents left unconfirmed by an earlier start, the persistent-storage request
 * and the server receipts. Loaded by the root `+layout.ts` only when a credential exists, so a
 * newcomer's first screen (welcome, `/join`) never downloads it.
 */
import { openPendingIndex } from '$lib/sync/pending-index';
import { createSessionRegistry, type SessionRegistry } from '$lib/sync/session-registry';
import { requestPersistentStorage } from '$lib/sync/storage-info';
import type { TokenManager } from '$lib/sync/token-manager';
import { summarizerFor } from '$lib/model/summary';
import { stampReceiptsForRegistry } from './server-receipts';

/** The relay's sync endpoint: same origin in production, proxied by Vite in development. */
export function relayUrlFor(location: Location): string {
	const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
	return `${scheme}://${location.host}/sync`;
}

export function startSync(input: {
	communityId: string;
	deviceId: string;
	tokens: TokenManager | null;
}): SessionRegistry {
	const registry = createSessionRegistry({
		relayUrl: relayUrlFor(window.location),
		tokens: input.tokens,
		connect: input.tokens !== null,
		pendingIndex: openPendingIndex(),
		// Each board, the tasks document and the meeting index keep their summary beside them.
		summarizerFor
	});
	// Documents edited before this start (offline, or the tab closed too early) sync in the
	// background and count in the status bar, whichever page is open.
	void registry.restorePending(input.communityId);
	askPersistenceAfterFirstSave(registry);
	// "Reached the server at" on this device's timeline entries (docs/ledger.md).
	stampReceiptsForRegistry(registry, input.deviceId);
	return registry;
}

/**
 * Browsers grant persistent storage to sites people use; the right moment to ask is right after
 * something was saved (web.dev/persistent-storage). The answer is remembered, so this asks once.
 */
function askPersistenceAfterFirstSave(registry: SessionRegistry): void {
	const wrote = new WeakSet<object>();
	const stop = registry.watchSessions((session) => {
		if (!session) return;
		const { local } = session.getState();
		if (local === 'saving') wrote.add(session);
		else if (local === 'saved' && wrote.has(session)) {
			stop();
			void requestPersistentStorage();
		}
	});
}
