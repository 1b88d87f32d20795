/**
 * One contract suite over both NoticeStore implementations: publish keeps a live notice's token,
 * a withdrawal retires its token for good, consents are per member.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { NoticeSnapshot } from '../../src/lib/wire/notice.ts';
import { makeTempDir, removeDir } from '../test-helpers.ts';
import { SqliteNoticeStore } from './sqlite.ts';
import { MemoryNoticeStore, type NoticeStore } from './store.ts';

const snapshot = (grid: string): NoticeSnapshot => ({
	community: '示例社区',
	grid,
	hours: '周一至周五 9:00–17:30',
	team: [{ memberId: 'm1', name: '李敏', duty: '网格长', phone: '13800138000' }]
});

const factories: { name: string; open(dir: string): NoticeStore }[] = [
	{ name: 'memory', open: () => new MemoryNoticeStore() },
	{ name: 'sqlite', open: (dir) => new SqliteNoticeStore(dir) }
];

const cleanups: (() => void)[] = [];
afterEach(() => {
	for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

describe.each(factories)('NoticeStore contract: $name', ({ open }) => {
	const fresh = () => {
		const dir = makeTempDir('gridboard-notices-');
		const store = open(dir);
		cleanups.push(() => removeDir(dir));
		cleanups.push(() => store.close());
		return store;
	};

	it('republishing a live notice keeps its token and replaces its snapshot', () => {
		const store = fresh();
		const first = store.publish('demo', 'g1', snapshot('第一网格'), 1000, 'a'.repeat(22));
		const second = store.publish('demo', 'g1', snapshot('第一网格（新）'), 2000, 'b'.repeat(22));
		expect(second.token).toBe(first.token);
		expect(second.publishedAt).toBe(2000);
		const found = store.byToken(first.token);
		expect(found.state === 'live' && found.notice.snapshot.grid).toBe('第一网格（新）');
		expect(store.byToken('b'.repeat(22))).toEqual({ state: 'unknown' });
		expect(store.listLive('demo').map((n) => n.gridId)).toEqual(['g1']);
		expect(store.listLive('other')).toEqual([]);
	});

	it('a withdrawn token stays withdrawn; publishing again issues a new one', () => {
		const store = fresh();
		store.publish('demo', 'g1', snapshot('第一网格'), 1000, 'a'.repeat(22));
		expect(store.withdraw('demo', 'g1', 1500)).toBe(true);
		expect(store.withdraw('demo', 'g1', 1600)).toBe(false);
		expect(store.byToken('a'.repeat(22))).toEqual({
			state: 'withdrawn',
			communityId: 'demo',
			gridId: 'g1',
			withdrawnAt: 1500
		});
		expect(store.listLive('demo')).toEqual([]);
		const again = store.publish('demo', 'g1', snapshot('第一网格'), 2000, 'c'.repeat(22));
		expect(again.token).toBe('c'.repeat(22));
		expect(store.byToken('a'.repeat(22)).state).toBe('withdrawn');
	});

	it('keeps each member’s consent to show a phone, and forgets it when cleared', () => {
		const store = fresh();
		store.setPhone('demo', 'm1', '13800138000', 1);
		store.setPhone('demo', 'm2', '0531-88886666', 1);
		store.setPhone('other', 'm1', '13900139000', 1);
		store.setPhone('demo', 'm1', '13700137000', 2);
		store.setPhone('demo', 'm2', null, 3);
		expect([...store.phones('demo')]).toEqual([['m1', '13700137000']]);
		expect([...store.phones('other')]).toEqual([['m1', '13900139000']]);
	});
});

describe('SqliteNoticeStore', () => {
	it('keeps notices and consents across a reopen', () => {
		const dir = makeTempDir('gridboard-notices-');
		cleanups.push(() => removeDir(dir));
		const first = new SqliteNoticeStore(dir);
		first.publish('demo', 'g1', snapshot('第一网格'), 1000, 'a'.repeat(22));
		first.setPhone('demo', 'm1', '13800138000', 1);
		first.close();
		const second = new SqliteNoticeStore(dir);
		cleanups.push(() => second.close());
		expect(second.byToken('a'.repeat(22)).state).toBe('live');
		expect(second.phones('demo').get('m1')).toBe('13800138000');
	});
});
