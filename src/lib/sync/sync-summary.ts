/**
 * Sync summary: folds every open document's sync state into the one line the status bar shows.
 *
 * Invariants (pure function, no I/O):
 * - `allOnServer` is true only when nothing is unconfirmed, every document is online, every
 *   loaded document has heard at least one relay confirmation, at least one document did, and
 *   the device's list of documents with pending changes has been read — never on assumption (no
 *   documents is no evidence).
 * - the worst state wins: one document's problem is never hidden by the others.
 * - photos on this device not yet on the relay count like changes: `server` is `pending` and
 *   `allOnServer` false while any is left, or while the photo outbox has not read its list yet.
 * - `server` is `waiting` ("waiting for the server to confirm…") only when there is something
 *   to wait for: documents open and a connection up or coming up. With nothing pending and no
 *   connection it is `idle` (the bar says how old the data is: `lastSyncedAt`); with no document
 *   and nothing pending (before sign-in) it is `none`.
 * - `lastSyncedAt` is the oldest "last confirmed by the relay" among the loaded documents: the
 *   data on screen is at least that fresh. It is persisted per document (server-confirmations.ts,
 *   meta `confirm/at`), so it survives restarts; null with `neverSynced` when a loaded document
 *   was never confirmed on this device.
 * - `refusals` lists every document whose updates the relay refused under the write rules while
 *   some of this device's changes to it are unconfirmed (doc-session.ts `refused`), with that
 *   count: the relay will not store them as they are. `allOnServer` is false while any stands.
 */
import type { DocSyncState } from './doc-session.ts';
import type { LocalError } from './local-store.ts';
import type { ConnectionState, UpdateRefusal } from './relay-link.ts';

/** A document whose updates the relay refused, and this device's changes to it it lacks. */
export type DocRefusal = Readonly<{ docName: string; unconfirmed: number; refused: UpdateRefusal }>;

export type SyncSummary = Readonly<{
	connection: ConnectionState;
	/** The close reason text of a document the relay refused, when `connection` is `closed`. */
	closeReason: string | null;
	/** The close code that goes with `closeReason` (4403 forbidden, 4400 malformed…). */
	closeCode: number | null;
	/** Some document is still being read from this device. */
	loading: boolean;
	/** Some document has writes to this device in flight. */
	saving: boolean;
	localError: LocalError | null;
	unconfirmed: number;
	allOnServer: boolean;
	/** The relay refuses this device's writes to some open document (read-only access). */
	writesRejected: boolean;
	/** Documents whose updates the relay refused under the write rules (see the invariants). */
	refusals: readonly DocRefusal[];
	/** Earliest moment a document lost (or never had) its relay connection; null when online. */
	disconnectedSince: number | null;
	/** Photos on this device the relay has not confirmed (0 when unknown, see `loading`). */
	photosPending: number;
	/** What the bar says about the relay (see the invariants above). */
	server: ServerState;
	/** The oldest last confirmation among the loaded documents; null when none or never. */
	lastSyncedAt: number | null;
	/** Some loaded document was never confirmed by the relay on this device. */
	neverSynced: boolean;
}>;

export type ServerState = 'all' | 'pending' | 'waiting' | 'idle' | 'none';

const CONNECTION_SEVERITY: Record<ConnectionState, number> = {
	online: 0,
	connecting: 1,
	offline: 2,
	closed: 3
};

/** Device storage full is the one the user can act on; then "can't store here", then a glitch. */
const ERROR_SEVERITY: Record<LocalError, number> = {
	write_failed: 1,
	unavailable: 2,
	quota_exceeded: 3
};

export type SummaryContext = {
	/** The pending index is still being read: documents with unsent edits may not be open yet. */
	restoring?: boolean;
	/**
	 * Photos not yet on the relay (photo-outbox.ts `pendingCount`); null while the outbox has not
	 * read them (counts as loading, never "all saved"); omitted when there is no outbox (signed out).
	 */
	photosPending?: number | null;
};

export function summarizeSync(
	states: readonly DocSyncState[],
	online: boolean,
	context: SummaryContext = {}
): SyncSummary {
	let connection: ConnectionState = online ? 'online' : 'offline';
	let closeReason: string | null = null;
	let closeCode: number | null = null;
	let localError: LocalError | null = null;
	let unconfirmed = 0;
	let loading = context.restoring ?? false;
	let saving = false;
	let everyLoadedConfirmed = true;
	let anyConfirmed = false;
	let disconnectedSince: number | null = null;
	let writesRejected = false;
	const refusals: DocRefusal[] = [];
	let lastSyncedAt: number | null = null;
	let neverSynced = false;
	const photosKnown = context.photosPending !== null;
	const photosPending = context.photosPending ?? 0;
	if (!photosKnown) loading = true;

	for (const state of states) {
		writesRejected ||= state.writesRejected > 0;
		if (state.refused !== null && state.unconfirmed > 0) {
			const { docName, unconfirmed, refused } = state;
			refusals.push(Object.freeze({ docName, unconfirmed, refused }));
		}
		if (CONNECTION_SEVERITY[state.connection] > CONNECTION_SEVERITY[connection]) {
			connection = state.connection;
		}
		if (state.connection === 'closed' && closeReason === null && state.closeReason) {
			closeReason = state.closeReason.reason || String(state.closeReason.code);
			closeCode = state.closeReason.code;
		}
		if (
			state.localError !== null &&
			(localError === null || ERROR_SEVERITY[state.localError] > ERROR_SEVERITY[localError])
		) {
			localError = state.localError;
		}
		unconfirmed += state.unconfirmed;
		loading ||= state.local === 'loading';
		saving ||= state.local === 'saving';
		if (state.loaded && state.lastConfirmedAt === null) everyLoadedConfirmed = false;
		if (state.lastConfirmedAt !== null) anyConfirmed = true;
		if (state.loaded) {
			if (state.lastConfirmedAt === null) neverSynced = true;
			else if (lastSyncedAt === null || state.lastConfirmedAt < lastSyncedAt) {
				lastSyncedAt = state.lastConfirmedAt;
			}
		}
		if (
			state.connection !== 'online' &&
			state.disconnectedSince !== null &&
			(disconnectedSince === null || state.disconnectedSince < disconnectedSince)
		) {
			disconnectedSince = state.disconnectedSince;
		}
	}

	if (connection === 'online') disconnectedSince = null;
	if (connection !== 'closed') {
		closeReason = null;
		closeCode = null;
	}
	const allOnServer =
		unconfirmed === 0 &&
		photosKnown &&
		photosPending === 0 &&
		connection === 'online' &&
		everyLoadedConfirmed &&
		anyConfirmed &&
		refusals.length === 0 &&
		!context.restoring;
	const reachable = connection === 'online' || connection === 'connecting';
	const server: ServerState =
		unconfirmed > 0 || photosPending > 0
			? 'pending'
			: allOnServer
				? 'all'
				: states.length > 0 && reachable
					? 'waiting'
					: states.length > 0 && !loading
						? 'idle'
						: 'none';
	return Object.freeze({
		connection,
		closeReason,
		closeCode,
		loading,
		saving,
		localError,
		unconfirmed,
		allOnServer,
		writesRejected,
		refusals: Object.freeze(refusals),
		disconnectedSince,
		photosPending,
		server,
		lastSyncedAt: neverSynced ? null : lastSyncedAt,
		neverSynced
	});
}
