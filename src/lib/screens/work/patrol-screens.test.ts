import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DayKey } from '$lib/domain/due-date';
import { listCases } from '$lib/model/case';
import {
	listHours,
	listPatrolRoutes,
	listPatrolRuns,
	readPatrolRoute,
	readPatrolRun
} from '$lib/model/work';
import { PatrolRouteScreen, PatrolRoutesScreen, PatrolRunScreen } from './patrol-screens.svelte';
import { LI, OBSERVER, QIAN, ZHAO, as, liveSource } from './testing';

const CALENDAR = { zone: () => 'Asia/Shanghai', today: () => '2025-03-03' as DayKey };

function withRoute() {
	const doc = new Y.Doc();
	const routes = new PatrolRoutesScreen(
		liveSource(doc, (d) => listPatrolRoutes(d)),
		as(LI)
	);
	routes.draft = {
		name: '啄木鸟巡查 东片',
		area: '幸福里小区',
		gridId: 'g1',
		checklist: '消防通道畅通\n无飞线充电',
		weekdays: [3],
		hoursPerRun: 2
	};
	if (!routes.create()) throw new Error(String(routes.problem));
	const routeId = routes.current.routes[0]!.id;
	const source = liveSource(doc, (d) => ({
		route: readPatrolRoute(d, routeId),
		runs: listPatrolRuns(d, routeId)
	}));
	const route = (member = ZHAO) => new PatrolRouteScreen(source, as(member), routeId, CALENDAR);
	return { doc, routes, route };
}

describe('PatrolRoutesScreen', () => {
	it('offers staff the new-route form; a refusal keeps it open with its reason', () => {
		const doc = new Y.Doc();
		const source = liveSource(doc, (d) => listPatrolRoutes(d));
		expect(new PatrolRoutesScreen(source, as(ZHAO)).current.canCreate).toBe(false);
		const li = new PatrolRoutesScreen(source, as(LI));
		expect(li.current.canCreate).toBe(true);
		li.adding = true;
		expect(li.create()).toBe(false);
		expect(li.problem).toBe('name_required');
		expect(li.adding).toBe(true);
		li.toggleDay(3);
		expect(li.draft.weekdays).toEqual([0]);
		li.cancel();
		expect(li.problem).toBeNull();
	});
});

describe('PatrolRouteScreen', () => {
	it('shows the next patrol day and starts a run on the community calendar', () => {
		const { routes, route } = withRoute();
		expect(routes.adding).toBe(false);
		const zhao = route(ZHAO);
		expect(zhao.current).toMatchObject({ nextDay: '2025-03-05', canStart: true, runs: [] });
		expect(route(OBSERVER).current?.canStart).toBe(false);
		expect(route(OBSERVER).start()).toBeNull();
		expect(route(OBSERVER).current).not.toBeNull();
		const runId = zhao.start();
		expect(runId).not.toBeNull();
		expect(zhao.current?.runs.map((run) => run.id)).toEqual([runId]);
	});
});

describe('PatrolRunScreen', () => {
	function withRun() {
		const { doc, route } = withRoute();
		const runId = route(ZHAO).start()!;
		const source = liveSource(doc, (d) => readPatrolRun(d, runId));
		return { doc, run: (member = ZHAO) => new PatrolRunScreen(source, as(member), runId) };
	}

	it("is open to its runner and staff, not to another volunteer's phone", () => {
		const { run } = withRun();
		expect(run(ZHAO).current).toMatchObject({ mayRun: true, open: true, unticked: 2 });
		expect(run(LI).current).toMatchObject({ mayRun: true, open: true });
		const qian = run(QIAN);
		expect(qian.current).toMatchObject({ mayRun: false, open: false, mayReport: false });
		expect(qian.tick(0, true)).toBe(false);
		expect(qian.problem).toBe('not_allowed');
	});

	it('ticks, notes a finding, finishes and credits the runner', () => {
		const { doc, run } = withRun();
		const zhao = run(ZHAO);
		expect(zhao.tick(0, true)).toBe(true);
		expect(zhao.current?.unticked).toBe(1);
		expect(zhao.addFinding()).toBe(false);
		expect(zhao.problem).toBe('note_required');
		zhao.report.note = '7号楼北侧飞线充电';
		expect(zhao.addFinding()).toBe(true);
		expect(zhao.report.note).toBe('');
		expect(zhao.current?.run.findings.map((f) => f.note)).toEqual(['7号楼北侧飞线充电']);
		expect(zhao.finish()).toBe(true);
		expect(zhao.current?.open).toBe(false);
		expect(zhao.tick(1, true)).toBe(false);
		expect(zhao.problem).toBe('run_finished');
		expect(listHours(doc).map((h) => [h.memberId, h.hours, h.source])).toEqual([
			['m-zhao', 2, 'patrol']
		]);
	});

	it('reports a finding as a case on the grid board and links it', () => {
		const { run } = withRun();
		const li = run(LI);
		li.report.note = '消防通道堆放杂物\n二单元门口';
		li.addFinding();
		const finding = li.current!.run.findings[0]!;
		const board = new Y.Doc();
		expect(li.current?.mayReport).toBe(true);
		expect(li.reportFinding(finding, board, '巡查发现')).toBe(true);
		const cases = listCases(board);
		expect(cases.map((c) => [c.title, c.channel])).toEqual([['消防通道堆放杂物', 'patrol']]);
		expect(li.current?.run.findings[0]?.caseRef).toEqual({ gridId: 'g1', caseId: cases[0]!.id });
	});
});
