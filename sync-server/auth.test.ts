/**
 * Authorization at the relay, through real connections: the role matrix cell by cell, token
 * failures, Origin, per-IP and rate limits, read-only connections (including the over-long
 * varint form of a write) and live revocation. Every refused case also checks that storage
 * never saw the document. The same tests run on the embedded relay and on each relay of a
 * cluster (relay-under-test.ts).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { MESSAGE_UPDATE_REFUSED, ROLES, type Access } from '../src/lib/wire/index.ts';
import { ACCESS_MATRIX_CASES as MATRIX } from '../src/lib/wire/access-matrix-cases.ts';
import { isAddressHost } from './admission.ts';
import { encodeSyncStep1, encodeSyncUpdate } from './protocol.ts';
import type { RelayOptions } from './server.ts';
import { relayModes, type RelayMode, type RelayUnderTest } from './relay-under-test.ts';
import {
	connectClient,
	connectSynced,
	demoCommunity,
	RawClient,
	rawHttpStatus,
	upgradeStatus,
	waitFor,
	type TestClient
} from './test-helpers.ts';
import { KeyRing, signRaw } from './tokens.ts';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
	cleanups = [];
});

type Setup = RelayUnderTest;

/** The kind of relay the tests of the current `describe` run on. */
let mode: RelayMode;

async function relay(options: RelayOptions = {}): Promise<Setup> {
	const started = await mode.start(options);
	cleanups.push(() => started.close());
	return started.relay;
}

function raw(url: string, token: string | null, options = {}): RawClient {
	const client = new RawClient(url, token, options);
	cleanups.push(() => client.ws.terminate());
	return client;
}

function client(wsUrl: string, doc: string, token: string | null): TestClient {
	const c = connectClient(wsUrl, doc, undefined, token);
	cleanups.push(() => c.destroy());
	return c;
}

function someUpdate(text = 'x'): Uint8Array {
	const doc = new Y.Doc();
	doc.getText('t').insert(0, text);
	return Y.encodeStateAsUpdate(doc);
}

/** `[0x80 0x00, 0x82 0x00, varBytes(update)]`: sync type 0 and update type 2, both over-long. */
function overLongUpdate(update: Uint8Array): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeUint8(encoder, 0x80);
	encoding.writeUint8(encoder, 0x00);
	encoding.writeUint8(encoder, 0x82);
	encoding.writeUint8(encoder, 0x00);
	encoding.writeVarUint8Array(encoder, update);
	return encoding.toUint8Array(encoder);
}

/**
 * What a relay lets this token do with this document, observed through a raw socket. With
 * `rulesMayRefuse` (a member's token: the write rules check its updates, write-guard.ts), an
 * update refused by the rules (message 102) counts as a write too: only a writer's updates are
 * checked; a read-only connection is answered with 101 before any rule.
 */
async function probe(
	s: Setup,
	doc: string,
	token: string | null,
	{ rulesMayRefuse = false } = {}
): Promise<Access | number> {
	const c = raw(`${s.wsUrl}/${doc}`, token);
	await waitFor(() => c.frames.length > 0 || c.closeCode !== null, 5000, `${doc} answer`);
	if (c.closeCode !== null) return c.closeCode === 4403 ? 'none' : c.closeCode;
	const before = s.appended.filter((d) => d === doc).length;
	c.send(encodeSyncUpdate(someUpdate()));
	await waitFor(
		() =>
			s.appended.filter((d) => d === doc).length > before ||
			c.ofType(101).length > 0 ||
			(rulesMayRefuse && c.ofType(MESSAGE_UPDATE_REFUSED).length > 0),
		5000,
		`${doc} write outcome`
	);
	c.ws.close();
	return c.ofType(101).length > 0 ? 'read' : 'write';
}

describe('admission helpers', () => {
	it('isAddressHost: IP literals and localhost, never a name', () => {
		for (const host of ['127.0.0.1', '10.0.0.5:8787', '[::1]:80', '[fd00::7]', 'localhost:5173']) {
			expect(isAddressHost(host), host).toBe(true);
		}
		for (const host of [
			'evil.example',
			'localhost.evil.example',
			'127.0.0.1.nip.io',
			'',
			'a@127.0.0.1'
		]) {
			expect(isAddressHost(host), host).toBe(false);
		}
	});
});

