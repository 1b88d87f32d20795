/**
 * Write rules of a grid's household records (`c/{cid}/households/{gridId}`): the documents have
 * no model yet (a coming issue), so no content may be written to them by anyone: every root is
 * unknown and every write is refused (`shape`). The rules come with the model.
 *
 * Invariant: no roots until the household model defines them.
 */
import type { DocRules } from './write-rules.ts';

export const HOUSEHOLDS_RULES: DocRules = Object.freeze({ roots: {} });
