/**
 * Real clients: y-websocket's WebsocketProvider (with `ws`) for y-websocket-protocol servers,
 * HocuspocusProvider for Hocuspocus. One socket per client, as a phone would have.
 */
import { HocuspocusProvider } from '@hocuspocus/provider';
import * as decoding from 'lib0/decoding';
import type { Awareness } from 'y-protocols/awareness';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { MESSAGE_AWARENESS, MESSAGE_PERSISTED } from '../../src/lib/wire/index.ts';
import type { ServerHandle } from './targets.ts';

export type BenchClient = {
	doc: Y.Doc;
	/** The provider's presence (y-protocols awareness). */
	awareness: Awareness;
	isSynced(): boolean;
	/** Resolves when the client is synced (now or next). */
	whenSynced(timeoutMs?: number): Promise<void>;
	/** Called on every transition to synced (including after a reconnect). */
	onSynced(listener: () => void): void;
	onDisconnected(listener: () => void): void;
	/** Called when the socket opens (before any sync), including after a reconnect. */
	onConnected(listener: () => void): void;
	/** For our relay: the latest persisted state vector (type 100), else undefined. */
	persisted(): Map<number, number> | undefined;
	disconnect(): void;
	connect(): void;
	destroy(): void;
};

export type ClientOptions = {
	doc?: Y.Doc;
	persisted?: boolean;
	url?: string;
	/** Our relay: this token instead of the server's service token (a member's: checked). */
	token?: string;
	/** y-websocket: called on every awareness message received (before it is applied). */
	onAwarenessMessage?: () => void;
};

export function createClient(
	server: ServerHandle,
	docName: string,
	options: ClientOptions = {}
): BenchClient {
	const doc = options.doc ?? new Y.Doc();
	const syncedListeners: (() => void)[] = [];
	const downListeners: (() => void)[] = [];
	const upListeners: (() => void)[] = [];
	let persistedSv: Map<number, number> | undefined;
	let synced: () => boolean;
	let disconnect: () => void;
	let connect: () => void;
	let destroy: () => void;
	let awareness: Awareness;
	const url = options.url ?? server.wsUrl;

	if (server.spec.client === 'hocuspocus') {
		const provider = new HocuspocusProvider({
			url,
			name: docName,
			document: doc,
			// Accepted at run time (passed on to its HocuspocusProviderWebsocket), missing from the type.
			...({ WebSocketPolyfill: WebSocket } as object)
		});
		provider.on('synced', ({ state }: { state: boolean }) => {
			if (state) for (const listener of syncedListeners) listener();
		});
		provider.on('disconnect', () => {
			for (const listener of downListeners) listener();
		});
		provider.on('status', ({ status }: { status: string }) => {
			if (status === 'connected') for (const listener of upListeners) listener();
		});
		awareness = provider.awareness!;
		synced = () => provider.isSynced;
		disconnect = () => provider.disconnect();
		connect = () => void provider.connect();
		destroy = () => {
			provider.configuration.websocketProvider.destroy();
			provider.destroy();
		};
	} else {
		const provider = new WebsocketProvider(url, docName, doc, {
			WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
			disableBc: true,
			params: (options.token ?? server.token) ? { token: options.token ?? server.token! } : {}
		});
		if (options.persisted) {
			provider.messageHandlers[MESSAGE_PERSISTED] = (_encoder, decoder) => {
				persistedSv = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
			};
			provider.on('status', ({ status }) => {
				if (status === 'connected') provider.ws?.send(Uint8Array.of(MESSAGE_PERSISTED));
			});
		}
		const { onAwarenessMessage } = options;
		const applyAwareness = provider.messageHandlers[MESSAGE_AWARENESS];
		if (onAwarenessMessage && applyAwareness)
			provider.messageHandlers[MESSAGE_AWARENESS] = (...args) => {
				onAwarenessMessage();
				applyAwareness(...args);
			};
		awareness = provider.awareness;
		provider.on('sync', (state: boolean) => {
			if (state) for (const listener of syncedListeners) listener();
		});
		provider.on('status', ({ status }) => {
			if (status === 'disconnected') for (const listener of downListeners) listener();
			if (status === 'connected') for (const listener of upListeners) listener();
		});
		synced = () => provider.synced;
		disconnect = () => provider.disconnect();
		connect = () => provider.connect();
		destroy = () => provider.destroy();
	}

	return {
		doc,
		awareness,
		isSynced: synced,
		whenSynced(timeoutMs = 30_000) {
			if (synced()) return Promise.resolve();
			return new Promise((resolve, reject) => {
				const timer = setTimeout(
					() => reject(new Error(`${docName}: not synced after ${timeoutMs} ms`)),
					timeoutMs
				);
				syncedListeners.push(() => {
					clearTimeout(timer);
					resolve();
				});
			});
		},
		onSynced: (listener) => syncedListeners.push(listener),
		onDisconnected: (listener) => downListeners.push(listener),
		onConnected: (listener) => upListeners.push(listener),
		persisted: () => persistedSv,
		disconnect,
		connect,
		destroy
	};
}

/** Connects `count` clients with at most `parallel` handshakes in flight. */
export async function connectMany(
	make: (index: number) => BenchClient,
	count: number,
	parallel = 50,
	timeoutMs = 60_000
): Promise<BenchClient[]> {
	const clients: BenchClient[] = [];
	for (let start = 0; start < count; start += parallel) {
		const batch: BenchClient[] = [];
		for (let i = start; i < Math.min(count, start + parallel); i++) batch.push(make(i));
		clients.push(...batch);
		await Promise.all(batch.map((client) => client.whenSynced(timeoutMs)));
	}
	return clients;
}
