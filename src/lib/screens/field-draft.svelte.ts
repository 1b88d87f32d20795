/**
 * The "edit over what you saw" rule, written once for every edit form (case, meeting, work item).
 *
 * `open()` captures the values the form shows and each field's heads (the edits it stands on).
 * `save()` diffs what the person typed against what they opened, and hands only the changed
 * fields, each with the heads they saw, to one all-or-nothing edit command. An edit that arrived
 * from another phone while the form was open is therefore not overwritten: the model keeps it
 * beside ours as a visible conflict.
 *
 * Invariant: `save()` calls its command at most once, and the draft closes only when the command
 * accepted; a refusal keeps the form open with what the person typed.
 */

import type { EditId } from '$lib/domain/ids';
import { err, type Result } from '$lib/domain/result';

export type DraftValue = string | number;
/** A field as the screen shows it: its value and its heads (`FieldState` has both). */
export type ShownField<V extends DraftValue = DraftValue> = Readonly<{
	value: V;
	heads: readonly EditId[];
}>;
/** One changed field for an edit command: the new value and the heads the editor saw. */
export type DraftChange<V extends DraftValue = DraftValue> = Readonly<{
	value: V;
	seen: readonly EditId[];
}>;
export type DraftChanges<T extends Record<string, DraftValue>> = {
	readonly [F in keyof T]?: DraftChange<T[F]>;
};
export type ShownFields<T extends Record<string, DraftValue>> = {
	readonly [F in keyof T]: ShownField<T[F]>;
};

type Basis<T extends Record<string, DraftValue>> = Readonly<{
	values: Readonly<T>;
	heads: { readonly [F in keyof T]: readonly EditId[] };
}>;

export class FieldDraft<T extends Record<string, DraftValue>> {
	readonly fields: readonly (keyof T & string)[];
	#basis = $state<Basis<T> | null>(null);
	/** What the form shows and edits (bind inputs to it); null while the draft is closed. */
	values = $state<T | null>(null);

	constructor(fields: readonly (keyof T & string)[]) {
		this.fields = fields;
	}

	get isOpen(): boolean {
		return this.#basis !== null;
	}

	/** The values as they were when the form opened; null while closed. */
	get opened(): Readonly<T> | null {
		return this.#basis?.values ?? null;
	}

	/** Starts editing over what the screen shows now. Reopening starts again from `shown`. */
	open(shown: ShownFields<T>): void {
		const values = {} as T;
		const heads = {} as { [F in keyof T]: readonly EditId[] };
		for (const field of this.fields) {
			values[field] = shown[field].value;
			heads[field] = [...shown[field].heads];
		}
		this.#basis = { values: Object.freeze({ ...values }), heads };
		this.values = values;
	}

	/** The fields whose value differs from the opened one, each over the heads seen at open. */
	changes(edited: Readonly<T> | null = this.values): DraftChanges<T> {
		const basis = this.#basis;
		if (basis === null || edited === null) return {};
		const changes: { [F in keyof T]?: DraftChange<T[F]> } = {};
		for (const field of this.fields) {
			if (edited[field] !== basis.values[field]) {
				changes[field] = { value: edited[field], seen: basis.heads[field] };
			}
		}
		return changes;
	}

	/**
	 * Hands the changes to one all-or-nothing edit command and closes on success. `edited`
	 * defaults to `values` (forms that keep their own state pass theirs).
	 */
	save<S, R extends string>(
		command: (changes: DraftChanges<T>) => Result<S, R>,
		edited: Readonly<T> | null = this.values
	): Result<S, R | 'draft_not_open'> {
		if (this.#basis === null) return err('draft_not_open');
		const result = command(this.changes(edited));
		if (result.ok) this.close();
		return result;
	}

	close(): void {
		this.#basis = null;
		this.values = null;
	}
}
