import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import type { DocSession, DocSyncState } from './doc-session.ts';
import type { ClearResult } from './local-store.ts';
import { createSessionRegistry } from './session-registry.ts';

type FakeSession = DocSession & {
	set(patch: Partial<DocSyncState>): void;
	destroyed: boolean;
	/** What `clearLocalData` answers, and how often it was called. */
	clearResult: ClearResult;
	cleared: number;
};

function fakeSession(docName: string): FakeSession {
	let state: DocSyncState = Object.freeze({
		docName,
		loaded: true,
		connection: 'online',
		closeReason: null,
		disconnectedSince: null,
		writesRejected: 0,
		refused: null,
		local: 'saved',
		localError: null,
		unconfirmed: 0,
		lastConfirmedAt: 1
	});
	const listeners = new Set<(state: DocSyncState) => void>();
	const doc = new Y.Doc();
	const session: FakeSession = {
		docName,
		doc,
		whenLoaded: Promise.resolve(),
		awareness: new Awareness(doc),
		destroyed: false,
		getState: () => state,
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		set(patch) {
			state = Object.freeze({ ...state, ...patch });
			for (const listener of listeners) listener(state);
		},
		connect() {},
		disconnect() {},
		retryLocalWrites: vi.fn(),
		summary: () => null,
		destroy() {
			session.destroyed = true;
		},
		clearResult: { ok: true },
		cleared: 0,
		async clearLocalData() {
			session.cleared++;
			session.destroyed = true;
			return session.clearResult;
		}
	};
	return session;
}

function setup() {
	const opened: FakeSession[] = [];
	const registry = createSessionRegistry({
		relayUrl: 'ws://relay.test/sync',
		lingerMs: 30_000,
		open: (docName) => {
			const session = fakeSession(docName);
			opened.push(session);
			return session;
		}
	});
	const sets: string[][] = [];
	registry.subscribe((sessions) => sets.push(sessions.map((s) => s.docName)));
	return { registry, opened, sets };
}

beforeEach(() => {
	vi.useFakeTimers();
});
afterEach(() => {
	vi.useRealTimers();
});

