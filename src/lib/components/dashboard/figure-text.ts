/**
 * How the dashboard and the report write their figures: a share as a percentage with one
 * decimal, a duration as days with one decimal, nothing as a dash; the same text on the screen,
 * on paper and in the workbook.
 */
const DAY_MS = 86_400_000;

export function rateText(rate: number | null): string {
	return rate === null ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

export function daysText(ms: number | null): string {
	return ms === null ? '—' : (Math.round((ms / DAY_MS) * 10) / 10).toFixed(1);
}

export function hoursText(hours: number): string {
	return String(Math.round(hours * 10) / 10);
}
