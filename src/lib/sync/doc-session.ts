/**
 * Doc session: one Yjs document on this device, wired to IndexedDB and to the relay.
 *
 * Owns the order of things: local store first (IndexedDB → doc), then the relay link. Combines
 * the three sources of truth into one `DocSyncState` for the status bar:
 *
 *   local-store.ts          → loaded, local, localError       ("saved on this device")
 *   server-confirmations.ts → unconfirmed, lastConfirmedAt    ("N changes not yet on the server")
 *   relay-link.ts           → connection, closeReason, disconnectedSince, refused
 *
 * `refused` (the relay refused this device's updates under the write rules, message 102) stands
 * only while something of this device is unconfirmed: that is what the relay would not store.
 * Once nothing is (the refused content was stored after all, e.g. the role came back), the
 * link's refusal record is cleared, so a later refusal starts a fresh one.
 *
 * With a `pendingIndex` it also keeps the device-level list of documents with unconfirmed changes
 * (pending-index.ts) up to date: an entry is written whenever the unconfirmed count grows (and
 * `local` stays `saving` until that write committed), and removed once nothing is unconfirmed and
 * everything is written to this device.
 *
 * With `summarizerFor` (the model's summary registry, handed in by engine/app-sync.ts) it keeps the
 * document's summary (src/lib/domain/summaries.ts) in the meta store under `summary`, recomputed
 * in every transaction that changed the document — local, remote or loaded — on `afterTransaction`,
 * which Yjs emits before `update`: the local store commits it in the same IndexedDB transaction as
 * the change itself, so a stored summary never lags its stored document. Not debounced: the
 * board's summary costs well under a frame on 1,000 cases (docs/benchmarks.md, bench/summaries).
 * A summary equal to the stored one is not written again (a document loaded unchanged, an edit
 * that moves no figure). A stored summary of another format is replaced once the document has
 * loaded.
 *
 * "As of" (`heard/at`): when this device last heard the relay's state of the document, written when
 * a sync step 2 from the relay completes the sync (y-websocket's `sync` event). Together with
 * `confirm/at` (server-confirmations.ts, each persisted confirmation) it is what
 * stored-summaries.ts reports as a summary's `asOf`: never the clock of a local edit.
 *
 * Invariants: the state is a frozen plain object, replaced (never mutated) on every change, and
 * listeners hear only real changes; nothing here throws into the UI. Edits made before loading
 * finished are stored and counted like any other. `loaded` turns true only once the stored
 * document and its unconfirmed records are both read.
 */
import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import {
	openLocalStore,
	ORIGIN_LOCAL_STORE,
	type ClearResult,
	type LocalError
} from './local-store.ts';
import {
	openRelayLink,
	type CloseReason,
	type ConnectionState,
	type UpdateRefusal,
	type WebSocketConstructor
} from './relay-link.ts';
import type { TokenSource } from './token-manager.ts';
import { trackServerConfirmations } from './server-confirmations.ts';
import { keepPresenceFresh, type PresenceOptions } from './presence.ts';
import type { PendingIndex } from './pending-index.ts';

/**
 * Deep equality of plain data as IndexedDB stores it (objects, arrays, primitives): a summary
 * against the stored one. Key order is ignored; anything else (a Map, a Date) is equal only to
 * itself.
 */
function samePlainData(a: unknown, b: unknown): boolean {
	if (Object.is(a, b)) return true;
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
	if (Array.isArray(a)) {
		if (!Array.isArray(b) || a.length !== b.length) return false;
		for (let i = 0; i < a.length; i++) if (!samePlainData(a[i], b[i])) return false;
		return true;
	}
	if (Array.isArray(b) || !isPlainObject(a) || !isPlainObject(b)) return false;
	const keys = Object.keys(a);
	if (keys.length !== Object.keys(b).length) return false;
	for (const key of keys) {
		if (!Object.hasOwn(b, key) || !samePlainData(a[key], b[key])) return false;
	}
	return true;
}

function isPlainObject(value: object): value is Record<string, unknown> {
	const proto = Object.getPrototypeOf(value) as unknown;
	return proto === Object.prototype || proto === null;
}

/** Meta keys: the document's summary, and when the relay's state of it was last heard. */
export const META_SUMMARY = 'summary';
export const META_HEARD_AT = 'heard/at';

