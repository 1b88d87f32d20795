/**
 * The community's time zone for every screen under `/c/[community]`, handed down through
 * context: the community layout opens the directory document once and reads its `timeZone`
 * setting; pages and components ask `getCommunityDates()` for the zone to show dates in
 * (lib/components/format.ts) and to turn typed days into deadlines (lib/domain/due-date.ts).
 *
 * The directory opens once the sync engine has started (`AppState.syncStarted`), its reader
 * loaded then too, so the community layout renders without waiting for Yjs.
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
import { DocSnapshot } from './doc-snapshot.svelte';
import type { AppState } from './app-context.svelte';

const KEY = Symbol('gridboard-community-dates');

export class CommunityDates {
	#snapshot = $state<DocSnapshot<string> | null>(null);

	constructor(snapshot: DocSnapshot<string> | null) {
		this.#snapshot = snapshot;
	}

	/** The directory has been opened: from now on the zone is its setting. */
	attach(snapshot: DocSnapshot<string>): void {
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
	const dates = new CommunityDates(null);
	if (app.communityId !== '') {
		const docName = directoryDocName(app.communityId as CommunityId);
		let close: (() => void) | null = null;
		let destroyed = false;
		void app.whenSyncStarted.then(async (registry) => {
			const { readCommunityTimeZone } = await import('$lib/model/directory');
			if (destroyed) return;
			const lease = registry.acquire(docName);
			const snapshot = new DocSnapshot(lease.session.doc, readCommunityTimeZone);
			dates.attach(snapshot);
			close = () => {
				snapshot.destroy();
				lease.release();
			};
		});
		// The status bar (root layout) shows its times in this zone too.
		const releaseZone = app.useZoneSource(() => dates.zone);
		onDestroy(() => {
			destroyed = true;
			releaseZone();
			close?.();
		});
	}
	return setContext(KEY, dates);
}

/** The community's dates; outside a community (no provider), the default zone. */
export function getCommunityDates(): CommunityDates {
	return getContext<CommunityDates | undefined>(KEY) ?? new CommunityDates(null);
}
