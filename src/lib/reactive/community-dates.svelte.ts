/**
 * The community's time zone for every screen under `/c/[community]`, handed down through
 * context: the community layout opens the directory document once and reads its `timeZone`
 * setting; pages and components ask `getCommunityDates()` for the zone to show dates in
 * (lib/components/format.ts) and to turn typed days into deadlines (lib/domain/due-date.ts).
 *
 * Invariant: the zone is the setting's current value, `Asia/Shanghai` until the directory is
 * read or when no community is open; never the phone's own zone.
 */
import { getContext, onDestroy, setContext } from 'svelte';
import { directoryDocName, type CommunityId } from '$lib/domain/ids';
import {
	dayKeyOf,
	DEFAULT_TIME_ZONE,
	dueDateToDeadline,
	type DayKey,
	type DueDateReason
} from '$lib/domain/due-date';
import type { Result } from '$lib/domain/result';
import { readCommunityTimeZone } from '$lib/model/directory';
import { DocSnapshot } from './doc-snapshot.svelte';
import type { AppState } from './app-context.svelte';

const KEY = Symbol('gridboard-community-dates');

export class CommunityDates {
	readonly #snapshot: DocSnapshot<string> | null;

	constructor(snapshot: DocSnapshot<string> | null) {
		this.#snapshot = snapshot;
	}

	/** The community's IANA time zone. */
	get zone(): string {
		return this.#snapshot?.current ?? DEFAULT_TIME_ZONE;
	}

	/** Today where the community is. */
	today(now: number = Date.now()): DayKey {
		return dayKeyOf(now, this.zone);
	}

	/** A typed due day as a deadline (end of that day here), refused when it is over. */
	deadlineOf(key: string, now: number = Date.now()): Result<number, DueDateReason> {
		return dueDateToDeadline(key, now, this.zone);
	}
}

/** Opens the directory for the component's lifetime (call during init of the community layout). */
export function provideCommunityDates(app: AppState): CommunityDates {
	let dates = new CommunityDates(null);
	if (app.communityId !== '') {
		const lease = app.registry.acquire(directoryDocName(app.communityId as CommunityId));
		const snapshot = new DocSnapshot(lease.session.doc, readCommunityTimeZone);
		const opened = new CommunityDates(snapshot);
		dates = opened;
		// The status bar (root layout) shows its times in this zone too.
		const releaseZone = app.useZoneSource(() => opened.zone);
		onDestroy(() => {
			releaseZone();
			snapshot.destroy();
			lease.release();
		});
	}
	return setContext(KEY, dates);
}

/** The community's dates; outside a community (no provider), the default zone. */
export function getCommunityDates(): CommunityDates {
	return getContext<CommunityDates | undefined>(KEY) ?? new CommunityDates(null);
}
