/**
 * The parts of the relay that startRelay wires (the relay suites test them together): the
 * shared JSON helpers of the API and photo routes, the heartbeat, closing a member's sockets.
 */
import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Connection } from './connection.ts';
import { beat } from './heartbeat.ts';
import { createHttpRoutes, rawPathOf } from './http-routes.ts';
import { bearerToken, Refusal, sendJson, sendRefusal } from './http-json.ts';
import { closeMember, sweepConnections } from './revocation.ts';
import type { IdentityStore, MemberRecord } from './identity-store.ts';
import type { KeyRing } from './tokens.ts';

type Reply = { status: number; headers: Record<string, unknown>; body: string };

function fakeResponse(): { res: http.ServerResponse; replies: Reply[] } {
	const replies: Reply[] = [];
	let pending: Omit<Reply, 'body'> | null = null;
	const res = {
		headersSent: false,
		writeHead(status: number, headers: Record<string, unknown>) {
			pending = { status, headers };
			this.headersSent = true;
			return this;
		},
		end(body: string) {
			replies.push({ ...pending!, body });
		}
	};
	return { res: res as unknown as http.ServerResponse, replies };
}

const request = (authorization?: string) =>
	({ headers: authorization === undefined ? {} : { authorization } }) as http.IncomingMessage;

describe('http-json', () => {
	it('reads a bearer token and nothing else', () => {
		expect(bearerToken(request('Bearer abc.DEF-_1'))).toBe('abc.DEF-_1');
		expect(bearerToken(request('  Bearer abc  '))).toBe('abc');
		expect(bearerToken(request('Basic abc'))).toBeNull();
		expect(bearerToken(request('Bearer a b'))).toBeNull();
		expect(bearerToken(request())).toBeNull();
	});

	it('answers a refusal with its status and reason, anything else with 500, once', () => {
		const { res, replies } = fakeResponse();
		const internal: unknown[] = [];
		sendRefusal(res, new Refusal(403, 'forbidden'), (e) => internal.push(e));
		sendJson(res, 200, { ok: true });
		expect(replies).toEqual([
			{
				status: 403,
				headers: expect.objectContaining({ 'Cache-Control': 'no-store' }),
				body: '{"error":"forbidden"}'
			}
		]);
		expect(internal).toEqual([]);

		const other = fakeResponse();
		const boom = new Error('disk');
		sendRefusal(other.res, boom, (e) => internal.push(e), true);
		expect(other.replies[0]).toMatchObject({
			status: 500,
			headers: { Connection: 'close' },
			body: '{"error":"internal"}'
		});
		expect(internal).toEqual([boom]);
	});
});

describe('http-routes', () => {
	it('routes by raw path: photos, basemap, history, notices, API, health, sync, files', () => {
		const seen: string[] = [];
		const handler = (name: string) => (_req: unknown, _res: unknown, path: string) =>
			seen.push(`${name} ${path}`);
		const route = createHttpRoutes({
			blobs: handler('blobs'),
			basemap: handler('basemap'),
			history: handler('history'),
			notices: handler('notices'),
			noticePage: handler('noticePage'),
			api: handler('api'),
			files: handler('files'),
			health: () => ({ uptimeSeconds: 1, docsLoaded: 2, connections: 3, storageBroken: true })
		});
		const req = {} as http.IncomingMessage;
		for (const url of [
			'/api/communities/demo/blobs/ab?x=1',
			'/api/communities/demo/basemap?x=1',
			'/api/communities/demo/history/board/g1?at=1',
			'/api/communities/demo/notices/g1?x=1',
			'/api/communities/demo/notice-phone',
			'/n/AAAAAAAAAAAAAAAAAAAAAA?x=1',
			'/n',
			'/news',
			'/api/token',
			'/api',
			'/c/demo#x',
			'/'
		]) {
			route(req, fakeResponse().res, rawPathOf(url));
		}
		expect(seen).toEqual([
			'blobs /api/communities/demo/blobs/ab',
			'basemap /api/communities/demo/basemap',
			'history /api/communities/demo/history/board/g1',
			'notices /api/communities/demo/notices/g1',
			'notices /api/communities/demo/notice-phone',
			'noticePage /n/AAAAAAAAAAAAAAAAAAAAAA',
			'noticePage /n',
			'files /news',
			'api /api/token',
			'api /api',
			'files /c/demo',
			'files /'
		]);
		const health = fakeResponse();
		route(req, health.res, '/health');
		expect(health.replies[0]?.status).toBe(503);
		expect(JSON.parse(health.replies[0]!.body)).toMatchObject({ ok: false, connections: 3 });
	});

	it('/health is 503 while a store of the cluster is down, naming it', () => {
		const figures = { uptimeSeconds: 1, docsLoaded: 2, connections: 3, storageBroken: false };
		const reply = (storage?: { redis: 'up' | 'down'; postgres: 'up' | 'down' }) => {
			const handler = () => {};
			const route = createHttpRoutes({
				blobs: handler,
				basemap: handler,
				history: handler,
				notices: handler,
				noticePage: handler,
				api: handler,
				files: handler,
				health: () => ({ ...figures, ...(storage ? { storage } : {}) })
			});
			const response = fakeResponse();
			route({} as http.IncomingMessage, response.res, '/health');
			const { status, body } = response.replies[0]!;
			return { status, body: JSON.parse(body) as Record<string, unknown> };
		};
		expect(reply()).toMatchObject({ status: 200, body: { ok: true } });
		expect(reply().body).not.toHaveProperty('storage');
		const pgDown = { redis: 'up', postgres: 'down' } as const;
		expect(reply(pgDown)).toMatchObject({ status: 503, body: { ok: false, storage: pgDown } });
		const up = { redis: 'up', postgres: 'up' } as const;
		expect(reply(up)).toMatchObject({ status: 200, body: { ok: true, storage: up } });
	});
});

