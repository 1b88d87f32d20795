import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from './test-helpers.ts';
import { KEYS_FILE_NAME, KeyRing, signRaw, signToken, verifyToken } from './tokens.ts';

let dirs: string[] = [];
afterEach(() => {
	for (const dir of dirs) removeDir(dir);
	dirs = [];
});
const ring = (): KeyRing => {
	const dir = makeTempDir('gridboard-keys-');
	dirs.push(dir);
	return new KeyRing(dir);
};

const NOW = Date.UTC(2026, 10, 23, 12);
const base = {
	sub: 'm1',
	cid: 'demo',
	role: 'volunteer' as const,
	grids: ['g1'],
	name: 'Li',
	ver: 1,
	ttlSeconds: 600
};
const claims = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
	iss: 'gridboard',
	aud: 'gridboard-relay',
	sub: 'm1',
	cid: 'demo',
	role: 'volunteer',
	grids: [],
	name: 'Li',
	ver: 1,
	iat: NOW / 1000,
	exp: NOW / 1000 + 600,
	...over
});

describe('relay tokens', () => {
	it('keys.json is created with mode 0600 and a kid', () => {
		const keys = ring();
		expect(fs.statSync(keys.file).mode & 0o777).toBe(0o600);
		expect(path.basename(keys.file)).toBe(KEYS_FILE_NAME);
		expect(keys.current.kid).toMatch(/^k/);
	});

	it('a signed token verifies and carries the claims', () => {
		const keys = ring();
		const token = signToken(keys, base, NOW);
		const [header] = token.split('.');
		expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({
			alg: 'HS256',
			typ: 'JWT',
			kid: keys.current.kid
		});
		const result = verifyToken(keys, token, NOW);
		expect(result).toMatchObject({ ok: true, claims: { sub: 'm1', cid: 'demo', ver: 1 } });
	});

	it('refuses forged, expired, alg none, HS512, wrong aud/iss, unknown kid and junk', () => {
		const keys = ring();
		const kid = keys.current.kid;
		const other = ring();
		const forged = signRaw({ ...other.current, kid }, { alg: 'HS256', kid }, claims());
		const cases: [string, string | null, string][] = [
			['missing', null, 'missing'],
			['forged signature', forged, 'bad-signature'],
			[
				'expired',
				signRaw(keys.current, { alg: 'HS256', kid }, claims({ exp: NOW / 1000 - 31 })),
				'expired'
			],
			[
				'issued in the future',
				signRaw(keys.current, { alg: 'HS256', kid }, claims({ iat: NOW / 1000 + 120 })),
				'not-yet-valid'
			],
			['alg none', `${b64({ alg: 'none', kid })}.${b64(claims())}.`, 'bad-alg'],
			['alg HS512', signRaw(keys.current, { alg: 'HS512', kid }, claims()), 'bad-alg'],
			['alg hs256 lowercase', signRaw(keys.current, { alg: 'hs256', kid }, claims()), 'bad-alg'],
			[
				'wrong aud',
				signRaw(keys.current, { alg: 'HS256', kid }, claims({ aud: 'other' })),
				'wrong-audience'
			],
			[
				'aud array',
				signRaw(keys.current, { alg: 'HS256', kid }, claims({ aud: ['gridboard-relay'] })),
				'wrong-audience'
			],
			[
				'wrong iss',
				signRaw(keys.current, { alg: 'HS256', kid }, claims({ iss: 'evil' })),
				'wrong-issuer'
			],
			[
				'unknown kid',
				signRaw(keys.current, { alg: 'HS256', kid: 'nope' }, claims()),
				'unknown-key'
			],
			[
				'bad role',
				signRaw(keys.current, { alg: 'HS256', kid }, claims({ role: 'root' })),
				'bad-claims'
			],
			[
				'svc false',
				signRaw(keys.current, { alg: 'HS256', kid }, claims({ svc: false })),
				'bad-claims'
			],
			[
				'bad grid id',
				signRaw(keys.current, { alg: 'HS256', kid }, claims({ grids: ['../x'] })),
				'bad-claims'
			],
			['two parts', 'a.b', 'malformed'],
			['garbage', '!!!.???.###', 'malformed'],
			['huge', 'a'.repeat(10_000), 'malformed']
		];
		for (const [what, token, reason] of cases) {
			expect([what, verifyToken(keys, token, NOW)]).toEqual([what, { ok: false, reason }]);
		}
	});

	it('allows 30 s of clock skew on exp, not more', () => {
		const keys = ring();
		const token = signToken(keys, { ...base, ttlSeconds: 60 }, NOW);
		expect(verifyToken(keys, token, NOW + 89_000).ok).toBe(true);
		expect(verifyToken(keys, token, NOW + 90_000)).toEqual({ ok: false, reason: 'expired' });
	});

	it('rotation: old tokens verify until dropped; another process rotating is picked up', () => {
		const keys = ring();
		const old = signToken(keys, base, NOW);
		const second = new KeyRing(path.dirname(keys.file));
		second.rotate(NOW);
		const fresh = signToken(second, base, NOW);
		// `keys` has not seen the new kid yet: it re-reads keys.json on an unknown kid.
		expect(verifyToken(keys, fresh, NOW).ok).toBe(true);
		expect(verifyToken(keys, old, NOW).ok).toBe(true);
		// The first key was made with the real clock, the second at NOW: an hour after both.
		const later = Math.max(Date.now(), NOW) + 3600_000;
		const { dropped } = second.rotate(later, 630_000);
		expect(dropped).toHaveLength(2);
		keys.reload();
		expect(verifyToken(keys, old, NOW)).toEqual({ ok: false, reason: 'unknown-key' });
		expect(fs.statSync(keys.file).mode & 0o777).toBe(0o600);
	});
});

function b64(value: unknown): string {
	return Buffer.from(JSON.stringify(value)).toString('base64url');
}
