import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addCaseComment, createCase, readCase } from '$lib/model/case';
import type { DocSyncState } from '$lib/sync/doc-session';
import type { CaseId } from '$lib/domain/ids';
import { stampReceiptsOnConfirm } from './server-receipts';
import { caseContext } from '$lib/model/testing/fixtures';

const ME = { name: '王网格员', deviceId: 'd-me' };

function fakeSession(docName: string, unconfirmed: number) {
	const doc = new Y.Doc();
	const listeners = new Set<(state: DocSyncState) => void>();
	let state = { unconfirmed, lastConfirmedAt: null } as unknown as DocSyncState;
	return {
		docName,
		doc,
		getState: () => state,
		subscribe(listener: (state: DocSyncState) => void) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		emit(next: Partial<DocSyncState>) {
			state = { ...state, ...next } as DocSyncState;
			for (const listener of listeners) listener(state);
		}
	};
}

describe('stampReceiptsOnConfirm', () => {
	it('stamps when unconfirmed drops to 0 after being above 0, and only then', () => {
		const session = fakeSession('c/demo/board/g1', 0);
		const created = createCase(
			session.doc,
			{ title: '楼道灯短路', category: 'other' },
			caseContext(ME, 1000)
		);
		if (!created.ok) throw new Error(created.reason);
		const id: CaseId = created.value;
		stampReceiptsOnConfirm(session, ME.deviceId, () => 9999);
		session.emit({ unconfirmed: 0 });
		expect(readCase(session.doc, id)?.receipts).toEqual({});
		session.emit({ unconfirmed: 2 });
		session.emit({ unconfirmed: 0, lastConfirmedAt: 5000 });
		const first = readCase(session.doc, id);
		expect(Object.values(first?.receipts ?? {})).toEqual([5000]);
		addCaseComment(session.doc, id, '已派电工', caseContext({ ...ME, deviceId: 'd-other' }, 6000));
		session.emit({ unconfirmed: 1 });
		session.emit({ unconfirmed: 0, lastConfirmedAt: 7000 });
		// The other device's comment is not ours to stamp; ours keeps its first receipt.
		expect(Object.values(readCase(session.doc, id)?.receipts ?? {})).toEqual([5000]);
	});

	it('ignores documents that are not boards', () => {
		const session = fakeSession('c/demo/directory', 1);
		const stop = stampReceiptsOnConfirm(session, ME.deviceId);
		session.emit({ unconfirmed: 0 });
		expect(session.doc.getMap('cases').size).toBe(0);
		stop();
	});
});
