/** Builds a grid's NoticeScreen from what the app holds (membership, directory, roster). */
import { m } from '$lib/paraglide/messages.js';
import { directoryDocName } from '$lib/domain/ids';
import type { NoticeDuty } from '$lib/domain/notice-duties';
import { readDirectory } from '$lib/model/directory';
import { getAppState } from '$lib/reactive/app-context.svelte';
import { getCommunityRoster } from '$lib/reactive/community-roster.svelte';
import { useDoc } from '$lib/reactive/use-doc.svelte';
import { NoticeScreen } from '$lib/screens/directory/notice-screen.svelte';
import { createNoticeApi } from '$lib/sync/notice-api';

export const DUTY_LABELS: Record<NoticeDuty, () => string> = {
	grid_leader: m.notice_duty_grid_leader,
	grid_worker: m.notice_duty_grid_worker,
	building_leader: m.notice_duty_building_leader,
	volunteer: m.notice_duty_volunteer
};

export function noticeScreen(communityId: string, gridId: string): NoticeScreen {
	const app = getAppState();
	const roster = getCommunityRoster();
	const directory = useDoc(directoryDocName(communityId), readDirectory);
	return new NoticeScreen({
		api: createNoticeApi(app.api),
		tokens: app.tokens,
		communityId,
		gridId,
		role: app.claims.role,
		communityName: () => app.membership?.community.name ?? communityId,
		gridName: () =>
			directory.snapshot.current.grids.find((grid) => grid.id === gridId)?.name ?? null,
		roster: () => roster.current,
		dutyLabel: (duty) => DUTY_LABELS[duty]()
	});
}
