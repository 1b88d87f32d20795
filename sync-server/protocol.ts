/**
 * Wire format of /sync/<docName>: the y-websocket protocol plus one Gridboard message.
 *
 * Every message is one binary WebSocket frame. varUint = lib0 variable-length unsigned integer
 * (7 bits per byte, high bit = "more"); varBytes = varUint length followed by that many bytes.
 *
 *   sync, step 1    ┌───┬───┬──────────────────────────────┐
 *   (both ways)     │ 0 │ 0 │ varBytes(Y state vector)     │  "here is what I have"
 *                   └───┴───┴──────────────────────────────┘
 *   sync, step 2    ┌───┬───┬──────────────────────────────┐
 *   (both ways)     │ 0 │ 1 │ varBytes(Y update)           │  "here is what you lack"
 *                   └───┴───┴──────────────────────────────┘
 *   sync, update    ┌───┬───┬──────────────────────────────┐
 *   (both ways)     │ 0 │ 2 │ varBytes(Y update)           │  a live change
 *                   └───┴───┴──────────────────────────────┘
 *   awareness       ┌───┬──────────────────────────────────┐
 *   (both ways)     │ 1 │ varBytes(awareness update)       │  presence (y-protocols)
 *                   └───┴──────────────────────────────────┘
 *   query awareness ┌───┐
 *   (client→relay)  │ 3 │                                     relay answers with all states
 *                   └───┘
 *   persisted       ┌─────┐
 *   subscribe       │ 100 │                                   client → relay, once per socket
 *                   └─────┘
 *   persisted       ┌─────┬────────────────────────────────┐
 *   (relay→client)  │ 100 │ varBytes(Y state vector)       │  everything this state vector
 *                   └─────┴────────────────────────────────┘  covers is committed to disk
 *
 * Invariant: `decodeClientMessage` reads a frame completely or rejects it. A frame with an
 * unknown type, a truncated or over-long varint, a length prefix past the end, trailing bytes,
 * or a payload Yjs cannot decode is an error, never a partial result; so is an update naming a
 * client in more than one block (Yjs would drop all but the last: see `oneBlockPerClient`).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import {
	MESSAGE_AWARENESS,
	MESSAGE_PERSISTED,
	MESSAGE_QUERY_AWARENESS,
	MESSAGE_SYNC,
	MESSAGE_UPDATE_REFUSED,
	MESSAGE_WRITES_REFUSED,
	SYNC_STEP1,
	SYNC_STEP2,
	SYNC_UPDATE,
	type WriteRefusal
} from '../src/lib/wire/index.ts';

// The numbers are the wire contract's (src/lib/wire/messages.ts, close-codes.ts); re-exported
// for the relay's modules and tests.
export {
	CLOSE,
	MESSAGE_AWARENESS,
	MESSAGE_PERSISTED,
	MESSAGE_QUERY_AWARENESS,
	MESSAGE_SYNC,
	MESSAGE_UPDATE_REFUSED,
	MESSAGE_WRITES_REFUSED,
	SYNC_STEP1,
	SYNC_STEP2,
	SYNC_UPDATE
} from '../src/lib/wire/index.ts';

/** An update as `Y.decodeUpdate` reads it: structs and delete set (the write guard's input). */
export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

export type ClientMessage =
	| { type: 'sync-step1'; stateVector: Uint8Array }
	| { type: 'sync-step2'; update: Uint8Array; decoded: DecodedUpdate }
	| { type: 'sync-update'; update: Uint8Array; decoded: DecodedUpdate }
	| { type: 'awareness'; update: Uint8Array }
	| { type: 'query-awareness' }
	| { type: 'persisted-subscribe' };

export type DecodeError =
	| 'empty'
	| 'bad-varint'
	| 'unknown-type'
	| 'unknown-sync-type'
	| 'truncated'
	| 'trailing-bytes'
	| 'bad-state-vector'
	| 'bad-update'
	| 'awareness-too-large';

export type DecodeResult = { ok: true; value: ClientMessage } | { ok: false; reason: DecodeError };

export type DecodeLimits = { maxAwarenessBytes: number };

class FrameError extends Error {
	readonly reason: DecodeError;
	constructor(reason: DecodeError) {
		super(reason);
		this.reason = reason;
	}
}

function readVarUint(decoder: decoding.Decoder): number {
	try {
		return decoding.readVarUint(decoder);
	} catch {
		// lib0 throws both for a varint that runs off the end and for one beyond 2^53.
		throw new FrameError('bad-varint');
	}
}

/** Reads varBytes, checking the length prefix against what is left instead of trusting it. */
function readVarBytes(decoder: decoding.Decoder): Uint8Array {
	const length = readVarUint(decoder);
	if (length > decoder.arr.length - decoder.pos) throw new FrameError('truncated');
	return decoding.readUint8Array(decoder, length);
}

/**
 * Whether every client with structs in `update` has exactly one block of them (what Yjs's own
 * encoders write), and no block is empty. Yjs applies only the LAST block of a client named
 * twice, while `Y.decodeUpdate` yields every block: the write guard would approve structs that
 * Yjs then keeps pending (their first clocks dropped) and integrates later, unchecked, into
 * whatever another update puts at those clocks.
 */
