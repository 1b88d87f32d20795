/**
 * The service-hours screen: this member's own records and total; for staff, the monthly totals
 * and the chosen month's records by volunteer (the CSV export is built from the same month).
 *
 * Invariant: reads only; months are the community's calendar months (domain/due-date.ts).
 */

import { monthKeyOf } from '$lib/domain/due-date';
import {
	hoursInMonth,
	monthlyTotals,
	sumHours,
	totalsByVolunteer,
	type HourRecord
} from '$lib/domain/service-hours';
import { isStaff } from '$lib/domain/task-rules';
import { WorkScreen, type ContextSource, type DocSource } from './work-screen.svelte';

export class HoursScreen extends WorkScreen<readonly HourRecord[]> {
	/** The month staff look at (`YYYY-MM`), this month to start with. */
	month = $state('');
	readonly #zone: () => string;

	constructor(
		source: DocSource<readonly HourRecord[]>,
		context: ContextSource,
		zone: () => string
	) {
		super(source, context);
		this.#zone = zone;
		this.month = monthKeyOf(Date.now(), zone());
	}

	get current() {
		const records = this.source.snapshot.current;
		const { memberId, role } = this.member;
		const mine = records.filter((record) => record.memberId === memberId);
		const inMonth = hoursInMonth(records, this.month, this.#zone());
		return {
			mine,
			mineTotal: sumHours(mine),
			staff: isStaff(role),
			months: monthlyTotals(records, this.#zone()),
			inMonth,
			byVolunteer: totalsByVolunteer(inMonth)
		};
	}
}
