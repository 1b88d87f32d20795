/**
 * Relay link: one document's WebSocket to the relay, with an honest connection state.
 *
 * Wraps y-websocket's WebsocketProvider and adds Gridboard's messages (numbers and close codes:
 * the wire contract, src/lib/wire/; layouts: sync-server/protocol.ts):
 *
 *   client → relay   ┌─────┐                         once after every connect
 *                    │ 100 │
 *                    └─────┘
 *   relay → client   ┌─────┬─────────────────────────┐
 *                    │ 100 │ varBytes(state vector)  │  all of this is on the relay's disk
 *                    └─────┴─────────────────────────┘
 *
 *   connection   offline ──connect()──▶ connecting ──open──▶ online
 *                   ▲                       │                  │
 *                   └──── attempt failed ───┘◀── socket closed ┘
 *                closed: the relay closed with 4400–4499; y-websocket stops retrying until
 *                connect() is called again.
 *
 * Tokens (docs/access.md): with a `tokens` source every socket carries `?token=` — the current
 * one, set on `provider.params` before each (re)connect, since y-websocket builds the URL from
 * `params` when it opens a socket. 4401 (token missing, expired or outdated) fetches a new token
 * and reconnects at once; 4403 (forbidden) and 4400 stop with the reason shown, and 4403 with the
 * reason `member_removed` (the wire's removal signal) tells the token source `memberRemoved()`,
 * which no other close does; 4429 (rate limit)
 * is transient. Message 101 `[101, varUint(count)]` says the relay dropped our writes
 * (read-only connection): counted in `writesRejected`. Message 102 `[102, varUint(count),
 * varString(reason), varString(path)]` says the relay refused one update under the document's
 * write rules (src/lib/wire/write-rules.ts) and kept the socket open: kept in `refused` (how many
 * this link heard, the first and the latest reason and path). Unlike `writesRejected` it survives
 * reconnections: the refused content stays on this device and is offered again at every sync, so
 * the refusal stands until the owner says it no longer does (`clearRefused()`: the document
 * session, once nothing of this device is unconfirmed).
 *
 * Invariants: `online` only while a socket is open; after an attempt fails the state stays
 * `offline` through y-websocket's silent retries (it does not flap to `connecting`);
 * `disconnectedSince` is set whenever the state is not `online`. The browser's `offline` event
 * drops the socket at once instead of waiting for y-websocket's 30 s watchdog. Nothing here throws
 * into the caller.
 */
import type * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { WebsocketProvider } from 'y-websocket';

import {
	CLOSE,
	isMemberRemovedClose,
	isPermanentClose,
	isWriteRefusal,
	MESSAGE_PERSISTED,
	MESSAGE_UPDATE_REFUSED,
	MESSAGE_WRITES_REFUSED,
	type WriteRefusal
} from '../wire/index.ts';
import { backoffDelay } from './backoff.ts';
import { REVOKED_REASONS, type TokenSource } from './token-manager.ts';

/** Waits between reconnects while the relay keeps refusing fresh tokens (4401 after 4401). */
const TOKEN_REFUSED_BACKOFF = { baseMs: 1000, maxMs: 30_000 } as const;

const PERSISTED_SUBSCRIBE = new Uint8Array([MESSAGE_PERSISTED]);

export type ConnectionState = 'offline' | 'connecting' | 'online' | 'closed';
export type CloseReason = Readonly<{ code: number; reason: string }>;

/** A reason the relay gave in message 102; `unknown` when this app version does not know it. */
export type RefusalReason = WriteRefusal | 'unknown';

/** What the relay refused under the write rules (message 102), over this link's lifetime. */
export type UpdateRefusal = Readonly<{
	/** Refusals heard (each 102 is one refused update). */
	count: number;
	firstReason: RefusalReason;
	firstPath: string;
	lastReason: RefusalReason;
	lastPath: string;
}>;

export type RelayLinkState = Readonly<{
	connection: ConnectionState;
	closeReason: CloseReason | null;
	disconnectedSince: number | null;
	/** Writes the relay dropped on this connection (read-only access), from message 101. */
	writesRejected: number;
	/** Updates the relay refused under the write rules (message 102); null when none stands. */
	refused: UpdateRefusal | null;
}>;

export type WebSocketConstructor = NonNullable<
	ConstructorParameters<typeof WebsocketProvider>[3]
>['WebSocketPolyfill'];

export type RelayLinkOptions = {
	/** The sync endpoint, e.g. `wss://example.org/sync`; the doc name is appended. */
	relayUrl: string;
	WebSocketPolyfill?: WebSocketConstructor;
	/** Query parameters for the socket URL (e.g. an auth token). */
	params?: Record<string, string>;
	/** Connect right away (default true). */
	connect?: boolean;
	/** Where `online`/`offline` events come from; defaults to `window` when there is one. */
	networkEvents?: EventTarget | null;
	/**
	 * Leave out y-websocket's BroadcastChannel between tabs (default true). Left out because at every connect it posts the whole document to the other tabs, which costs as much
	 * as encoding it (seconds for a 10,000-case board), and tabs already share what matters: the
	 * device's IndexedDB (each tab loads it) and the relay (which sends every tab the others' edits).
	 */
	disableBc?: boolean;
	/** Longest wait between reconnection attempts, in ms (y-websocket's default: 2500). */
	maxBackoffTime?: number;
	/** Where relay tokens come from; without one, sockets carry only `params`. */
	tokens?: TokenSource | null;
	/** The payload of every `[100]` message from the relay. */
	onServerStateVector: (stateVector: Uint8Array) => void;
	now?: () => number;
};

