/**
 * A grid's household register summary (domain/summaries.ts `HouseholdsSummary`): each
 * household's colour, since when, tags, last visit, own interval, tombstone and every visit's
 * time, read through `listHouseholds` (memoised per household).
 *
 * Invariant: a pure function of the register document; no name, address, phone or ID number of
 * anyone is in it (figures only).
 */
import type * as Y from 'yjs';
import { buildHouseholdsSummary, type HouseholdsSummary } from '../../domain/summaries';
import { listHouseholds } from '../household/readers';

export function summarizeHouseholds(doc: Y.Doc): HouseholdsSummary {
	return buildHouseholdsSummary(listHouseholds(doc));
}
