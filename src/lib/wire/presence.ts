/**
 * Presence freshness: how long a colleague's presence (awareness state: name, caret) is believed
 * without a sign of life. Shared by the app and the relay (no imports: Node runs it directly).
 *
 *   peer's state ──renewed every PRESENCE_RENEW_MS while set──▶ others and the relay
 *   not renewed for PRESENCE_TIMEOUT_MS ──▶ dropped (by every device and by the relay)
 *
 * y-protocols on its own renews every 15 s and drops after 30 s, and a relay that has not yet
 * noticed a dead socket hands the stale state to every newcomer as fresh; so a colleague who
 * lost signal could show as editing for 30 s and more. With these values they disappear within
 * PRESENCE_TIMEOUT_MS plus one check (PRESENCE_CHECK_MS) of their last renewal: under 30 s
 * after losing signal, on every screen.
 *
 * Invariant: PRESENCE_RENEW_MS (and y-protocols' own 15 s renewal, for older apps) is well
 * (checked every 3 s) under PRESENCE_TIMEOUT_MS, so a live peer is never dropped.
 */

export const PRESENCE_TIMEOUT_MS = 25_000;
export const PRESENCE_RENEW_MS = 5_000;
export const PRESENCE_CHECK_MS = 1_000;

export type PresenceMeta = Readonly<{ lastUpdated: number }>;

/** Ids (other than `ownId`) with a state whose last renewal is `timeoutMs` or more before `now`. */
export function stalePresence(
	meta: ReadonlyMap<number, PresenceMeta>,
	states: ReadonlyMap<number, unknown>,
	ownId: number,
	now: number,
	timeoutMs: number = PRESENCE_TIMEOUT_MS
): number[] {
	const stale: number[] = [];
	for (const id of states.keys()) {
		if (id === ownId) continue;
		const updated = meta.get(id)?.lastUpdated;
		if (updated === undefined || now - updated >= timeoutMs) stale.push(id);
	}
	return stale;
}

/** When the next state goes stale (epoch ms), or null when no other peer has a state. */
export function nextPresenceExpiry(
	meta: ReadonlyMap<number, PresenceMeta>,
	states: ReadonlyMap<number, unknown>,
	ownId: number,
	timeoutMs: number = PRESENCE_TIMEOUT_MS
): number | null {
	let next: number | null = null;
	for (const id of states.keys()) {
		if (id === ownId) continue;
		const at = (meta.get(id)?.lastUpdated ?? 0) + timeoutMs;
		if (next === null || at < next) next = at;
	}
	return next;
}