export interface RelayLink {
	readonly provider: WebsocketProvider;
	getState(): RelayLinkState;
	subscribe(listener: (state: RelayLinkState) => void): () => void;
	connect(): void;
	disconnect(): void;
	/** Forgets the refusals heard so far (the refused content is gone or was stored after all). */
	clearRefused(): void;
	destroy(): void;
}

function defaultNetworkEvents(): EventTarget | null {
	return typeof window !== 'undefined' && typeof window.addEventListener === 'function'
		? window
		: null;
}

export function openRelayLink(docName: string, doc: Y.Doc, options: RelayLinkOptions): RelayLink {
	const now = options.now ?? Date.now;
	const WS = options.WebSocketPolyfill ?? globalThis.WebSocket;
	const wantConnect = options.connect ?? true;
	const tokens = options.tokens ?? null;
	const provider = new WebsocketProvider(options.relayUrl, docName, doc, {
		connect: false,
		params: { ...options.params },
		WebSocketPolyfill: WS,
		disableBc: options.disableBc ?? true,
		maxBackoffTime: options.maxBackoffTime,
		// 4401 is handled below (new token, then reconnect); 4429 is "later", not "never".
		shouldReconnect: (event) => !isPermanentClose(event.code)
	});

	/*
	 * y-websocket encodes and sends every doc update, which makes Yjs encode every transaction.
	 * Until the first connect() there is nobody to send to (no socket, no BroadcastChannel), and
	 * the session applies the stored document first: a large board would be encoded again for
	 * nothing. So its update handler is attached at the first connect(); what changed before
	 * reaches the relay (and other tabs) through the sync exchange that every connection starts.
	 */
	provider.doc.off('update', provider._updateHandler);
	let sendingUpdates = false;
	function sendUpdates() {
		if (sendingUpdates) return;
		sendingUpdates = true;
		provider.doc.on('update', provider._updateHandler);
	}

	/** Puts the current token on the URL of the next socket y-websocket opens. */
	function applyToken() {
		if (!tokens) return;
		const token = tokens.current();
		const params: Record<string, string> = { ...options.params };
		if (token) params.token = token;
		provider.params = params;
	}
	/** 4401s in a row without a successful open: a loop guard, so a bad clock can't hammer. */
	let tokenRejections = 0;
	let retryTimer: ReturnType<typeof setTimeout> | null = null;
	function clearRetry() {
		if (retryTimer !== null) clearTimeout(retryTimer);
		retryTimer = null;
	}

	/** The caller wants a connection (connect() rather than disconnect()). */
	let wanted = false;
	/** An attempt failed since the last connect(): retries are shown as offline, not connecting. */
	let failedSinceConnect = false;
	let destroyed = false;
	let state: RelayLinkState = Object.freeze({
		connection: 'offline',
		closeReason: null,
		disconnectedSince: now(),
		writesRejected: 0,
		refused: null
	});
	const listeners = new Set<(state: RelayLinkState) => void>();

	function set(
		connection: ConnectionState,
		closeReason: CloseReason | null = null,
		writesRejected = state.writesRejected,
		refused = state.refused
	) {
		const disconnectedSince = connection === 'online' ? null : (state.disconnectedSince ?? now());
		if (
			connection === state.connection &&
			closeReason === state.closeReason &&
			disconnectedSince === state.disconnectedSince &&
			writesRejected === state.writesRejected &&
			refused === state.refused
		) {
			return;
		}
		state = Object.freeze({ connection, closeReason, disconnectedSince, writesRejected, refused });
		for (const listener of listeners) listener(state);
	}

	provider.messageHandlers[MESSAGE_UPDATE_REFUSED] = (_encoder, decoder) => {
		let reason: RefusalReason = 'unknown';
		let path = '';
		try {
			decoding.readVarUint(decoder);
			const said = decoding.readVarString(decoder);
			if (isWriteRefusal(said)) reason = said;
			path = decoding.readVarString(decoder);
		} catch {
			// A short 102 still means "that update was refused".
		}
		const before = state.refused;
		const refused: UpdateRefusal = Object.freeze({
			count: (before?.count ?? 0) + 1,
			firstReason: before?.firstReason ?? reason,
			firstPath: before?.firstPath ?? path,
			lastReason: reason,
			lastPath: path
		});
		set(state.connection, state.closeReason, state.writesRejected, refused);
	};

	provider.messageHandlers[MESSAGE_WRITES_REFUSED] = (_encoder, decoder) => {
		let count = 1;
		try {
			count = Math.max(1, decoding.readVarUint(decoder));
		} catch {
			// A bare [101] still means "not accepted".
		}
		set(state.connection, state.closeReason, Math.max(state.writesRejected, count));
	};

	provider.messageHandlers[MESSAGE_PERSISTED] = (_encoder, decoder) => {
		let stateVector: Uint8Array;
		try {
			stateVector = decoding.readVarUint8Array(decoder);
		} catch (cause) {
			console.error(`[relay-link] unreadable persisted message for ${docName}`, cause);
			return;
		}
		options.onServerStateVector(stateVector);
	};

	provider.on('status', ({ status }) => {
		if (status === 'connected') {
			failedSinceConnect = false;
			tokenRejections = 0;
			try {
				provider.ws?.send(PERSISTED_SUBSCRIBE);
			} catch (cause) {
				console.error(`[relay-link] could not ask for confirmations on ${docName}`, cause);
			}
			set('online');
		} else if (status === 'connecting') {
			set(failedSinceConnect ? 'offline' : 'connecting');
		}
	});
	provider.on('connection-close', () => {
		failedSinceConnect = true;
		if (state.connection !== 'closed') set('offline', null, 0);
		// y-websocket schedules the next attempt right after this event: give it the newest token.
		applyToken();
	});
	provider.on('closed', (event) => {
		if (tokens && event.code === CLOSE.unauthorized && wanted && !destroyed) {
			tokenRejections++;
			void reconnectWithFreshToken();
			return;
		}
		set('closed', Object.freeze({ code: event.code, reason: event.reason }));
		// The relay's removal signal (and nothing else): the token source stops for good.
		if (isMemberRemovedClose(event.code, event.reason)) tokens?.memberRemoved?.();
		// A plain 4403 may still mean the membership is gone: let the token source find out.
		else if (tokens && event.code === CLOSE.forbidden) void tokens.fresh();
	});

	/** Gets a new token, then reconnects (after a growing pause if tokens keep being refused). */
	async function reconnectWithFreshToken() {
		if (!tokens) return;
		clearRetry();
		set(failedSinceConnect ? 'offline' : 'connecting');
		const result = await tokens.fresh();
		if (destroyed || !wanted) return;
		if (!result.ok) {
			if ((REVOKED_REASONS as readonly string[]).includes(result.reason)) {
				set('closed', Object.freeze({ code: CLOSE.forbidden, reason: result.reason }));
				return;
			}
			// Relay unreachable: stay offline and try again later (or at the `online` event).
			failedSinceConnect = true;
			set('offline');
			// Offline for the browser too: the `online` listener takes it from here.
			if (globalThis.navigator?.onLine === false) return;
			retryTimer = setTimeout(() => {
				retryTimer = null;
				void reconnectWithFreshToken();
			}, options.maxBackoffTime ?? 2_500);
			return;
		}
		// The first refusal retries at once (the token may just have expired); then 1 s, 2 s, … 30 s.
		const pause = backoffDelay(tokenRejections - 1, TOKEN_REFUSED_BACKOFF);
		const open = () => {
			retryTimer = null;
			if (destroyed || !wanted) return;
			applyToken();
			provider.connect();
		};
		if (pause === 0) open();
		else retryTimer = setTimeout(open, pause);
	}

	const network =
		options.networkEvents === undefined ? defaultNetworkEvents() : options.networkEvents;
	const onOffline = () => {
		// The socket is most likely dead; without this y-websocket notices only after 30 s.
		provider.disconnect();
		if (state.connection !== 'closed') set('offline');
		failedSinceConnect = true;
	};
	const onOnline = () => {
		if (wanted && state.connection !== 'closed') {
			failedSinceConnect = false;
			if (tokens && !tokens.current()) {
				void reconnectWithFreshToken();
				return;
			}
			applyToken();
			provider.connect();
		}
	};
	network?.addEventListener('offline', onOffline);
	network?.addEventListener('online', onOnline);

	function connect() {
		if (destroyed) return;
		wanted = true;
		sendUpdates();
		failedSinceConnect = false;
		if (!WS) {
			set('offline');
			return;
		}
		set('connecting', null, 0);
		clearRetry();
		if (tokens && !tokens.current()) {
			void reconnectWithFreshToken();
			return;
		}
		applyToken();
		try {
			provider.connect();
		} catch (cause) {
			console.error(`[relay-link] could not open a socket for ${docName}`, cause);
			failedSinceConnect = true;
			set('offline');
		}
	}

	if (wantConnect) connect();

	return {
		provider,
		getState: () => state,
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		connect,
		disconnect() {
			wanted = false;
			clearRetry();
			provider.disconnect();
			set('offline');
		},
		clearRefused() {
			if (state.refused !== null) set(state.connection, state.closeReason, undefined, null);
		},
		destroy() {
			if (destroyed) return;
			destroyed = true;
			wanted = false;
			clearRetry();
			network?.removeEventListener('offline', onOffline);
			network?.removeEventListener('online', onOnline);
			listeners.clear();
			provider.destroy();
		}
	};
}
