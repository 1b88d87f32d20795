/**
 * What every volunteer-work screen model shares: the document it reads and writes, the command
 * context of the member using it (built when a command runs), and the problem it shows: the
 * reason the last command was refused, or null.
 *
 * Invariant: every command result a work screen gets passes through `settle`, so none is dropped;
 * an accepted command clears the problem.
 */

import type * as Y from 'yjs';
import type { Result } from '$lib/domain/result';
import { workMember, type HistoryEntry } from '$lib/model/work';
import type { CommandContext } from '$lib/model/command-context';
import type { WorkMember } from '$lib/domain/task-rules';
import type { WorkProblem } from './work-problem';

/** A document and a live reading of it (a `useDoc` handle, or a plain one in tests). */
export type DocSource<T> = Readonly<{ doc: Y.Doc; snapshot: { readonly current: T } }>;

/** History entries by id: who signed each claim and report (shown with the item's `authorship`). */
export type EntriesById = Readonly<Record<string, HistoryEntry>>;

export const entriesById = (history: readonly HistoryEntry[]): EntriesById =>
	Object.freeze(Object.fromEntries(history.map((entry) => [entry.id, entry])));

/** The context of the member acting now (screens/command-context.ts `memberContext`). */
export type ContextSource = () => CommandContext;

export class WorkScreen<T> {
	/** The reason the last command was refused, or null. */
	problem = $state<WorkProblem | null>(null);
	protected readonly source: DocSource<T>;
	protected readonly context: ContextSource;

	constructor(source: DocSource<T>, context: ContextSource) {
		this.source = source;
		this.context = context;
	}

	/** The member as the rules see them (member id and role). */
	protected get member(): WorkMember {
		return workMember(this.context());
	}

	/** Keeps a refusal as the screen's problem; true when the command was accepted. */
	protected settle<V>(result: Result<V, WorkProblem>): result is { ok: true; value: V } {
		this.problem = result.ok ? null : result.reason;
		return result.ok;
	}

	/** Clears the problem (a form closed without saving). */
	dismiss(): void {
		this.problem = null;
	}
}
