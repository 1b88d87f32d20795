import { describe, expect, it } from 'vitest';
import { PERSIST_ANSWER_KEY, readStorageInfo, requestPersistentStorage } from './storage-info.ts';

function fakeStorage(answer: boolean, { persisted = false, fail = false } = {}) {
	const calls = { persist: 0 };
	let isPersisted = persisted;
	return {
		calls,
		storage: {
			async persist() {
				calls.persist++;
				if (fail) throw new Error('nope');
				isPersisted = answer;
				return answer;
			},
			persisted: async () => isPersisted,
			estimate: async () => ({ usage: 1234, quota: 10_000 })
		}
	};
}

function memoryLocalStorage() {
	const items = new Map<string, string>();
	return {
		items,
		getItem: (key: string) => items.get(key) ?? null,
		setItem: (key: string, value: string) => void items.set(key, value)
	};
}

describe('requestPersistentStorage', () => {
	it('asks once and remembers a denial', async () => {
		const { storage, calls } = fakeStorage(false);
		const localStorage = memoryLocalStorage();
		expect(await requestPersistentStorage({ storage, localStorage })).toBe(false);
		expect(await requestPersistentStorage({ storage, localStorage })).toBe(false);
		expect(calls.persist).toBe(1);
		expect(localStorage.items.get(PERSIST_ANSWER_KEY)).toBe('denied');
	});

	it('asks again when forced', async () => {
		const { storage, calls } = fakeStorage(true);
		const localStorage = memoryLocalStorage();
		localStorage.setItem(PERSIST_ANSWER_KEY, 'denied');
		expect(await requestPersistentStorage({ storage, localStorage, force: true })).toBe(true);
		expect(calls.persist).toBe(1);
		expect(localStorage.items.get(PERSIST_ANSWER_KEY)).toBe('granted');
	});

	it('does not ask when storage is already persistent', async () => {
		const { storage, calls } = fakeStorage(true, { persisted: true });
		expect(await requestPersistentStorage({ storage, localStorage: null })).toBe(true);
		expect(calls.persist).toBe(0);
	});

	it('never throws: a failing API or none at all gives null', async () => {
		const { storage } = fakeStorage(true, { fail: true });
		expect(await requestPersistentStorage({ storage, localStorage: null })).toBeNull();
		expect(await requestPersistentStorage({ storage: null, localStorage: null })).toBeNull();
	});
});

describe('readStorageInfo', () => {
	it('reports persistence, usage and quota', async () => {
		const { storage } = fakeStorage(true, { persisted: true });
		expect(await readStorageInfo({ storage })).toEqual({
			persisted: true,
			usage: 1234,
			quota: 10_000
		});
	});

	it('reports nulls without a storage API or when it fails', async () => {
		expect(await readStorageInfo({ storage: null })).toEqual({
			persisted: null,
			usage: null,
			quota: null
		});
		const failing = {
			persist: async () => false,
			persisted: async () => {
				throw new Error('x');
			},
			estimate: async () => {
				throw new Error('y');
			}
		};
		expect(await readStorageInfo({ storage: failing })).toEqual({
			persisted: null,
			usage: null,
			quota: null
		});
	});
});
