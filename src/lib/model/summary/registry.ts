/**
 * Which document kinds keep a summary, and how it is computed: the one registry, keyed by the
 * wire's `DocKind`. The sync engine (engine/app-sync.ts) hands `summarizerFor` to every document
 * session, which recomputes the summary in each transaction and stores it beside the document.
 *
 * Adding a kind: write `summarizeX(doc)` in the model, its format, version and figures in
 * domain/summaries.ts (`SUMMARY_VERSIONS`), and put it in place of a `null` below. Nothing else
 * changes: sessions, storage and bulk reads are kind-blind.
 *
 * Invariant: a summarizer is a pure function of its document; kinds without one (`null`) store
 * nothing; only the meeting index (not each meeting's record) is summarised.
 */
import type * as Y from 'yjs';
import { parseDocName, type DocKind } from '../../wire/doc-names';
import type { AnySummary } from '../../domain/summaries';
import { summarizeWork } from '../work/summary';
import { summarizeBoard } from './board';
import { summarizeMeetings } from './meetings';
import { summarizeHouseholds } from './households';

export type Summarizer = (doc: Y.Doc) => AnySummary;

const SUMMARIZERS: Readonly<Record<DocKind, Summarizer | null>> = {
	board: summarizeBoard,
	tasks: (doc) => summarizeWork(doc),
	meetings: summarizeMeetings,
	households: summarizeHouseholds,
	directory: null,
	map: null
};

/** The summarizer of a document, or null when its kind keeps none. */
export function summarizerFor(docName: string): Summarizer | null {
	const parsed = parseDocName(docName);
	if (!parsed.ok) return null;
	const { kind, id } = parsed.value;
	if (kind === 'meetings' && id !== 'index') return null;
	return SUMMARIZERS[kind];
}
