import { describe, expect, it } from 'vitest';
import type { DocSyncState } from './doc-session.ts';
import { summarizeSync, type SyncSummary } from './sync-summary.ts';

function doc(overrides: Partial<DocSyncState> = {}): DocSyncState {
	return {
		docName: 'c/demo/directory',
		loaded: true,
		connection: 'online',
		closeReason: null,
		disconnectedSince: null,
		writesRejected: 0,
		refused: null,
		local: 'saved',
		localError: null,
		unconfirmed: 0,
		lastConfirmedAt: 1_000,
		...overrides
	};
}

const cases: {
	name: string;
	states: DocSyncState[];
	online?: boolean;
	expected: Partial<SyncSummary>;
}[] = [
	{
		name: 'no documents is no evidence: not allOnServer',
		states: [],
		expected: { connection: 'online', allOnServer: false, unconfirmed: 0 }
	},
	{
		name: 'documents still loading, none ever confirmed: not allOnServer',
		states: [doc({ loaded: false, local: 'loading', lastConfirmedAt: null })],
		expected: { allOnServer: false, loading: true }
	},
	{
		name: 'no documents, browser offline',
		states: [],
		online: false,
		expected: { connection: 'offline', allOnServer: false }
	},
	{
		name: 'everything confirmed',
		states: [doc(), doc({ docName: 'c/demo/board/g01' })],
		expected: { connection: 'online', allOnServer: true, saving: false, localError: null }
	},
	{
		name: 'unconfirmed changes are summed and block allOnServer',
		states: [doc({ unconfirmed: 2 }), doc({ unconfirmed: 3 })],
		expected: { unconfirmed: 5, allOnServer: false }
	},
	{
		name: 'a loaded doc never confirmed blocks allOnServer',
		states: [doc(), doc({ lastConfirmedAt: null })],
		expected: { allOnServer: false, unconfirmed: 0 }
	},
	{
		name: 'a doc still loading does not need a confirmation yet',
		states: [doc(), doc({ loaded: false, local: 'loading', lastConfirmedAt: null })],
		expected: { allOnServer: true, loading: true }
	},
	{
		name: 'online with nothing unconfirmed is not allOnServer when the browser is offline',
		states: [doc()],
		online: false,
		expected: { connection: 'offline', allOnServer: false }
	},
	{
		name: 'the worst connection wins and the earliest disconnect is kept',
		states: [
			doc(),
			doc({ connection: 'connecting', disconnectedSince: 500 }),
			doc({ connection: 'offline', disconnectedSince: 700 })
		],
		expected: { connection: 'offline', disconnectedSince: 500, allOnServer: false }
	},
	{
		name: 'connecting beats online',
		states: [doc(), doc({ connection: 'connecting', disconnectedSince: 900 })],
		expected: { connection: 'connecting', disconnectedSince: 900 }
	},
	{
		name: 'closed beats everything and carries its reason',
		states: [
			doc({ connection: 'offline', disconnectedSince: 1 }),
			doc({ connection: 'closed', closeReason: { code: 4403, reason: 'forbidden' } })
		],
		expected: { connection: 'closed', closeReason: 'forbidden', closeCode: 4403 }
	},
	{
		name: 'a closed doc without reason text shows its code',
		states: [doc({ connection: 'closed', closeReason: { code: 4400, reason: '' } })],
		expected: { closeReason: '4400' }
	},
	{
		name: 'a document whose writes the relay refused (message 101) makes the summary read-only',
		states: [doc(), doc({ writesRejected: 2 })],
		expected: { writesRejected: true, connection: 'online' }
	},
	{
		name: 'saving anywhere shows saving',
		states: [doc(), doc({ local: 'saving' })],
		expected: { saving: true, allOnServer: true }
	},
	{
		name: 'quota beats the other local errors',
		states: [
			doc({ local: 'error', localError: 'write_failed' }),
			doc({ local: 'error', localError: 'quota_exceeded' }),
			doc({ local: 'error', localError: 'unavailable' })
		],
		expected: { localError: 'quota_exceeded' }
	},
	{
		name: 'unavailable beats write_failed',
		states: [
			doc({ local: 'error', localError: 'write_failed' }),
			doc({ local: 'error', localError: 'unavailable' })
		],
		expected: { localError: 'unavailable' }
	}
];

