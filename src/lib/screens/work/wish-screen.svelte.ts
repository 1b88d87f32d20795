/**
 * One micro-wish's screen: the wish with what this member may do (publish, claim, withdraw,
 * fulfil, thank, release a claim), the fulfilment report (a note and photos) and the thanks
 * being written.
 *
 * Invariant: the actions offered follow domain/wish-status.ts for this member and this status;
 * every command result lands in `problem`.
 */

import { createContext } from 'svelte';
import { isStaff, ownClaim, type RankedClaim } from '$lib/domain/task-rules';
import { canWishAction } from '$lib/domain/wish-status';
import {
	claimWish,
	fulfilWish,
	publishWish,
	releaseWishClaim,
	thankWish,
	unclaimWish,
	type WishDetail
} from '$lib/model/work';
import { ReportDraft } from './report-draft.svelte';
import {
	entriesById,
	WorkScreen,
	type ContextSource,
	type DocSource,
	type EntriesById
} from './work-screen.svelte';

export type WishView = Readonly<{
	wish: WishDetail;
	staff: boolean;
	mine: RankedClaim | null;
	canPublish: boolean;
	canClaim: boolean;
	canUnclaim: boolean;
	canFulfil: boolean;
	canThank: boolean;
	/** Staff may release a claim until the wish is fulfilled. */
	canRelease: boolean;
	/** Who signed each claim and report (shown with `wish.authorship`). */
	entries: EntriesById;
}>;

export class WishScreen extends WorkScreen<WishDetail | null> {
	/** The fulfilment being written (a note and photos). */
	readonly report = new ReportDraft();
	thanks = $state('');
	readonly #wishId: string;

	constructor(source: DocSource<WishDetail | null>, context: ContextSource, wishId: string) {
		super(source, context);
		this.#wishId = wishId;
	}

	/** The wish and its view facts; null when there is no such wish or it was deleted. */
	get current(): WishView | null {
		const wish = this.source.snapshot.current;
		if (!wish || wish.deleted) return null;
		const { memberId, role } = this.member;
		const staff = isStaff(role);
		const mine = ownClaim(wish.claims, memberId);
		const closed = wish.status === 'fulfilled' || wish.status === 'thanked';
		return {
			wish,
			staff,
			mine,
			canPublish: wish.status === 'recorded' && staff,
			canClaim: wish.status === 'published' && !mine && canWishAction(role, 'claim'),
			canUnclaim: mine !== null && (wish.status === 'published' || wish.status === 'claimed'),
			canFulfil: mine?.standing === 'in_slot' && wish.status === 'claimed',
			canThank: wish.status === 'fulfilled' && staff,
			canRelease: staff && !closed,
			entries: entriesById(wish.history)
		};
	}

	publish(): boolean {
		return this.settle(publishWish(this.source.doc, this.#wishId, this.context()));
	}

	claim(): boolean {
		return this.settle(claimWish(this.source.doc, this.#wishId, this.context()));
	}

	unclaim(): boolean {
		return this.settle(unclaimWish(this.source.doc, this.#wishId, this.context()));
	}

	release(claimId: string): boolean {
		return this.settle(releaseWishClaim(this.source.doc, this.#wishId, claimId, this.context()));
	}

	/** Fulfils the wish with the report; it clears once accepted. */
	fulfil(): boolean {
		return this.report.submit((report) =>
			this.settle(fulfilWish(this.source.doc, this.#wishId, report, this.context()))
		);
	}

	/** Passes on the resident's thanks; the text clears once it is accepted. */
	thank(): boolean {
		if (!this.settle(thankWish(this.source.doc, this.#wishId, this.thanks, this.context()))) {
			return false;
		}
		this.thanks = '';
		return true;
	}
}

export const [getWishScreen, setWishScreen] = createContext<WishScreen>();