export type DocSyncState = Readonly<{
	docName: string;
	loaded: boolean;
	connection: ConnectionState;
	closeReason: CloseReason | null;
	disconnectedSince: number | null;
	/** Writes the relay refused (read-only access), see relay-link.ts. */
	writesRejected: number;
	/** Updates the relay refused under the write rules (relay-link.ts); null when none stands. */
	refused: UpdateRefusal | null;
	local: 'loading' | 'saving' | 'saved' | 'error';
	localError: LocalError | null;
	unconfirmed: number;
	lastConfirmedAt: number | null;
}>;

export type DocSessionOptions = {
	/** The relay's sync endpoint, e.g. `wss://example.org/sync`. */
	relayUrl: string;
	indexedDB?: IDBFactory;
	WebSocketPolyfill?: WebSocketConstructor;
	/** Connect to the relay once loaded (default true). */
	connect?: boolean;
	/** Query parameters for the socket URL. */
	params?: Record<string, string>;
	/** Relay tokens for `?token=` (docs/access.md); see relay-link.ts. */
	tokens?: TokenSource | null;
	/** Where `online`/`offline` events come from; defaults to `window` when there is one. */
	networkEvents?: EventTarget | null;
	/** Compact the stored updates once there are this many rows. */
	compactAfter?: number;
	/** The device's list of documents with unconfirmed changes (pending-index.ts). */
	pendingIndex?: PendingIndex | null;
	/** See relay-link.ts. */
	disableBc?: boolean;
	maxBackoffTime?: number;
	/** How long others' presence is believed without renewal (presence.ts; tests shorten it). */
	presence?: PresenceOptions;
	/** The summary a document keeps beside it, by name (model/summary `summarizerFor`). */
	summarizerFor?: (docName: string) => ((doc: Y.Doc) => unknown) | null;
};

export interface DocSession {
	readonly docName: string;
	readonly doc: Y.Doc;
	/** Resolves once the stored document is in `doc`; never rejects. */
	readonly whenLoaded: Promise<void>;
	/** Who else has this document open (y-websocket awareness): presence and cursors. */
	readonly awareness: Awareness;
	getState(): DocSyncState;
	subscribe(listener: (state: DocSyncState) => void): () => void;
	/** Connects to the relay (again), e.g. after `disconnect()` or a 44xx close. */
	connect(): void;
	disconnect(): void;
	/** Tries again to write what failed to reach IndexedDB. */
	retryLocalWrites(): void;
	destroy(): void;
	/** Disconnects and deletes this document's local database (sign-out). */
	clearLocalData(): Promise<ClearResult>;
	/** The document's current summary (recomputed in the transaction that changed it), or null. */
	summary(): unknown;
}

const sameState = (a: DocSyncState, b: DocSyncState) =>
	(Object.keys(a) as (keyof DocSyncState)[]).every((key) => a[key] === b[key]);