describe('summarizeSync', () => {
	for (const { name, states, online = true, expected } of cases) {
		it(name, () => {
			expect(summarizeSync(states, online)).toMatchObject(expected);
		});
	}

	it('while the pending index is read, it is loading and never allOnServer', () => {
		expect(summarizeSync([doc()], true, { restoring: true })).toMatchObject({
			loading: true,
			allOnServer: false
		});
		expect(summarizeSync([doc()], true, { restoring: false }).allOnServer).toBe(true);
	});

	describe('issue 15: never "waiting" when nothing waits; photos; last synced', () => {
		it('no documents and nothing pending (before sign-in): nothing to say about the server', () => {
			expect(summarizeSync([], true).server).toBe('none');
			expect(summarizeSync([], false).server).toBe('none');
		});

		it('offline with nothing pending: idle, not waiting, with the last confirmation', () => {
			const summary = summarizeSync([doc({ connection: 'offline' })], false, {
				photosPending: 0
			});
			expect(summary.server).toBe('idle');
			expect(summary.lastSyncedAt).toBe(1_000);
			expect(summary.neverSynced).toBe(false);
		});

		it('online and connecting, a document not yet confirmed: waiting', () => {
			const summary = summarizeSync(
				[doc({ connection: 'connecting', lastConfirmedAt: null })],
				true,
				{ photosPending: 0 }
			);
			expect(summary.server).toBe('waiting');
		});

		it('the data on screen is as old as its oldest document', () => {
			const summary = summarizeSync(
				[
					doc({ connection: 'offline', lastConfirmedAt: 5_000 }),
					doc({ connection: 'offline', lastConfirmedAt: 3_000, docName: 'c/demo/tasks' }),
					doc({ loaded: false, local: 'loading', lastConfirmedAt: 1 })
				],
				false
			);
			expect(summary.lastSyncedAt).toBe(3_000);
		});

		it('a loaded document never confirmed here: never synced, no time', () => {
			const summary = summarizeSync(
				[doc({ connection: 'offline' }), doc({ connection: 'offline', lastConfirmedAt: null })],
				false
			);
			expect(summary.lastSyncedAt).toBeNull();
			expect(summary.neverSynced).toBe(true);
		});

		it('photos waiting count like changes and block allOnServer', () => {
			const summary = summarizeSync([doc()], true, { photosPending: 2 });
			expect(summary).toMatchObject({ photosPending: 2, server: 'pending', allOnServer: false });
			const offline = summarizeSync([], false, { photosPending: 1 });
			expect(offline.server).toBe('pending');
		});

		it('photos not counted yet: loading, never allOnServer', () => {
			const summary = summarizeSync([doc()], true, { photosPending: null });
			expect(summary).toMatchObject({ loading: true, allOnServer: false, server: 'waiting' });
			expect(summarizeSync([doc()], true, { photosPending: 0 }).server).toBe('all');
		});
	});

	describe('refusals (message 102)', () => {
		const refused = {
			count: 2,
			firstReason: 'not_permitted',
			firstPath: 'cases/c1/fields/status~7/[]',
			lastReason: 'missing_dependency',
			lastPath: '7:3'
		} as const;

		it('lists each refused document with its unconfirmed changes, and is never all on the server', () => {
			const board = 'c/demo/board/g01';
			const summary = summarizeSync(
				[doc(), doc({ docName: board, refused, unconfirmed: 3 })],
				true,
				{ photosPending: 0 }
			);
			expect(summary.refusals).toEqual([{ docName: board, unconfirmed: 3, refused }]);
			expect(summary).toMatchObject({ allOnServer: false, server: 'pending', unconfirmed: 3 });
		});

		it('a refusal with nothing of this device unconfirmed is not listed', () => {
			const summary = summarizeSync([doc({ refused, unconfirmed: 0 })], true, {
				photosPending: 0
			});
			expect(summary.refusals).toEqual([]);
			expect(summary.allOnServer).toBe(true);
		});
	});

	it('returns a frozen object', () => {
		expect(Object.isFrozen(summarizeSync([doc()], true))).toBe(true);
	});
});
