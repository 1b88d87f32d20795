/**
 * Summaries against the documents: on random boards (seeded: a failing seed replays), every
 * figure read from a board's summary equals the same figure counted independently from the
 * document's full case snapshots (timelines read afresh, not through the summary's path); the
 * summary survives structured cloning (what IndexedDB stores) and stays small; the tasks document
 * and the meeting index summaries give their figures for a range.
 */
import { describe, expect, it } from 'vitest';
import { serialize } from 'node:v8';
import * as Y from 'yjs';
import { CASE_CATEGORIES } from '../../domain/case-category';
import { HANDLING_TYPES, SATISFACTIONS, type Satisfaction } from '../../domain/case-options';
import { isOverdue, DAY_MS, type DeadlineRules } from '../../domain/case-deadline';
import { isOpenStatus } from '../../domain/case-status';
import { DEFAULT_TIME_ZONE, monthKeyOf } from '../../domain/due-date';
import { mediationSuccessRate } from '../../domain/mediation-rate';
import type { CaseId } from '../../domain/ids';
import { parseMapPoint } from '../../domain/geo';
import {
	boardFigures,
	boardsFigures,
	boardTrend,
	eachAndTotal,
	HEAD_ROWS,
	isCurrentSummary,
	meetingFigures,
	openAndOverdue,
	summaryCases,
	workFigures,
	type BoardSummary,
	type Range
} from '../../domain/summaries';
import {
	applyCaseStatusAction,
	casesMap,
	createCase,
	escalateCase,
	listCases,
	readCase,
	setCaseDeadline
} from '../case';
import { caseContext, LI, WANG } from '../testing/fixtures';
import { seededRandom, type Random } from '../testing/seeded-random';
import { acting, type TestMember } from '../testing/work-members';
import { createPatrolRoute, finishPatrolRun, startPatrolRun } from '../work/patrols';
import { listHours } from '../work/service-hours';
import { createMeeting, editMeetingField, listMeetings } from '../meeting';
import { summarizeWork } from '../work';
import { summarizeBoard, summarizeMeetings, summarizerFor } from '.';

const T0 = Date.parse('2026-01-05T02:00:00Z');

/** A board of `n` cases with random categories, handling, deadlines, status paths, escalations. */
function randomBoard(random: Random, n: number): Y.Doc {
	const doc = new Y.Doc();
	const categories = [...CASE_CATEGORIES, 'cat-parking'];
	for (let i = 0; i < n; i++) {
		const at = T0 + random.int(0, 200) * DAY_MS + random.int(0, DAY_MS);
		const ctx = (days: number) => caseContext(random.pick([WANG, LI]), at + days * DAY_MS);
		const made = createCase(
			doc,
			{
				title: `问题 ${i}`,
				category: random.pick(categories),
				location: `${i % 9}号楼`,
				handlingType: random.pick(HANDLING_TYPES),
				priority: random.pick(['low', 'normal', 'high', 'urgent']),
				// Placed (anywhere in a small area, or at one shared spot) or not.
				mapPoint: random.pick([
					'',
					`${(106.7 + random.int(0, 9999) / 1e6).toFixed(6)},${(26.5 + random.int(0, 9999) / 1e6).toFixed(6)}`,
					'116.397,39.909'
				])
			},
			ctx(0)
		);
		if (!made.ok) throw new Error(made.reason);
		const id = made.value;
		if (random.next() < 0.3)
			setCaseDeadline(doc, id, at + random.int(1, 20) * DAY_MS, {}, ctx(0.1));
		if (random.next() < 0.25) escalateCase(doc, id, '需社区协调', ctx(random.int(1, 9)));
		const path = random.int(0, 6);
		const step = (action: Parameters<typeof applyCaseStatusAction>[2], days: number, extra = {}) =>
			applyCaseStatusAction(doc, id, action, extra, ctx(days));
		if (path >= 1) step('accept', 1);
		if (path >= 2) step('start', 2);
		if (path >= 3) step('resolve', random.int(3, 40));
		if (path >= 4) {
			const satisfaction: Satisfaction = random.pick(SATISFACTIONS);
			step('review', 45, { satisfaction, note: '回访' });
		}
		if (path >= 5) step('close', 50);
		if (path === 6) step('reopen', 60);
		if (path === 0 && random.next() < 0.2) step('mark_duplicate', 1, { duplicateOf: 'c-other' });
	}
	return doc;
}

