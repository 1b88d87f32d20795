/**
 * The map's first pins from summaries against the documents: on random boards of several grids
 * (places, statuses, tiers, deadlines, escalations) and random queries a summary can answer, the
 * pins `mapFacts` makes from the stored summaries (structured clones, as IndexedDB returns them)
 * are exactly the pins it makes from the live cases, for the community map (open cases) and a
 * grid's map (every case); and the live pins then keep the list the map already holds.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { EMPTY_BOARD_QUERY, type BoardCase, type BoardQuery } from '$lib/domain/board-query';
import { DAY_MS, isOverdue, type DeadlineRules } from '$lib/domain/case-deadline';
import { CASE_CATEGORIES } from '$lib/domain/case-category';
import { TIERS } from '$lib/domain/case-options';
import { CASE_STATUSES, isOpenStatus } from '$lib/domain/case-status';
import {
	applyCaseStatusAction,
	createCase,
	escalateCase,
	listCases,
	setCaseDeadline
} from '$lib/model/case';
import { summarizeBoard } from '$lib/model/summary';
import type { MapPin } from '$lib/map/layers';
import { caseContext, LI, WANG } from '$lib/model/testing/fixtures';
import { seededRandom, type Random } from '$lib/model/testing/seeded-random';
import { mapFacts, type MapCase } from './map-facts';
import { canDrawFromSummaries, keepSamePins, summaryMapCases } from './summary-cases';

const T0 = Date.parse('2026-03-02T02:00:00Z');

function randomBoard(random: Random, n: number): Y.Doc {
	const doc = new Y.Doc();
	for (let i = 0; i < n; i++) {
		// Some cases share a creation instant: the order then rests on the id.
		const at = T0 + random.int(0, 60) * (random.next() < 0.2 ? 0 : DAY_MS);
		const ctx = (days: number) => caseContext(random.pick([WANG, LI]), at + days * DAY_MS);
		const made = createCase(
			doc,
			{
				title: `问题 ${i}`,
				category: random.pick(CASE_CATEGORIES),
				location: `${i % 5}号楼`,
				mapPoint:
					random.next() < 0.2
						? ''
						: `${(106.7 + random.int(0, 9999) / 1e6).toFixed(6)},${(26.5 + random.int(0, 9999) / 1e6).toFixed(6)}`
			},
			ctx(0)
		);
		if (!made.ok) throw new Error(made.reason);
		const id = made.value;
		if (random.next() < 0.3) setCaseDeadline(doc, id, at + random.int(1, 20) * DAY_MS, {}, ctx(0));
		if (random.next() < 0.2) escalateCase(doc, id, '需社区协调', ctx(random.int(1, 5)));
		const path = random.int(0, 4);
		if (path >= 1) applyCaseStatusAction(doc, id, 'accept', {}, ctx(1));
		if (path >= 2) applyCaseStatusAction(doc, id, 'start', {}, ctx(2));
		if (path >= 3) applyCaseStatusAction(doc, id, 'resolve', {}, ctx(3));
	}
	return doc;
}

function randomQuery(random: Random): BoardQuery {
	const some = <T>(items: readonly T[]) => items.filter(() => random.next() < 0.3);
	return {
		...EMPTY_BOARD_QUERY,
		statuses: random.next() < 0.4 ? some(CASE_STATUSES) : [],
		tiers: random.next() < 0.3 ? some(TIERS) : [],
		categories: random.next() < 0.3 ? some(CASE_CATEGORIES) : [],
		grids: random.next() < 0.2 ? ['g1'] : [],
		overdue: random.next() < 0.2,
		// Another list order (the board's): the map's pins keep the default one.
		sort: random.pick(['newest', 'oldest', 'updated', 'priority', 'deadline'] as const)
	};
}

describe('pins from summaries', () => {
	it('equal the pins from the documents, on random boards and queries', () => {
		for (let seed = 1; seed <= 10; seed++) {
			const random = seededRandom(seed);
			const boards = ['g1', 'g2', 'g3'].map((gridId) => ({
				gridId,
				doc: randomBoard(random, random.int(0, 60))
			}));
			const stored = boards.map(({ gridId, doc }) => ({
				gridId,
				summary: structuredClone(summarizeBoard(doc))
			}));
			for (const openOnly of [true, false]) {
				const live: MapCase[] = boards.flatMap(({ gridId, doc }) =>
					listCases(doc)
						.filter((item) => !openOnly || isOpenStatus(item.status))
						.map((item) => ({ ...item, gridId }))
				);
				const first = summaryMapCases(stored, openOnly)!;
				for (let trial = 0; trial < 6; trial++) {
					const query = randomQuery(random);
					expect(canDrawFromSummaries(query)).toBe(true);
					const now = T0 + random.int(0, 90) * DAY_MS;
					const rules: DeadlineRules = random.next() < 0.5 ? {} : { sanitation: { grid: 1 } };
					const inputs = {
						query,
						descriptions: null,
						isOverdue: (item: BoardCase) =>
							isOverdue(item as Parameters<typeof isOverdue>[0], now, rules),
						areas: [],
						buildings: [],
						gridNames: new Map<string, string>(),
						gridId: null
					};
					const fromSummaries = mapFacts({ ...inputs, cases: first });
					const fromDocuments = mapFacts({ ...inputs, cases: live });
					expect(fromSummaries.data.cases, `seed ${seed}`).toEqual(fromDocuments.data.cases);
					expect(fromSummaries.bounds).toEqual(fromDocuments.bounds);
					expect(fromSummaries.shown).toBe(fromDocuments.shown);
					expect(fromSummaries.unplaced).toBe(fromDocuments.unplaced);
					// The swap keeps the list the map holds: no new source, nothing moves.
					expect(keepSamePins(fromSummaries.data.cases, fromDocuments.data.cases)).toBe(
						fromSummaries.data.cases
					);
				}
			}
		}
	});

	it('a board without a summary leaves the map to the documents', () => {
		const summary = summarizeBoard(randomBoard(seededRandom(3), 5));
		expect(summaryMapCases([{ gridId: 'g1', summary }], false)).toHaveLength(5);
		expect(
			summaryMapCases(
				[
					{ gridId: 'g1', summary },
					{ gridId: 'g2', summary: null }
				],
				false
			)
		).toBeNull();
	});

	it('only queries on what a summary keeps are drawn from it', () => {
		expect(canDrawFromSummaries(EMPTY_BOARD_QUERY)).toBe(true);
		expect(canDrawFromSummaries({ ...EMPTY_BOARD_QUERY, search: '电梯' })).toBe(false);
		expect(canDrawFromSummaries({ ...EMPTY_BOARD_QUERY, assignee: '王' })).toBe(false);
		expect(canDrawFromSummaries({ ...EMPTY_BOARD_QUERY, conflicts: true })).toBe(false);
	});

	it('a changed pin makes a new list', () => {
		const pin: MapPin = {
			caseId: 'a',
			gridId: 'g1',
			status: 'reported',
			overdue: false,
			point: [1, 2]
		};
		const pins = [pin];
		expect(keepSamePins(pins, [{ ...pin, point: [1, 2] }])).toBe(pins);
		const moved: MapPin[] = [{ ...pin, point: [1, 3] }];
		expect(keepSamePins(pins, moved)).toBe(moved);
		const overdue = [{ ...pin, overdue: true }];
		expect(keepSamePins(pins, overdue)).toBe(overdue);
		expect(keepSamePins(null, pins)).toBe(pins);
	});
});
