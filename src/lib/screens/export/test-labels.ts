/**
 * Test words for the community ZIP: every column and value labelled by its own name with a
 * prefix, so a test can tell which table a header came from.
 *
 * Invariant: test-only data; nothing in the app imports it.
 */
import { HOUSEHOLD_EXPORT_COLUMNS } from '$lib/domain/household-export';
import { HOUSEHOLD_COLOURS, RESIDENT_RELATIONS, RESIDENT_TAGS } from '$lib/domain/household';
import { LEDGER_COLUMNS } from '../case/ledger-export';
import type { ZipLabels } from './community-zip';
import { MEETING_COLUMNS, TASK_COLUMNS, WISH_COLUMNS } from './zip-tables';

const keyed = <C extends string>(columns: readonly C[], prefix: string) =>
	Object.fromEntries(columns.map((c) => [c, `${prefix}:${c}`])) as Record<C, string>;
export const LABELS: ZipLabels = {
	ledger: {
		columns: keyed(LEDGER_COLUMNS, '列'),
		grid: (id) => `网格${id}`,
		category: (id) => id,
		channel: (id) => id,
		status: (id) => id,
		tier: (id) => id,
		priority: (id) => id,
		handling: (id) => id,
		satisfaction: (id) => id,
		time: (at) => new Date(at).toISOString(),
		entry: (entry) => entry.kind,
		yes: '是',
		no: '否'
	},
	households: {
		headers: keyed(HOUSEHOLD_EXPORT_COLUMNS, '户'),
		colours: keyed(HOUSEHOLD_COLOURS, '色'),
		relations: keyed(RESIDENT_RELATIONS, '关系'),
		tags: keyed(RESIDENT_TAGS, '标签')
	},
	work: {
		tasks: keyed(TASK_COLUMNS, '任务'),
		wishes: keyed(WISH_COLUMNS, '心愿'),
		meetings: keyed(MEETING_COLUMNS, '会议'),
		grid: (id) => (id ? `网格${id}` : '全社区'),
		taskStatus: (s) => s,
		wishStatus: (s) => s,
		meetingType: (t) => t,
		meetingStatus: (s) => s,
		time: (at) => new Date(at).toISOString()
	},
	sheets: { board: '台账', households: '住户', tasks: '任务', wishes: '心愿', meetings: '会议' }
};
