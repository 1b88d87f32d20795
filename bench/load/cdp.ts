/**
 * A minimal Chrome DevTools Protocol client over the browser's WebSocket (flattened sessions),
 * for what Playwright's CDPSession cannot do: reach a service worker's own target, so its
 * precache downloads go through the same emulated link as the page.
 */
import WebSocket from 'ws';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
type Listener = (params: Record<string, unknown>, sessionId?: string) => void;

export class CdpConnection {
	readonly #socket: WebSocket;
	readonly #pending = new Map<number, Pending>();
	readonly #listeners = new Map<string, Listener[]>();
	#nextId = 1;

	private constructor(socket: WebSocket) {
		this.#socket = socket;
		socket.on('message', (data) => {
			const message = JSON.parse(String(data)) as {
				id?: number;
				method?: string;
				params?: Record<string, unknown>;
				result?: unknown;
				error?: { message: string };
				sessionId?: string;
			};
			if (message.id !== undefined) {
				const pending = this.#pending.get(message.id);
				this.#pending.delete(message.id);
				if (message.error) pending?.reject(new Error(message.error.message));
				else pending?.resolve(message.result);
				return;
			}
			for (const listener of this.#listeners.get(message.method ?? '') ?? []) {
				listener(message.params ?? {}, message.sessionId);
			}
		});
	}

	static open(url: string): Promise<CdpConnection> {
		return new Promise((resolve, reject) => {
			const socket = new WebSocket(url, { perMessageDeflate: false });
			socket.once('open', () => resolve(new CdpConnection(socket)));
			socket.once('error', reject);
		});
	}

	send<T = unknown>(method: string, params: object = {}, sessionId?: string): Promise<T> {
		const id = this.#nextId++;
		return new Promise<T>((resolve, reject) => {
			this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
			this.#socket.send(JSON.stringify({ id, method, params, sessionId }));
		});
	}

	on(method: string, listener: Listener): void {
		this.#listeners.set(method, [...(this.#listeners.get(method) ?? []), listener]);
	}

	close(): void {
		this.#socket.close();
	}
}
