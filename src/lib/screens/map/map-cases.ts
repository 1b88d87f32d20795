/**
 * A board read for the map: the board's case summaries, each with its place (`mapPoint`,
 * "lng,lat", parsed once here). A case whose point is empty or does not parse has `point: null`
 * and is counted as "no place" by the map screens, never dropped.
 *
 * Invariant: a pure reader of one board document (the model's own readers underneath); the
 * summaries are the ones `listCases` returns, in its order.
 */
import type * as Y from 'yjs';
import { parseMapPoint, type LngLat } from '$lib/domain/geo';
import {
	casesMap,
	listCases,
	parseCaseRecord,
	readCaseField,
	type CaseSummary
} from '$lib/model/case';

export type MapCaseSummary = CaseSummary & Readonly<{ point: LngLat | null }>;

export function readMapCases(doc: Y.Doc): readonly MapCaseSummary[] {
	const records = casesMap(doc);
	return Object.freeze(
		listCases(doc).map((summary) => {
			const record = parseCaseRecord(summary.id, records.get(summary.id));
			const value = record ? readCaseField(record, 'mapPoint').value : '';
			return Object.freeze({ ...summary, point: value ? parseMapPoint(value) : null });
		})
	);
}
