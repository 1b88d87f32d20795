/**
 * The ledger settings' screen model: the community's categories, deadline days, time zone and
 * household visit plan (the directory document's settings), whether this member may change them, and the commands
 * that do.
 *
 * Invariant: the only caller of the settings commands; every method returns the command's
 * result for the view to show, and the context is read when the command runs.
 */
import type { Tier } from '$lib/domain/case-options';
import type { HouseholdColour } from '$lib/domain/household';
import type { Result } from '$lib/domain/result';
import {
	addCategory,
	mayEditDirectory,
	renameCategory,
	setCategoryHidden,
	setCommunityTimeZone,
	setDeadlineDays,
	setVisitInterval,
	type CommunitySettings,
	type DirectoryContext,
	type SettingsReason
} from '$lib/model/directory';
import type { DocHandle } from '$lib/reactive/use-doc.svelte';

export type SettingsView = Readonly<{
	ready: boolean;
	settings: CommunitySettings;
	/** Settings are the secretary's (docs/access.md). */
	mayEdit: boolean;
}>;

export type SettingsResult = Result<unknown, SettingsReason>;

export class SettingsScreen {
	readonly #directory: Pick<DocHandle<CommunitySettings>, 'doc' | 'snapshot' | 'ready'>;
	readonly #context: () => DirectoryContext;

	constructor(
		directory: Pick<DocHandle<CommunitySettings>, 'doc' | 'snapshot' | 'ready'>,
		context: () => DirectoryContext
	) {
		this.#directory = directory;
		this.#context = context;
	}

	get current(): SettingsView {
		return Object.freeze({
			ready: this.#directory.ready,
			settings: this.#directory.snapshot.current,
			mayEdit: mayEditDirectory(this.#context())
		});
	}

	addCategory(label: string): SettingsResult {
		return addCategory(this.#directory.doc, label, this.#context());
	}

	renameCategory(id: string, label: string): SettingsResult {
		return renameCategory(this.#directory.doc, id, label, this.#context());
	}

	setCategoryHidden(id: string, hidden: boolean): SettingsResult {
		return setCategoryHidden(this.#directory.doc, id, hidden, this.#context());
	}

	/** `days` as typed in the table's number field. */
	setDeadlineDays(category: string, tier: Tier, days: string): SettingsResult {
		return setDeadlineDays(this.#directory.doc, category, tier, Number(days), this.#context());
	}

	/** The zone as typed; an empty field saves the zone shown (settling a conflict on it). */
	setTimeZone(typed: string): SettingsResult {
		const zone = typed.trim() || this.#directory.snapshot.current.timeZone;
		return setCommunityTimeZone(this.#directory.doc, zone, this.#context());
	}

	/** Days between visits for a colour, as typed in its number field. */
	setVisitInterval(colour: HouseholdColour, days: string): SettingsResult {
		return setVisitInterval(this.#directory.doc, colour, Number(days), this.#context());
	}
}
