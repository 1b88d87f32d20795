/**
 * Whether a case is deleted, from its timeline: the secretary's `deleted` and `restored`
 * entries (case-timeline.ts). Nothing of a deleted case is removed; it only leaves the boards,
 * the map and the summaries until it is restored, with every edit made meanwhile.
 *
 * Rule: a case is deleted while its latest `deleted` entry is later than its latest `restored`
 * entry; a tie keeps the case (a race never hides one). The commands stamp a restore no earlier
 * than the delete it undoes, and a delete later than the last restore, whatever the phone's clock
 * (model/case/deletion.ts), like the directory's grid tombstone.
 *
 * Invariant: a pure function of the timeline's entries, whatever order they arrived in.
 */
import type { TimelineEntry } from './case-timeline';

export type CaseDeletion = Readonly<{ at: number; by: string }>;

/** The latest `deleted` and `restored` entries, by time. */
export function latestDeletionEntries(timeline: readonly TimelineEntry[]): {
	deleted: TimelineEntry | null;
	restored: TimelineEntry | null;
} {
	let deleted: TimelineEntry | null = null;
	let restored: TimelineEntry | null = null;
	for (const entry of timeline) {
		if (entry.kind === 'deleted' && (deleted === null || entry.at > deleted.at)) deleted = entry;
		if (entry.kind === 'restored' && (restored === null || entry.at > restored.at)) {
			restored = entry;
		}
	}
	return { deleted, restored };
}

/** The tombstone in force (who deleted the case, when), or null for a live case. */
export function caseDeletion(timeline: readonly TimelineEntry[]): CaseDeletion | null {
	const { deleted, restored } = latestDeletionEntries(timeline);
	if (deleted === null || (restored !== null && restored.at >= deleted.at)) return null;
	return Object.freeze({ at: deleted.at, by: deleted.by });
}
