/**
 * The relay's WebSocket close codes. 4400–4499 are permanent (y-websocket stops reconnecting),
 * except 4429, which the app treats as "later"; 4401 means "get a new token, then reconnect at
 * once". Everything else is transient.
 *
 * "This member was removed" is one signal, said two ways and only by the relay after it checked
 * who is asking: the close `4403` with the reason `member_removed` (the sweep, the removal API and
 * admission, all on a connection whose token verified), and the token endpoint's HTTP 403
 * `{ "error": "member_removed" }` (to a request whose credential secret matched). On it the
 * device forgets the community; no other close, answer or network error may look like it.
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
	/** Forbidden by the access matrix, or (reason `member_removed`) the member was removed. */
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

/** The close reason (with 4403) and the token endpoint's error (with HTTP 403): member removed. */
export const MEMBER_REMOVED = 'member_removed';

/** Is this close the relay's "your member was removed" (never a plain refusal or network loss)? */
export function isMemberRemovedClose(code: number, reason: string): boolean {
	return code === CLOSE.forbidden && reason === MEMBER_REMOVED;
}
