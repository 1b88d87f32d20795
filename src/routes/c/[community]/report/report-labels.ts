/**
 * The report workbook's labels in the reader's language (screens/dashboard/report-sheets.ts takes
 * them as given).
 */
import { m } from '$lib/paraglide/messages.js';
import { handlingLabel } from '$lib/components/labels';
import type { ReportLabels } from '$lib/screens/dashboard/report-sheets';

export function reportLabels(parts: {
	title: string;
	period: string;
	asOf: string;
	categoryName: (key: string) => string;
	monthName: (key: string) => string;
}): ReportLabels {
	return {
		sheets: {
			summary: m.report_sheet_summary(),
			trend: m.dashboard_trend(),
			categories: m.dashboard_by_category(),
			work: m.dashboard_work(),
			mediation: m.dashboard_mediation(),
			households: m.dashboard_households()
		},
		header: [parts.title, parts.period, parts.asOf],
		gridColumns: [
			m.dashboard_grid(),
			m.dashboard_collected(),
			m.dashboard_resolved(),
			m.dashboard_open(),
			m.dashboard_overdue(),
			m.dashboard_escalated(),
			`${m.dashboard_rate()} (%)`,
			m.dashboard_median()
		],
		total: m.dashboard_total(),
		month: m.dashboard_month(),
		collected: m.dashboard_collected(),
		resolved: m.dashboard_resolved(),
		category: m.dashboard_category(),
		handling: m.dashboard_handling(),
		count: m.dashboard_count(),
		categoryName: parts.categoryName,
		handlingName: (key) => handlingLabel(key),
		monthName: parts.monthName,
		work: {
			hours: m.dashboard_hours(),
			tasksDone: m.dashboard_tasks_done(),
			patrolsDone: m.dashboard_patrols_done(),
			patrolsPlanned: m.dashboard_patrols_planned(),
			member: m.dashboard_member(),
			memberHours: m.dashboard_member_hours()
		},
		mediation: {
			sessions: m.dashboard_mediation_sessions(),
			decided: m.dashboard_mediation_decided(),
			agreed: m.dashboard_mediation_agreed(),
			rate: `${m.dashboard_mediation_rate()} (%)`
		},
		households: {
			total: m.dashboard_households_total(),
			colours: {
				green: m.dashboard_colour_green(),
				yellow: m.dashboard_colour_yellow(),
				red: m.dashboard_colour_red()
			},
			due: m.dashboard_visits_due(),
			done: m.dashboard_visits_done(),
			overdue: m.dashboard_visits_overdue(),
			inRange: m.dashboard_visits_in_range()
		}
	};
}
