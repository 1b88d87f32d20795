/**
 * What a work screen may show as a problem: a work command's refusal, or a step of its own that
 * failed (a patrol finding whose case could not be created).
 *
 * Invariant: types only; the texts are components/work-labels.ts's, keyed by this union.
 */

import type { WorkReason } from '$lib/model/work';

export type WorkProblem = WorkReason | 'case_not_created';
