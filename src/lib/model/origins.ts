/**
 * Transaction origins: the tag each write carries, so observers can tell local commands from
 * remote updates.
 *
 * Invariant: every command in src/lib/model runs exactly one `doc.transact(fn, ORIGIN_LOCAL_EDIT)`.
 */

export const ORIGIN_LOCAL_EDIT = 'gridboard:local-edit' as const;
