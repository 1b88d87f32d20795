import { describe, expect, it, vi } from 'vitest';
import type { DocSession } from './doc-session.ts';
import { createDeferredRegistry } from './deferred-registry.ts';
import type { SessionRegistry } from './session-registry.ts';
import { summarizeSync } from './sync-summary.ts';

function fakeRegistry(sessions: DocSession[]) {
	const listeners = new Set<(sessions: DocSession[]) => void>();
	const watchers = new Set<(changed?: DocSession) => void>();
	const registry = {
		acquire: vi.fn((docName: string) => ({
			session: { docName } as DocSession,
			release: () => undefined
		})),
		all: () => sessions,
		subscribe(listener: (sessions: DocSession[]) => void) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		watchSessions(watcher: (changed?: DocSession) => void) {
			watchers.add(watcher);
			return () => void watchers.delete(watcher);
		},
		retryLocalWrites: vi.fn(),
		restorePending: vi.fn(async () => 2),
		isRestoring: () => false,
		clearAllLocalData: vi.fn(async () => ({ ok: true as const })),
		resetDocument: vi.fn(async () => ({ ok: true as const })),
		destroy: vi.fn()
	} satisfies SessionRegistry;
	const emit = () => listeners.forEach((listener) => listener(sessions));
	return { registry, emit, listeners, watchers };
}

function deferred() {
	let start!: (registry: SessionRegistry) => void;
	const starting = new Promise<SessionRegistry>((resolve) => (start = resolve));
	return { registry: createDeferredRegistry(starting), start };
}

describe('deferred-registry', () => {
	it('knows nothing before the engine starts: no sessions, still restoring, the summary loading', () => {
		const { registry } = deferred();
		expect(registry.all()).toEqual([]);
		expect(registry.isRestoring()).toBe(true);
		const states = registry.all().map((session) => session.getState());
		const summary = summarizeSync(states, true, { restoring: registry.isRestoring() });
		expect(summary.loading).toBe(true);
		expect(() => registry.acquire('directory:c1')).toThrow(/not started/);
	});

	it('hands listeners subscribed early to the real registry once it starts', async () => {
		const { registry, start } = deferred();
		const early = vi.fn();
		const gone = vi.fn();
		registry.subscribe(early);
		registry.subscribe(gone)();
		const session = { docName: 'cases:c1:g1' } as DocSession;
		const real = fakeRegistry([session]);
		start(real.registry);
		await registry.started;
		expect(early).toHaveBeenCalledWith([session]);
		expect(gone).not.toHaveBeenCalled();
		expect(registry.all()).toEqual([session]);
		expect(registry.isRestoring()).toBe(false);
		expect(registry.acquire('directory:c1').session.docName).toBe('directory:c1');

		early.mockClear();
		real.emit();
		expect(early).toHaveBeenCalledTimes(1);
		expect(real.listeners.size).toBe(1);
	});

	it('detaches an early listener from the real registry when it unsubscribes after the start', async () => {
		const { registry, start } = deferred();
		const unsubscribe = registry.subscribe(() => undefined);
		const real = fakeRegistry([]);
		start(real.registry);
		await registry.started;
		expect(real.listeners.size).toBe(1);
		unsubscribe();
		expect(real.listeners.size).toBe(0);
	});

	it('sign-out started before the engine waits for it and wipes the device', async () => {
		const { registry, start } = deferred();
		const cleared = registry.clearAllLocalData();
		const real = fakeRegistry([]);
		start(real.registry);
		await expect(cleared).resolves.toEqual({ ok: true });
		expect(real.registry.clearAllLocalData).toHaveBeenCalledTimes(1);
	});

	it('a document reset asked before the engine started goes to the real registry', async () => {
		const { registry, start } = deferred();
		const reset = registry.resetDocument('c/demo/board/g01');
		const real = fakeRegistry([]);
		start(real.registry);
		await expect(reset).resolves.toEqual({ ok: true });
		expect(real.registry.resetDocument).toHaveBeenCalledWith('c/demo/board/g01');
	});

	it('hands session watchers subscribed before the start to the real registry, and detaches them', async () => {
		const { registry, start } = deferred();
		const watcher = vi.fn();
		const stop = registry.watchSessions(watcher);
		expect(watcher).not.toHaveBeenCalled();
		const real = fakeRegistry([]);
		start(real.registry);
		await registry.started;
		// Told once that the sessions are now known, then it hears the real registry.
		expect(watcher).toHaveBeenCalledTimes(1);
		expect(real.watchers.has(watcher)).toBe(true);
		stop();
		expect(real.watchers.has(watcher)).toBe(false);
	});
});
