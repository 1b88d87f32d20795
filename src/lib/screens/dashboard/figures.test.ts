/**
 * The dashboard's periods and blocks: this week / month / quarter / chosen days as instants in
 * the community's zone; the blocks from stored summaries (a grid without one is missing, not
 * zeros; a block's "as of" is its oldest part's); totals equal the figures counted per grid; the
 * report's workbook reads back with the same numbers on its sheets.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DAY_MS } from '$lib/domain/case-deadline';
import { DEFAULT_VISIT_PLAN } from '$lib/domain/household';
import { openAndOverdue } from '$lib/domain/summaries';
import { applyCaseStatusAction, createCase } from '$lib/model/case';
import { caseContext, WANG } from '$lib/model/testing/fixtures';
import { summarizeBoard } from '$lib/model/summary';
import { tablesXlsx } from '$lib/spreadsheets/write';
import {
	combineStamps,
	dashboardFigures,
	parseDayRange,
	periodDays,
	rangeOfDays,
	type DashboardInput
} from './figures';
import { reportSheets, type ReportLabels } from './report-sheets';

const ZONE = 'Asia/Shanghai';
// Wednesday 2026-05-13, 10:00 in Shanghai.
const NOW = Date.parse('2026-05-13T02:00:00Z');

function boardWith(cases: readonly [created: number, resolved: number | null][]) {
	const doc = new Y.Doc();
	for (const [created, resolved] of cases) {
		const made = createCase(
			doc,
			{ title: '楼道灯', category: 'public_facilities', location: '1号楼' },
			caseContext(WANG, created)
		);
		if (!made.ok) throw new Error(made.reason);
		if (resolved !== null)
			applyCaseStatusAction(doc, made.value, 'resolve', {}, caseContext(WANG, resolved));
	}
	return summarizeBoard(doc);
}

describe('periods', () => {
	it('week from Monday, month, quarter and chosen days, in the community zone', () => {
		expect(periodDays('week', NOW, ZONE)).toEqual({ fromDay: '2026-05-11', toDay: '2026-05-17' });
		expect(periodDays('month', NOW, ZONE)).toEqual({ fromDay: '2026-05-01', toDay: '2026-05-31' });
		expect(periodDays('quarter', NOW, ZONE)).toEqual({
			fromDay: '2026-04-01',
			toDay: '2026-06-30'
		});
		// 2026-01-01 07:00 in Shanghai is still 2025-12-31 in UTC: the zone decides.
		expect(periodDays('month', Date.parse('2025-12-31T23:00:00Z'), ZONE).fromDay).toBe(
			'2026-01-01'
		);
		const range = rangeOfDays({ fromDay: '2026-05-01', toDay: '2026-05-31' }, ZONE);
		expect(range.from).toBe(Date.parse('2026-04-30T16:00:00Z'));
		expect(range.to).toBe(Date.parse('2026-05-31T16:00:00Z'));
		expect(parseDayRange(new URLSearchParams('from=2026-05-01&to=2026-05-31'))).toEqual({
			fromDay: '2026-05-01',
			toDay: '2026-05-31'
		});
		expect(parseDayRange(new URLSearchParams('from=2026-05-31&to=2026-05-01'))).toBeNull();
		expect(parseDayRange(new URLSearchParams('from=2026-02-30&to=2026-03-01'))).toBeNull();
	});

	it('a block is as of its oldest part, live only when all are', () => {
		expect(
			combineStamps([
				{ asOf: 5, live: true },
				{ asOf: 3, live: false }
			])
		).toEqual({ asOf: 3, live: false });
		expect(
			combineStamps([
				{ asOf: 5, live: true },
				{ asOf: null, live: false }
			]).asOf
		).toBeNull();
		expect(combineStamps([{ asOf: 5, live: true }])).toEqual({ asOf: 5, live: true });
		expect(combineStamps([])).toEqual({ asOf: null, live: false });
	});
});

describe('dashboard figures', () => {
	const range = rangeOfDays(periodDays('month', NOW, ZONE), ZONE);
	const inMay = range.from + DAY_MS;
	const april = range.from - 10 * DAY_MS;
	const g1 = boardWith([
		[inMay, inMay + 2 * DAY_MS],
		[inMay, null],
		[april, inMay]
	]);
	const g2 = boardWith([[inMay + DAY_MS, inMay + 5 * DAY_MS]]);
	const input: DashboardInput = {
		grids: [
			{ id: 'g1', name: '一网格' },
			{ id: 'g2', name: '二网格' },
			{ id: 'g3', name: '三网格' }
		],
		board: (gridId) =>
			gridId === 'g1'
				? { summary: g1, asOf: 1000, live: false }
				: gridId === 'g2'
					? { summary: g2, asOf: 2000, live: true }
					: null,
		households: null,
		work: null,
		meetings: null,
		range,
		now: NOW,
		rules: {},
		zone: ZONE,
		plan: DEFAULT_VISIT_PLAN
	};

	it('per grid and in total; a grid without a summary is missing, not zeros', () => {
		const figures = dashboardFigures(input);
		expect(figures.missing).toEqual(['g3']);
		expect(figures.grids[2]!.figures).toBeNull();
		expect(figures.grids[0]!.figures).toMatchObject({ collected: 2, resolved: 2, open: 1 });
		expect(figures.grids[1]!.figures).toMatchObject({ collected: 1, resolved: 1, open: 0 });
		expect(figures.totals).toMatchObject({
			collected: 3,
			resolved: 3,
			open: 1,
			resolutionRate: 2 / 3
		});
		// Close times in May: 2 days, 11 days (the April case), 4 days: the median is 4.
		expect(figures.totals!.medianTimeToClose).toBe(4 * DAY_MS);
		// The oldest of the grids that have figures (the missing one is listed apart).
		expect(figures.boardsStamp).toEqual({ asOf: 1000, live: false });
		expect(figures.households).toBeNull();
		expect(figures.work).toBeNull();
		// The trend: six months back to May, zeros filled.
		expect(figures.trend.map((m) => m.month)).toEqual([
			'2025-12',
			'2026-01',
			'2026-02',
			'2026-03',
			'2026-04',
			'2026-05'
		]);
		expect(figures.trend.at(-2)).toEqual({ month: '2026-04', collected: 1, resolved: 0 });
		expect(figures.trend.at(-1)).toEqual({ month: '2026-05', collected: 3, resolved: 3 });
		expect(figures.byCategory).toEqual([{ key: 'public_facilities', count: 3 }]);
	});

	it('the report workbook reads back with the same totals on its sheets', async () => {
		const figures = dashboardFigures({
			...input,
			board: (id) => (id === 'g3' ? null : input.board(id))
		});
		const text = (key: string) => key;
		const labels: ReportLabels = {
			sheets: {
				summary: '汇总',
				trend: '按月趋势',
				categories: '按类别',
				work: '志愿服务',
				mediation: '调解',
				households: '住户'
			},
			header: ['幸福社区工作报表', '2026-05-01 至 2026-05-31', '数据截至'],
			gridColumns: ['网格', '收集', '办结', '在办', '超期', '上报', '办结率', '中位数'],
			total: '全部网格',
			month: '月份',
			collected: '收集',
			resolved: '办结',
			category: '类别',
			handling: '处置方式',
			count: '件数',
			categoryName: text,
			handlingName: text,
			monthName: text,
			work: {
				hours: '时长',
				tasksDone: '任务',
				patrolsDone: '巡查完成',
				patrolsPlanned: '巡查计划',
				member: '志愿者',
				memberHours: '小时'
			},
			mediation: { sessions: '场次', decided: '有结果', agreed: '成功', rate: '成功率' },
			households: {
				total: '住户',
				colours: { green: '绿', yellow: '黄', red: '红' },
				due: '待走访',
				done: '已走访',
				overdue: '超期',
				inRange: '时段内'
			}
		};
		const sheets = reportSheets(figures, labels, false);
		const xlsx = await tablesXlsx(sheets);
		const { default: readXlsxFile } = await import('read-excel-file/node');
		const read = await readXlsxFile(Buffer.from(await xlsx.arrayBuffer()));
		expect(read.map((sheet) => sheet.sheet)).toEqual([
			'汇总',
			'按月趋势',
			'按类别',
			'志愿服务',
			'调解'
		]);
		const summary = read[0]!.data;
		expect(summary[0]![0]).toBe('幸福社区工作报表');
		const total = summary.find((row) => row[0] === '全部网格')!;
		const overdue = openAndOverdue(g1, NOW).overdue + openAndOverdue(g2, NOW).overdue;
		expect(total.slice(1, 7)).toEqual([3, 3, 1, overdue, 0, 66.7]);
		const g3 = summary.find((row) => row[0] === '三网格')!;
		expect(g3.slice(1).every((cell) => cell === null)).toBe(true);
		expect(read[1]!.data.at(-1)).toEqual(['2026-05', 3, 3]);
	});
});
