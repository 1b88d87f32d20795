/**
 * One contract suite for both identity stores (SQLite and the in-memory twin).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteIdentityStore } from './identity-sqlite.ts';
import { MemoryIdentityStore, type IdentityStore, type InviteRecord } from './identity-store.ts';
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

for (const factory of [
	{ name: 'memory', open: (): IdentityStore => new MemoryIdentityStore() },
	{ name: 'sqlite', open: (dir: string): IdentityStore => new SqliteIdentityStore(dir) }
]) {
	describe(`IdentityStore contract: ${factory.name}`, () => {
		let dir = '';
		let store: IdentityStore;
		afterEach(() => {
			store.close();
			removeDir(dir);
		});
		const open = (): IdentityStore => {
			dir = makeTempDir('gridboard-identity-');
			store = factory.open(dir);
			store.createCommunity({ id: 'demo', name: '示例社区', createdAt: T });
			return store;
		};

		it('communities: create, get, list; ids are unique', () => {
			const s = open();
			s.createCommunity({ id: 'other', name: 'Other', createdAt: T + 1 });
			expect(s.getCommunity('demo')).toEqual({ id: 'demo', name: '示例社区', createdAt: T });
			expect(s.getCommunity('nope')).toBeNull();
			expect(s.listCommunities().map((c) => c.id)).toEqual(['demo', 'other']);
			expect(() => s.createCommunity({ id: 'demo', name: 'again', createdAt: T })).toThrow();
		});

		it('redeemInvite creates member and credential, counts uses, refuses when used up', () => {
			const s = open();
			s.createInvite(invite());
			const first = s.redeemInvite('hash-1', T + 1, newMember(1));
			expect(first).toMatchObject({
				ok: true,
				member: { id: 'm1', role: 'volunteer', grids: ['g1'], ver: 1, removedAt: null },
				community: { id: 'demo' }
			});
			expect(s.redeemInvite('hash-1', T + 2, newMember(2)).ok).toBe(true);
			expect(s.redeemInvite('hash-1', T + 3, newMember(3))).toEqual({
				ok: false,
				reason: 'invite_used_up'
			});
			expect(s.getMember('demo', 'm3')).toBeNull();
			expect(s.listInvites('demo')[0]!.uses).toBe(2);
			expect(s.getCredential('demo', 'm1', 'd1')).toMatchObject({
				secretHash: 's1',
				revokedAt: null
			});
			expect(s.getCredential('other', 'm1', 'd1')).toBeNull();
			expect(s.listMembers('demo').map((m) => m.id)).toEqual(['m1', 'm2']);
		});

		it('redeemInvite refuses unknown, expired and revoked invites', () => {
			const s = open();
			s.createInvite(invite());
			s.createInvite(invite({ id: 'i2', codeHash: 'hash-2' }));
			expect(s.redeemInvite('nope', T, newMember(1))).toEqual({
				ok: false,
				reason: 'invite_unknown'
			});
			expect(s.redeemInvite('hash-1', T + 3600_000, newMember(1))).toEqual({
				ok: false,
				reason: 'invite_expired'
			});
			expect(s.revokeInvite('demo', 'i2', T)).toBe(true);
			expect(s.revokeInvite('demo', 'i2', T)).toBe(false);
			expect(s.revokeInvite('other', 'i1', T)).toBe(false);
			expect(s.redeemInvite('hash-2', T, newMember(1))).toEqual({
				ok: false,
				reason: 'invite_revoked'
			});
			expect(s.listMembers('demo')).toEqual([]);
		});

		it('updateMember bumps ver; removeMember revokes credentials; removed members stay removed', () => {
			const s = open();
			s.createInvite(invite({ maxUses: 5 }));
			s.redeemInvite('hash-1', T, newMember(1));
			const updated = s.updateMember('demo', 'm1', { role: 'grid-member', grids: ['g2'] });
			expect(updated).toMatchObject({ role: 'grid-member', grids: ['g2'], ver: 2 });
			expect(s.updateMember('other', 'm1', { role: 'observer' })).toBeNull();
			expect(s.removeMember('other', 'm1', T)).toBe(false);
			expect(s.removeMember('demo', 'm1', T + 5)).toBe(true);
			expect(s.removeMember('demo', 'm1', T + 6)).toBe(false);
			expect(s.getMember('demo', 'm1')).toMatchObject({ removedAt: T + 5 });
			expect(s.getCredential('demo', 'm1', 'd1')!.revokedAt).toBe(T + 5);
			expect(s.updateMember('demo', 'm1', { role: 'secretary' })).toBeNull();
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
