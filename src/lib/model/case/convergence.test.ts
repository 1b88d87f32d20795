import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CASE_CATEGORIES } from '../../domain/case-category';
import {
	CASE_FIELDS,
	EDITABLE_CASE_FIELDS,
	type CaseField,
	type EditableCaseField
} from '../../domain/case-input';
import { CASE_ACTIONS } from '../../domain/case-status';
import { CASE_CHANNELS, HANDLING_TYPES, PRIORITIES } from '../../domain/case-options';
import type { CaseId } from '../../domain/ids';
import {
	applyCaseStatusAction,
	createCase,
	editCaseField,
	resolveCaseFieldConflict
} from './commands';
import { listCases, readCase } from './readers';
import {
	FIELD_FALLBACK,
	findCase,
	readCaseField,
	readCaseFieldEdits,
	readCaseFieldStates
} from './schema';
import { caseContext, ACTORS, CORRIDOR_LIGHT, FIRE_LANE, FLYING_WIRE } from '../testing/fixtures';
import { SECRETARY } from '../testing/fixtures';
import { createReplicaNetwork } from '../testing/replica-network';
import { seededRandom, type Random } from '../testing/seeded-random';

const TRIALS = 200;
const DAY = 86_400_000;

const TEXT: Record<Exclude<EditableCaseField, 'category'>, readonly string[]> = {
	channel: ['', ...CASE_CHANNELS],
	mapPoint: ['', '116.397,39.909', '106.71,26.58'],
	reporterName: ['', '张阿姨', '刘师傅'],
	residentContact: ['', '138 0000 0000'],
	handlingType: HANDLING_TYPES,
	priority: PRIORITIES,
	title: ['楼道灯短路', '消防通道被电动车堵塞', '飞线充电', '地下车库噪音', '垃圾清运不及时'],
	description: [
		'',
		'老人反映晚上看不见台阶',
		'物业已派电工',
		'减速带松动，夜里异响',
		'需要街道协调'
	],
	location: ['3号楼2单元', '幸福里小区东门', '7号楼北侧', '地下车库B2', '']
};

/** One field value as written by one command on one replica. */
type Write = Readonly<{
	caseId: CaseId;
	field: CaseField;
	id: string;
	value: string;
	/** Edit ids of this field the writing replica already held when it wrote. */
	knew: ReadonlySet<string>;
	/** Whether this write has its own timeline entry (initial values share the created entry). */
	logged: boolean;
}>;

/** The edit ids of a field a replica holds (initial value and logs), read without head logic. */
function heldIds(doc: Y.Doc, caseId: CaseId, field: CaseField): Set<string> {
	const record = findCase(doc, caseId);
	if (!record) return new Set();
	return new Set(readCaseFieldEdits(record, field).map((edit) => edit.id));
}

function newWrites(
	doc: Y.Doc,
	caseId: CaseId,
	field: CaseField,
	before: ReadonlySet<string>,
	value: string
): Write[] {
	return [...heldIds(doc, caseId, field)]
		.filter((id) => !before.has(id))
		.map((id) => ({ caseId, field, id, value, knew: before, logged: true }));
}

function runTrial(seed: number) {
	const rng: Random = seededRandom(seed);
	const n = rng.int(2, 5);
	const net = createReplicaNetwork(n);
	const docs = net.docs as readonly Y.Doc[];
	// Clocks disagree by up to ±30 days; the register must not care.
	const skew = docs.map(() => rng.int(-30 * DAY, 30 * DAY));
	const writes: Write[] = [];
	const caseIds = new Set<CaseId>();
	const steps = rng.int(10, 40);

	for (let step = 0; step < steps; step++) {
		const r = rng.int(0, n - 1);
		const doc = docs[r] as Y.Doc;
		const actor = rng.pick(ACTORS);
		const at = 1_700_000_000_000 + step * 1000 + (skew[r] ?? 0);
		const known = listCases(doc);
		const roll = rng.next();

		if (known.length === 0 || roll < 0.1) {
			const input = rng.pick([CORRIDOR_LIGHT, FIRE_LANE, FLYING_WIRE]);
			const result = createCase(doc, input, caseContext(actor, at));
			if (!result.ok) throw new Error(result.reason);
			caseIds.add(result.value);
			const snapshot = readCase(doc, result.value);
			for (const field of CASE_FIELDS) {
				for (const id of heldIds(doc, result.value, field)) {
					const value = String(snapshot?.fields[field].value);
					writes.push({ caseId: result.value, field, id, value, knew: new Set(), logged: false });
				}
			}
			continue;
		}

		const caseId = rng.pick(known).id;
		if (roll < 0.5) {
			// Mostly the original four fields, so same-field concurrency stays frequent.
			const field =
				rng.next() < 0.85
					? rng.pick(['title', 'description', 'category', 'location'] as const)
					: rng.pick(EDITABLE_CASE_FIELDS);
			const value = field === 'category' ? rng.pick(CASE_CATEGORIES) : rng.pick(TEXT[field]);
			const before = heldIds(doc, caseId, field);
			const result = editCaseField(doc, caseId, field, value, caseContext(actor, at));
			expect(result.ok).toBe(true);
			if (result.ok && result.value.changed) {
				writes.push(...newWrites(doc, caseId, field, before, value));
				expect(readCase(doc, caseId)?.fields[field]).toMatchObject({ value, conflict: null });
			}
		} else if (roll < 0.75) {
			const before = heldIds(doc, caseId, 'status');
			const result = applyCaseStatusAction(
				doc,
				caseId,
				rng.pick(CASE_ACTIONS),
				{ satisfaction: 'satisfied', note: '' },
				caseContext(actor, at, SECRETARY)
			);
			if (result.ok) writes.push(...newWrites(doc, caseId, 'status', before, result.value));
			else expect(heldIds(doc, caseId, 'status')).toEqual(before);
		} else if (roll < 0.85) {
			const snapshot = readCase(doc, caseId);
			const field = CASE_FIELDS.find((f) => snapshot?.fields[f].conflict);
			const candidates =
				field &&
				(snapshot?.fields[field].conflict?.values as readonly { value: unknown }[] | undefined);
			if (field && candidates) {
				const chosen = rng.pick(candidates).value;
				const before = heldIds(doc, caseId, field);
				const result = resolveCaseFieldConflict(
					doc,
					caseId,
					field,
					chosen as never,
					{},
					caseContext(actor, at)
				);
				expect(result.ok).toBe(true);
				writes.push(...newWrites(doc, caseId, field, before, String(chosen)));
				expect(readCase(doc, caseId)?.fields[field].conflict).toBeNull();
			}
		} else if (net.pending() > 0) {
			net.flush({ shuffle: rng.int(0, 2 ** 31), limit: rng.int(1, net.pending()) });
		}
	}

	net.flush({ shuffle: rng.int(0, 2 ** 31) });
	expect(net.pending()).toBe(0);
	return { docs, writes, caseIds };
}

