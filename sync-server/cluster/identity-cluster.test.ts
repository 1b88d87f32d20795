/**
 * Identity in cluster mode (cluster-identity.ts) on a real Redis and PostgreSQL, relays in this
 * process and the admin CLI in a child: communities, invites and members made on one relay work
 * on the others, one invite's uses hold across relays, removals and role changes close sockets
 * on every relay within the revocation sweep's period, and a key rotation reaches every relay.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { PostgresIdentityStore } from '../identity-postgres.ts';
import {
	connectSynced,
	makeTempDir,
	RawClient,
	removeDir,
	waitFor,
	type Member,
	type TestRelay
} from '../test-helpers.ts';
import { KeyRing } from '../tokens.ts';
import { clusterFixture } from './cluster-fixture.ts';

const ADMIN_FILE = fileURLToPath(new URL('../admin.ts', import.meta.url));
/** The revocation sweep's period (the relay's default). */
const SWEEP_MS = 2000;

const fx = clusterFixture({ sharedKeys: false });

/** A JSON request to a relay's API: its status and body. */
async function call(
	r: TestRelay,
	method: string,
	path: string,
	body?: unknown,
	token?: string
): Promise<{ status: number; body: Record<string, unknown> }> {
	const response = await fetch(`${r.relay.url}${path}`, {
		method,
		headers: {
			...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
			...(token ? { Authorization: `Bearer ${token}` } : {})
		},
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function ok(
	r: TestRelay,
	method: string,
	path: string,
	body?: unknown,
	token?: string
): Promise<Record<string, unknown>> {
	const answer = await call(r, method, path, body, token);
	if (answer.status !== 200) {
		throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
	}
	return answer.body;
}

type Credential = { communityId: string; memberId: string; deviceId: string; secret: string };

/** Joins with `code` on `joinOn` and takes a token from `tokenOn`. */
async function join(
	joinOn: TestRelay,
	tokenOn: TestRelay,
	code: string,
	name: string
): Promise<Member & { credential: Credential }> {
	const joined = await ok(joinOn, 'POST', '/api/join', {
		code,
		displayName: name,
		deviceId: `${name}-phone`
	});
	const credential = joined.credential as Credential;
	const issued = await ok(tokenOn, 'POST', '/api/token', { credential });
	return { memberId: credential.memberId, name, token: issued.token as string, credential };
}

/** An invite of community `cid` made by its secretary on `r`. */
async function invite(
	r: TestRelay,
	cid: string,
	secretary: Member,
	role: string,
	grids: string[] = [],
	maxUses = 1
): Promise<string> {
	const body = { role, grids, expiresInHours: 1, maxUses };
	const made = await ok(r, 'POST', `/api/communities/${cid}/invites`, body, secretary.token);
	return made.code as string;
}

/** Community `cid` made on `a`, its secretary joined on `b` with a token from `c`. */
async function community(a: TestRelay, b: TestRelay, c: TestRelay, cid: string) {
	const created = await a.relay.createCommunityAsync('示例社区', cid);
	const secretary = await join(b, c, created.inviteCode, 'secretary');
	return { secretary };
}

/** A raw socket on `docName` with `token`, open. */
async function openSocket(r: TestRelay, docName: string, token: string): Promise<RawClient> {
	const client = new RawClient(`${r.wsUrl}/${docName}`, token);
	fx.defer(() => client.ws.terminate());
	await client.opened();
	return client;
}

it('a community, invite and member made on one relay are used on the others: join, token, documents, photos, history', async () => {
	const [a, b, c] = await fx.three();
	const { secretary } = await community(a!, b!, c!, 'idc1');
	// The secretary (joined on B) invites on A; the member joins on A, takes its token on A.
	const code = await invite(a!, 'idc1', secretary, 'grid-member', ['g1']);
	const member = await join(a!, a!, code, 'member');
	for (const r of [b!, c!]) {
		const client = await connectSynced(r.wsUrl, 'c/idc1/households/g1', member.token);
		fx.defer(() => client.destroy());
		expect(client.provider.wsconnected).toBe(true);
		// Photos and history check the token on the relay asked.
		const photo = await fetch(`${r.relay.url}/api/communities/idc1/blobs/${'a'.repeat(64)}`, {
			headers: { Authorization: `Bearer ${member.token}` }
		});
		expect(photo.status).toBe(404); // past the token check: no such photo
		const hours = await call(
			r,
			'GET',
			'/api/communities/idc1/history/households/g1?hours',
			undefined,
			secretary.token
		);
		// Past the token check: the document has no history yet (nothing folded), 404.
		expect(hours).toEqual({ status: 404, body: { error: 'not_found' } });
	}
	// The secretary's lists on C hold what A and B wrote.
	const members = await ok(c!, 'GET', '/api/communities/idc1/members', undefined, secretary.token);
	expect((members.members as { id: string }[]).map((m) => m.id).sort()).toEqual(
		[secretary.memberId, member.memberId].sort()
	);
	const roster = await ok(c!, 'GET', '/api/communities/idc1/roster', undefined, member.token);
	expect((roster.members as unknown[]).length).toBe(2);
}, 60_000);

it('one invite of one use, redeemed on three relays at once, makes exactly one member', async () => {
	const [a, b, c] = await fx.three();
	const { secretary } = await community(a!, b!, c!, 'idc2');
	const code = await invite(a!, 'idc2', secretary, 'volunteer');
	const attempts = [a, b, c, a, b, c].map((r, i) =>
		call(r!, 'POST', '/api/join', { code, displayName: `v${i}`, deviceId: `phone-${i}` })
	);
	const answers = await Promise.all(attempts);
	expect(answers.filter((x) => x.status === 200)).toHaveLength(1);
	for (const refused of answers.filter((x) => x.status !== 200)) {
		expect(refused).toEqual({ status: 410, body: { error: 'invite_used_up' } });
	}
	const listed = await ok(b!, 'GET', '/api/communities/idc2/members', undefined, secretary.token);
	expect(listed.members).toHaveLength(2);
}, 60_000);

it('a member removed on relay A is closed on B and C within the sweep period, and refused there after', async () => {
	const [a, b, c] = await fx.three();
	const { secretary } = await community(a!, b!, c!, 'idc3');
	const member = await join(c!, c!, await invite(a!, 'idc3', secretary, 'volunteer'), 'leaver');
	const doc = 'c/idc3/board/g1';
	const sockets = [
		await openSocket(b!, doc, member.token),
		await openSocket(c!, doc, member.token)
	];
	const removed = Date.now();
	await ok(
		a!,
		'DELETE',
		`/api/communities/idc3/members/${member.memberId}`,
		undefined,
		secretary.token
	);
	for (const socket of sockets) {
		expect(await socket.closed(SWEEP_MS)).toBe(4403);
		expect(socket.closeReason).toBe('member_removed');
	}
	expect(Date.now() - removed).toBeLessThanOrEqual(SWEEP_MS);
	// The old token and the credential are refused on every relay.
	const again = new RawClient(`${b!.wsUrl}/${doc}`, member.token);
	expect(await again.closed()).toBe(4403);
	const token = await call(b!, 'POST', '/api/token', { credential: member.credential });
	expect(token).toEqual({ status: 403, body: { error: 'member_removed' } });
	const photo = await fetch(`${c!.relay.url}/api/communities/idc3/blobs/${'a'.repeat(64)}`, {
		headers: { Authorization: `Bearer ${member.token}` }
	});
	expect(photo.status).toBe(403);
}, 60_000);

it('a role changed on relay A closes the member on B at once; the new token works on B and C', async () => {
	// B's own sweep would take a minute: only A's message can close the socket sooner.
	const [a, b, c] = await Promise.all([fx.relay(), fx.relay({ sweepMs: 60_000 }), fx.relay()]);
	const { secretary } = await community(a!, b!, c!, 'idc4');
	const member = await join(
		a!,
		a!,
		await invite(a!, 'idc4', secretary, 'grid-member', ['g1']),
		'mover'
	);
	const socket = await openSocket(b!, 'c/idc4/households/g1', member.token);
	const changed = Date.now();
	const patch = { role: 'grid-member', grids: ['g2'] };
	await ok(a!, 'PATCH', `/api/communities/idc4/members/${member.memberId}`, patch, secretary.token);
	expect(await socket.closed(SWEEP_MS)).toBe(4401);
	expect(Date.now() - changed).toBeLessThanOrEqual(SWEEP_MS);
	// A new token (from C) opens g2 on B, not g1; the old one is outdated everywhere.
	const renewed = await ok(c!, 'POST', '/api/token', { credential: member.credential });
	const fresh = renewed.token as string;
	await openSocket(b!, 'c/idc4/households/g2', fresh);
	expect(await new RawClient(`${b!.wsUrl}/c/idc4/households/g1`, fresh).closed()).toBe(4403);
	expect(await new RawClient(`${c!.wsUrl}/c/idc4/households/g2`, member.token).closed()).toBe(4401);
}, 60_000);

it('changes written to PostgreSQL without a message: live sockets closed by the sweep, newer tokens re-read', async () => {
	const [a, b] = await Promise.all([fx.relay(), fx.relay()]);
	const { secretary } = await community(a!, b!, a!, 'idc5');
	const kept = await join(a!, a!, await invite(a!, 'idc5', secretary, 'volunteer'), 'kept');
	const gone = await join(a!, a!, await invite(a!, 'idc5', secretary, 'volunteer'), 'gone');
	const doc = 'c/idc5/board/g1';
	// Both relays know both members (their joins were announced); `kept` has no socket on B.
	const goneSocket = await openSocket(b!, doc, gone.token);
	const direct = await PostgresIdentityStore.open(fx.databaseUrl);
	fx.defer(() => direct.close());
	// Behind the relays' back: a removal reaches B's live socket through the sweep's re-read…
	const removed = Date.now();
	await direct.removeMember('idc5', gone.memberId, removed);
	expect(await goneSocket.closed(2 * SWEEP_MS)).toBe(4403);
	expect(Date.now() - removed).toBeLessThanOrEqual(2 * SWEEP_MS);
	// …and a token newer than B's mirror (a change B was not told of) is checked after a re-read.
	await direct.updateMember('idc5', kept.memberId, { role: 'observer' });
	const renewed = await ok(a!, 'POST', '/api/token', { credential: kept.credential });
	const client = await connectSynced(b!.wsUrl, doc, renewed.token as string);
	fx.defer(() => client.destroy());
	expect(client.provider.wsconnected).toBe(true);
}, 60_000);

it('admin rotate-key in cluster mode is honoured by every relay at once', async () => {
	const relays = await fx.three();
	const before = new KeyRing(relays[0]!.dataDir).current.kid;
	const adminDir = makeTempDir();
	fx.defer(() => removeDir(adminDir));
	const output = await runAdmin(['rotate-key'], {
		DATA_DIR: adminDir,
		REDIS_URL: fx.redis.url,
		DATABASE_URL: fx.databaseUrl
	});
	const added = /Added signing key (\S+)\./.exec(output)?.[1];
	expect(added).toBeTruthy();
	expect(added).not.toBe(before);
	// Every relay signs with the new key well before the 60 s backstop re-read.
	await waitFor(
		() => relays.every((r) => new KeyRing(r.dataDir).current.kid === added),
		5000,
		'every relay has the new key'
	);
	const token = relays[0]!.relay.mintToken({ communityId: 'demo', role: 'secretary' });
	for (const r of relays) {
		const client = await connectSynced(r.wsUrl, 'c/demo/households/g9', token);
		fx.defer(() => client.destroy());
	}
	// The key list in PostgreSQL is what every relay holds.
	const direct = await PostgresIdentityStore.open(fx.databaseUrl);
	fx.defer(() => direct.close());
	expect((await direct.signingKeys()).at(-1)!.kid).toBe(added);
}, 60_000);

it('admin remove-member in cluster mode closes the member on every relay', async () => {
	const [a, b] = await Promise.all([fx.relay(), fx.relay()]);
	const { secretary } = await community(a!, b!, a!, 'idc6');
	const member = await join(a!, a!, await invite(a!, 'idc6', secretary, 'volunteer'), 'cli');
	const sockets = [
		await openSocket(a!, 'c/idc6/board/g1', member.token),
		await openSocket(b!, 'c/idc6/board/g1', member.token)
	];
	const adminDir = makeTempDir();
	fx.defer(() => removeDir(adminDir));
	await runAdmin(['remove-member', '--community', 'idc6', '--member', member.memberId], {
		DATA_DIR: adminDir,
		REDIS_URL: fx.redis.url,
		DATABASE_URL: fx.databaseUrl
	});
	for (const socket of sockets) expect(await socket.closed(SWEEP_MS)).toBe(4403);
}, 60_000);

/** Runs the admin CLI with `env`; resolves with its stdout, rejects on a non-zero exit. */
function runAdmin(args: string[], env: Record<string, string>): Promise<string> {
	const child = spawn(process.execPath, [ADMIN_FILE, ...args], {
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	return new Promise((resolve, reject) => {
		child.once('exit', (code) =>
			code === 0 ? resolve(stdout) : reject(new Error(`admin exited with ${code}: ${stderr}`))
		);
	});
}
