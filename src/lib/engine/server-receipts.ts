/**
 * Server receipts, wired: when a board session's unconfirmed count drops to 0 after being above
 * 0, every change this device made to that board is on the relay's disk, so the timeline entries
 * it wrote that have no receipt yet get one (`recordServerReceipts`, docs/ledger.md). The stamp
 * itself is a change and is confirmed in turn; it writes nothing the second time.
 *
 * Invariant: stamps only board documents, only this device's entries, only after a confirmation.
 */
import { recordServerReceipts } from '$lib/model/case';
import type { DocSyncState } from '$lib/sync/doc-session';
import type * as Y from 'yjs';

export type ReceiptSession = Readonly<{
	docName: string;
	doc: Y.Doc;
	getState(): DocSyncState;
	subscribe(listener: (state: DocSyncState) => void): () => void;
}>;

const BOARD = /^c\/[^/]+\/board\/[^/]+$/;

/** Watches one session; returns the unsubscribe function (a no-op for non-board documents). */
export function stampReceiptsOnConfirm(
	session: ReceiptSession,
	deviceId: string,
	now: () => number = Date.now
): () => void {
	if (!BOARD.test(session.docName)) return () => {};
	let waiting = session.getState().unconfirmed > 0;
	return session.subscribe((state) => {
		if (state.unconfirmed > 0) {
			waiting = true;
			return;
		}
		if (!waiting) return;
		waiting = false;
		recordServerReceipts(session.doc, undefined, state.lastConfirmedAt ?? now(), deviceId);
	});
}

/** Watches every session a registry opens. */
export function stampReceiptsForRegistry(
	registry: { subscribe(listener: (sessions: readonly ReceiptSession[]) => void): () => void },
	deviceId: string
): () => void {
	const watched = new WeakSet<object>();
	return registry.subscribe((sessions) => {
		for (const session of sessions) {
			if (watched.has(session)) continue;
			watched.add(session);
			stampReceiptsOnConfirm(session, deviceId);
		}
	});
}
