/**
 * The identity HTTP API and the admin CLI against a real relay: join, token, members, invites,
 * live revocation (through the API at once, through the CLI by the sweep), and refusals.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createInvite } from './identity.ts';
import { MAX_BODY_BYTES } from './api.ts';
import type { RelayOptions } from './server.ts';
import {
	connectClient,
	RawClient,
	removeDir,
	startTestRelay,
	waitFor,
	type TestClient,
	type TestRelay
} from './test-helpers.ts';

const ADMIN_FILE = fileURLToPath(new URL('./admin.ts', import.meta.url));
const run = promisify(execFile);

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
	cleanups = [];
});

async function relay(options: RelayOptions = {}): Promise<TestRelay> {
	const started = await startTestRelay(options);
	cleanups.push(() => removeDir(started.dataDir));
	cleanups.push(() => started.relay.close());
	return started;
}

type Answer = { status: number; body: Record<string, unknown> };

async function call(
	r: TestRelay,
	method: string,
	path: string,
	body?: unknown,
	token?: string,
	rawBody?: string
): Promise<Answer> {
	const response = await fetch(`${r.relay.url}${path}`, {
		method,
		headers: {
			'Content-Type': 'application/json',
			...(token ? { Authorization: `Bearer ${token}` } : {})
		},
		body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body))
	});
	return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

type Joined = {
	credential: { communityId: string; memberId: string; deviceId: string; secret: string };
	member: { id: string; role: string };
	token: string;
};

async function join(r: TestRelay, code: string, name = 'Li', deviceId = 'dev1'): Promise<Joined> {
	const joined = await call(r, 'POST', '/api/join', { code, displayName: name, deviceId });
	expect(joined.status).toBe(200);
	const credential = joined.body.credential as Joined['credential'];
	const issued = await call(r, 'POST', '/api/token', { credential });
	expect(issued.status).toBe(200);
	return {
		credential,
		member: joined.body.member as Joined['member'],
		token: issued.body.token as string
	};
}

/** A community `demo` with a secretary who signed in through the one-time link. */
async function community(
	options: RelayOptions = {}
): Promise<TestRelay & { secretary: Joined; secretaryCode: string }> {
	const r = await relay(options);
	const created = r.relay.createCommunity('示例社区', 'demo');
	expect(created.inviteUrl).toBe(`${options.publicUrl ?? r.relay.url}/join#${created.inviteCode}`);
	const secretary = await join(r, created.inviteCode, '王书记', 'sec-device');
	expect(secretary.member.role).toBe('secretary');
	return { ...r, secretary, secretaryCode: created.inviteCode };
}

async function invite(
	r: TestRelay & { secretary: Joined },
	role: string,
	grids: string[] = [],
	maxUses = 1
): Promise<string> {
	const created = await call(
		r,
		'POST',
		'/api/communities/demo/invites',
		{ role, grids, expiresInHours: 24, maxUses },
		r.secretary.token
	);
	expect(created.status).toBe(200);
	return created.body.code as string;
}

function live(
	r: TestRelay,
	doc: string,
	token: string
): TestClient & { codes: number[]; reasons: string[] } {
	const c = connectClient(r.wsUrl, doc, undefined, token);
	const codes: number[] = [];
	const reasons: string[] = [];
	c.provider.on('connection-close', (event) => {
		if (event) {
			codes.push(event.code);
			reasons.push(event.reason);
		}
	});
	cleanups.push(() => c.destroy());
	return Object.assign(c, { codes, reasons });
}

