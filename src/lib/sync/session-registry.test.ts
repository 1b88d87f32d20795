import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import type { DocSession, DocSyncState } from './doc-session.ts';
import { createSessionRegistry } from './session-registry.ts';

type FakeSession = DocSession & { set(patch: Partial<DocSyncState>): void; destroyed: boolean };

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
		destroy() {
			session.destroyed = true;
		},
		clearLocalData: async () => ({ ok: true })
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