type FakeConnection = {
	alive: boolean;
	lastSentAt: number;
	claims: { cid: string; sub: string; svc?: true };
	log: string[];
};

function fakeConnection(init: Partial<FakeConnection>): FakeConnection & Connection {
	const c: FakeConnection = {
		alive: true,
		lastSentAt: 0,
		claims: { cid: 'demo', sub: 'm1' },
		log: [],
		...init
	};
	return Object.assign(c, {
		ping: () => c.log.push('ping'),
		terminate: () => c.log.push('terminate'),
		send: (m: Uint8Array) => c.log.push(`send ${[...m]}`),
		close: (code: number, reason: string) => c.log.push(`close ${code} ${reason}`)
	}) as unknown as FakeConnection & Connection;
}

describe('heartbeat', () => {
	it('terminates the silent, pings the rest, keeps the quiet alive with empty awareness', () => {
		const dead = fakeConnection({ alive: false });
		const busy = fakeConnection({ lastSentAt: 9_000 });
		const quiet = fakeConnection({ lastSentAt: 0 });
		beat([dead, busy, quiet], 5_000, 10_000);
		expect(dead.log).toEqual(['terminate']);
		expect(busy.log).toEqual(['ping']);
		expect(quiet.log).toEqual(['ping', 'send 1,1,0']);
	});
});

describe('revocation', () => {
	it("closes one member's connections, not service tokens or other communities", () => {
		const mine = [fakeConnection({}), fakeConnection({})];
		const others = [
			fakeConnection({ claims: { cid: 'demo', sub: 'm2' } }),
			fakeConnection({ claims: { cid: 'other', sub: 'm1' } }),
			fakeConnection({ claims: { cid: 'demo', sub: 'm1', svc: true } })
		];
		expect(closeMember([...mine, ...others], 'demo', 'm1', 4403, 'member removed')).toBe(2);
		for (const c of mine) expect(c.log).toEqual(['close 4403 member removed']);
		for (const c of others) expect(c.log).toEqual([]);
	});

	it('the sweep sends the removal signal (4403 member_removed) to a removed member only', () => {
		const now = 1_000_000;
		const members: Record<string, Partial<MemberRecord>> = {
			gone: { removedAt: now - 10, ver: 1 },
			moved: { removedAt: null, ver: 2 },
			here: { removedAt: null, ver: 1 }
		};
		const identity = {
			getMember: (_cid: string, sub: string) => members[sub] ?? null
		} as unknown as IdentityStore;
		const claims = (sub: string, extra: Record<string, unknown> = {}) =>
			({ cid: 'demo', sub, ver: 1, exp: now / 1000 + 600, ...extra }) as never;
		const removed = fakeConnection({ claims: claims('gone') });
		const outdated = fakeConnection({ claims: claims('moved') });
		const expired = fakeConnection({ claims: claims('here', { exp: now / 1000 - 60 }) });
		const unknown = fakeConnection({ claims: claims('nobody') });
		const current = fakeConnection({ claims: claims('here') });
		sweepConnections(
			{
				connections: [removed, outdated, expired, unknown, current],
				identity,
				keys: { reload: () => undefined } as unknown as KeyRing,
				clockSkewSeconds: 0,
				sweepMs: 1000,
				log: () => undefined
			},
			now
		);
		expect(removed.log).toEqual(['close 4403 member_removed']);
		expect(outdated.log).toEqual(['close 4401 outdated']);
		expect(expired.log).toEqual(['close 4401 token expired']);
		// A member the store does not know is refused, but is not told "removed".
		expect(unknown.log).toEqual(['close 4403 member-unknown']);
		expect(current.log).toEqual([]);
	});
});
