import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DEFAULT_VISIT_PLAN } from '../../domain/household';
import type { Result } from '../../domain/result';
import {
	createHousehold,
	deleteHousehold,
	editHouseholdField,
	recordVisit,
	setColour
} from './commands';
import { importHouseholds } from './import';
import { intervalOf, listHouseholds, readHousehold, visitsDue } from './readers';
import { DAY, household, householdContext, resident, T0, WANG } from './test-fixtures';

function must<T>(result: Result<T, string>): T {
	if (!result.ok) throw new Error(`refused: ${result.reason}`);
	return result.value;
}

const wang = (at: number) => householdContext(WANG, 'grid-member', at);
const visit = (visitedAt: number) => ({ visitedAt, visitors: [], findings: '', photos: [] });

describe('visits due (我的走访)', () => {
	it('puts overdue first by days overdue, then colour rank, then due date', () => {
		const doc = new Y.Doc();
		const make = (room: string, colour: 'red' | 'yellow' | 'green', at = T0) =>
			must(
				createHousehold(
					doc,
					household('1栋', room, { colour, colourReason: colour === 'green' ? '' : '关注' }),
					wang(at)
				)
			);
		const greenOld = make('101', 'green', T0 - 80 * DAY); // due T0 + 10: 10 days overdue
		const redLate = make('102', 'red'); // due T0 + 7: 13 days overdue at T0 + 20
		const yellow = make('103', 'yellow'); // due T0 + 30
		const green = make('104', 'green'); // due T0 + 90
		const redVisited = make('105', 'red');
		must(recordVisit(doc, redVisited, visit(T0 + 19 * DAY), wang(T0 + 19 * DAY))); // due T0 + 26
		const sameRed = make('106', 'red', T0 + 7 * DAY); // due T0 + 14: 6 days overdue
		const now = T0 + 20 * DAY;
		const rows = visitsDue(listHouseholds(doc), DEFAULT_VISIT_PLAN, now);
		expect(rows.map((row) => row.household.id)).toEqual([
			redLate,
			greenOld,
			sameRed,
			redVisited,
			yellow,
			green
		]);
		expect(rows.map((row) => row.due.overdueDays)).toEqual([13, 10, 6, 0, 0, 0]);
		expect(rows[3]!.due.state).toBe('planned');
	});

	it('uses a household’s own interval over the plan, and leaves deleted households out', () => {
		const doc = new Y.Doc();
		const id = must(createHousehold(doc, household('1栋', '101'), wang(T0)));
		must(editHouseholdField(doc, id, 'visitIntervalDays', '5', wang(T0)));
		const [summary] = listHouseholds(doc);
		expect(intervalOf(summary!, DEFAULT_VISIT_PLAN)).toBe(5);
		expect(visitsDue(listHouseholds(doc), DEFAULT_VISIT_PLAN, T0 + 6 * DAY)[0]!.due.state).toBe(
			'overdue'
		);
		must(setColour(doc, id, 'red', '新情况', wang(T0 + 6 * DAY)));
		expect(listHouseholds(doc)[0]!.colourSince).toBe(T0 + 6 * DAY);
		must(deleteHousehold(doc, id, wang(T0 + 7 * DAY)));
		expect(listHouseholds(doc)).toHaveLength(1);
		expect(visitsDue(listHouseholds(doc), DEFAULT_VISIT_PLAN, T0 + 6 * DAY)).toEqual([]);
	});
});

describe('household list memo', () => {
	it('re-reads only what changed, and returns the same list while nothing does', async () => {
		const doc = new Y.Doc();
		const rows = Array.from({ length: 500 }, (_, i) =>
			household(`${1 + Math.floor(i / 20)}栋`, `${100 + (i % 20)}`, {
				residents: [resident(`居民${i}`), resident(`家属${i}`)]
			})
		);
		must(await importHouseholds(doc, rows, {}, wang(T0)));
		const started = performance.now();
		const first = listHouseholds(doc);
		const cold = performance.now() - started;
		expect(first).toHaveLength(500);
		expect(listHouseholds(doc)).toBe(first);
		const target = first[250]!;
		must(recordVisit(doc, target.id, visit(T0 + DAY), wang(T0 + DAY)));
		const again = performance.now();
		const second = listHouseholds(doc);
		const warm = performance.now() - again;
		expect(second).not.toBe(first);
		expect(second.find((h) => h.id === target.id)!.lastVisitAt).toBe(T0 + DAY);
		// Untouched households keep their frozen summaries.
		expect(second.find((h) => h.id === first[0]!.id)).toBe(first[0]);
		// The same as a fresh read of the same state.
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
		expect(second).toEqual(listHouseholds(copy));
		console.info(
			`500 households: list ${cold.toFixed(1)} ms cold, ${warm.toFixed(1)} ms after one change`
		);
		expect(warm).toBeLessThan(cold);
		expect(readHousehold(doc, target.id)!.residents).toHaveLength(2);
	});
});
