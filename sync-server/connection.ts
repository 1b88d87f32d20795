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
 * - A read-only connection never changes the document: the message type is decoded first (lib0
 *   varUint, so over-long encodings decode to their real value), then sync step 2 and update
 *   messages are dropped and counted; the first one is answered with `[101, varUint(count)]`.
 * - Awareness: at most MAX_AWARENESS_IDS distinct client ids per connection (4400 beyond).
 * - An update that would leave more than `maxPendingBytes` of content with missing
 *   dependencies closes the connection with 4413.
 * - A member's update is checked against the document's write rules before it is applied
 *   (room.check, write-guard.ts): a refused one is neither stored nor forwarded, is answered
 *   with `[102, count, reason, path]`, and the connection stays open (reads, awareness and
 *   further updates go on). An applied one has its new client ids attested to the member. An
 *   update that builds on content the relay lacks is dropped and answered with a sync step 1,
 *   so the client resends everything the relay lacks, which is then checked whole. A room's
 *   `checkAgainLater` hook (cluster mode only: cluster/forwarded.ts) may first hold an update
 *   for another check.
 * - Rate limits: more than `maxMessagesPerSecond` (burst 2×) messages, or awareness updates that
 *   change something over `maxAwarenessPerSecond`, close the connection with 4429 (echoes of
 *   other clients' states, which y-websocket sends for every change it sees, are not counted:
 *   a hundred clients renewing together must not close each other).
 */
import type { RawData, WebSocket } from 'ws';
import * as Y from 'yjs';
import { isRole, type Claims, type Writer } from '../src/lib/wire/index.ts';
import {
	CLOSE,
	decodeClientMessage,
	encodeSyncStep1,
	encodeSyncStep2,
	encodeUpdateRefused,
	encodeWritesRefused,
	type ClientMessage
} from './protocol.ts';
import type { Peer, Room } from './room.ts';

export type ConnectionLimits = {
	maxBufferedBytes: number;
	maxAwarenessBytes: number;
	maxMessagesPerSecond: number;
	maxAwarenessPerSecond: number;
};

export type ConnectionAuth = {
	claims: Claims;
	access: 'read' | 'write';
	/** Called for every dropped write of a read-only connection (relay stats). */
	onDroppedWrite?: () => void;
	/** Called for every update refused by the write rules (relay stats). */
	onRefusedUpdate?: () => void;
};

/** The writer a token stands for; null for a service token (the admin CLI, tests, benchmarks). */
export function writerOf(claims: Claims): Writer | null {
	if (claims.svc === true || !isRole(claims.role)) return null;
	return { memberId: claims.sub, name: claims.name, role: claims.role, grids: claims.grids };
}

/** A token bucket: `rate` per second, holding at most 2 × rate. */
class Bucket {
	#rate: number;
	#tokens: number;
	#last = Date.now();
	constructor(rate: number) {
		this.#rate = rate;
		this.#tokens = rate * 2;
	}
	take(): boolean {
		const now = Date.now();
		this.#tokens = Math.min(
			this.#rate * 2,
			this.#tokens + ((now - this.#last) / 1000) * this.#rate
		);
		this.#last = now;
		if (this.#tokens < 1) return false;
		this.#tokens -= 1;
		return true;
	}
}

/** An update with no structs and no deletions: what a client with nothing new sends as step 2. */
function isEmptyUpdate(update: Uint8Array): boolean {
	try {
		const decoded = Y.decodeUpdate(update);
		return decoded.structs.length === 0 && decoded.ds.clients.size === 0;
	} catch {
		return false;
	}
}

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
	/** For the heartbeat: a pong arrived since the last ping. */
	alive = true;
	lastSentAt = Date.now();
	readonly room: Room;
	readonly claims: Claims;
	readonly access: 'read' | 'write';
	/** Writes dropped because this connection is read-only. */
	droppedWrites = 0;
	/** Updates refused by the document's write rules on this connection. */
	refusedUpdates = 0;
	readonly writer: Writer | null;
	#ws: WebSocket;
	#limits: ConnectionLimits;
	#auth: ConnectionAuth;
	#messages: Bucket;
	#awareness: Bucket;
	#closed = false;

	constructor(ws: WebSocket, room: Room, limits: ConnectionLimits, auth: ConnectionAuth) {
		this.#ws = ws;
		this.room = room;
		this.#limits = limits;
		this.#auth = auth;
		this.claims = auth.claims;
		this.access = auth.access;
		this.writer = writerOf(auth.claims);
		this.#messages = new Bucket(limits.maxMessagesPerSecond);
		this.#awareness = new Bucket(limits.maxAwarenessPerSecond);
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

	/**
	 * Handles frames that arrived before the room was ready (cluster/early-frames.ts), in their
	 * order, as if they arrived now.
	 */
	replay(frames: readonly { data: RawData; isBinary: boolean }[]): void {
		for (const { data, isBinary } of frames) this.#onMessage(data, isBinary);
	}

	#onMessage(data: RawData, isBinary: boolean): void {
		if (this.#closed || this.room.failed) return;
		if (!this.#messages.take()) {
			this.close(CLOSE.rateLimited, 'too many messages');
			return;
		}
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
				this.send(encodeSyncStep2(room.missingFor(message.stateVector)));
				return;
			case 'sync-step2':
			case 'sync-update': {
				if (this.access !== 'write') {
					if (isEmptyUpdate(message.update)) return;
					this.droppedWrites++;
					this.#auth.onDroppedWrite?.();
					if (this.droppedWrites === 1) this.send(encodeWritesRefused(this.droppedWrites));
					return;
				}
				const verdict = room.check(message.decoded, this.writer);
				// Cluster mode only (no hook embedded: the arguments are not even evaluated).
				const held = room.checkAgainLater?.(verdict, message.update.length, () => {
					if (!this.#closed && room.peers.has(this)) this.#handle(message);
				});
				if (held) return;
				if (!verdict.ok && verdict.reason === 'missing_dependency') {
					// Not a refusal of its content: it came before what it builds on (a live update
					// overtaking the sync step 2 of a reconnect). Ask for what the relay lacks; the
					// resent state is checked whole.
					this.send(encodeSyncStep1(room.stateVector()));
					return;
				}
				if (!verdict.ok) {
					this.refusedUpdates++;
					this.#auth.onRefusedUpdate?.();
					this.send(encodeUpdateRefused(this.refusedUpdates, verdict.reason, verdict.path));
					return;
				}
				const result = room.applyUpdate(message.update, this);
				if (result === 'applied' && this.writer)
					room.attest(verdict.unattested, this.writer.memberId);
				if (result === 'invalid') this.close(CLOSE.badMessage, 'bad update');
				else if (result === 'too-large') this.close(CLOSE.docTooLarge, 'document too large');
				else if (result === 'too-much-pending') {
					this.close(CLOSE.docTooLarge, 'too much content with missing dependencies');
				} else if (result === 'duplicate') room.confirmIfSettled(this);
				return;
			}
			case 'awareness':
				switch (room.applyAwareness(message.update, this, () => this.#awareness.take())) {
					case 'invalid':
						this.close(CLOSE.badMessage, 'bad awareness');
						return;
					case 'too-many-ids':
						this.close(CLOSE.badMessage, 'too many awareness client ids');
						return;
					case 'rate-limited':
						this.close(CLOSE.rateLimited, 'too many awareness updates');
						return;
					case 'applied':
					case 'echo':
						return;
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
