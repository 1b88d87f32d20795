/**
 * Frames of a WebSocket whose room is still loading (cluster mode loads rooms asynchronously,
 * cluster/cluster-rooms.ts): a y-websocket client sends its sync step 1 and its awareness as
 * soon as the socket opens, before the relay has the document.
 *
 * Invariants: frames are kept in arrival order and handed over once (`take`), after which this
 * listener is gone and the connection's own listener takes over in the same turn, so none is
 * lost or handled twice. The buffer is bounded: more than `maxFrames` frames or `maxBytes`
 * bytes close the socket with 4429 (a client that has not seen the document yet has little to
 * say).
 */
import type { RawData, WebSocket } from 'ws';
import { CLOSE } from '../protocol.ts';

export type EarlyFrame = { data: RawData; isBinary: boolean };

export type EarlyFrames = {
	/** Stops buffering and returns what came, oldest first. */
	take(): EarlyFrame[];
};

const sizeOf = (data: RawData): number =>
	Array.isArray(data)
		? data.reduce((sum, part) => sum + part.length, 0)
		: data instanceof ArrayBuffer
			? data.byteLength
			: data.length;

export function bufferEarlyFrames(
	ws: WebSocket,
	limits: { maxFrames: number; maxBytes: number }
): EarlyFrames {
	const frames: EarlyFrame[] = [];
	let bytes = 0;
	const onMessage = (data: RawData, isBinary: boolean): void => {
		bytes += sizeOf(data);
		if (frames.length >= limits.maxFrames || bytes > limits.maxBytes) {
			ws.off('message', onMessage);
			ws.close(CLOSE.rateLimited, 'too many messages before the document was loaded');
			return;
		}
		frames.push({ data, isBinary });
	};
	ws.on('message', onMessage);
	return {
		take() {
			ws.off('message', onMessage);
			return frames.splice(0);
		}
	};
}