function oneBlockPerClient(update: Uint8Array, decoded: DecodedUpdate): boolean {
	const blocks = decoding.readVarUint(decoding.createDecoder(update));
	const clients = new Set<number>();
	let runs = 0;
	let previous = -1;
	for (const struct of decoded.structs) {
		if (struct.id.client !== previous) runs++;
		previous = struct.id.client;
		clients.add(previous);
	}
	return blocks === clients.size && runs === clients.size;
}

function decodeSync(decoder: decoding.Decoder): ClientMessage {
	const syncType = readVarUint(decoder);
	const payload = readVarBytes(decoder);
	switch (syncType) {
		case SYNC_STEP1:
			try {
				Y.decodeStateVector(payload);
			} catch {
				throw new FrameError('bad-state-vector');
			}
			return { type: 'sync-step1', stateVector: payload };
		case SYNC_STEP2:
		case SYNC_UPDATE: {
			let decoded: DecodedUpdate;
			try {
				decoded = Y.decodeUpdate(payload);
			} catch {
				throw new FrameError('bad-update');
			}
			if (!oneBlockPerClient(payload, decoded)) throw new FrameError('bad-update');
			return {
				type: syncType === SYNC_STEP2 ? 'sync-step2' : 'sync-update',
				update: payload,
				decoded
			};
		}
		default:
			throw new FrameError('unknown-sync-type');
	}
}

function decodeBody(decoder: decoding.Decoder, limits: DecodeLimits): ClientMessage {
	const type = readVarUint(decoder);
	switch (type) {
		case MESSAGE_SYNC:
			return decodeSync(decoder);
		case MESSAGE_AWARENESS: {
			const update = readVarBytes(decoder);
			if (update.length > limits.maxAwarenessBytes) throw new FrameError('awareness-too-large');
			return { type: 'awareness', update };
		}
		case MESSAGE_QUERY_AWARENESS:
			return { type: 'query-awareness' };
		case MESSAGE_PERSISTED:
			return { type: 'persisted-subscribe' };
		default:
			throw new FrameError('unknown-type');
	}
}

/**
 * Decodes one client frame completely. The frame must own its buffer exactly (copy pooled
 * Node buffers first) so no view can ever reach bytes outside it.
 */
export function decodeClientMessage(frame: Uint8Array, limits: DecodeLimits): DecodeResult {
	if (frame.length === 0) return { ok: false, reason: 'empty' };
	const decoder = decoding.createDecoder(frame);
	try {
		const value = decodeBody(decoder, limits);
		if (decoding.hasContent(decoder)) return { ok: false, reason: 'trailing-bytes' };
		return { ok: true, value };
	} catch (error) {
		if (error instanceof FrameError) return { ok: false, reason: error.reason };
		return { ok: false, reason: 'truncated' };
	}
}

function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
	const encoder = encoding.createEncoder();
	write(encoder);
	return encoding.toUint8Array(encoder);
}

export function encodeSyncStep1(stateVector: Uint8Array): Uint8Array {
	return frame((e) => {
		encoding.writeVarUint(e, MESSAGE_SYNC);
		encoding.writeVarUint(e, SYNC_STEP1);
		encoding.writeVarUint8Array(e, stateVector);
	});
}

export function encodeSyncStep2(update: Uint8Array): Uint8Array {
	return frame((e) => {
		encoding.writeVarUint(e, MESSAGE_SYNC);
		encoding.writeVarUint(e, SYNC_STEP2);
		encoding.writeVarUint8Array(e, update);
	});
}

export function encodeSyncUpdate(update: Uint8Array): Uint8Array {
	return frame((e) => {
		encoding.writeVarUint(e, MESSAGE_SYNC);
		encoding.writeVarUint(e, SYNC_UPDATE);
		encoding.writeVarUint8Array(e, update);
	});
}

export function encodeAwareness(update: Uint8Array): Uint8Array {
	return frame((e) => {
		encoding.writeVarUint(e, MESSAGE_AWARENESS);
		encoding.writeVarUint8Array(e, update);
	});
}

export function encodePersisted(stateVector: Uint8Array): Uint8Array {
	return frame((e) => {
		encoding.writeVarUint(e, MESSAGE_PERSISTED);
		encoding.writeVarUint8Array(e, stateVector);
	});
}

/** `[101, varUint(count)]`: this read-only connection's writes were dropped (count so far). */
export function encodeWritesRefused(count: number): Uint8Array {
	return frame((e) => {
		encoding.writeVarUint(e, MESSAGE_WRITES_REFUSED);
		encoding.writeVarUint(e, count);
	});
}

export function encodeUpdateRefused(count: number, reason: WriteRefusal, path: string): Uint8Array {
	return frame((e) => {
		encoding.writeVarUint(e, MESSAGE_UPDATE_REFUSED);
		encoding.writeVarUint(e, count);
		encoding.writeVarString(e, reason);
		encoding.writeVarString(e, path.slice(0, 200));
	});
}

export function encodePersistedSubscribe(): Uint8Array {
	return frame((e) => encoding.writeVarUint(e, MESSAGE_PERSISTED));
}

/** Client-side reader for a persisted message body (after the type); used by tests and the app. */
export function readPersistedStateVector(decoder: decoding.Decoder): Map<number, number> {
	return Y.decodeStateVector(decoding.readVarUint8Array(decoder));
}
