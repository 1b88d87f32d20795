/**
 * The tasks document's summary (domain/summaries.ts `WorkSummary`): tasks, service hours, patrol
 * routes and runs, wishes, as compact facts a dashboard reads for any range without the document.
 *
 * Invariant: a pure function of the document; deleted routes stay (with the day they were
 * deleted), so the patrols a range planned before the deletion still count.
 */
import type * as Y from 'yjs';
import { WISH_STATUSES } from '../../domain/wish-status';
import { TASK_STATUSES } from '../../domain/task-rules';
import { DEFAULT_TIME_ZONE, dayKeyOf, isWeekday } from '../../domain/due-date';
import { SUMMARY_VERSIONS, type WorkSummary } from '../../domain/summaries';
import { firstOf, parseWorkRecord, patrolRoutesMap, readHistory, readString } from './schema';
import { listTasks } from './readers';
import { listPatrolRuns } from './patrols';
import { listWishes } from './wishes';
import { listHours } from './service-hours';

const tally = (values: readonly string[], keys: readonly string[]) => {
	const out: Record<string, number> = Object.fromEntries(keys.map((key) => [key, 0]));
	for (const value of values) out[value] = (out[value] ?? 0) + 1;
	return out;
};

export function summarizeWork(doc: Y.Doc, zone: string = DEFAULT_TIME_ZONE): WorkSummary {
	const tasks = listTasks(doc);
	const hours = listHours(doc);
	const wishes = listWishes(doc);
	const runs = listPatrolRuns(doc);

	const routes: WorkSummary['routes'][number][] = [];
	for (const [key, value] of patrolRoutesMap(doc).entries()) {
		const record = parseWorkRecord(key, value);
		const createdAt = record?.map.get('createdAt');
		if (!record || typeof createdAt !== 'number') continue;
		const weekdays = record.map.get('weekdays');
		const deleted = firstOf(readHistory(record), 'deleted');
		routes.push({
			id: record.id,
			gridId: readString(record.map, 'gridId'),
			weekdays: Array.isArray(weekdays) ? weekdays.filter(isWeekday) : [],
			fromDay: dayKeyOf(createdAt, zone),
			deletedDay: deleted ? dayKeyOf(deleted.at, zone) : null
		});
	}
	routes.sort((a, b) => (a.id < b.id ? -1 : 1));
	const routeIndex = new Map(routes.map((route, i) => [route.id, i]));

	const members: { id: string; name: string }[] = [];
	const memberIndex = new Map<string, number>();
	const hourMember = hours.map((record) => {
		let index = memberIndex.get(record.memberId);
		if (index === undefined) {
			index = members.length;
			members.push({ id: record.memberId, name: record.name });
			memberIndex.set(record.memberId, index);
		}
		return index;
	});

	return Object.freeze({
		kind: 'tasks',
		version: SUMMARY_VERSIONS.tasks,
		tasks: {
			createdAt: Float64Array.from(tasks, (task) => task.createdAt),
			doneAt: Float64Array.from(tasks, (task) => task.completions[0]?.at ?? NaN),
			confirmedAt: Float64Array.from(tasks, (task) => task.confirmation?.at ?? NaN),
			status: Uint8Array.from(tasks, (task) => TASK_STATUSES.indexOf(task.status))
		},
		hours: {
			at: Float64Array.from(hours, (record) => record.at),
			hours: Float64Array.from(hours, (record) => record.hours),
			member: Uint16Array.from(hourMember)
		},
		members,
		routes,
		runs: {
			day: runs.map((run) => run.day),
			route: Uint16Array.from(runs, (run) => routeIndex.get(run.routeId) ?? 65535),
			finishedAt: Float64Array.from(runs, (run) => run.finishedAt ?? NaN)
		},
		wishes: {
			createdAt: Float64Array.from(wishes, (wish) => wish.createdAt),
			status: Uint8Array.from(wishes, (wish) => WISH_STATUSES.indexOf(wish.status))
		},
		taskStatus: tally(
			tasks.map((task) => task.status),
			TASK_STATUSES
		),
		wishStatus: tally(
			wishes.map((wish) => wish.status),
			WISH_STATUSES
		),
		totalHours: hours.reduce((sum, record) => sum + record.hours, 0)
	});
}
