/**
 * Contract: what the directory's commands write passes the relay's directory rules for the
 * secretary, and the same writes forged by another role, under another name, or changing what
 * is written once are refused (src/lib/wire/write-rules-directory.ts).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { GridId } from '../../src/lib/domain/ids';
import {
	addGrid,
	deleteGrid,
	renameGrid,
	restoreGrid
} from '../../src/lib/model/directory/directory';
import {
	addCategory,
	renameCategory,
	setCategoryHidden,
	setCommunityTimeZone,
	setDeadlineDays,
	setVisitInterval
} from '../../src/lib/model/directory/settings';
import { isSlotOf, type Writer } from '../../src/lib/wire';
import { DIRECTORY_RULES } from '../../src/lib/wire/write-rules-directory';
import { contextOf, relayCopy, writeAttestation, WRITERS } from './write-rules-harness';

const TARGET = { kind: 'directory', id: null } as const;
const { secretary, gridMember, volunteer } = WRITERS;

function value<T>(result: { ok: true; value: T } | { ok: false; reason: string }): T {
	if (!result.ok) throw new Error(`refused: ${result.reason}`);
	return result.value;
}

function withGrid() {
	const relay = relayCopy(DIRECTORY_RULES, TARGET);
	let id = '' as GridId;
	expect(
		relay.write(secretary, (phone) => {
			id = value(addGrid(phone, { name: '幸福里' }, contextOf(secretary, 1)));
		})
	).toMatchObject({ ok: true });
	return { relay, id };
}

const grid = (phone: Y.Doc, id: string) => phone.getMap('grids').get(id) as Y.Map<unknown>;

/** A field log holding one edit of `value` by the secretary. */
function yarrayOf(value: unknown): Y.Array<unknown> {
	const log = new Y.Array<unknown>();
	log.push([{ id: 'e1', value, bases: [], by: WRITERS.secretary.name, deviceId: 'd', at: 1 }]);
	return log;
}