/** The figures counted straight from each case's full snapshot (timeline read afresh). */
function figuresFromDocument(
	docs: Y.Doc | readonly Y.Doc[],
	range: Range,
	now: number,
	rules: DeadlineRules
) {
	const inRange = (at: number) => at >= range.from && at < range.to;
	let collected = 0;
	let collectedResolved = 0;
	let resolved = 0;
	let escalated = 0;
	let open = 0;
	let overdue = 0;
	const closeTimes: number[] = [];
	const byCategory: Record<string, number> = {};
	const byHandling: Record<string, number> = {};
	const satisfaction: Record<string, number> = {
		satisfied: 0,
		basically_satisfied: 0,
		dissatisfied: 0
	};
	const months = new Map<string, { collected: number; resolved: number }>();
	const month = (at: number) => {
		const key = monthKeyOf(at, DEFAULT_TIME_ZONE);
		if (!months.has(key)) months.set(key, { collected: 0, resolved: 0 });
		return months.get(key)!;
	};
	const items = (Array.isArray(docs) ? docs : [docs]).flatMap((doc: Y.Doc) =>
		[...casesMap(doc).keys()].map((id) => readCase(doc, id as CaseId)!)
	);
	for (const item of items) {
		const status = item.fields.status.value;
		const done = ['resolved', 'reviewed', 'closed'].includes(status);
		const statusEntries = item.timeline.filter((e) => e.kind === 'status');
		const resolvedAt = done
			? (statusEntries.filter((e) => e.to === 'resolved').at(-1)?.at ?? null)
			: null;
		const wasEscalated = item.timeline.some((e) => e.kind === 'tier' && e.action === 'escalate');
		const deadlineCase = {
			status,
			tier: item.fields.tier.value,
			tierSince: item.tierSince,
			category: item.fields.category.value,
			deadline: item.fields.deadline.value
		};
		if (isOpenStatus(status)) open++;
		if (isOverdue(deadlineCase, now, rules)) overdue++;
		month(item.createdAt).collected++;
		if (resolvedAt !== null) month(resolvedAt).resolved++;
		if (inRange(item.createdAt)) {
			collected++;
			if (resolvedAt !== null) collectedResolved++;
			if (wasEscalated) escalated++;
			const category = item.fields.category.value;
			byCategory[category] = (byCategory[category] ?? 0) + 1;
			const handling = item.fields.handlingType.value;
			byHandling[handling] = (byHandling[handling] ?? 0) + 1;
		}
		if (resolvedAt !== null && inRange(resolvedAt)) {
			resolved++;
			closeTimes.push(resolvedAt - item.createdAt);
		}
		if (item.lastReview && inRange(item.lastReview.at))
			satisfaction[item.lastReview.satisfaction]!++;
	}
	closeTimes.sort((a, b) => a - b);
	const mid = closeTimes.length >> 1;
	return {
		figures: {
			collected,
			resolved,
			open,
			overdue,
			escalated,
			resolutionRate: collected === 0 ? null : collectedResolved / collected,
			medianTimeToClose:
				closeTimes.length === 0
					? null
					: closeTimes.length % 2
						? closeTimes[mid]
						: (closeTimes[mid - 1]! + closeTimes[mid]!) / 2,
			byCategory,
			byHandling,
			satisfaction
		},
		trend: [...months]
			.sort(([a], [b]) => (a < b ? -1 : 1))
			.map(([key, counts]) => ({ month: key, ...counts }))
	};
}

