/**
 * One contract suite for every identity store: SQLite and the in-memory twin behind the async
 * interface (asAsyncIdentity), and PostgreSQL on a private server with a fresh database per
 * test; and concurrent redemptions of one invite on PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from './cluster/test-servers.ts';
import { asAsyncIdentity, type AsyncIdentityStore } from './identity-async.ts';
import { PostgresIdentityStore } from './identity-postgres.ts';
import { SqliteIdentityStore } from './identity-sqlite.ts';
import { MemoryIdentityStore, type InviteRecord } from './identity-store.ts';
import { makeTempDir, removeDir } from './test-helpers.ts';

const T = 1_700_000_000_000;

function invite(over: Partial<InviteRecord> = {}): InviteRecord {
	return {
		id: 'i1',
		communityId: 'demo',
		codeHash: 'hash-1',
		role: 'volunteer',
		grids: ['g1'],
		expiresAt: T + 3600_000,
		maxUses: 2,
		uses: 0,
		createdAt: T,
		createdBy: 'admin-cli',
		revokedAt: null,
		...over
	};
}

const newMember = (n: number) => ({
	memberId: `m${n}`,
	displayName: `Member ${n}`,
	deviceId: `d${n}`,
	secretHash: `s${n}`
});

let postgres: TestPostgres | undefined;
beforeAll(async () => {
	postgres = await startTestPostgres();
}, 60_000);
afterAll(async () => {
	await postgres?.close();
});

for (const factory of [
	{
		name: 'memory',
		open: async (): Promise<AsyncIdentityStore> => asAsyncIdentity(new MemoryIdentityStore())
	},
	{
		name: 'sqlite',
		open: async (dir: string): Promise<AsyncIdentityStore> =>
			asAsyncIdentity(new SqliteIdentityStore(dir))
	},
	{
		name: 'postgres',
		open: async (): Promise<AsyncIdentityStore> =>
			PostgresIdentityStore.open(await postgres!.createDatabase())
	}
]) {
	describe(`IdentityStore contract: ${factory.name}`, () => {
		let dir = '';
		let store: AsyncIdentityStore;
		afterEach(async () => {
			await store.close();
			removeDir(dir);
		});
		const open = async (): Promise<AsyncIdentityStore> => {
			dir = makeTempDir('gridboard-identity-');
			store = await factory.open(dir);
			await store.createCommunity({ id: 'demo', name: '示例社区', createdAt: T });
			return store;
		};

		it('communities: create, get, list; ids are unique', async () => {
			const s = await open();
			await s.createCommunity({ id: 'other', name: 'Other', createdAt: T + 1 });
			expect(await s.getCommunity('demo')).toEqual({ id: 'demo', name: '示例社区', createdAt: T });
			expect(await s.getCommunity('nope')).toBeNull();
			expect((await s.listCommunities()).map((c) => c.id)).toEqual(['demo', 'other']);
			await expect(
				s.createCommunity({ id: 'demo', name: 'again', createdAt: T })
			).rejects.toThrow();
		});

		it('redeemInvite creates member and credential, counts uses, refuses when used up', async () => {
			const s = await open();
			await s.createInvite(invite());
			const first = await s.redeemInvite('hash-1', T + 1, newMember(1));
			expect(first).toMatchObject({
				ok: true,
				member: { id: 'm1', role: 'volunteer', grids: ['g1'], ver: 1, removedAt: null },
				community: { id: 'demo' }
			});
			expect((await s.redeemInvite('hash-1', T + 2, newMember(2))).ok).toBe(true);
			expect(await s.redeemInvite('hash-1', T + 3, newMember(3))).toEqual({
				ok: false,
				reason: 'invite_used_up'
			});
			expect(await s.getMember('demo', 'm3')).toBeNull();
			expect((await s.listInvites('demo'))[0]!.uses).toBe(2);
			expect(await s.getCredential('demo', 'm1', 'd1')).toMatchObject({
				secretHash: 's1',
				revokedAt: null
			});
			expect(await s.getCredential('other', 'm1', 'd1')).toBeNull();
			expect((await s.listMembers('demo')).map((m) => m.id)).toEqual(['m1', 'm2']);
		});

		it('redeemInvite refuses unknown, expired and revoked invites', async () => {
			const s = await open();
			await s.createInvite(invite());
			await s.createInvite(invite({ id: 'i2', codeHash: 'hash-2' }));
			expect(await s.redeemInvite('nope', T, newMember(1))).toEqual({
				ok: false,
				reason: 'invite_unknown'
			});
			expect(await s.redeemInvite('hash-1', T + 3600_000, newMember(1))).toEqual({
				ok: false,
				reason: 'invite_expired'
			});
			expect(await s.revokeInvite('demo', 'i2', T)).toBe(true);
			expect(await s.revokeInvite('demo', 'i2', T)).toBe(false);
			expect(await s.revokeInvite('other', 'i1', T)).toBe(false);
			expect(await s.redeemInvite('hash-2', T, newMember(1))).toEqual({
				ok: false,
				reason: 'invite_revoked'
			});
			expect(await s.listMembers('demo')).toEqual([]);
		});

		it('updateMember bumps ver; removeMember revokes credentials; removed members stay removed', async () => {
			const s = await open();
			await s.createInvite(invite({ maxUses: 5 }));
			await s.redeemInvite('hash-1', T, newMember(1));
			const updated = await s.updateMember('demo', 'm1', { role: 'grid-member', grids: ['g2'] });
			expect(updated).toMatchObject({ role: 'grid-member', grids: ['g2'], ver: 2 });
			expect(await s.updateMember('other', 'm1', { role: 'observer' })).toBeNull();
			expect(await s.removeMember('other', 'm1', T)).toBe(false);
			expect(await s.removeMember('demo', 'm1', T + 5)).toBe(true);
			expect(await s.removeMember('demo', 'm1', T + 6)).toBe(false);
			expect(await s.getMember('demo', 'm1')).toMatchObject({ removedAt: T + 5 });
			expect((await s.getCredential('demo', 'm1', 'd1'))!.revokedAt).toBe(T + 5);
			expect(await s.updateMember('demo', 'm1', { role: 'secretary' })).toBeNull();
		});
	});
}

it('SQLite identity is shared between two handles on one DATA_DIR (admin CLI and relay)', () => {
	const dir = makeTempDir('gridboard-identity-');
	const a = new SqliteIdentityStore(dir);
	const b = new SqliteIdentityStore(dir);
	try {
		a.createCommunity({ id: 'demo', name: 'x', createdAt: T });
		expect(b.getCommunity('demo')?.name).toBe('x');
	} finally {
		a.close();
		b.close();
		removeDir(dir);
	}
});

it('PostgreSQL: concurrent redemptions of a one-use invite on several relays succeed exactly once', async () => {
	const url = await postgres!.createDatabase();
	// Four relays (four pools) on one database, each redeeming the same code twice at once.
	const relays = await Promise.all([1, 2, 3, 4].map(() => PostgresIdentityStore.open(url)));
	try {
		await relays[0]!.createCommunity({ id: 'demo', name: '示例社区', createdAt: T });
		await relays[0]!.createInvite(invite({ maxUses: 1 }));
		const results = await Promise.all(
			Array.from({ length: 8 }, (_, n) =>
				relays[n % relays.length]!.redeemInvite('hash-1', T + 1, newMember(n))
			)
		);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(
			Array(7).fill('invite_used_up')
		);
		expect((await relays[1]!.listInvites('demo'))[0]!.uses).toBe(1);
		expect(await relays[2]!.listMembers('demo')).toHaveLength(1);
	} finally {
		for (const relay of relays) await relay.close();
	}
});