describe('join and token', () => {
	it('the secretary link works once; a member joins, gets a token, and syncs', async () => {
		const r = await community();
		const body = (code: string) => ({ code, displayName: 'x', deviceId: 'd' });
		expect(await call(r, 'POST', '/api/join', body(r.secretaryCode))).toEqual({
			status: 410,
			body: { error: 'invite_used_up' }
		});
		const again = await call(r, 'POST', '/api/join', body('wrong'));
		expect(again).toEqual({ status: 404, body: { error: 'invite_unknown' } });
		const volunteer = await join(r, await invite(r, 'volunteer'), '小张', 'phone-1');
		expect(volunteer.credential.communityId).toBe('demo');
		const token = await call(r, 'POST', '/api/token', { credential: volunteer.credential });
		expect(token.body).toMatchObject({
			member: { role: 'volunteer', displayName: '小张', removedAt: null },
			community: { id: 'demo', name: '示例社区' }
		});
		expect(token.body.expiresAt).toBeGreaterThan(Date.now() + 500_000);
		const c = live(r, 'c/demo/tasks', volunteer.token);
		await waitFor(() => c.provider.synced);
		const members = await call(
			r,
			'GET',
			'/api/communities/demo/members',
			undefined,
			r.secretary.token
		);
		expect((members.body.members as { role: string }[]).map((m) => m.role)).toEqual([
			'secretary',
			'volunteer'
		]);
	});

	it('invites: max uses, expiry, revocation; unknown codes; credentials checked', async () => {
		const r = await community();
		const once = await invite(r, 'observer');
		await join(r, once, 'A', 'a');
		const body = (code: string) => ({ code, displayName: 'B', deviceId: 'b' });
		expect(await call(r, 'POST', '/api/join', body(once))).toEqual({
			status: 410,
			body: { error: 'invite_used_up' }
		});
		const expired = createInvite(r.relay.identity, {
			communityId: 'demo',
			role: 'volunteer',
			grids: [],
			expiresAt: Date.now() - 1,
			maxUses: 5,
			createdBy: 'test'
		});
		expect(await call(r, 'POST', '/api/join', body(expired.code))).toEqual({
			status: 410,
			body: { error: 'invite_expired' }
		});
		const revoked = await call(
			r,
			'POST',
			'/api/communities/demo/invites',
			{ role: 'volunteer', grids: [], expiresInHours: 1, maxUses: 3 },
			r.secretary.token
		);
		const inviteId = (revoked.body.invite as { id: string }).id;
		expect(revoked.body.url).toBe(`${r.relay.url}/join#${revoked.body.code as string}`);
		expect(
			await call(
				r,
				'DELETE',
				`/api/communities/demo/invites/${inviteId}`,
				undefined,
				r.secretary.token
			)
		).toEqual({ status: 200, body: { ok: true } });
		expect(await call(r, 'POST', '/api/join', body(revoked.body.code as string))).toEqual({
			status: 410,
			body: { error: 'invite_revoked' }
		});
		const list = await call(
			r,
			'GET',
			'/api/communities/demo/invites',
			undefined,
			r.secretary.token
		);
		expect(JSON.stringify(list.body)).not.toContain('codeHash');
		const wrongSecret = { ...r.secretary.credential, secret: 'nope' };
		expect(await call(r, 'POST', '/api/token', { credential: wrongSecret })).toEqual({
			status: 401,
			body: { error: 'credential_unknown' }
		});
	});

	it('invite links use PUBLIC_URL when set', async () => {
		const r = await community({ publicUrl: 'https://grid.example.org' });
		const created = await call(
			r,
			'POST',
			'/api/communities/demo/invites',
			{ role: 'observer', grids: [], expiresInHours: 1, maxUses: 1 },
			r.secretary.token
		);
		expect(created.body.url).toMatch(/^https:\/\/grid\.example\.org\/join#[A-Za-z0-9_-]{24}$/);
	});

	it('bad requests are 4xx, never a crash', async () => {
		const r = await community();
		const t = r.secretary.token;
		const cases: [string, string, string | undefined, string | undefined, number, string][] = [
			['POST', '/api/join', undefined, '{not json', 400, 'bad_json'],
			['POST', '/api/join', undefined, '[]', 400, 'bad_json'],
			['POST', '/api/join', undefined, 'x'.repeat(MAX_BODY_BYTES + 10), 413, 'body_too_large'],
			[
				'POST',
				'/api/join',
				undefined,
				'{"code":"x","displayName":"","deviceId":"d"}',
				400,
				'bad_displayName'
			],
			[
				'POST',
				'/api/join',
				undefined,
				'{"code":"x","displayName":"a","deviceId":"../"}',
				400,
				'bad_deviceId'
			],
			['GET', '/api/join', undefined, undefined, 405, 'method_not_allowed'],
			['POST', '/api/token', undefined, '{"credential":5}', 400, 'bad_credential'],
			['GET', '/api/communities/demo/members', undefined, undefined, 401, 'token_missing'],
			['GET', '/api/communities/demo/members', 'abc.def.ghi', undefined, 401, 'token_invalid'],
			['GET', '/api/communities/other/members', t, undefined, 403, 'forbidden'],
			['GET', '/api/communities/..%2fx/members', t, undefined, 404, 'not_found'],
			[
				'PATCH',
				'/api/communities/demo/members/nobody',
				t,
				'{"role":"observer"}',
				404,
				'member_unknown'
			],
			[
				'PATCH',
				`/api/communities/demo/members/${r.secretary.member.id}`,
				t,
				'{"role":"root"}',
				400,
				'bad_role'
			],
			[
				'PATCH',
				`/api/communities/demo/members/${r.secretary.member.id}`,
				t,
				'{"grids":["../x"]}',
				400,
				'bad_grids'
			],
			[
				'POST',
				'/api/communities/demo/invites',
				t,
				'{"role":"volunteer","grids":[],"expiresInHours":1,"maxUses":0}',
				400,
				'bad_maxUses'
			],
			[
				'POST',
				'/api/communities/demo/invites',
				t,
				'{"role":"volunteer","grids":[],"expiresInHours":-1,"maxUses":1}',
				400,
				'bad_expiresInHours'
			],
			['DELETE', '/api/communities/demo/invites/nope', t, undefined, 404, 'invite_unknown'],
			['PUT', '/api/communities/demo/members', t, undefined, 405, 'method_not_allowed'],
			['GET', '/api/nothing', undefined, undefined, 404, 'not_found']
		];
		for (const [method, path, token, rawBody, status, error] of cases) {
			const answer = await call(r, method, path, undefined, token, rawBody);
			expect([method, path, answer]).toEqual([method, path, { status, body: { error } }]);
		}
		const volunteer = await join(r, await invite(r, 'volunteer'), 'V', 'v');
		expect(
			(await call(r, 'GET', '/api/communities/demo/members', undefined, volunteer.token)).status
		).toBe(403);
		const svc = r.relay.mintToken({ communityId: 'demo', role: 'secretary' });
		expect((await call(r, 'GET', '/api/communities/demo/invites', undefined, svc)).status).toBe(
			200
		);
		expect((await fetch(`${r.relay.url}/health`)).status).toBe(200);
	});
});

describe('the roster (issue 15: assignees picked from the members)', () => {
	it('staff read current members’ names, roles and grids; volunteers, observers and other communities do not', async () => {
		const r = await community();
		const member = await join(r, await invite(r, 'grid-member', ['g1']), '王秀英', 'g');
		const volunteer = await join(r, await invite(r, 'volunteer'), '刘芳', 'v');
		const observer = await join(r, await invite(r, 'observer'), '赵', 'o');
		const gone = await join(r, await invite(r, 'volunteer'), '走了', 'x');
		expect(
			(
				await call(
					r,
					'DELETE',
					`/api/communities/demo/members/${gone.member.id}`,
					undefined,
					r.secretary.token
				)
			).status
		).toBe(200);
		for (const token of [r.secretary.token, member.token]) {
			const answer = await call(r, 'GET', '/api/communities/demo/roster', undefined, token);
			expect(answer.status).toBe(200);
			expect(answer.body.members).toEqual([
				{ id: r.secretary.member.id, displayName: '王书记', role: 'secretary', grids: [] },
				{ id: member.member.id, displayName: '王秀英', role: 'grid-member', grids: ['g1'] },
				{ id: volunteer.member.id, displayName: '刘芳', role: 'volunteer', grids: [] },
				{ id: observer.member.id, displayName: '赵', role: 'observer', grids: [] }
			]);
		}
		const refusals: [string, string, string | undefined, number, string][] = [
			['GET', '/api/communities/demo/roster', volunteer.token, 403, 'forbidden'],
			['GET', '/api/communities/demo/roster', observer.token, 403, 'forbidden'],
			['GET', '/api/communities/other/roster', member.token, 403, 'forbidden'],
			['GET', '/api/communities/demo/roster', undefined, 401, 'token_missing'],
			['GET', '/api/communities/demo/roster', gone.token, 403, 'member_removed'],
			['POST', '/api/communities/demo/roster', member.token, 405, 'method_not_allowed']
		];
		for (const [method, path, token, status, error] of refusals) {
			const answer = await call(r, method, path, method === 'POST' ? {} : undefined, token);
			expect([method, path, answer]).toEqual([method, path, { status, body: { error } }]);
		}
	});
});

describe('changing and removing members', () => {
	it('a role change closes the member’s sockets with 4401; the old token is outdated; a new one works', async () => {
		const r = await community();
		const member = await join(r, await invite(r, 'grid-member', ['g1']), 'G', 'g');
		const socket = new RawClient(`${r.wsUrl}/c/demo/households/g1`, member.token);
		cleanups.push(() => socket.ws.terminate());
		await socket.opened();
		const patched = await call(
			r,
			'PATCH',
			`/api/communities/demo/members/${member.member.id}`,
			{ role: 'volunteer', grids: [] },
			r.secretary.token
		);
		expect(patched.body.member).toMatchObject({ role: 'volunteer', grids: [] });
		expect(await socket.closed()).toBe(4401);
		const stale = new RawClient(`${r.wsUrl}/c/demo/tasks`, member.token);
		cleanups.push(() => stale.ws.terminate());
		expect(await stale.closed()).toBe(4401);
		const fresh = await call(r, 'POST', '/api/token', { credential: member.credential });
		const newToken = fresh.body.token as string;
		const households = new RawClient(`${r.wsUrl}/c/demo/households/g1`, newToken);
		cleanups.push(() => households.ws.terminate());
		expect(await households.closed()).toBe(4403);
		const tasks = new RawClient(`${r.wsUrl}/c/demo/tasks`, newToken);
		cleanups.push(() => tasks.ws.terminate());
		await waitFor(() => tasks.frames.length > 0);
		expect(
			(await call(r, 'GET', '/api/communities/demo/members', undefined, member.token)).body
		).toEqual({ error: 'token_outdated' });
	});

	it('removal through the API closes live sockets with 4403 member_removed at once; the device cannot sync again', async () => {
		const r = await community();
		const member = await join(r, await invite(r, 'volunteer'), 'V', 'v');
		const c = live(r, 'c/demo/tasks', member.token);
		await waitFor(() => c.provider.synced);
		const removedAt = Date.now();
		expect(
			await call(
				r,
				'DELETE',
				`/api/communities/demo/members/${member.member.id}`,
				undefined,
				r.secretary.token
			)
		).toEqual({ status: 200, body: { ok: true } });
		await waitFor(() => c.codes.includes(4403), 3000, 'close 4403');
		expect(Date.now() - removedAt).toBeLessThan(3000);
		expect(c.reasons[c.codes.indexOf(4403)]).toBe('member_removed');
		// The token endpoint says so too, but only to the holder of the credential's secret.
		expect(await call(r, 'POST', '/api/token', { credential: member.credential })).toEqual({
			status: 403,
			body: { error: 'member_removed' }
		});
		expect(
			await call(r, 'POST', '/api/token', {
				credential: { ...member.credential, secret: 'x'.repeat(43) }
			})
		).toEqual({ status: 401, body: { error: 'credential_unknown' } });
		const again = new RawClient(`${r.wsUrl}/c/demo/tasks`, member.token);
		cleanups.push(() => again.ws.terminate());
		expect(await again.closed()).toBe(4403);
		expect(again.closeReason).toBe('member_removed');
		expect(
			(await call(r, 'GET', '/api/communities/demo/members', undefined, member.token)).status
		).toBe(403);
	});
});

describe('admin CLI', () => {
	const admin = async (dataDir: string, ...args: string[]): Promise<string> => {
		const { stdout } = await run(
			process.execPath,
			[
				'--experimental-strip-types',
				'--experimental-sqlite',
				'--disable-warning=ExperimentalWarning',
				ADMIN_FILE,
				...args
			],
			{ env: { ...process.env, DATA_DIR: dataDir, PUBLIC_URL: '' } }
		);
		return stdout;
	};

	it('create-community --json → join → token → sync; CLI token; remove-member closes sockets via the sweep', async () => {
		const r = await relay({ sweepMs: 200 });
		const out = await admin(
			r.dataDir,
			'create-community',
			'河畔社区',
			'--id',
			'riverside',
			'--json',
			'--url',
			r.relay.url
		);
		const created = JSON.parse(out) as {
			communityId: string;
			name: string;
			inviteUrl: string;
			code: string;
		};
		expect(created).toMatchObject({ communityId: 'riverside', name: '河畔社区' });
		expect(created.inviteUrl).toBe(`${r.relay.url}/join#${created.code}`);
		const joined = await call(r, 'POST', '/api/join', {
			code: created.inviteUrl.split('#')[1],
			displayName: '书记',
			deviceId: 'laptop'
		});
		expect(joined.status).toBe(200);
		const credential = joined.body.credential as Joined['credential'];
		const issued = await call(r, 'POST', '/api/token', { credential });
		const c = live(r, 'c/riverside/directory', issued.body.token as string);
		await waitFor(() => c.provider.synced);
		// A write the directory's rules accept from a secretary (write-rules-directory.ts).
		const timeZone = new Y.Array<unknown>();
		timeZone.push([{ id: 'e1', value: 'UTC', bases: [], by: '书记', deviceId: 'laptop', at: 1 }]);
		c.doc.getMap('settings').set(`timeZone~${c.doc.clientID}`, timeZone);

		const cliToken = (
			await admin(
				r.dataDir,
				'token',
				'--community',
				'riverside',
				'--role',
				'observer',
				'--ttl',
				'60'
			)
		).trim();
		const reader = live(r, 'c/riverside/directory', cliToken);
		await waitFor(() => reader.doc.getMap('settings').size === 1);
		const other = new RawClient(`${r.wsUrl}/c/demo/directory`, cliToken);
		cleanups.push(() => other.ws.terminate());
		expect(await other.closed()).toBe(4403);
		// An access refusal is a plain 4403: never the removal signal.
		expect(other.closeReason).toBe('forbidden');

		expect(await admin(r.dataDir, 'list-communities')).toContain('riverside\t河畔社区\t1 members');
		await admin(
			r.dataDir,
			'remove-member',
			'--community',
			'riverside',
			'--member',
			credential.memberId
		);
		await waitFor(() => c.codes.includes(4403), 3000, 'sweep closes the removed member');
		expect(c.reasons[c.codes.indexOf(4403)]).toBe('member_removed');
		expect(reader.provider.wsconnected).toBe(true);
	});

	it('rotate-key: tokens signed before stay valid; the relay signs with the new key', async () => {
		const r = await community();
		const before = r.secretary.token;
		await admin(r.dataDir, 'rotate-key');
		const issued = await call(r, 'POST', '/api/token', { credential: r.secretary.credential });
		const kid = (t: string) =>
			JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString()).kid as string;
		expect(kid(issued.body.token as string)).not.toBe(kid(before));
		for (const token of [before, issued.body.token as string]) {
			expect((await call(r, 'GET', '/api/communities/demo/members', undefined, token)).status).toBe(
				200
			);
		}
	});

	it('usage errors exit with 2', async () => {
		const r = await relay();
		await expect(
			admin(r.dataDir, 'token', '--community', 'demo', '--role', 'root')
		).rejects.toMatchObject({ code: 2 });
		await expect(admin(r.dataDir, 'nonsense')).rejects.toMatchObject({ code: 2 });
	});
});
