/**
 * Session registry: opens each document's session once and shares it, reference-counted.
 *
 * After the last `release()` a session lingers (30 s by default) so navigating back is instant.
 * It is closed only once it is idle in every sense: no holders, everything written to this
 * device, and nothing left for the relay to confirm. A document with edits not yet on the relay
 * stays open (and keeps reconnecting) so they get there without its page being open.
 *
 * Invariants: at most one session per document name; `all()` lists exactly the open sessions;
 * `subscribe` listeners hear every change of that set (not of the sessions' states: subscribe to
 * each session for those); `release()` is idempotent.
 */
import { openDocSession, type DocSession, type DocSessionOptions } from './doc-session.ts';
import { clearAllLocalData, type ClearResult } from './local-store.ts';

export const DEFAULT_LINGER_MS = 30_000;

export type SessionLease = { readonly session: DocSession; release(): void };

export type SessionRegistryOptions = DocSessionOptions & {
	lingerMs?: number;
	/** How a session is opened (tests inject a fake). */
	open?: (docName: string, options: DocSessionOptions) => DocSession;
};

export interface SessionRegistry {
	acquire(docName: string): SessionLease;
	all(): DocSession[];
	subscribe(listener: (sessions: DocSession[]) => void): () => void;
	/** Retries failed IndexedDB writes of every open document (the status bar's retry button). */
	retryLocalWrites(): void;
	/** Sign-out: closes every session and deletes every Gridboard database on this device. */
	clearAllLocalData(): Promise<ClearResult>;
	destroy(): void;
}

type Entry = {
	session: DocSession;
	holders: number;
	timer: ReturnType<typeof setTimeout> | null;
	unsubscribe: () => void;
};

export function createSessionRegistry(options: SessionRegistryOptions): SessionRegistry {
	const { lingerMs = DEFAULT_LINGER_MS, open = openDocSession, ...sessionOptions } = options;
	const entries = new Map<string, Entry>();
	const listeners = new Set<(sessions: DocSession[]) => void>();

	const all = () => [...entries.values()].map((entry) => entry.session);
	function notify() {
		const sessions = all();
		for (const listener of listeners) listener(sessions);
	}

	function isIdle(session: DocSession): boolean {
		const state = session.getState();
		// A relay that refused the document (44xx) will not confirm anything: no point waiting.
		return state.local === 'saved' && (state.unconfirmed === 0 || state.connection === 'closed');
	}

	function close(docName: string, entry: Entry) {
		if (entries.get(docName) !== entry) return;
		entries.delete(docName);
		if (entry.timer !== null) clearTimeout(entry.timer);
		entry.unsubscribe();
		entry.session.destroy();
		notify();
	}

	function scheduleClose(docName: string, entry: Entry) {
		if (entry.timer !== null) clearTimeout(entry.timer);
		entry.timer = setTimeout(() => {
			entry.timer = null;
			if (entry.holders === 0 && isIdle(entry.session)) close(docName, entry);
		}, lingerMs);
	}

	return {
		acquire(docName) {
			let entry = entries.get(docName);
			if (!entry) {
				const session = open(docName, sessionOptions);
				const created: Entry = { session, holders: 0, timer: null, unsubscribe: () => {} };
				// A lingering session that was busy is closed once its state settles.
				created.unsubscribe = session.subscribe(() => {
					if (created.holders === 0 && created.timer === null && isIdle(session)) {
						scheduleClose(docName, created);
					}
				});
				entry = created;
				entries.set(docName, entry);
				notify();
			}
			const held = entry;
			held.holders++;
			if (held.timer !== null) {
				clearTimeout(held.timer);
				held.timer = null;
			}
			let released = false;
			return {
				session: held.session,
				release() {
					if (released) return;
					released = true;
					held.holders--;
					if (held.holders === 0) scheduleClose(docName, held);
				}
			};
		},
		all,
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		retryLocalWrites() {
			for (const session of all()) session.retryLocalWrites();
		},
		async clearAllLocalData() {
			const sessions = [...entries.values()];
			entries.clear();
			const results = await Promise.all(
				sessions.map((entry) => {
					if (entry.timer !== null) clearTimeout(entry.timer);
					entry.unsubscribe();
					return entry.session.clearLocalData();
				})
			);
			notify();
			const rest = await clearAllLocalData(sessionOptions.indexedDB);
			return results.find((result) => !result.ok) ?? rest;
		},
		destroy() {
			for (const [docName, entry] of entries) close(docName, entry);
			listeners.clear();
		}
	};
}
