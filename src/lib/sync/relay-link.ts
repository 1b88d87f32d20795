/**
 * Relay link: one document's WebSocket to the relay, with an honest connection state.
 *
 * Wraps y-websocket's WebsocketProvider and adds Gridboard's one extra message (see
 * sync-server/protocol.ts):
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
 * Invariants: `online` only while a socket is open; after an attempt fails the state stays
 * `offline` through y-websocket's silent retries (it does not flap to `connecting`);
 * `disconnectedSince` is set whenever the state is not `online`. The browser's `offline` event
 * drops the socket at once instead of waiting for y-websocket's 30 s watchdog. Nothing here throws
 * into the caller.
 */
import type * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { WebsocketProvider } from 'y-websocket';

export const MESSAGE_PERSISTED = 100;
const PERSISTED_SUBSCRIBE = new Uint8Array([MESSAGE_PERSISTED]);

export type ConnectionState = 'offline' | 'connecting' | 'online' | 'closed';
export type CloseReason = Readonly<{ code: number; reason: string }>;

export type RelayLinkState = Readonly<{
	connection: ConnectionState;
	closeReason: CloseReason | null;
	disconnectedSince: number | null;
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
	/** Do not share updates with other tabs over BroadcastChannel (tests: one process, many "devices"). */
	disableBc?: boolean;
	/** Longest wait between reconnection attempts, in ms (y-websocket's default: 2500). */
	maxBackoffTime?: number;
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
	const provider = new WebsocketProvider(options.relayUrl, docName, doc, {
		connect: false,
		params: options.params ?? {},
		WebSocketPolyfill: WS,
		disableBc: options.disableBc ?? false,
		maxBackoffTime: options.maxBackoffTime
	});

	/** The caller wants a connection (connect() rather than disconnect()). */
	let wanted = false;
	/** An attempt failed since the last connect(): retries are shown as offline, not connecting. */
	let failedSinceConnect = false;
	let destroyed = false;
	let state: RelayLinkState = Object.freeze({
		connection: 'offline',
		closeReason: null,
		disconnectedSince: now()
	});
	const listeners = new Set<(state: RelayLinkState) => void>();

	function set(connection: ConnectionState, closeReason: CloseReason | null = null) {
		const disconnectedSince = connection === 'online' ? null : (state.disconnectedSince ?? now());
		if (
			connection === state.connection &&
			closeReason === state.closeReason &&
			disconnectedSince === state.disconnectedSince
		) {
			return;
		}
		state = Object.freeze({ connection, closeReason, disconnectedSince });
		for (const listener of listeners) listener(state);
	}

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
		if (state.connection !== 'closed') set('offline');
	});
	provider.on('closed', (event) => {
		set('closed', Object.freeze({ code: event.code, reason: event.reason }));
	});

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
			provider.connect();
		}
	};
	network?.addEventListener('offline', onOffline);
	network?.addEventListener('online', onOnline);

	function connect() {
		if (destroyed) return;
		wanted = true;
		failedSinceConnect = false;
		if (!WS) {
			set('offline');
			return;
		}
		set('connecting');
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
			provider.disconnect();
			set('offline');
		},
		destroy() {
			if (destroyed) return;
			destroyed = true;
			wanted = false;
			network?.removeEventListener('offline', onOffline);
			network?.removeEventListener('online', onOnline);
			listeners.clear();
			provider.destroy();
		}
	};
}
