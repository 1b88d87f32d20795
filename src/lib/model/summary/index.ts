/**
 * Summaries' public face (the format and every figure: domain/summaries.ts).
 *
 * Invariant: this module adds no behaviour of its own.
 */
export { summarizeBoard } from './board';
export { summarizeMeetings } from './meetings';
export { summarizeHouseholds } from './households';
export { summarizerFor, type Summarizer } from './registry';
