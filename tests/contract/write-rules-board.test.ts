/**
 * Contract: what the app's case commands write passes the relay's board rules for every role the
 * command allows, and the same writes forged by a role the table forbids are refused
 * (src/lib/wire/write-rules-board.ts, sync-server/write-guard.ts).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	addCaseComment,
	applyCaseStatusAction,
	createCase,
	deleteCase,
	editCaseField,
	moveCaseTier,
	restoreCase
} from '../../src/lib/model/case';
import {
	caseContext,
	CORRIDOR_LIGHT,
	created,
	GRID_MEMBER,
	LI,
	SECRETARY,
	VOLUNTEER,
	WANG,
	ZHAO
} from '../../src/lib/model/testing/fixtures';
import type { Writer } from '../../src/lib/wire';
import {
	BOARD_RULES,
	CASE_LOG_FIELDS,
	STAFF_CASE_FIELDS
} from '../../src/lib/wire/write-rules-board';
import { CASE_FIELD_DEFAULTS, CASE_FIELDS } from '../../src/lib/domain/case-input';
import { checkUpdate } from '../../sync-server/write-guard';

const TARGET = { kind: 'board', id: 'g1' } as const;
const writers = {
	secretary: { memberId: 'm-secretary', name: LI.name, role: 'secretary', grids: [] },
	gridMember: { memberId: 'm-grid', name: WANG.name, role: 'grid-member', grids: ['g1'] },
	volunteer: { memberId: 'm-volunteer', name: ZHAO.name, role: 'volunteer', grids: [] }
} satisfies Record<string, Writer>;

/** The relay's copy; each write runs on a fresh phone holding what the relay holds. */
function setup() {
	const relay = new Y.Doc();
	return {
		/** Runs `fn(phone)`; returns the verdict for `writer` and applies the update when accepted. */
		write(writer: Writer, fn: (phone: Y.Doc) => void) {
			const phone = new Y.Doc();
			Y.applyUpdate(phone, Y.encodeStateAsUpdate(relay));
			const before = Y.encodeStateVector(relay);
			fn(phone);
			const update = Y.encodeStateAsUpdate(phone, before);
			const verdict = checkUpdate(relay, Y.decodeUpdate(update), BOARD_RULES, writer, TARGET);
			if (verdict.ok) Y.applyUpdate(relay, update);
			return verdict;
		}
	};
}

describe('board write rules', () => {
	it('accept what every role may do through the commands', () => {
		const { write } = setup();
		let id = '';
		expect(
			write(writers.volunteer, (phone) => {
				id = created(createCase(phone, CORRIDOR_LIGHT, caseContext(ZHAO, 1, VOLUNTEER)));
			}).ok
		).toBe(true);
		expect(
			write(writers.volunteer, (phone) => {
				addCaseComment(phone, id as never, '我也看到了', caseContext(ZHAO, 2, VOLUNTEER));
			}).ok
		).toBe(true);
		expect(
			write(writers.gridMember, (phone) => {
				applyCaseStatusAction(phone, id as never, 'accept', {}, caseContext(WANG, 3, GRID_MEMBER));
			}).ok
		).toBe(true);
		expect(
			write(writers.gridMember, (phone) => {
				moveCaseTier(
					phone,
					id as never,
					'escalate',
					'需要社区协调',
					caseContext(WANG, 4, GRID_MEMBER)
				);
			}).ok
		).toBe(true);
		expect(
			write(writers.secretary, (phone) => {
				moveCaseTier(
					phone,
					id as never,
					'hand_back',
					'网格可以处理',
					caseContext(LI, 5, SECRETARY)
				);
			}).ok
		).toBe(true);
	});

	it('refuse a status change forged by a volunteer, and a deleted timeline', () => {
		const { write } = setup();
		let id = '';
		write(writers.volunteer, (phone) => {
			id = created(createCase(phone, CORRIDOR_LIGHT, caseContext(ZHAO, 1, VOLUNTEER)));
		});
		// The command itself would refuse: the volunteer's phone writes with the secretary's authority.
		expect(
			write(writers.volunteer, (phone) => {
				applyCaseStatusAction(phone, id as never, 'accept', {}, caseContext(ZHAO, 2, SECRETARY));
			})
		).toMatchObject({ ok: false, reason: 'not_permitted' });
		expect(
			write(writers.secretary, (phone) => {
				const timeline = (phone.getMap('cases').get(id) as Y.Map<unknown>).get(
					'timeline'
				) as Y.Array<unknown>;
				timeline.delete(0, 1);
			})
		).toMatchObject({ ok: false, reason: 'history' });
		expect(
			write(writers.volunteer, (phone) => {
				editCaseField(phone, id as never, 'title', '别人的名字', caseContext(LI, 3, VOLUNTEER));
			})
		).toMatchObject({ ok: false, reason: 'author' });
	});
});

describe('board write rules: deleting and restoring a case', () => {
	it('accept the secretary’s delete and restore, refuse them forged by staff or a volunteer', () => {
		const { write } = setup();
		let id = '';
		write(writers.gridMember, (phone) => {
			id = created(createCase(phone, CORRIDOR_LIGHT, caseContext(WANG, 1, GRID_MEMBER)));
		});
		// The commands would refuse: each phone writes with the secretary's authority, its own name.
		expect(
			write(writers.gridMember, (phone) => {
				deleteCase(phone, id as never, caseContext(WANG, 2, SECRETARY));
			})
		).toMatchObject({ ok: false, reason: 'not_permitted' });
		expect(
			write(writers.volunteer, (phone) => {
				deleteCase(phone, id as never, caseContext(ZHAO, 2, SECRETARY));
			})
		).toMatchObject({ ok: false, reason: 'not_permitted' });
		expect(
			write(writers.secretary, (phone) => {
				expect(deleteCase(phone, id as never, caseContext(LI, 3, SECRETARY)).ok).toBe(true);
			}).ok
		).toBe(true);
		// While deleted, staff may still edit (an offline phone's edit is never refused).
		expect(
			write(writers.gridMember, (phone) => {
				editCaseField(phone, id as never, 'title', '楼道灯已修', caseContext(WANG, 4, GRID_MEMBER));
			}).ok
		).toBe(true);
		expect(
			write(writers.gridMember, (phone) => {
				restoreCase(phone, id as never, caseContext(WANG, 5, SECRETARY));
			})
		).toMatchObject({ ok: false, reason: 'not_permitted' });
		expect(
			write(writers.secretary, (phone) => {
				expect(restoreCase(phone, id as never, caseContext(LI, 6, SECRETARY)).ok).toBe(true);
			}).ok
		).toBe(true);
	});
});

describe('board write rules and the app agree', () => {
	it('on the fields a case logs and the values a report may carry in staff fields', () => {
		expect([...CASE_LOG_FIELDS]).toEqual([...CASE_FIELDS]);
		for (const [field, value] of Object.entries(STAFF_CASE_FIELDS)) {
			expect(CASE_FIELD_DEFAULTS[field as keyof typeof CASE_FIELD_DEFAULTS]).toEqual(value);
		}
	});
});