describe('board convergence (seeded random trials)', () => {
	it(`${TRIALS} trials of 2–5 replicas: identical snapshots, no value lost without a flag`, () => {
		let conflictsSeen = 0;
		for (let trial = 0; trial < TRIALS; trial++) {
			const seed = 0x9e3779b9 ^ trial;
			const { docs, writes, caseIds } = runTrial(seed);
			const [first, ...rest] = docs as [Y.Doc, ...Y.Doc[]];
			const list = listCases(first);
			expect(new Set(list.map((c) => c.id)), `seed ${seed}`).toEqual(caseIds);

			for (const doc of rest) expect(listCases(doc), `seed ${seed}`).toEqual(list);
			for (const caseId of caseIds) {
				const snapshot = readCase(first, caseId);
				for (const doc of rest) expect(readCase(doc, caseId), `seed ${seed}`).toEqual(snapshot);
				if (!snapshot) throw new Error(`seed ${seed}: case ${caseId} missing`);
				// The one-pass reader the board uses agrees with the per-field one commands use.
				const record = findCase(first, caseId);
				if (!record) throw new Error(`seed ${seed}: case ${caseId} unreadable`);
				const perField = Object.fromEntries(
					CASE_FIELDS.map((field) => [field, readCaseField(record, field)])
				);
				expect(readCaseFieldStates(record), `seed ${seed}`).toEqual(perField);

				for (const field of CASE_FIELDS) {
					const mine = writes.filter((w) => w.caseId === caseId && w.field === field);
					// A write may be hidden only if someone wrote after already holding it.
					const live = mine.filter((w) => !mine.some((other) => other.knew.has(w.id)));
					// A field nobody has set (left out of `initial`) shows its fallback.
					const expected = new Set(
						live.length > 0 ? live.map((w) => w.value) : [String(FIELD_FALLBACK[field])]
					);
					const state = snapshot.fields[field];
					const shown = new Set([
						String(state.value),
						...(state.conflict?.values.map((v) => String(v.value)) ?? [])
					]);
					expect(shown, `seed ${seed} case ${caseId} field ${field}`).toEqual(expected);
					expect(state.conflict === null, `seed ${seed}`).toBe(expected.size === 1);
					if (state.conflict) conflictsSeen++;
				}

				// Every logged write has its timeline entry, and besides them only the creation.
				// (With skewed clocks the created entry need not sort first: order is (at, id).)
				const createdEntries = snapshot.timeline.filter((e) => e.kind === 'created');
				expect(createdEntries, `seed ${seed}`).toHaveLength(1);
				const loggedIds = writes.filter((w) => w.caseId === caseId && w.logged).map((w) => w.id);
				expect(new Set(snapshot.timeline.map((e) => e.id)), `seed ${seed}`).toEqual(
					new Set([...loggedIds, createdEntries[0]?.id])
				);
				expect(snapshot.timeline).toHaveLength(loggedIds.length + 1);
			}
			for (const doc of docs) doc.destroy();
		}
		// The trials must actually exercise concurrency, or they prove nothing.
		expect(conflictsSeen).toBeGreaterThan(TRIALS / 4);
	});
});