for (const relayMode of relayModes()) {
	describe(relayMode.name, () => {
		beforeAll(() => {
			mode = relayMode;
		});

		describe('the role matrix through real connections', () => {
			it('every cell, allowed and denied; denied documents never reach storage', async () => {
				for (const role of ROLES) {
					// A relay per role, so "storage never saw it" is about this role's connections only.
					const s = await relay();
					const token = s.relay.mintToken({ communityId: 'demo', role, grids: ['g1'] });
					for (const [doc, expected] of MATRIX) {
						expect([role, doc, await probe(s, doc, token)]).toEqual([role, doc, expected[role]]);
						if (expected[role] === 'none') expect(await s.touched(doc)).toBe(false);
					}
				}
			});

			it('every cell with the tokens of members who joined by invite on this relay', async () => {
				const s = await relay();
				const community = await demoCommunity(s);
				for (const role of ROLES) {
					const member =
						role === 'secretary'
							? community.secretary
							: await community.join(role, ['g1'], `${role} 1`, `phone-${role}`);
					for (const [doc, expected] of MATRIX) {
						const before = { loaded: s.loaded.length, appended: s.appended.length };
						const got = await probe(s, doc, member.token, { rulesMayRefuse: true });
						expect([role, doc, got]).toEqual([role, doc, expected[role]]);
						// A denied document: this connection brought it to storage in no way.
						if (expected[role] === 'none') {
							expect(s.loaded.slice(before.loaded)).not.toContain(doc);
							expect(s.appended.slice(before.appended)).not.toContain(doc);
						}
					}
				}
			});

			it('other communities are refused for every role and kind', async () => {
				const s = await relay();
				for (const role of ROLES) {
					const token = s.relay.mintToken({ communityId: 'demo', role, grids: ['g1'] });
					for (const doc of [
						'c/other/directory',
						'c/other/board/g1',
						'c/other/households/g1',
						'c/other/tasks',
						'c/other/meetings/m1',
						'c/other/map'
					]) {
						expect([role, doc, await probe(s, doc, token)]).toEqual([role, doc, 'none']);
					}
				}
				expect(s.loaded.filter((d) => d.startsWith('c/other/'))).toEqual([]);
				expect(await s.docNames()).toEqual([]);
			});

			it('path traversal and malformed names are refused with 400 before storage, token or not', async () => {
				const s = await relay();
				const token = s.relay.mintToken({ communityId: 'demo', role: 'secretary' });
				for (const path of [
					'c/demo/../other/tasks',
					'c/demo/board/..',
					'c/demo/households/%2e%2e',
					'c%2fdemo%2ftasks',
					'c/demo/households/g1%00',
					'c/demo/board/g1/../../other/tasks'
				]) {
					const status = await rawHttpStatus(s.relay.port, `/sync/${path}?token=${token}`, true);
					expect([path, status]).toEqual([path, 400]);
				}
				expect(s.loaded).toEqual([]);
			});
		});

		describe('tokens at the upgrade', () => {
			it('missing, forged, expired, alg none, HS512, wrong aud/iss → 4401; nothing loaded', async () => {
				const s = await relay();
				const keys = new KeyRing(s.dataDir);
				const now = Math.floor(Date.now() / 1000);
				const claims = (over: Record<string, unknown> = {}) => ({
					iss: 'gridboard',
					aud: 'gridboard-relay',
					sub: 'admin-cli',
					cid: 'demo',
					role: 'secretary',
					grids: [],
					name: 'x',
					ver: 0,
					svc: true,
					iat: now,
					exp: now + 600,
					...over
				});
				const kid = keys.current.kid;
				const header = { alg: 'HS256', kid };
				const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
				const valid = signRaw(keys.current, header, claims());
				const cases: [string, string | null][] = [
					['missing', null],
					['empty', ''],
					['forged signature', valid.slice(0, -4) + (valid.endsWith('AAAA') ? 'BBBB' : 'AAAA')],
					['other key', signRaw({ ...keys.current, secret: 'x'.repeat(43) }, header, claims())],
					['expired', signRaw(keys.current, header, claims({ exp: now - 60 }))],
					['alg none', `${b64({ alg: 'none', kid })}.${b64(claims())}.`],
					['alg HS512', signRaw(keys.current, { alg: 'HS512', kid }, claims())],
					['wrong aud', signRaw(keys.current, header, claims({ aud: 'someone-else' }))],
					['wrong iss', signRaw(keys.current, header, claims({ iss: 'evil' }))],
					['garbage', 'not.a.token']
				];
				for (const [what, token] of cases) {
					const c = raw(`${s.wsUrl}/c/demo/households/g1`, token);
					expect([what, await c.closed()]).toEqual([what, 4401]);
				}
				const ok = raw(`${s.wsUrl}/c/demo/households/g1`, valid);
				await waitFor(() => ok.frames.length > 0);
				ok.ws.close();
				expect(s.loaded).toEqual(['c/demo/households/g1']);
				expect(s.relay.stats().refusedUpgrades).toBe(cases.length);
			});

			it('an other-community token is refused with 4403 and the document is not created', async () => {
				const s = await relay();
				const token = s.relay.mintToken({ communityId: 'other', role: 'secretary' });
				const c = raw(`${s.wsUrl}/c/demo/tasks`, token);
				expect(await c.closed()).toBe(4403);
				expect(await s.touched('c/demo/tasks')).toBe(false);
			});
		});

		describe('Origin and limits', () => {
			it('with PUBLIC_URL only it and ALLOWED_ORIGINS pass; a foreign Origin is refused with 403', async () => {
				const s = await relay({
					allowedOrigins: ['https://app.example.org'],
					publicUrl: 'https://grid.example.org'
				});
				const url = `${s.wsUrl}/c/demo/tasks`;
				const status = (origin: string, host?: string): Promise<number> =>
					upgradeStatus(url, s.token, { origin, ...(host ? { headers: { host } } : {}) });
				expect(await status('https://evil.example')).toBe(403);
				expect(await status('null')).toBe(403);
				// The Host header is not trusted once the relay knows its public origin.
				expect(await status(s.relay.url)).toBe(403);
				expect(await status('https://evil.example', 'evil.example')).toBe(403);
				expect(s.loaded).toEqual([]);
				expect(await status('https://app.example.org')).toBe(101);
				expect(await status('https://grid.example.org')).toBe(101);
			});

			it('without PUBLIC_URL the Host origin passes only for an IP literal or localhost', async () => {
				const s = await relay({ allowedOrigins: ['https://app.example.org'] });
				const url = `${s.wsUrl}/c/demo/tasks`;
				const status = (origin: string, host?: string): Promise<number> =>
					upgradeStatus(url, s.token, { origin, ...(host ? { headers: { host } } : {}) });
				const port = s.relay.port;
				// DNS rebinding: evil.example resolves to this relay, so the page's Origin equals Host.
				expect(await status('http://evil.example', 'evil.example')).toBe(403);
				expect(await status(`http://evil.example:${port}`, `evil.example:${port}`)).toBe(403);
				expect(await status('http://evil.example', `127.0.0.1:${port}`)).toBe(403);
				expect(await status('null')).toBe(403);
				expect(s.loaded).toEqual([]);
				expect(await status(s.relay.url)).toBe(101);
				expect(await status(`http://localhost:${port}`, `localhost:${port}`)).toBe(101);
				expect(await status(`http://192.168.1.20:${port}`, `192.168.1.20:${port}`)).toBe(101);
				expect(await status(`https://[fd00::7]:${port}`, `[fd00::7]:${port}`)).toBe(101);
				expect(await status('https://app.example.org', 'evil.example')).toBe(101);
			});

			it('connections per IP are capped (429)', async () => {
				const s = await relay({ maxConnectionsPerIp: 3 });
				const open = [0, 1, 2].map(() => raw(`${s.wsUrl}/c/demo/tasks`, s.token));
				await Promise.all(open.map((c) => c.opened()));
				expect(await upgradeStatus(`${s.wsUrl}/c/demo/tasks`)).toBe(429);
				open[0]!.ws.close();
				await waitFor(() => s.relay.stats().connections === 2);
				await waitFor(() => open[0]!.closeCode !== null);
				expect(await upgradeStatus(`${s.wsUrl}/c/demo/tasks`)).toBe(101);
			});

			it('more messages per second than allowed close with 4429', async () => {
				const s = await relay({ maxMessagesPerSecond: 5 });
				const c = raw(`${s.wsUrl}/c/demo/tasks`, s.token);
				await c.opened();
				for (let i = 0; i < 40; i++) c.send([3]);
				expect(await c.closed()).toBe(4429);
			});

			it('awareness floods close with 4429; oversized awareness with 4400', async () => {
				const s = await relay({ maxAwarenessPerSecond: 2, maxAwarenessBytes: 128 });
				// [1, varBytes([1 entry, client id 7, clock, "{}"])]: each one a change of its own state.
				const state = (clock: number) => [1, 6, 1, 7, clock, 2, 123, 125];
				const flood = raw(`${s.wsUrl}/c/demo/tasks`, s.token);
				await flood.opened();
				for (let i = 1; i <= 10; i++) flood.send(state(i));
				expect(await flood.closed()).toBe(4429);
				// Echoes (a clock the room has already) change nothing and are not counted.
				const echoing = raw(`${s.wsUrl}/c/demo/tasks`, s.token);
				await echoing.opened();
				echoing.send([1, 6, 1, 8, 1, 2, 123, 125]);
				for (let i = 0; i < 10; i++) echoing.send([1, 6, 1, 8, 1, 2, 123, 125]);
				const heard = echoing.ofType(1).length;
				echoing.send([3]);
				await waitFor(() => echoing.ofType(1).length > heard, 5000, 'still answered');
				expect(echoing.closeCode).toBeNull();
				const big = raw(`${s.wsUrl}/c/demo/tasks`, s.token);
				await big.opened();
				big.send([1, 200, 1, ...new Array<number>(200).fill(0)]);
				expect(await big.closed()).toBe(4400);
			});
		});

		describe('read-only connections', () => {
			it('drops writes after decoding, including over-long varints; answers [101, count] once', async () => {
				const s = await relay();
				const doc = 'c/demo/board/g1';
				const writer = await connectSynced(s.wsUrl, doc);
				cleanups.push(() => writer.destroy());
				writer.doc.getText('t').insert(0, 'board');
				await waitFor(() => s.appended.includes(doc));
				const appendsBefore = s.appended.length;
				const observer = raw(
					`${s.wsUrl}/${doc}`,
					s.relay.mintToken({ communityId: 'demo', role: 'observer' })
				);
				await waitFor(() => observer.frames.length > 0);
				const frames = [
					overLongUpdate(someUpdate('evil')),
					encodeSyncUpdate(someUpdate('plain')),
					new Uint8Array([0, 1, ...encodeSyncUpdate(someUpdate('step2')).slice(2)]),
					new Uint8Array([
						0x80,
						0x80,
						0x00,
						0x81,
						0x80,
						0x00,
						...encodeSyncUpdate(someUpdate('deep')).slice(2)
					])
				];
				for (const frame of frames) observer.send(frame);
				await waitFor(() => s.relay.stats().droppedWrites === frames.length, 5000, 'all dropped');
				// A round trip: the relay answers in order, so every frame it sent before is here.
				const answers = observer.ofType(0).length;
				observer.send(encodeSyncStep1(Y.encodeStateVector(new Y.Doc())));
				await waitFor(() => observer.ofType(0).length > answers, 5000, 'round trip');
				const refusals = observer.ofType(101);
				expect(refusals).toHaveLength(1);
				const decoder = decoding.createDecoder(refusals[0]!);
				expect(decoding.readVarUint(decoder)).toBe(101);
				expect(decoding.readVarUint(decoder)).toBe(1);
				// Still open, still reading; the document did not change and storage got nothing new.
				expect(observer.closeCode).toBeNull();
				writer.doc.getText('t').insert(5, '!');
				await waitFor(() => s.appended.length === appendsBefore + 1);
				const check = await connectSynced(s.wsUrl, doc);
				cleanups.push(() => check.destroy());
				expect(check.doc.getText('t').toString()).toBe('board!');
				expect(s.appended.length).toBe(appendsBefore + 1);
			});

			it('the same over-long frame from a writer is applied (the type really decodes as an update)', async () => {
				const s = await relay();
				const c = raw(`${s.wsUrl}/c/demo/tasks`, s.token);
				await waitFor(() => c.frames.length > 0);
				c.send(overLongUpdate(someUpdate('ok')));
				await waitFor(() => s.appended.includes('c/demo/tasks'));
			});

			it('a y-websocket observer reads, its edits stay local, it is told once', async () => {
				const s = await relay();
				const doc = 'c/demo/meetings/m1';
				const writer = await connectSynced(s.wsUrl, doc);
				cleanups.push(() => writer.destroy());
				writer.doc.getText('t').insert(0, 'agenda');
				const observer = client(
					s.wsUrl,
					doc,
					s.relay.mintToken({ communityId: 'demo', role: 'observer' })
				);
				const told: number[] = [];
				observer.provider.messageHandlers[101] = (_encoder, decoder: decoding.Decoder) => {
					told.push(decoding.readVarUint(decoder));
				};
				await waitFor(() => observer.doc.getText('t').toString() === 'agenda');
				observer.doc.getText('t').insert(0, 'forged ');
				await waitFor(() => told.length === 1);
				writer.doc.getText('t').insert(6, '.');
				await waitFor(() => observer.doc.getText('t').toString() === 'forged agenda.');
				expect(writer.doc.getText('t').toString()).toBe('agenda.');
				expect(observer.provider.wsconnected).toBe(true);
			});
		});

		describe('live expiry', () => {
			it('a socket whose token expires is closed with 4401', async () => {
				const s = await relay({ sweepMs: 100, clockSkewSeconds: 0 });
				// Expiry is in whole seconds from a floored issue time, so a 1 s token may be valid for
				// only a millisecond (then the upgrade itself is refused); 3 s leaves 2–3 s to open.
				const token = s.relay.mintToken({ communityId: 'demo', role: 'secretary', ttlSeconds: 3 });
				const c = raw(`${s.wsUrl}/c/demo/tasks`, token);
				await c.opened();
				expect(await c.closed(8000)).toBe(4401);
			});
		});
	});
}