export function openDocSession(docName: string, options: DocSessionOptions): DocSession {
	const doc = new Y.Doc();
	const store = openLocalStore(docName, doc, {
		indexedDB: options.indexedDB,
		compactAfter: options.compactAfter
	});
	let link: ReturnType<typeof openRelayLink> | null = null;
	const confirmations = trackServerConfirmations(doc, store, {
		isRemoteOrigin: (origin) =>
			origin === ORIGIN_LOCAL_STORE || (link !== null && origin === link.provider)
	});
	link = openRelayLink(docName, doc, {
		relayUrl: options.relayUrl,
		WebSocketPolyfill: options.WebSocketPolyfill,
		params: options.params,
		tokens: options.tokens,
		networkEvents: options.networkEvents,
		disableBc: options.disableBc,
		maxBackoffTime: options.maxBackoffTime,
		connect: false,
		onServerStateVector: (stateVector) => confirmations.receiveServerStateVector(stateVector)
	});
	const relay = link;
	const stopPresence = keepPresenceFresh(relay.provider.awareness, options.presence);

	const summarize = options.summarizerFor?.(docName) ?? null;
	let summary: unknown = null;
	let summarized = false;
	function refreshSummary() {
		if (summarize === null) return;
		try {
			summary = summarize(doc);
		} catch (cause) {
			// A summary never stands in the way of the document: the old one stays until the next change.
			console.error(`[doc-session] could not summarise ${docName}`, cause);
			return;
		}
		summarized = true;
		// Unchanged (a document loaded as stored, an edit no figure shows): nothing to write. A
		// board's summary is ~93 KB on 1,000 cases; rewriting it on every load was pure cost.
		if (!samePlainData(summary, store.get(META_SUMMARY))) store.set(META_SUMMARY, summary);
	}
	const onAfterTransaction = (transaction: Y.Transaction) => {
		if (transaction.changed.size > 0 || transaction.deleteSet.clients.size > 0) refreshSummary();
	};
	if (summarize !== null) doc.on('afterTransaction', onAfterTransaction);
	const onSync = (synced: boolean) => {
		if (synced && !destroyed) store.set(META_HEARD_AT, Date.now());
	};
	relay.provider.on('sync', onSync);

	let wantConnect = options.connect ?? true;
	let destroyed = false;
	/** The stored doc and its pending records are read (`confirmations.hydrate()` ran). */
	let hydrated = false;
	const listeners = new Set<(state: DocSyncState) => void>();

	const index = options.pendingIndex ?? null;
	/** Index entries being written: until they commit, this device does not say "saved". */
	let indexMarks = 0;
	let lastUnconfirmed = 0;
	/** What the index was last told about this doc (null: nothing yet). */
	let indexed: boolean | null = null;

	function syncIndex() {
		if (index === null || destroyed) return;
		const { unconfirmed } = confirmations.getState();
		const grew = unconfirmed > lastUnconfirmed;
		lastUnconfirmed = unconfirmed;
		if (grew) {
			indexed = true;
			indexMarks++;
			// A failed write (no IndexedDB, quota) is tried again with the next change; the edit
			// itself is on this device either way, and is sent once any page opens the doc.
			void index.mark(docName).then(() => {
				indexMarks--;
				update();
			});
		} else if (
			unconfirmed === 0 &&
			hydrated &&
			indexed !== false &&
			store.getState().status === 'saved'
		) {
			indexed = false;
			void index.clear(docName);
		}
	}

	function compute(): DocSyncState {
		const local = store.getState();
		const remote = relay.getState();
		const confirmed = confirmations.getState();
		const waitingToConnect = !hydrated && wantConnect;
		return Object.freeze({
			docName,
			loaded: local.loaded && hydrated,
			connection: waitingToConnect ? 'connecting' : remote.connection,
			closeReason: remote.closeReason,
			disconnectedSince: remote.disconnectedSince,
			writesRejected: remote.writesRejected,
			refused: confirmed.unconfirmed > 0 ? remote.refused : null,
			local: local.status === 'saved' && indexMarks > 0 ? 'saving' : local.status,
			localError: local.error,
			unconfirmed: confirmed.unconfirmed,
			lastConfirmedAt: confirmed.lastConfirmedAt
		});
	}

	let state = compute();
	function update() {
		if (destroyed) return;
		syncIndex();
		// Nothing of this device is missing on the relay: no refusal stands any more.
		if (hydrated && confirmations.getState().unconfirmed === 0 && relay.getState().refused) {
			relay.clearRefused();
			return;
		}
		const next = compute();
		if (sameState(state, next)) return;
		state = next;
		for (const listener of listeners) listener(state);
	}

	const unsubscribers = [
		store.subscribe(update),
		relay.subscribe(update),
		confirmations.subscribe(update)
	];

	const whenLoaded = store.whenLoaded.then(() => {
		if (destroyed) return;
		confirmations.hydrate();
		// An empty document, or one whose stored summary predates this format: summarise it now.
		if (!summarized) refreshSummary();
		hydrated = true;
		if (wantConnect) relay.connect();
		update();
	});

	function stop() {
		if (destroyed) return;
		destroyed = true;
		for (const off of unsubscribers) off();
		listeners.clear();
		doc.off('afterTransaction', onAfterTransaction);
		relay.provider.off('sync', onSync);
		stopPresence();
		relay.destroy();
		confirmations.destroy();
	}

	return {
		docName,
		doc,
		whenLoaded,
		awareness: relay.provider.awareness,
		getState: () => state,
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		connect() {
			wantConnect = true;
			if (store.getState().loaded) relay.connect();
			update();
		},
		disconnect() {
			wantConnect = false;
			relay.disconnect();
			update();
		},
		retryLocalWrites: () => store.retry(),
		summary: () => summary,
		destroy() {
			stop();
			store.destroy();
			doc.destroy();
		},
		clearLocalData() {
			stop();
			return store.clearData();
		}
	};
}
