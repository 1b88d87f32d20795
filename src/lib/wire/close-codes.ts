/**
 * The relay's WebSocket close codes. 4400–4499 are permanent (y-websocket stops reconnecting),
 * except 4429, which the app treats as "later"; 4401 means "get a new token, then reconnect at
 * once". Everything else is transient.
 */

export const CLOSE = {
	/** The relay is shutting down. */
	goingAway: 1001,
	/** A frame over the relay's MAX_PAYLOAD (set by `ws`). */
	tooBig: 1009,
	/** Malformed frame or name: don't retry. */
	badMessage: 4400,
	/** Token missing, expired or outdated: refresh, then reconnect. */
	unauthorized: 4401,
	/** Forbidden by the access matrix, or the member was removed: stop, show why. */
	forbidden: 4403,
	/** The document would grow past MAX_DOC_BYTES. */
	docTooLarge: 4413,
	/** Too many messages or awareness updates per second. */
	rateLimited: 4429,
	/** A storage sync failed (transient: a restart recovers). */
	storageFailure: 4500,
	/** The socket's unsent data grew past the limit. */
	slowReader: 4508
} as const;

/** Does y-websocket give up after this close (the app then shows why), or retry? */
export function isPermanentClose(code: number): boolean {
	return code >= 4400 && code < 4500 && code !== CLOSE.rateLimited;
}
