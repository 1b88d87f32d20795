/**
 * The session registry of a signed-in device while its sync engine (Yjs, IndexedDB, the relay
 * link: `engine/app-sync.ts`) is still loading. The app's shell (header, navigation, status
 * bar, the community home's heading) renders from what the device already holds (the stored
 * credential) without waiting for it; once the engine has started, every call goes to the real
 * registry and every listener subscribed before hears it.
 *
 * Invariants: until the real registry is in place nothing is known about the documents, so
 * `isRestoring()` is true (the status bar says "loading", never "all saved"); no document is
 * opened before then (`acquire` throws: screens that open documents render after `started`);
 * sign-out waits for the engine, so no local data escapes the wipe.
 */
import type { ClearResult } from './local-store.ts';
import type { SessionRegistry } from './session-registry.ts';
import type { DocSession } from './doc-session.ts';

export type DeferredRegistry = SessionRegistry & {
	/** Resolves with the real registry once it has started. */
	readonly started: Promise<SessionRegistry>;
};

type Listener = (sessions: DocSession[]) => void;
type Watcher = (changed?: DocSession) => void;

export function createDeferredRegistry(starting: Promise<SessionRegistry>): DeferredRegistry {
	let real: SessionRegistry | null = null;
	// Listeners subscribed before the start, with what detaches them from the real registry.
	const waiting = new Map<Listener, (() => void) | null>();
	const watching = new Map<Watcher, (() => void) | null>();
	const started = starting.then((registry) => {
		real = registry;
		for (const listener of waiting.keys()) {
			waiting.set(listener, registry.subscribe(listener));
			listener(registry.all());
		}
		for (const watcher of watching.keys()) {
			watching.set(watcher, registry.watchSessions(watcher));
			watcher();
		}
		return registry;
	});

	return {
		started,
		acquire(docName) {
			if (!real) throw new Error(`sync engine not started yet: no session for ${docName}`);
			return real.acquire(docName);
		},
		all: () => real?.all() ?? [],
		subscribe(listener) {
			if (real) return real.subscribe(listener);
			waiting.set(listener, null);
			return () => {
				waiting.get(listener)?.();
				waiting.delete(listener);
			};
		},
		watchSessions(watcher) {
			if (real) return real.watchSessions(watcher);
			watching.set(watcher, null);
			return () => {
				watching.get(watcher)?.();
				watching.delete(watcher);
			};
		},
		// Nothing was written before the start, so there is nothing to retry.
		retryLocalWrites: () => real?.retryLocalWrites(),
		restorePending: async (communityId) => (await started).restorePending(communityId),
		isRestoring: () => real?.isRestoring() ?? true,
		clearAllLocalData: async (): Promise<ClearResult> => (await started).clearAllLocalData(),
		resetDocument: async (docName): Promise<ClearResult> => (await started).resetDocument(docName),
		destroy: () => void started.then((registry) => registry.destroy())
	};
}