describe('board summary', () => {
	it('every figure equals the count from the document, on random boards and ranges', () => {
		for (let seed = 1; seed <= 12; seed++) {
			const random = seededRandom(seed);
			const doc = randomBoard(random, random.int(0, 120));
			// What IndexedDB stores is a structured clone: figures are read from that.
			const summary = structuredClone(summarizeBoard(doc));
			expect(isCurrentSummary(summary, 'board')).toBe(true);
			const rules: DeadlineRules = random.next() < 0.5 ? {} : { sanitation: { grid: 1 } };
			for (let trial = 0; trial < 5; trial++) {
				const from = T0 + random.int(-10, 200) * DAY_MS;
				const range = { from, to: from + random.int(1, 120) * DAY_MS };
				const now = T0 + random.int(0, 260) * DAY_MS;
				const expected = figuresFromDocument(doc, range, now, rules);
				expect(boardFigures(summary, range, now, rules), `seed ${seed}`).toEqual(expected.figures);
				expect(openAndOverdue(summary, now, rules)).toEqual({
					open: expected.figures.open,
					overdue: expected.figures.overdue
				});
				expect(boardTrend(summary)).toEqual(expected.trend);
			}
			// The head: the board's first open rows in its default order.
			const open = listCases(doc).filter((item) => isOpenStatus(item.status));
			expect(summary.head.map((row) => row.id)).toEqual(
				open.slice(0, HEAD_ROWS).map((item) => item.id)
			);
			expect(summary.open).toBe(open.length);
			// What the map's pins need, per case, equals the case read afresh from the document.
			expect(summaryCases(summary)).toEqual(
				listCases(doc).map((listed) => {
					const item = readCase(doc, listed.id)!;
					return {
						id: item.id,
						createdAt: item.createdAt,
						status: item.fields.status.value,
						tier: item.fields.tier.value,
						tierSince: item.tierSince,
						deadline: item.fields.deadline.value,
						category: item.fields.category.value,
						point: parseMapPoint(item.fields.mapPoint.value)
					};
				})
			);
		}
	});

	it('several boards together: counts summed, rate and median over all their cases', () => {
		for (let seed = 20; seed <= 24; seed++) {
			const random = seededRandom(seed);
			const docs = [1, 2, 3].map(() => randomBoard(random, random.int(0, 60)));
			const summaries = docs.map((doc) => structuredClone(summarizeBoard(doc)));
			const from = T0 + random.int(0, 100) * DAY_MS;
			const range = { from, to: from + random.int(20, 120) * DAY_MS };
			const now = T0 + random.int(0, 260) * DAY_MS;
			const expected = figuresFromDocument(docs, range, now, {});
			expect(boardsFigures(summaries, range, now), `seed ${seed}`).toEqual(expected.figures);
			const { each, total } = eachAndTotal(summaries, range, now);
			expect(total).toEqual(expected.figures);
			docs.forEach((doc, i) =>
				expect(each[i]).toEqual(figuresFromDocument(doc, range, now, {}).figures)
			);
			expect(boardTrend(summaries)).toEqual(expected.trend);
		}
	});

	it('a board of 1,000 cases keeps a summary of a few dozen kilobytes', () => {
		const doc = randomBoard(seededRandom(7), 1000);
		const bytes = serialize(summarizeBoard(doc)).byteLength;
		// Measured: about 93 KB with the map facts (ids and places: 60 KB before); the document
		// itself is megabytes (docs/benchmarks.md "Summaries").
		expect(bytes).toBeLessThan(96 * 1024);
		expect(bytes).toBeLessThan(Y.encodeStateAsUpdate(doc).byteLength / 4);
	});

	it('a summary of another format is not read as current', () => {
		const summary = summarizeBoard(new Y.Doc());
		expect(isCurrentSummary({ ...summary, version: 0 }, 'board')).toBe(false);
		expect(isCurrentSummary(summary, 'tasks')).toBe(false);
		expect(isCurrentSummary(null, 'board')).toBe(false);
	});
});

describe('the kind registry', () => {
	it('boards, the tasks document, the meeting index and household registers keep summaries', () => {
		const doc = new Y.Doc();
		expect((summarizerFor('c/demo/board/g1')?.(doc) as BoardSummary).kind).toBe('board');
		expect((summarizerFor('c/demo/tasks')?.(doc) as { kind: string }).kind).toBe('tasks');
		expect((summarizerFor('c/demo/meetings/index')?.(doc) as { kind: string }).kind).toBe(
			'meetings'
		);
		expect(summarizerFor('c/demo/meetings/m-1')).toBeNull();
		expect((summarizerFor('c/demo/households/g1')?.(doc) as { kind: string }).kind).toBe(
			'households'
		);
		expect(summarizerFor('c/demo/directory')).toBeNull();
		expect(summarizerFor('not a name')).toBeNull();
	});
});

