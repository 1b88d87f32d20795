/**
 * One WebSocket connection to a room: decodes each frame fully, then acts on it.
 *
 * Invariants:
 * - Nothing from the socket is trusted before `decodeClientMessage` accepted the whole frame;
 *   any frame it rejects, any update Yjs refuses, and any text frame closes this connection
 *   with 4400. No exception from a frame escapes to the process.
 * - Outgoing data never piles up: a socket whose send buffer passes `maxBufferedBytes` is
 *   closed with 4508 instead.
 * - After `close`, further frames are ignored.
 */
import type { RawData, WebSocket } from 'ws';
import * as Y from 'yjs';
import { CLOSE, decodeClientMessage, encodeSyncStep2, type ClientMessage } from './protocol.ts';
import type { Peer, Room } from './room.ts';

export type ConnectionLimits = { maxBufferedBytes: number; maxAwarenessBytes: number };

/** Copies a frame into a buffer of its own, so no view can reach a pooled neighbour. */
function toOwnBytes(data: RawData): Uint8Array {
	if (Array.isArray(data)) {
		const total = data.reduce((sum, part) => sum + part.length, 0);
		const bytes = new Uint8Array(total);
		let offset = 0;
		for (const part of data) {
			bytes.set(part, offset);
			offset += part.length;
		}
		return bytes;
	}
	return new Uint8Array(data instanceof ArrayBuffer ? data.slice(0) : data);
}

export class Connection implements Peer {
	wantsPersisted = false;
	readonly awarenessIds = new Set<number>();
	/** For the heartbeat: a pong arrived since the last ping. */
	alive = true;
	lastSentAt = Date.now();
	readonly room: Room;
	#ws: WebSocket;
	#limits: ConnectionLimits;
	#closed = false;

	constructor(ws: WebSocket, room: Room, limits: ConnectionLimits) {
		this.#ws = ws;
		this.room = room;
		this.#limits = limits;
		ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
		ws.on('pong', () => {
			this.alive = true;
		});
		room.attach(this);
	}

	get closed(): boolean {
		return this.#closed;
	}

	send(message: Uint8Array): void {
		if (this.#closed || this.#ws.readyState !== this.#ws.OPEN) return;
		if (this.#ws.bufferedAmount > this.#limits.maxBufferedBytes) {
			this.close(CLOSE.slowReader, 'reader too slow');
			return;
		}
		this.lastSentAt = Date.now();
		this.#ws.send(message, (error) => {
			if (error) this.close(CLOSE.goingAway, 'send failed');
		});
	}

	close(code: number, reason: string): void {
		if (this.#closed) return;
		this.#closed = true;
		try {
			this.#ws.close(code, reason);
		} catch {
			this.#ws.terminate();
		}
	}

	ping(): void {
		this.alive = false;
		try {
			this.#ws.ping();
		} catch {
			this.#ws.terminate();
		}
	}

	terminate(): void {
		this.#closed = true;
		this.#ws.terminate();
	}

	#onMessage(data: RawData, isBinary: boolean): void {
		if (this.#closed || this.room.failed) return;
		if (!isBinary) {
			this.close(CLOSE.badMessage, 'binary frames only');
			return;
		}
		const decoded = decodeClientMessage(toOwnBytes(data), this.#limits);
		if (!decoded.ok) {
			this.close(CLOSE.badMessage, decoded.reason);
			return;
		}
		try {
			this.#handle(decoded.value);
		} catch {
			// A Yjs or y-protocols exception on input that decoded cleanly: still the client's fault.
			this.close(CLOSE.badMessage, 'unprocessable');
		}
	}

	#handle(message: ClientMessage): void {
		const room = this.room;
		switch (message.type) {
			case 'sync-step1':
				this.send(encodeSyncStep2(Y.encodeStateAsUpdate(room.doc, message.stateVector)));
				return;
			case 'sync-step2':
			case 'sync-update': {
				const result = room.applyUpdate(message.update, this);
				if (result === 'invalid') this.close(CLOSE.badMessage, 'bad update');
				else if (result === 'too-large') this.close(CLOSE.docTooLarge, 'document too large');
				else if (result === 'duplicate') room.confirmIfSettled(this);
				return;
			}
			case 'awareness':
				if (!room.applyAwareness(message.update, this)) {
					this.close(CLOSE.badMessage, 'bad awareness');
				}
				return;
			case 'query-awareness':
				this.send(room.awarenessMessage());
				return;
			case 'persisted-subscribe':
				this.wantsPersisted = true;
				room.confirmIfSettled(this);
				return;
		}
	}
}
