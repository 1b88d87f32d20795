/**
 * The HTTP edges against a real relay on port 0: rate limits on join, token and photo uploads
 * (per address, per credential, `trustProxy`), and refusals that end cleanly (a refused POST
 * whose body was never read does not reset a keep-alive connection; an over-size photo gets its
 * 413, not a reset). The token buckets themselves are checked with a fake clock.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from './api.ts';
import { RateLimiter } from './rate-limit.ts';
import type { RelayOptions } from './server.ts';
import { removeDir, startTestRelay, waitFor, type TestRelay } from './test-helpers.ts';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
	cleanups = [];
});

async function relay(options: RelayOptions = {}): Promise<TestRelay> {
	const started = await startTestRelay({ blobs: { sweepMs: 0 }, ...options });
	cleanups.push(() => removeDir(started.dataDir));
	cleanups.push(() => started.relay.close());
	return started;
}

type Reply = { status: number; headers: http.IncomingHttpHeaders; body: string };

/**
 * One request with node:http. Resolves once the whole body was sent and the whole answer read;
 * rejects on a reset, a broken pipe or a hang-up at any point (what a browser shows as a
 * network error instead of the answer).
 */
function request(
	url: string,
	options: http.RequestOptions & { body?: Buffer | string } = {}
): Promise<Reply> {
	const { body, ...rest } = options;
	return new Promise((resolve, reject) => {
		let reply: Reply | null = null;
		let sent = false;
		const settle = (): void => {
			if (reply && sent) resolve(reply);
		};
		const req = http.request(url, rest, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => {
				reply = {
					status: res.statusCode ?? 0,
					headers: res.headers,
					body: Buffer.concat(chunks).toString('utf8')
				};
				settle();
			});
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(body, () => {
			sent = true;
			settle();
		});
	});
}

function postJson(
	r: TestRelay,
	path: string,
	body: unknown,
	headers: http.OutgoingHttpHeaders = {}
): Promise<Reply> {
	return request(`${r.relay.url}${path}`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', ...headers },
		body: JSON.stringify(body)
	});
}

function jpeg(size: number): Buffer {
	const bytes = randomBytes(size);
	bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
	return bytes;
}

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function upload(
	r: TestRelay,
	bytes: Buffer,
	token = r.token,
	agent?: http.Agent,
	community = 'demo'
): Promise<Reply> {
	return request(`${r.relay.url}/api/communities/${community}/blobs/${sha(bytes)}`, {
		method: 'PUT',
		agent,
		headers: {
			'Content-Type': 'image/jpeg',
			'Content-Length': bytes.length,
			Authorization: `Bearer ${token}`
		},
		body: bytes
	});
}

/** A fresh community's secretary (joined with its invite): the relay token. */
async function member(r: TestRelay, communityId: string): Promise<string> {
	const { inviteCode } = r.relay.createCommunity('Test', communityId);
	const joined = await postJson(r, '/api/join', {
		code: inviteCode,
		displayName: 'Li',
		deviceId: 'dev1'
	});
	const { credential } = JSON.parse(joined.body) as { credential: unknown };
	const issued = await postJson(r, '/api/token', { credential });
	return (JSON.parse(issued.body) as { token: string }).token;
}

function expectRateLimited(reply: Reply): void {
	expect(reply.status).toBe(429);
	expect(JSON.parse(reply.body)).toEqual({ error: 'rate_limited' });
	expect(Number(reply.headers['retry-after'])).toBeGreaterThanOrEqual(1);
}

