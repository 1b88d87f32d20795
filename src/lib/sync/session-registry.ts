/**
 * Session registry: opens each document's session once and shares it, reference-counted.
 *
 * After the last `release()` a session lingers (30 s by default) so navigating back is instant.
 * It is closed only once it is idle in every sense: no holders, everything written to this
 * device, and nothing left for the relay to confirm. A document with edits not yet on the relay
 * stays open (and keeps reconnecting) so they get there without its page being open — also when
 * the relay refused it (closed, 44xx): its count and close reason stay in the status bar.
 *
 * `restorePending(communityId)` (app start) opens every document the device's pending index
 * (pending-index.ts) lists, so edits made before a reload are sent and counted even when no page
 * opens their document; each is held until it has nothing left to confirm.
 *
 * `resetDocument(docName)` is the way out of a refusal (the relay will never store what this
 * device holds of that document, relay-link.ts `refused`): it closes that one session and deletes
 * its database and its pending-index entry, and nothing else — other documents, their unsent
 * changes and the credential stay. The next `acquire` loads the document from the relay under a
 * new Yjs client id. Whoever still holds the old session holds a closed one: the app reloads. When
 * the database could not be deleted, the document is opened again at once (its unsent changes
 * still count).
 *
 * Invariants: at most one session per document name; `all()` lists exactly the open sessions;
 * `subscribe` listeners hear every change of that set and of `isRestoring()` (not of the
 * sessions' states); `watchSessions` listeners hear those and every state change of every open
 * session, and stop hearing a session once it is closed; `release()` is idempotent.
 */
import { openDocSession, type DocSession, type DocSessionOptions } from './doc-session.ts';
import { clearAllLocalData, clearDocumentData, type ClearResult } from './local-store.ts';

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
	/**
	 * Hears every change of the open sessions: with the session whose state changed, or with
	 * nothing when the set (or `isRestoring()`) changed. Not called at once; returns the stop.
	 */
	watchSessions(listener: (changed?: DocSession) => void): () => void;
	/** Retries failed IndexedDB writes of every open document (the status bar's retry button). */
	retryLocalWrites(): void;
	/**
	 * Opens (and holds until confirmed) every document of `communityId` the pending index lists.
	 * Resolves with their number.
	 */
	restorePending(communityId: string): Promise<number>;
	/** `restorePending` is still reading the index: the status bar cannot say "all saved" yet. */
	isRestoring(): boolean;
	/** Sign-out: closes every session and deletes every Gridboard database on this device. */
	clearAllLocalData(): Promise<ClearResult>;
	/**
	 * Discards this device's copy of one document: closes its session, deletes its database and
	 * its pending-index entry. Its unsent changes are lost; no other document is touched.
	 */
	resetDocument(docName: string): Promise<ClearResult>;
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
	const index = sessionOptions.pendingIndex ?? null;
	/** Leases `restorePending` holds, with what stops watching them. */
	const background = new Map<string, { lease: SessionLease; stop: () => void }>();
	let restoring = 0;

	const all = () => [...entries.values()].map((entry) => entry.session);
	function notify() {
		const sessions = all();
		for (const listener of listeners) listener(sessions);
	}

	function isIdle(session: DocSession): boolean {
		const state = session.getState();
		// Even when the relay refused the document (closed, 44xx): dropping the session would drop
		// its unconfirmed count from the status bar, and with it the only sign of those edits.
		return state.loaded && state.local === 'saved' && state.unconfirmed === 0;
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

	function acquire(docName: string): SessionLease {
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
	}

	function hold(docName: string) {
		if (background.has(docName)) return;
		const lease = acquire(docName);
		const { session } = lease;
		const held = { lease, stop: () => {} };
		const settle = () => {
			if (background.get(docName) !== held || !isIdle(session)) return;
			held.stop();
			background.delete(docName);
			lease.release();
		};
		held.stop = session.subscribe(settle);
		background.set(docName, held);
		void session.whenLoaded.then(settle);
	}

	function dropBackground() {
		for (const { lease, stop } of background.values()) {
			stop();
			lease.release();
		}
		background.clear();
	}

	function watchSessions(listener: (changed?: DocSession) => void): () => void {
		const detach = new Map<DocSession, () => void>();
		const track = (sessions: DocSession[]) => {
			const open = new Set(sessions);
			for (const session of open) {
				if (!detach.has(session))
					detach.set(
						session,
						session.subscribe(() => listener(session))
					);
			}
			for (const [session, off] of detach) {
				if (open.has(session)) continue;
				off();
				detach.delete(session);
			}
			listener();
		};
		for (const session of all())
			detach.set(
				session,
				session.subscribe(() => listener(session))
			);
		listeners.add(track);
		return () => {
			listeners.delete(track);
			for (const off of detach.values()) off();
			detach.clear();
		};
	}

	return {
		acquire,
		all,
		watchSessions,
		async restorePending(communityId) {
			if (index === null || !communityId) return 0;
			restoring++;
			notify();
			try {
				const names = await index.list(communityId);
				for (const docName of names) hold(docName);
				return names.length;
			} finally {
				restoring--;
				notify();
			}
		},
		isRestoring: () => restoring > 0,
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		retryLocalWrites() {
			for (const session of all()) session.retryLocalWrites();
		},
		async clearAllLocalData() {
			dropBackground();
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
			// The index is a `gridboard:` database too: let go of it so it can be deleted.
			index?.close();
			const rest = await clearAllLocalData(sessionOptions.indexedDB);
			return results.find((result) => !result.ok) ?? rest;
		},
		async resetDocument(docName) {
			const held = background.get(docName);
			if (held) {
				// Not released: the entry goes away below, with its lease.
				held.stop();
				background.delete(docName);
			}
			const entry = entries.get(docName);
			let result: ClearResult;
			if (entry) {
				entries.delete(docName);
				if (entry.timer !== null) clearTimeout(entry.timer);
				entry.unsubscribe();
				notify();
				result = await entry.session.clearLocalData();
			} else {
				result = await clearDocumentData(docName, sessionOptions.indexedDB);
			}
			if (!result.ok) {
				// Still on this device (or deleted once another tab lets go): open it again, so its
				// unsent changes and the refusal stay in the status bar until they are gone.
				hold(docName);
				return result;
			}
			// After the session stopped: it can no longer mark the document as pending again. A
			// failed clear leaves an entry that opens an empty document at the next start, which then
			// drops it: the database is gone either way.
			await index?.clear(docName);
			return result;
		},
		destroy() {
			dropBackground();
			for (const [docName, entry] of entries) close(docName, entry);
			index?.close();
			listeners.clear();
		}
	};
}
