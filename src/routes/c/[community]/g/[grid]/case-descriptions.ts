/**
 * Case descriptions by id, for board search. `CaseSummary` leaves descriptions out (they can be
 * long and most board renders never need them), so a board reads them only while a search is
 * typed, through its own `DocSnapshot` (re-read once per change, and only when asked).
 */
import type * as Y from 'yjs';
import { casesMap, parseCaseRecord, readCaseField } from '$lib/model/case';
import type { BoardCase } from '$lib/domain/board-query';

export function readCaseDescriptions(doc: Y.Doc): ReadonlyMap<string, string> {
	const descriptions = new Map<string, string>();
	for (const [key, value] of casesMap(doc).entries()) {
		const record = parseCaseRecord(key, value);
		if (record) descriptions.set(key, readCaseField(record, 'description').value);
	}
	return descriptions;
}

/** `items` with their descriptions attached, so search can look into them. */
export function withDescriptions<T extends BoardCase>(
	items: readonly T[],
	descriptions: ReadonlyMap<string, string>
): readonly T[] {
	return items.map((item) => ({ ...item, description: descriptions.get(item.id) ?? '' }));
}