describe('rate limits', () => {
	it('joins per address: the next one gets 429 with Retry-After; another proxied address passes', async () => {
		const r = await relay({ joinsPerMinutePerAddress: 3, trustProxy: true });
		const join = (forwarded?: string): Promise<Reply> =>
			postJson(
				r,
				'/api/join',
				{ code: 'no-such-code', displayName: 'Li', deviceId: 'dev1' },
				forwarded ? { 'X-Forwarded-For': forwarded } : {}
			);
		for (let i = 0; i < 3; i++) expect((await join()).status).toBe(404);
		expectRateLimited(await join());
		// Behind a proxy the address is the last X-Forwarded-For hop; earlier hops are the client's.
		expect((await join('10.0.0.9')).status).toBe(404);
		expect((await join('203.0.113.5, 10.0.0.9')).status).toBe(404);
	});

	it('joins per invite code, whatever the address', async () => {
		const r = await relay({ joinsPerMinutePerCode: 2, trustProxy: true });
		const join = (code: string, from: string): Promise<Reply> =>
			postJson(
				r,
				'/api/join',
				{ code, displayName: 'Li', deviceId: 'dev1' },
				{ 'X-Forwarded-For': from }
			);
		expect((await join('guess-1', '10.0.0.1')).status).toBe(404);
		expect((await join('guess-1', '10.0.0.2')).status).toBe(404);
		expectRateLimited(await join('guess-1', '10.0.0.3'));
		expect((await join('guess-2', '10.0.0.3')).status).toBe(404);
	});

	it('tokens per device credential; a second device of the member still gets its token', async () => {
		const r = await relay({ tokensPerMinutePerCredential: 2 });
		const { inviteCode } = r.relay.createCommunity('Test', 'tst');
		const joined = await postJson(r, '/api/join', {
			code: inviteCode,
			displayName: 'Li',
			deviceId: 'dev1'
		});
		expect(joined.status).toBe(200);
		const { credential } = JSON.parse(joined.body) as { credential: Record<string, string> };
		const token = (c: Record<string, string>): Promise<Reply> =>
			postJson(r, '/api/token', { credential: c });
		expect((await token(credential)).status).toBe(200);
		expect((await token(credential)).status).toBe(200);
		expectRateLimited(await token(credential));
		// Another credential (here a wrong device) is counted apart: refused for what it is.
		expect((await token({ ...credential, deviceId: 'dev2' })).status).toBe(401);
	});

	it('tokens per address', async () => {
		const r = await relay({ tokensPerMinutePerAddress: 2 });
		const credential = { communityId: 'x', memberId: 'm', deviceId: 'dev1', secret: 's' };
		for (let i = 0; i < 2; i++) {
			expect((await postJson(r, '/api/token', { credential })).status).toBe(401);
		}
		expectRateLimited(await postJson(r, '/api/token', { credential }));
	});

	it('uploads per member and per address; a refused upload stores nothing', async () => {
		const r = await relay({ uploadsPerMinutePerMember: 2, uploadsPerMinutePerAddress: 4 });
		expect((await upload(r, jpeg(4096))).status).toBe(201);
		expect((await upload(r, jpeg(4096))).status).toBe(201);
		const refused = jpeg(4096);
		expectRateLimited(await upload(r, refused));
		// Another member has a budget of their own.
		const other = await member(r, 'two');
		expect((await upload(r, jpeg(4096), other, undefined, 'two')).status).toBe(201);
		// The address's budget (4, the refused one counted) is spent now, whoever uploads.
		const third = await member(r, 'three');
		expectRateLimited(await upload(r, jpeg(4096), third, undefined, 'three'));
		const read = await request(`${r.relay.url}/api/communities/demo/blobs/${sha(refused)}`, {
			headers: { Authorization: `Bearer ${r.token}` }
		});
		expect(read.status).toBe(404);
	});

	it('the defaults let normal use through: a few joins, a token per connection, dozens of photos', async () => {
		const r = await relay();
		const { inviteCode } = r.relay.createCommunity('Test', 'tst');
		const joined = await postJson(r, '/api/join', {
			code: inviteCode,
			displayName: 'Li',
			deviceId: 'dev1'
		});
		const { credential } = JSON.parse(joined.body) as { credential: Record<string, string> };
		for (let i = 0; i < 20; i++) {
			expect((await postJson(r, '/api/token', { credential })).status).toBe(200);
		}
		for (let i = 0; i < 40; i++) expect((await upload(r, jpeg(2048))).status).toBe(201);
	});
});

describe('RateLimiter', () => {
	it('refills over a minute, says how long to wait, sweeps full buckets and caps its keys', () => {
		let now = 1_000_000;
		const limiter = new RateLimiter(6, 100, () => now);
		for (let i = 0; i < 6; i++) expect(limiter.take('a')).toBe(0);
		// 6 a minute: one every 10 s.
		expect(limiter.take('a')).toBe(10);
		now += 10_000;
		expect(limiter.take('a')).toBe(0);
		expect(limiter.take('a')).toBe(10);
		now += 60_000;
		expect(limiter.take('b')).toBe(0);
		// 'a' had refilled: swept; only 'b' is held.
		expect(limiter.size).toBe(1);
		for (let i = 0; i < 1000; i++) limiter.take(`k${i}`);
		expect(limiter.size).toBe(100);
	});
});