describe('session-registry', () => {
	it('opens each document once and shares it', () => {
		const { registry, opened, sets } = setup();
		const first = registry.acquire('c/demo/directory');
		const second = registry.acquire('c/demo/directory');
		expect(second.session).toBe(first.session);
		expect(opened).toHaveLength(1);
		expect(registry.all()).toEqual([first.session]);
		expect(sets).toEqual([['c/demo/directory']]);
	});

	it('keeps a released session for the linger time, then closes it', () => {
		const { registry, opened, sets } = setup();
		const a = registry.acquire('c/demo/directory');
		const b = registry.acquire('c/demo/directory');
		a.release();
		a.release(); // idempotent: b still holds it
		vi.advanceTimersByTime(60_000);
		expect(opened[0]?.destroyed).toBe(false);
		b.release();
		vi.advanceTimersByTime(29_000);
		expect(registry.all()).toHaveLength(1);
		vi.advanceTimersByTime(1_000);
		expect(opened[0]?.destroyed).toBe(true);
		expect(registry.all()).toEqual([]);
		expect(sets.at(-1)).toEqual([]);
	});

	it('navigating back within the linger time reuses the open session', () => {
		const { registry, opened } = setup();
		registry.acquire('c/demo/board/g01').release();
		vi.advanceTimersByTime(10_000);
		const again = registry.acquire('c/demo/board/g01');
		vi.advanceTimersByTime(60_000);
		expect(opened).toHaveLength(1);
		expect(again.session).toBe(opened[0]);
		expect(opened[0]?.destroyed).toBe(false);
	});

	it('does not close a session with unsaved or unconfirmed edits until they settle', () => {
		const { registry, opened } = setup();
		const lease = registry.acquire('c/demo/board/g01');
		const session = opened[0]!;
		session.set({ local: 'error', localError: 'quota_exceeded', unconfirmed: 1 });
		lease.release();
		vi.advanceTimersByTime(60_000);
		expect(session.destroyed).toBe(false);

		session.set({ local: 'saved', localError: null, connection: 'offline' });
		vi.advanceTimersByTime(60_000);
		expect(session.destroyed).toBe(false);

		session.set({ connection: 'online', unconfirmed: 0 });
		vi.advanceTimersByTime(30_000);
		expect(session.destroyed).toBe(true);
		expect(registry.all()).toEqual([]);
	});

	it('keeps a session the relay refused (closed) while it has unconfirmed changes', () => {
		const { registry, opened } = setup();
		const lease = registry.acquire('c/demo/board/g01');
		const session = opened[0]!;
		session.set({
			connection: 'closed',
			closeReason: { code: 4403, reason: 'forbidden' },
			unconfirmed: 3
		});
		lease.release();
		vi.advanceTimersByTime(10 * 60_000);
		expect(session.destroyed).toBe(false);
		expect(registry.all()).toEqual([session]);
		expect(registry.all()[0]?.getState()).toMatchObject({ unconfirmed: 3 });
	});

	it('restorePending() holds every listed document of the community until it settles', async () => {
		const opened: FakeSession[] = [];
		const listed: string[] = [];
		const registry = createSessionRegistry({
			relayUrl: 'ws://relay.test/sync',
			lingerMs: 30_000,
			open: (docName) => {
				const session = fakeSession(docName);
				session.set({ unconfirmed: 2 });
				opened.push(session);
				return session;
			},
			pendingIndex: {
				mark: async () => true,
				clear: async () => true,
				async list(communityId) {
					listed.push(communityId);
					return ['c/demo/board/g01', 'c/demo/board/g02'];
				},
				close() {}
			}
		});
		const restoring: boolean[] = [];
		registry.subscribe(() => restoring.push(registry.isRestoring()));
		await expect(registry.restorePending('demo')).resolves.toBe(2);
		expect(listed).toEqual(['demo']);
		expect(restoring[0]).toBe(true);
		expect(registry.isRestoring()).toBe(false);
		expect(registry.all().map((s) => s.docName)).toEqual(['c/demo/board/g01', 'c/demo/board/g02']);
		vi.advanceTimersByTime(10 * 60_000);
		expect(registry.all()).toHaveLength(2);

		// Confirmed: the background hold is released, and the session closes after the linger.
		opened[0]!.set({ unconfirmed: 0 });
		vi.advanceTimersByTime(30_000);
		expect(opened[0]!.destroyed).toBe(true);
		expect(registry.all().map((s) => s.docName)).toEqual(['c/demo/board/g02']);
	});

	describe('resetDocument()', () => {
		function withIndex(failClear?: ClearResult) {
			const opened: FakeSession[] = [];
			const cleared: string[] = [];
			const registry = createSessionRegistry({
				relayUrl: 'ws://relay.test/sync',
				lingerMs: 30_000,
				open: (docName) => {
					const session = fakeSession(docName);
					if (failClear) session.clearResult = failClear;
					session.set({ unconfirmed: 2 });
					opened.push(session);
					return session;
				},
				pendingIndex: {
					mark: async () => true,
					async clear(docName) {
						cleared.push(docName);
						return true;
					},
					list: async () => ['c/demo/board/g01', 'c/demo/board/g02'],
					close() {}
				}
			});
			return { registry, opened, cleared };
		}

		it('closes and deletes that one document and its index entry; the next acquire opens it anew', async () => {
			const { registry, opened, cleared } = withIndex();
			await registry.restorePending('demo');
			const held = registry.acquire('c/demo/board/g01');
			await expect(registry.resetDocument('c/demo/board/g01')).resolves.toEqual({ ok: true });
			expect(opened.map((s) => [s.docName, s.cleared])).toEqual([
				['c/demo/board/g01', 1],
				['c/demo/board/g02', 0]
			]);
			expect(opened[1]!.destroyed).toBe(false);
			expect(cleared).toEqual(['c/demo/board/g01']);
			expect(registry.all().map((s) => s.docName)).toEqual(['c/demo/board/g02']);
			// The old lease lets go without touching what comes next.
			held.release();
			const again = registry.acquire('c/demo/board/g01');
			expect(again.session).not.toBe(held.session);
			vi.advanceTimersByTime(60_000);
			expect(registry.all().map((s) => s.docName)).toEqual([
				'c/demo/board/g02',
				'c/demo/board/g01'
			]);
		});

		it('when the database could not be deleted, the document is open again and keeps its entry', async () => {
			const { registry, opened, cleared } = withIndex({ ok: false, reason: 'blocked' });
			registry.acquire('c/demo/board/g01');
			await expect(registry.resetDocument('c/demo/board/g01')).resolves.toEqual({
				ok: false,
				reason: 'blocked'
			});
			expect(cleared).toEqual([]);
			expect(opened).toHaveLength(2);
			expect(registry.all()).toEqual([opened[1]]);
			expect(registry.all()[0]!.getState().unconfirmed).toBe(2);
		});
	});

	it('retryLocalWrites() reaches every open session', () => {
		const { registry, opened } = setup();
		registry.acquire('c/demo/board/g01');
		registry.acquire('c/demo/board/g02');
		registry.retryLocalWrites();
		for (const session of opened) expect(session.retryLocalWrites).toHaveBeenCalledOnce();
	});

	it('watchSessions() hears the open set and every open session, and lets go of closed ones', () => {
		const { registry, opened } = setup();
		const first = registry.acquire('c/demo/board/g01');
		const heard: (string | undefined)[] = [];
		const stop = registry.watchSessions((changed) => heard.push(changed?.docName));
		expect(heard).toEqual([]);

		opened[0]!.set({ unconfirmed: 1 });
		const second = registry.acquire('c/demo/board/g02');
		opened[1]!.set({ connection: 'offline' });
		expect(heard).toEqual(['c/demo/board/g01', undefined, 'c/demo/board/g02']);

		opened[0]!.set({ unconfirmed: 0 });
		first.release();
		vi.advanceTimersByTime(30_000);
		expect(opened[0]!.destroyed).toBe(true);
		heard.length = 0;
		opened[0]!.set({ connection: 'offline' });
		expect(heard).toEqual([]);

		stop();
		opened[1]!.set({ connection: 'online' });
		second.release();
		expect(heard).toEqual([]);
	});
});
