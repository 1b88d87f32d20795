/**
 * A board's summary (domain/summaries.ts `BoardSummary`) from its document: every case's facts
 * and the totals, through `listCases`, whose per-case memo re-reads only the cases a transaction
 * touched, so a summary follows an edit on a 1,000-case board within a frame (bench/summaries).
 *
 * Invariant: a pure function of the document state (replicas with the same updates get equal
 * summaries); the head rows are the board's default order (newest first), open cases only.
 */
import type * as Y from 'yjs';
import { buildBoardSummary, type BoardSummary } from '../../domain/summaries';
import { listCases } from '../case/readers';

export function summarizeBoard(doc: Y.Doc): BoardSummary {
	return buildBoardSummary(listCases(doc));
}
