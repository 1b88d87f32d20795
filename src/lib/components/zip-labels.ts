/**
 * The community ZIP's words in the reader's language and the community's zone
 * (screens/export/community-zip.ts takes them as given): the ledger's and the household export's
 * own labels, and the work and meeting tables' columns and values. The meeting words are the
 * meetings pages' (handed in, as they live beside those pages).
 */
import { m } from '$lib/paraglide/messages.js';
import type { MeetingStatus, MeetingType } from '$lib/domain/meeting-rules';
import type { ZipLabels } from '$lib/screens/export/community-zip';
import type { ZipLabelSource } from '$lib/screens/export/zip-screen.svelte';
import { categoryNamer } from './board-options';
import { ledgerLabels } from './ledger-labels';
import { exportLabels } from './sheet-labels';
import { taskStatusLabel, wishStatusLabel } from './work-labels';

export type MeetingWords = Readonly<{
	type: (type: MeetingType) => string;
	status: (status: MeetingStatus) => string;
}>;

export function zipLabels(community: ZipLabelSource, meetings: MeetingWords): ZipLabels {
	const zone = community.settings.timeZone;
	const names = new Map(community.grids.map((grid) => [grid.id as string, grid.name]));
	const grid = (id: string) => (id ? (names.get(id) ?? id) : m.zip_whole_community());
	const ledger = ledgerLabels(zone, grid, categoryNamer(community.settings));
	return {
		ledger,
		households: exportLabels(zone),
		work: {
			tasks: {
				id: m.zip_col_id(),
				grid: m.zip_col_grid(),
				title: m.zip_col_title(),
				status: m.zip_col_status(),
				place: m.zip_col_place(),
				due: m.zip_col_due(),
				volunteersNeeded: m.zip_col_volunteers_needed(),
				claims: m.zip_col_claims(),
				hours: m.zip_col_hours(),
				created: m.zip_col_created(),
				createdBy: m.zip_col_created_by(),
				details: m.zip_col_details()
			},
			wishes: {
				id: m.zip_col_id(),
				grid: m.zip_col_grid(),
				who: m.zip_col_who(),
				what: m.zip_col_what(),
				status: m.zip_col_status(),
				hours: m.zip_col_hours(),
				created: m.zip_col_created()
			},
			meetings: {
				id: m.zip_col_id(),
				title: m.zip_col_title(),
				type: m.zip_col_type(),
				status: m.zip_col_status(),
				startsAt: m.zip_col_starts_at(),
				place: m.zip_col_place(),
				grid: m.zip_col_grid(),
				attendees: m.zip_col_attendees(),
				agenda: m.zip_col_agenda(),
				minutes: m.zip_col_minutes()
			},
			grid,
			taskStatus: taskStatusLabel,
			wishStatus: wishStatusLabel,
			meetingType: meetings.type,
			meetingStatus: meetings.status,
			time: ledger.time
		},
		sheets: {
			board: m.ledger_sheet(),
			households: m.zip_sheet_households(),
			tasks: m.zip_sheet_tasks(),
			wishes: m.zip_sheet_wishes(),
			meetings: m.zip_sheet_meetings()
		}
	};
}
