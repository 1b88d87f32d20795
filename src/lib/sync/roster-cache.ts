/**
 * The community's roster kept on the device (localStorage `gridboard:roster`), so staff pick
 * assignees from the members list offline too. It is a cache of the relay's answer, never a
 * source of truth: the relay decides who is a member; signing out forgets it (credential-store).
 *
 * Invariant: what is read back is a well-formed roster of the given community, or null.
 */
import type { RosterEntry } from './auth-api.ts';
import { ROSTER_KEY, type KeyValueStore } from './credential-store.ts';

export { ROSTER_KEY };

export type CachedRoster = Readonly<{
	communityId: string;
	/** When the relay gave this list (epoch ms). */
	at: number;
	members: readonly RosterEntry[];
}>;

function isEntry(value: unknown): value is RosterEntry {
	if (typeof value !== 'object' || value === null) return false;
	const entry = value as Record<string, unknown>;
	return (
		typeof entry.id === 'string' &&
		entry.id !== '' &&
		typeof entry.displayName === 'string' &&
		typeof entry.role === 'string' &&
		Array.isArray(entry.grids) &&
		entry.grids.every((grid) => typeof grid === 'string')
	);
}

export function readRoster(store: KeyValueStore, communityId: string): CachedRoster | null {
	let value: unknown;
	try {
		value = JSON.parse(store.getItem(ROSTER_KEY) ?? 'null');
	} catch {
		return null;
	}
	if (typeof value !== 'object' || value === null) return null;
	const cached = value as Record<string, unknown>;
	if (cached.communityId !== communityId || typeof cached.at !== 'number') return null;
	if (!Array.isArray(cached.members) || !cached.members.every(isEntry)) return null;
	return value as CachedRoster;
}

export function writeRoster(store: KeyValueStore, roster: CachedRoster): void {
	try {
		store.setItem(ROSTER_KEY, JSON.stringify(roster));
	} catch {
		// A full localStorage only costs the offline copy; the list still shows from memory.
	}
}
