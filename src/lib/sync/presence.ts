/**
 * Keeps a document's presence (y-protocols awareness) honest on this device: renews our own
 * state every `renewMs` while it is set, and drops other peers' states not renewed for
 * `timeoutMs` (wire/presence.ts), so a colleague who lost signal stops showing as editing
 * within the bound, even before the relay notices their dead socket. The provider sends what we
 * drop to the relay too, which drops it for everyone.
 */
import { removeAwarenessStates, type Awareness } from 'y-protocols/awareness';
import {
	PRESENCE_CHECK_MS,
	PRESENCE_RENEW_MS,
	PRESENCE_TIMEOUT_MS,
	stalePresence
} from '../wire/index.ts';

export type PresenceOptions = {
	timeoutMs?: number;
	renewMs?: number;
	checkMs?: number;
};

/** Starts the checks; returns the function that stops them. */
export function keepPresenceFresh(awareness: Awareness, options: PresenceOptions = {}): () => void {
	const timeoutMs = options.timeoutMs ?? PRESENCE_TIMEOUT_MS;
	const renewMs = options.renewMs ?? PRESENCE_RENEW_MS;
	const check = () => {
		// y-protocols stamps lastUpdated with Date.now().
		const now = Date.now();
		const own = awareness.getLocalState();
		const ownMeta = awareness.meta.get(awareness.clientID);
		// Only a state that says something (a name, a caret) is renewed: y-protocols starts every
		// document with an empty one, which shows nobody and keeps its own 15 s renewal.
		const showsSomething = own !== null && Object.keys(own).length > 0;
		if (showsSomething && (!ownMeta || now - ownMeta.lastUpdated >= renewMs)) {
			awareness.setLocalState(own);
		}
		const stale = stalePresence(
			awareness.meta,
			awareness.states,
			awareness.clientID,
			now,
			timeoutMs
		);
		if (stale.length > 0) removeAwarenessStates(awareness, stale, 'timeout');
	};
	const timer = setInterval(check, options.checkMs ?? PRESENCE_CHECK_MS);
	(timer as { unref?: () => void }).unref?.();
	return () => clearInterval(timer);
}