describe('tasks document summary', () => {
	const LEAD: TestMember = {
		memberId: 'm-li',
		name: '李书记',
		role: 'secretary',
		deviceId: 'p-li'
	};
	const ZHAO: TestMember = {
		memberId: 'm-zhao',
		name: '赵大爷',
		role: 'volunteer',
		deviceId: 'p-z'
	};
	// Monday 2025-03-03, 09:00 in Shanghai.
	const MON = Date.parse('2025-03-03T01:00:00Z');

	it('patrols done against planned, and hours, for a week', () => {
		const doc = new Y.Doc();
		const route = createPatrolRoute(
			doc,
			{
				name: '东片巡查',
				area: '幸福里',
				gridId: 'g1',
				checklist: ['消防通道'],
				weekdays: [3, 0],
				hoursPerRun: 2
			},
			acting(LEAD, MON)
		);
		if (!route.ok) throw new Error(route.reason);
		const run = startPatrolRun(doc, route.value, DEFAULT_TIME_ZONE, acting(ZHAO, MON + 2 * DAY_MS));
		if (!run.ok) throw new Error(run.reason);
		finishPatrolRun(doc, run.value, acting(ZHAO, MON + 2 * DAY_MS + 3_600_000));
		const summary = structuredClone(summarizeWork(doc));
		const week = {
			from: Date.parse('2025-03-02T16:00:00Z'),
			to: Date.parse('2025-03-09T16:00:00Z')
		};
		const figures = workFigures(summary, week);
		// Wednesday and Sunday of that week were planned; Wednesday's run was done.
		expect(figures.patrolsPlanned).toBe(2);
		expect(figures.patrolsDone).toBe(1);
		const credited = listHours(doc).reduce((sum, record) => sum + record.hours, 0);
		expect(figures.hours).toBe(credited);
		expect(figures.hoursByMember).toEqual([{ id: 'm-zhao', name: '赵大爷', hours: credited }]);
		// The next week planned two more, none done.
		const next = { from: week.to, to: week.to + 7 * DAY_MS };
		expect(workFigures(summary, next)).toMatchObject({
			patrolsPlanned: 2,
			patrolsDone: 0,
			hours: 0
		});
	});
});

describe('meeting index summary', () => {
	it('mediation outcomes of the meetings starting in a range', () => {
		const doc = new Y.Doc();
		const authority = { claims: { cid: 'demo', role: 'secretary', grids: [] }, memberId: 'm-li' };
		const meeting = (at: number, outcome: 'agreed' | 'not_agreed' | 'pending') => {
			const made = createMeeting(
				doc,
				{ title: '调解', type: 'mediation', startsAt: at, place: '调解室', agenda: '' },
				{ actor: WANG, authority, at }
			);
			if (!made.ok) throw new Error(made.reason);
			if (outcome !== 'pending') {
				editMeetingField(doc, made.value, 'mediationOutcome', outcome, { actor: WANG, authority });
			}
		};
		meeting(T0, 'agreed');
		meeting(T0 + DAY_MS, 'not_agreed');
		meeting(T0 + 2 * DAY_MS, 'pending');
		meeting(T0 + 40 * DAY_MS, 'agreed');
		const summary = structuredClone(summarizeMeetings(doc));
		const range = { from: T0, to: T0 + 30 * DAY_MS };
		const expected = mediationSuccessRate(
			listMeetings(doc).filter((m) => m.startsAt >= range.from && m.startsAt < range.to)
		);
		expect(meetingFigures(summary, range)).toEqual(expected);
		expect(expected).toEqual({ sessions: 3, decided: 2, agreed: 1, rate: 0.5 });
		expect(summary.mediation).toEqual(mediationSuccessRate(listMeetings(doc)));
	});
});
