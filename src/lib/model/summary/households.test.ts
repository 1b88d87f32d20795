/**
 * The households summary against the register: on random registers (seeded: a failing seed
 * replays) with colour changes, residents' tags set and removed, visits and deletions, the
 * figures read from the summary (after a structured clone, as IndexedDB stores it) equal the
 * same figures counted independently from each household's full snapshot (`readHousehold`).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	DEFAULT_VISIT_PLAN,
	HOUSEHOLD_COLOURS,
	RESIDENT_TAGS,
	visitDue
} from '../../domain/household';
import { DEFAULT_TIME_ZONE, monthKeyOf } from '../../domain/due-date';
import { householdFigures, isCurrentSummary } from '../../domain/summaries';
import {
	addResident,
	createHousehold,
	deleteHousehold,
	readHousehold,
	recordVisit,
	setResidentRemoved,
	setColour,
	setResidentTag
} from '../household';
import { householdsMap } from '../household/schema';
import { DAY, LI, T0, household, householdContext, resident } from '../household/test-fixtures';
import { seededRandom, type Random } from '../testing/seeded-random';
import { summarizeHouseholds, summarizerFor } from '.';

function randomRegister(random: Random, n: number): Y.Doc {
	const doc = new Y.Doc();
	for (let i = 0; i < n; i++) {
		const at = T0 - random.int(0, 120) * DAY;
		const ctx = (days: number) => householdContext(LI, 'secretary', at + days * DAY);
		const colour = random.pick(HOUSEHOLD_COLOURS);
		const made = createHousehold(
			doc,
			household(`${1 + (i % 9)}栋`, `${100 + i}`, {
				colour,
				colourReason: colour === 'green' ? '' : '独居',
				residents: [
					resident(`居民${i}`, { tags: random.next() < 0.4 ? [random.pick(RESIDENT_TAGS)] : [] })
				]
			}),
			ctx(0)
		);
		if (!made.ok) throw new Error(made.reason);
		const id = made.value;
		if (random.next() < 0.3) {
			const next = random.pick(HOUSEHOLD_COLOURS);
			setColour(doc, id, next, next === 'green' ? '' : '复核', ctx(random.int(1, 20)));
		}
		if (random.next() < 0.4) {
			const other = addResident(doc, id, resident(`家属${i}`, { relation: 'spouse' }), ctx(1));
			if (!other.ok) throw new Error(other.reason);
			setResidentTag(doc, id, other.value, random.pick(RESIDENT_TAGS), true, ctx(2));
			if (random.next() < 0.3) setResidentRemoved(doc, id, other.value, true, ctx(3));
		}
		for (let v = random.int(0, 3); v > 0; v--) {
			const when = at + random.int(0, 120) * DAY;
			if (when > T0 + DAY) continue;
			const visited = recordVisit(
				doc,
				id,
				{ visitedAt: when, visitors: [], findings: '入户走访', photos: [] },
				householdContext(LI, 'secretary', Math.max(when, at))
			);
			if (!visited.ok) throw new Error(visited.reason);
		}
		if (random.next() < 0.1) deleteHousehold(doc, id, ctx(5));
	}
	return doc;
}

/** The figures counted from each household's full snapshot. */
function figuresFromDocument(doc: Y.Doc, range: { from: number; to: number }, now: number) {
	const byColour = { green: 0, yellow: 0, red: 0 };
	const byTag = Object.fromEntries(RESIDENT_TAGS.map((tag) => [tag, 0]));
	const month = monthKeyOf(now, DEFAULT_TIME_ZONE);
	let total = 0;
	let done = 0;
	let due = 0;
	let overdue = 0;
	let visitsInRange = 0;
	const [year, m] = month.split('-').map(Number) as [number, number];
	// The month's last instant: the first instant of the next month in Shanghai (UTC+8), minus 1.
	const monthEnd = Date.UTC(year, m, 1) - 8 * 3_600_000 - 1;
	for (const key of householdsMap(doc).keys()) {
		const item = readHousehold(doc, key)!;
		for (const visit of item.visits) {
			if (visit.visitedAt >= range.from && visit.visitedAt < range.to) visitsInRange++;
		}
		if (item.fields.deleted.value) continue;
		total++;
		byColour[item.colourState.colour]++;
		const tags = new Set(
			item.residents.filter((r) => !r.removed).flatMap((r) => r.tags as readonly string[])
		);
		for (const tag of tags) byTag[tag]!++;
		for (const visit of item.visits)
			if (monthKeyOf(visit.visitedAt, DEFAULT_TIME_ZONE) === month) done++;
		const last = item.visits.reduce<number | null>(
			(latest, visit) => (latest === null || visit.visitedAt > latest ? visit.visitedAt : latest),
			null
		);
		const interval =
			item.fields.visitIntervalDays.value || DEFAULT_VISIT_PLAN[item.colourState.colour];
		const next = visitDue(
			{ lastVisitAt: last, since: item.colourState.since, intervalDays: interval },
			now
		);
		if (next.state === 'overdue') overdue++;
		else if (next.dueAt <= monthEnd) due++;
	}
	return { total, byColour, byTag, month, visits: { due, done, overdue }, visitsInRange };
}

describe('households summary', () => {
	it('every figure equals the count from the register, on random registers', () => {
		const seen = { tagged: 0, overdue: 0, due: 0, done: 0, deleted: 0 };
		for (let seed = 1; seed <= 10; seed++) {
			const random = seededRandom(seed);
			const doc = randomRegister(random, random.int(0, 60));
			const summary = structuredClone(summarizeHouseholds(doc));
			expect(isCurrentSummary(summary, 'households')).toBe(true);
			for (let trial = 0; trial < 5; trial++) {
				const now = T0 + random.int(-30, 60) * DAY;
				const from = T0 - random.int(0, 120) * DAY;
				const range = { from, to: from + random.int(1, 90) * DAY };
				const expected = figuresFromDocument(doc, range, now);
				expect(householdFigures([summary], range, now, DEFAULT_VISIT_PLAN), `seed ${seed}`).toEqual(
					expected
				);
				seen.tagged += Object.values(expected.byTag).reduce((a, b) => a + b, 0);
				seen.overdue += expected.visits.overdue;
				seen.due += expected.visits.due;
				seen.done += expected.visits.done;
			}
			seen.deleted += summary.colour.length - summary.live;
		}
		// The random registers exercise every figure (none is trivially zero).
		for (const [figure, total] of Object.entries(seen)) expect(total, figure).toBeGreaterThan(0);
	});

	it('several grids add up, and the registry summarises a register', () => {
		const a = randomRegister(seededRandom(3), 20);
		const b = randomRegister(seededRandom(4), 30);
		const range = { from: T0 - 60 * DAY, to: T0 };
		const both = householdFigures(
			[summarizeHouseholds(a), summarizeHouseholds(b)],
			range,
			T0,
			DEFAULT_VISIT_PLAN
		);
		const one = figuresFromDocument(a, range, T0);
		const two = figuresFromDocument(b, range, T0);
		expect(both.total).toBe(one.total + two.total);
		expect(both.visits.overdue).toBe(one.visits.overdue + two.visits.overdue);
		expect(both.visitsInRange).toBe(one.visitsInRange + two.visitsInRange);
		expect(summarizerFor('c/demo/households/g1')?.(a)).toEqual(summarizeHouseholds(a));
	});
});