describe('directory write rules', () => {
	it('accept every directory command run by the secretary', () => {
		const { relay, id } = withGrid();
		const run = (fn: (phone: Y.Doc) => void) => expect(relay.write(secretary, fn).ok).toBe(true);
		run((phone) => value(renameGrid(phone, id, { name: '幸福里东' }, contextOf(secretary, 2))));
		let category = '';
		run((phone) => (category = value(addCategory(phone, '电梯困人', contextOf(secretary, 3)))));
		run((phone) => value(renameCategory(phone, category, '电梯', contextOf(secretary, 4))));
		run((phone) => value(renameCategory(phone, 'flying_wire', '飞线', contextOf(secretary, 5))));
		run((phone) => value(setCategoryHidden(phone, category, true, contextOf(secretary, 6))));
		run((phone) => value(setDeadlineDays(phone, category, 'grid', 3, contextOf(secretary, 7))));
		run((phone) => value(setCommunityTimeZone(phone, 'Asia/Urumqi', contextOf(secretary, 8))));
		// A second phone (another Yjs client) writes the setting into a slot of its own.
		run((phone) => value(setCommunityTimeZone(phone, 'Asia/Shanghai', contextOf(secretary, 9))));
		run((phone) => value(setVisitInterval(phone, 'red', 3, contextOf(secretary, 10))));
		run((phone) => value(deleteGrid(phone, id, contextOf(secretary, 11))));
		run((phone) => value(restoreGrid(phone, id, contextOf(secretary, 12))));
		run((phone) => value(deleteGrid(phone, id, contextOf(secretary, 13))));
		run((phone) => value(restoreGrid(phone, id, contextOf(secretary, 14))));
		// A visit interval outside 1..366 or for no colour is refused.
		const plan = (key: string, days: unknown) => (phone: Y.Doc) =>
			phone.getMap('settings').set(`${key}~${phone.clientID}`, yarrayOf(days));
		expect(relay.write(secretary, plan('visitPlan/red', 0))).toMatchObject({ reason: 'shape' });
		expect(relay.write(secretary, plan('visitPlan/blue', 7))).toMatchObject({ reason: 'shape' });
		const settings = relay.doc.getMap('settings');
		expect([...settings.keys()].filter((key) => key.startsWith('timeZone~'))).toHaveLength(2);
	});

	it('accept two secretaries setting one setting at once, each in its own slot', () => {
		const relay = relayCopy(DIRECTORY_RULES, TARGET);
		const a = relay.open();
		const b = relay.open();
		value(setCommunityTimeZone(a.doc, 'Asia/Urumqi', contextOf(secretary, 1)));
		value(setCommunityTimeZone(b.doc, 'Asia/Shanghai', contextOf(secretary, 1)));
		expect(a.send(secretary).ok).toBe(true);
		expect(b.send(secretary).ok).toBe(true);
		const keys = [...relay.doc.getMap('settings').keys()];
		expect(keys).toHaveLength(2);
		expect(keys.every((key) => [a, b].some((p) => isSlotOf(key, 'timeZone', p.doc.clientID)))).toBe(
			true
		);
	});

	it('refuse each command forged by a grid member or volunteer', () => {
		const { relay, id } = withGrid();
		const forged: [Writer, (phone: Y.Doc) => void][] = [
			[gridMember, (p) => addGrid(p, { name: '网格二' }, contextOf(gridMember, 2, 'secretary'))],
			[volunteer, (p) => renameGrid(p, id, { name: 'x' }, contextOf(volunteer, 2, 'secretary'))],
			[volunteer, (p) => deleteGrid(p, id, contextOf(volunteer, 2, 'secretary'))],
			[gridMember, (p) => addCategory(p, '新分类', contextOf(gridMember, 2, 'secretary'))],
			[
				volunteer,
				(p) => setDeadlineDays(p, 'flying_wire', 'grid', 1, contextOf(volunteer, 2, 'secretary'))
			],
			[gridMember, (p) => setCommunityTimeZone(p, 'UTC', contextOf(gridMember, 2, 'secretary'))],
			[gridMember, (p) => setVisitInterval(p, 'red', 3, contextOf(gridMember, 2, 'secretary'))]
		];
		for (const [writer, fn] of forged) {
			expect(relay.write(writer, fn)).toMatchObject({ ok: false, reason: 'not_permitted' });
		}
	});

	it('refuse another member’s name as author', () => {
		const { relay, id } = withGrid();
		const li = { ...secretary, memberId: 'm-other', name: '另一位书记' };
		for (const fn of [
			(p: Y.Doc) => addGrid(p, { name: '网格二' }, contextOf(secretary, 2)),
			(p: Y.Doc) => renameGrid(p, id, { name: '改名' }, contextOf(secretary, 2)),
			(p: Y.Doc) => deleteGrid(p, id, contextOf(secretary, 2)),
			(p: Y.Doc) => setCommunityTimeZone(p, 'UTC', contextOf(secretary, 2))
		]) {
			expect(relay.write(li, fn)).toMatchObject({ ok: false, reason: 'author' });
		}
	});

	it('refuse removing or changing what is written once, and writing the attestation', () => {
		const { relay, id } = withGrid();
		const refused = (fn: (phone: Y.Doc) => void, reason: string) =>
			expect(relay.write(secretary, fn)).toMatchObject({ ok: false, reason });
		refused((p) => p.getMap('grids').delete(id), 'history');
		refused((p) => grid(p, id).set('createdBy', secretary.name), 'history');
		refused((p) => grid(p, id).delete('name'), 'history');
		refused((p) => (grid(p, id).get('name') as Y.Array<unknown>).delete(0, 1), 'history');
		refused((p) => grid(p, id).set('name', new Y.Array()), 'history');
		refused((p) => grid(p, id).set('colour', 'red'), 'shape');
		refused(writeAttestation, 'not_permitted');
		// Another replica's settings slot, and a setting that does not exist.
		refused((p) => p.getMap('settings').set('timeZone~12345', new Y.Array()), 'shape');
		refused((p) => p.getMap('settings').set('theme', new Y.Array()), 'shape');
		// A tombstone is never removed. Set again (a second secretary deleted the grid offline too),
		// the grid stays deleted: that is a change the rules allow.
		expect(
			relay.write(secretary, (p) => value(deleteGrid(p, id, contextOf(secretary, 3)))).ok
		).toBe(true);
		refused((p) => grid(p, id).delete('deletedAt'), 'history');
		expect(relay.write(secretary, (p) => grid(p, id).set('deletedAt', 4)).ok).toBe(true);
		refused((p) => grid(p, id).set('deletedBy', '别人'), 'author');
		// A restore names its writer and is never removed either.
		expect(
			relay.write(secretary, (p) => value(restoreGrid(p, id, contextOf(secretary, 5)))).ok
		).toBe(true);
		refused((p) => grid(p, id).delete('restoredAt'), 'history');
		refused((p) => grid(p, id).set('restoredBy', '别人'), 'author');
	});
});