describe('refusals end cleanly', () => {
	it('an API refusal before the body is read does not reset a keep-alive connection', async () => {
		const r = await relay();
		const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
		cleanups.push(() => agent.destroy());
		const big = Buffer.alloc(MAX_BODY_BYTES * 64, 0x20);
		for (let round = 0; round < 3; round++) {
			const refused = await request(`${r.relay.url}/api/join`, {
				method: 'POST',
				agent,
				headers: { 'Content-Type': 'application/json', 'Content-Length': big.length },
				body: big
			});
			expect(refused.status).toBe(413);
			expect(refused.headers.connection).toBe('close');
			expect(JSON.parse(refused.body)).toEqual({ error: 'body_too_large' });
			const next = await request(`${r.relay.url}/health`, { agent });
			expect(next.status).toBe(200);
		}
		// A method refusal with a body, and the same connection still answers afterwards.
		const wrong = await request(`${r.relay.url}/api/token`, {
			method: 'PUT',
			agent,
			headers: { 'Content-Type': 'application/json', 'Content-Length': big.length },
			body: big
		});
		expect(wrong.status).toBe(405);
		expect((await request(`${r.relay.url}/health`, { agent })).status).toBe(200);
	});

	it('an over-size photo gets 413, never a reset, by Content-Length or while streaming', async () => {
		const r = await relay({ blobs: { sweepMs: 0, maxBlobBytes: 64 * 1024 } });
		const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
		cleanups.push(() => agent.destroy());
		for (let round = 0; round < 3; round++) {
			const declared = await upload(r, jpeg(8 * 1024 * 1024), r.token, agent);
			expect(declared.status).toBe(413);
			expect(JSON.parse(declared.body)).toEqual({ error: 'blob_too_large' });
		}
		// Content-Length under the cap but the body over it is caught while streaming.
		const big = jpeg(4 * 1024 * 1024);
		const lying = await new Promise<Reply>((resolve, reject) => {
			const req = http.request(
				`${r.relay.url}/api/communities/demo/blobs/${sha(big)}`,
				{
					method: 'PUT',
					agent,
					headers: {
						'Content-Type': 'image/jpeg',
						'Transfer-Encoding': 'chunked',
						Authorization: `Bearer ${r.token}`
					}
				},
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (c: Buffer) => chunks.push(c));
					res.on('end', () =>
						resolve({
							status: res.statusCode ?? 0,
							headers: res.headers,
							body: Buffer.concat(chunks).toString('utf8')
						})
					);
				}
			);
			req.on('error', reject);
			req.end(big);
		});
		expect(lying.status).toBe(413);
		expect((await upload(r, jpeg(4096), r.token, agent)).status).toBe(201);
	});

	it('a client still sending an over-size photo after its 413 arrived is not reset', async () => {
		const r = await relay({ blobs: { sweepMs: 0, maxBlobBytes: 64 * 1024 } });
		const body = jpeg(8 * 1024 * 1024);
		const socket = net.connect(r.relay.port, '127.0.0.1');
		let answer = '';
		let failure: Error | null = null;
		socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
		socket.on('error', (error) => (failure = error));
		const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
		socket.write(
			`PUT /api/communities/demo/blobs/${sha(body)} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
				`Authorization: Bearer ${r.token}\r\nContent-Type: image/jpeg\r\n` +
				`Content-Length: ${body.length}\r\n\r\n`
		);
		socket.write(body.subarray(0, 64 * 1024));
		// The answer comes before the body is sent: a phone on a slow link is still uploading.
		await waitFor(() => answer.includes('blob_too_large'), 5000, 'the 413');
		expect(answer).toMatch(/^HTTP\/1\.1 413 /);
		expect(answer.toLowerCase()).toContain('connection: close');
		for (let sent = 64 * 1024; sent < body.length; sent += 256 * 1024) {
			const chunk = body.subarray(sent, sent + 256 * 1024);
			if (failure || socket.destroyed) break;
			await new Promise<void>((resolve) => socket.write(chunk, () => resolve()));
		}
		socket.end();
		await closed;
		expect(failure).toBeNull();
	});
});
