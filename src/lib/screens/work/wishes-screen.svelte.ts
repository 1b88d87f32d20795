/**
 * The micro-wishes list: the wishes this member sees (volunteers only published ones; recorded
 * wishes are the staff's drafts) and the staff's form to record a new one.
 *
 * Invariant: the record command's refusal lands in `problem`; the form closes only on success.
 */

import { isStaff } from '$lib/domain/task-rules';
import { recordWish, type WishSnapshot } from '$lib/model/work';
import { WorkScreen } from './work-screen.svelte';

export class WishesScreen extends WorkScreen<readonly WishSnapshot[]> {
	adding = $state(false);
	draft = $state({ who: '', what: '', gridId: '', hours: 1 });

	get current(): Readonly<{ wishes: readonly WishSnapshot[]; staff: boolean }> {
		const staff = isStaff(this.member.role);
		const wishes = this.source.snapshot.current.filter(
			(wish) => staff || wish.status !== 'recorded'
		);
		return { wishes, staff };
	}

	record(): boolean {
		const input = { ...this.draft, hours: Number(this.draft.hours) };
		if (!this.settle(recordWish(this.source.doc, input, this.context()))) return false;
		this.adding = false;
		this.draft = { ...this.draft, who: '', what: '' };
		return true;
	}

	cancel(): void {
		this.adding = false;
		this.dismiss();
	}
}
