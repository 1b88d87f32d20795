/**
 * Document history in the store: what compaction folds is kept, merged per hour of receipt.
 *
 * Every log row carries the time the relay received it (`at`, ms). When `compact` folds rows
 * into the snapshot it also moves them, in the same transaction, into the document's history:
 * the rows of one hour become one Yjs update (Y.mergeUpdates, merged with what that hour already
 * holds), so history costs about the content ever inserted, not one row per keystroke. The
 * document as it was at a time T (a whole hour) is then every history row of the hours before T
 * plus every log row received before T, applied to an empty Y.Doc: a Yjs document is the union
 * of its updates, and the relay stores its updates in the order it integrated them, so the rows
 * received before T hold everything those rows depend on.
 *
 * Invariant: `splitByHour`, `mergeHour` and `foldHour` are pure; a row that is not a Yjs update (only tests
 * store such bytes) is kept as it is, never dropped, and never breaks a merge of the others.
 */
import * as Y from 'yjs';

export const HOUR_MS = 3_600_000;

/** The hour (index since the epoch) of a receive time. */
export const hourOf = (at: number): number => Math.floor(at / HOUR_MS);

/** A log row as compaction reads it for history. */
export type TimedRow = { seq: number; at: number; data: Uint8Array };

/** Rows grouped by their hour of receipt, each group in commit order. */
export function splitByHour(rows: readonly TimedRow[]): Map<number, TimedRow[]> {
	const groups = new Map<number, TimedRow[]>();
	for (const row of rows) {
		const hour = hourOf(row.at);
		const group = groups.get(hour);
		if (group) group.push(row);
		else groups.set(hour, [row]);
	}
	return groups;
}

/**
 * One hour's history: `parts` (what the hour held, then the rows folded now) merged into one
 * Yjs update, or null when some part is not a Yjs update (then each part is kept on its own).
 */
function mergeHour(parts: readonly Uint8Array[]): Uint8Array | null {
	if (parts.length === 1) return parts[0]!;
	try {
		return Y.mergeUpdates(parts as Uint8Array[]);
	} catch {
		return null;
	}
}

/** A history row: one hour's merged updates, keyed by the highest seq folded into it. */
export type HistoryRow = { seq: number; data: Uint8Array };

/**
 * What folding `group` (one hour's log rows, in commit order) into that hour's history changes:
 * `last` is the hour's latest history row (undefined: none yet). Returns the seq of the history
 * row to delete (null: none) and the rows to insert in its place: one merged row, or, when some
 * part is not a Yjs update, each folded row on its own beside `last`.
 */
export function foldHour(
	last: HistoryRow | undefined,
	group: readonly TimedRow[]
): { replaces: number | null; rows: HistoryRow[] } {
	const merged = mergeHour([...(last ? [last.data] : []), ...group.map((row) => row.data)]);
	if (merged)
		return { replaces: last ? last.seq : null, rows: [{ seq: group.at(-1)!.seq, data: merged }] };
	return { replaces: null, rows: group.map((row) => ({ seq: row.seq, data: row.data })) };
}
