import { describe, expect, it } from 'vitest';
import { clearCredential } from './credential-store';
import { readRoster, ROSTER_KEY, writeRoster } from './roster-cache';

function memoryStore() {
	const data = new Map<string, string>();
	return {
		data,
		getItem: (key: string) => data.get(key) ?? null,
		setItem: (key: string, value: string) => void data.set(key, value),
		removeItem: (key: string) => void data.delete(key)
	};
}

const roster = {
	communityId: 'demo',
	at: 1000,
	members: [
		{ id: 'm1a2b3c4d5e6f7a8b', displayName: '王秀英', role: 'grid-member' as const, grids: ['g1'] }
	]
};

describe('roster cache', () => {
	it('reads back what was written, for that community only', () => {
		const store = memoryStore();
		writeRoster(store, roster);
		expect(readRoster(store, 'demo')).toEqual(roster);
		expect(readRoster(store, 'other')).toBeNull();
	});

	it('a damaged entry reads as no roster', () => {
		const store = memoryStore();
		for (const raw of ['{', '[]', '{"communityId":"demo","at":1,"members":[{"id":1}]}']) {
			store.setItem(ROSTER_KEY, raw);
			expect(readRoster(store, 'demo')).toBeNull();
		}
	});

	it('signing out forgets it with the credential', () => {
		const store = memoryStore();
		writeRoster(store, roster);
		clearCredential(store);
		expect(store.data.has(ROSTER_KEY)).toBe(false);
	});
});
