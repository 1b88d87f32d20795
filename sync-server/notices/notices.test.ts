/**
 * The public notice board through the real relay on port 0 (issue 19, "The notice board is
 * served without a token, and nothing else is"): publishing is the secretary's, the snapshot is
 * checked strictly, the page is served without a token from the snapshot only (escaped), phones
 * only with consent, a withdrawn notice is gone, and a sweep of every other route refuses
 * requests without a token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { NoticeSnapshot } from '../../src/lib/wire/notice.ts';
import WebSocket from 'ws';
import {
	closeCode,
	connectSynced,
	removeDir,
	startTestRelay,
	waitFor,
	type TestRelay
} from '../test-helpers.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Answer = { status: number; body: Record<string, unknown>; text: string; headers: Headers };

async function call(
	r: TestRelay,
	method: string,
	path: string,
	options: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> } = {}
): Promise<Answer> {
	const response = await fetch(`${r.relay.url}${path}`, {
		method,
		headers: {
			'Content-Type': 'application/json',
			...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
			...options.headers
		},
		body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body))
	});
	const text = await response.text();
	let body: Record<string, unknown> = {};
	try {
		body = JSON.parse(text) as Record<string, unknown>;
	} catch {
		// HTML
	}
	return { status: response.status, body, text, headers: response.headers };
}

type Member = { id: string; token: string };

async function join(r: TestRelay, code: string, name: string, deviceId: string): Promise<Member> {
	const joined = await call(r, 'POST', '/api/join', {
		body: { code, displayName: name, deviceId }
	});
	expect(joined.status).toBe(200);
	const issued = await call(r, 'POST', '/api/token', {
		body: { credential: joined.body.credential }
	});
	expect(issued.status).toBe(200);
	return { id: (joined.body.member as { id: string }).id, token: issued.body.token as string };
}

/** Community `demo` (secretary, a grid member of g1, a volunteer) and community `other`. */
async function setup() {
	const r = await startTestRelay();
	cleanups.push(() => removeDir(r.dataDir));
	cleanups.push(() => r.relay.close());
	const created = r.relay.createCommunity('示例社区', 'demo');
	const secretary = await join(r, created.inviteCode, '王书记', 'sec-device');
	const invite = async (role: string, grids: string[]) => {
		const answer = await call(r, 'POST', '/api/communities/demo/invites', {
			body: { role, grids, expiresInHours: 1, maxUses: 1 },
			token: secretary.token
		});
		expect(answer.status).toBe(200);
		return answer.body.code as string;
	};
	const gridMember = await join(r, await invite('grid-member', ['g1']), '李敏', 'gm-device');
	const volunteer = await join(r, await invite('volunteer', []), '赵志', 'vol-device');
	const other = r.relay.createCommunity('别的社区', 'other');
	const otherSecretary = await join(r, other.inviteCode, '钱书记', 'other-device');
	return { r, secretary, gridMember, volunteer, otherSecretary };
}

type Setup = Awaited<ReturnType<typeof setup>>;

const snapshot = (s: Setup, extra: Partial<NoticeSnapshot> = {}): NoticeSnapshot => ({
	community: '示例社区',
	grid: '第一网格',
	hours: '周一至周五 9:00–17:30',
	team: [
		{ memberId: s.secretary.id, name: '王书记', duty: '网格长' },
		{ memberId: s.gridMember.id, name: '李敏', duty: '网格员', phone: '13800138000' },
		{ memberId: s.volunteer.id, name: '赵志', duty: '志愿者' }
	],
	...extra
});

async function agree(s: Setup, member: Member, phone: string | null): Promise<void> {
	const answer = await call(s.r, 'PUT', '/api/communities/demo/notice-phone', {
		body: { phone },
		token: member.token
	});
	expect(answer.status).toBe(200);
	expect(answer.body.phone).toBe(phone);
}

async function publish(s: Setup, body: unknown = snapshot(s), token = s.secretary.token) {
	return call(s.r, 'PUT', '/api/communities/demo/notices/g1', { body, token });
}

const pagePath = (url: unknown) => new URL(url as string).pathname;

describe('public notice board', () => {
	it('a secretary publishes; the page is served without a token, escaped, phones only with consent', async () => {
		const s = await setup();
		await agree(s, s.gridMember, '13800138000');
		const published = await publish(s);
		expect(published.status).toBe(200);
		const notice = published.body.notice as { token: string; url: string; publishedAt: number };
		expect(notice.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
		expect(notice.url).toBe(`${s.r.relay.url}/n/${notice.token}`);

		const page = await call(s.r, 'GET', pagePath(notice.url));
		expect(page.status).toBe(200);
		expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(page.headers.get('content-security-policy')).toMatch(
			/^default-src 'none'; style-src 'sha256-/
		);
		expect(page.headers.get('cache-control')).toBe('no-store');
		expect(page.text).toContain('<html lang="zh-CN">');
		for (const text of [
			'示例社区',
			'第一网格',
			'周一至周五 9:00–17:30',
			'王书记',
			'网格长',
			'李敏',
			'13800138000',
			'赵志'
		]) {
			expect(page.text).toContain(text);
		}
		// One phone: only the member who agreed.
		expect(page.text.match(/href="tel:/g)).toHaveLength(1);

		const english = await call(s.r, 'GET', pagePath(notice.url), {
			headers: { 'Accept-Language': 'en-GB,en;q=0.9,zh;q=0.5' }
		});
		expect(english.text).toContain('<html lang="en">');
		expect(english.text).toContain('Service hours');

		const json = await call(s.r, 'GET', `${pagePath(notice.url)}.json`);
		expect(json.status).toBe(200);
		expect(json.body).toEqual({
			community: '示例社区',
			grid: '第一网格',
			hours: '周一至周五 9:00–17:30',
			team: [
				{ name: '王书记', duty: '网格长' },
				{ name: '李敏', duty: '网格员', phone: '13800138000' },
				{ name: '赵志', duty: '志愿者' }
			],
			publishedAt: notice.publishedAt
		});

		// Consent withdrawn: the phone leaves the page at once, without republishing.
		await agree(s, s.gridMember, null);
		const after = await call(s.r, 'GET', pagePath(notice.url));
		expect(after.text).not.toContain('13800138000');
		expect(after.text).toContain('李敏');
	});

	it('names are escaped: a <script> in a name stays text', async () => {
		const s = await setup();
		const evil = '<script>alert(1)</script>';
		const body = snapshot(s, {
			grid: `"><img src=x onerror=alert(1)>`,
			team: [{ memberId: s.secretary.id, name: evil, duty: '网格长&amp;' }]
		});
		const published = await publish(s, body);
		expect(published.status).toBe(200);
		const page = await call(s.r, 'GET', pagePath((published.body.notice as { url: string }).url));
		expect(page.text).not.toContain('<script>');
		expect(page.text).not.toContain('<img');
		expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
		expect(page.text).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
		expect(page.text).toContain('网格长&amp;amp;');
	});

	it('only the secretary publishes, lists and withdraws', async () => {
		const s = await setup();
		for (const member of [s.gridMember, s.volunteer]) {
			expect((await publish(s, snapshot(s), member.token)).status).toBe(403);
			const list = await call(s.r, 'GET', '/api/communities/demo/notices', { token: member.token });
			expect(list.status).toBe(403);
			const withdraw = await call(s.r, 'DELETE', '/api/communities/demo/notices/g1', {
				token: member.token
			});
			expect(withdraw.status).toBe(403);
		}
		// Another community's secretary, on this community.
		expect((await publish(s, snapshot(s), s.otherSecretary.token)).status).toBe(403);
		const list = await call(s.r, 'GET', '/api/communities/demo/notices', {
			token: s.otherSecretary.token
		});
		expect(list.status).toBe(403);
		expect(
			(await call(s.r, 'GET', '/api/communities/demo/notices', { token: s.secretary.token })).body
		).toEqual({
			notices: [],
			phones: {}
		});
	});

	it('refuses bad snapshots whole: extra fields, too long, wrong types, phones not agreed', async () => {
		const s = await setup();
		await agree(s, s.gridMember, '13800138000');
		const good = snapshot(s);
		const bad: [string, unknown, string][] = [
			['extra top-level field', { ...good, address: '1栋' }, 'bad_notice'],
			['extra member field', { ...good, team: [{ ...good.team[0], idNumber: 'x' }] }, 'bad_notice'],
			['missing field', { community: 'x', grid: 'y', team: good.team }, 'bad_notice'],
			['name too long', { ...good, grid: '网'.repeat(61) }, 'bad_notice'],
			[
				'duty too long',
				{ ...good, team: [{ ...good.team[0], duty: '长'.repeat(21) }] },
				'bad_notice'
			],
			['hours too long', { ...good, hours: 'h'.repeat(81) }, 'bad_notice'],
			[
				'team too long',
				{
					...good,
					team: Array.from({ length: 31 }, (_, i) => ({ memberId: `m${i}`, name: 'a', duty: 'b' }))
				},
				'bad_notice'
			],
			['empty team', { ...good, team: [] }, 'bad_notice'],
			['number as name', { ...good, grid: 42 }, 'bad_notice'],
			['team as object', { ...good, team: { a: 1 } }, 'bad_notice'],
			[
				'phone as number',
				{ ...good, team: [{ ...good.team[1], phone: 13800138000 }] },
				'bad_notice'
			],
			['phone malformed', { ...good, team: [{ ...good.team[1], phone: '12345' }] }, 'bad_notice'],
			['array body', [good], 'bad_json'],
			[
				'phone not agreed',
				{ ...good, team: [{ ...good.team[0], phone: '13900139000' }] },
				'phone_not_agreed'
			],
			[
				'another phone than agreed',
				{ ...good, team: [{ ...good.team[1], phone: '13700137000' }] },
				'phone_not_agreed'
			],
			[
				'not a member',
				{ ...good, team: [{ memberId: 'nobody', name: 'x', duty: 'y' }] },
				'member_unknown'
			],
			[
				'another community’s member',
				{ ...good, team: [{ memberId: s.otherSecretary.id, name: 'x', duty: 'y' }] },
				'member_unknown'
			]
		];
		for (const [what, body, reason] of bad) {
			const answer = await publish(s, body);
			expect(answer.status, what).toBe(400);
			expect(answer.body.error, what).toBe(reason);
		}
		const huge = await call(s.r, 'PUT', '/api/communities/demo/notices/g1', {
			raw: JSON.stringify({ ...good, hours: 'x'.repeat(9000) }),
			token: s.secretary.token
		});
		expect(huge.status).toBe(413);
		const junk = await call(s.r, 'PUT', '/api/communities/demo/notices/g1', {
			raw: '{not json',
			token: s.secretary.token
		});
		expect(junk.status).toBe(400);
		// Nothing was published by any of them.
		const list = await call(s.r, 'GET', '/api/communities/demo/notices', {
			token: s.secretary.token
		});
		expect(list.body.notices).toEqual([]);
		// Consent is checked too: a malformed phone, another field.
		for (const body of [{ phone: '123' }, { phone: 13800138000 }, { phone: null, extra: 1 }]) {
			const answer = await call(s.r, 'PUT', '/api/communities/demo/notice-phone', {
				body,
				token: s.gridMember.token
			});
			expect(answer.status).toBe(400);
		}
	});

	it('withdrawn → gone (410); republished → a new URL; unpublished edits never appear', async () => {
		const s = await setup();
		await agree(s, s.gridMember, '13800138000');
		const first = await publish(s);
		expect(first.status).toBe(200);
		const url = pagePath((first.body.notice as { url: string }).url);

		// A document edit (the grid renamed in the directory) is not the notice.
		const client = await connectSynced(s.r.wsUrl, 'c/demo/directory');
		cleanups.push(() => client.destroy());
		client.doc.getMap('unpublished').set('grid', '改名未发布');
		const reader = await connectSynced(s.r.wsUrl, 'c/demo/directory');
		cleanups.push(() => reader.destroy());
		await waitFor(() => reader.doc.getMap('unpublished').get('grid') === '改名未发布');
		expect((await call(s.r, 'GET', url)).text).not.toContain('改名未发布');

		// Republishing keeps the URL (posters on the walls keep working) and shows the new team.
		const second = await publish(s, snapshot(s, { grid: '第一网格（新）' }));
		expect(pagePath((second.body.notice as { url: string }).url)).toBe(url);
		expect((await call(s.r, 'GET', url)).text).toContain('第一网格（新）');

		const withdrawn = await call(s.r, 'DELETE', '/api/communities/demo/notices/g1', {
			token: s.secretary.token
		});
		expect(withdrawn.status).toBe(200);
		const gone = await call(s.r, 'GET', url);
		expect(gone.status).toBe(410);
		expect(gone.text).toContain('公示已撤下');
		expect(gone.text).not.toContain('王书记');
		expect((await call(s.r, 'GET', `${url}.json`)).status).toBe(410);
		expect(
			(await call(s.r, 'DELETE', '/api/communities/demo/notices/g1', { token: s.secretary.token }))
				.status
		).toBe(404);

		const again = await publish(s);
		expect(pagePath((again.body.notice as { url: string }).url)).not.toBe(url);
		expect((await call(s.r, 'GET', url)).status).toBe(410);
		const unknown = await call(s.r, 'GET', '/n/AAAAAAAAAAAAAAAAAAAAAA');
		expect(unknown.status).toBe(404);
		expect(unknown.text).toContain('没有这张公示');
	});

	it('nothing but the notice page is served without a token', async () => {
		const s = await setup();
		await agree(s, s.gridMember, '13800138000');
		const live = await publish(s);
		const liveUrl = pagePath((live.body.notice as { url: string }).url);
		const otherPublished = await call(s.r, 'PUT', '/api/communities/other/notices/g9', {
			body: {
				community: '别的社区',
				grid: '九',
				hours: '',
				team: [{ memberId: s.otherSecretary.id, name: '钱书记', duty: '网格长' }]
			},
			token: s.otherSecretary.token
		});
		expect(otherPublished.status).toBe(200);
		await call(s.r, 'PUT', '/api/communities/demo/notices/g2', {
			body: snapshot(s, { grid: '第二网格' }),
			token: s.secretary.token
		});
		const withdrawnUrl = pagePath(
			(
				(await call(s.r, 'GET', '/api/communities/demo/notices', { token: s.secretary.token })).body
					.notices as { gridId: string; url: string }[]
			).find((n) => n.gridId === 'g2')!.url
		);
		await call(s.r, 'DELETE', '/api/communities/demo/notices/g2', { token: s.secretary.token });

		const hash = 'a'.repeat(64);
		const sweep: [string, string][] = [];
		for (const cid of ['demo', 'other']) {
			sweep.push(
				['GET', `/api/communities/${cid}/roster`],
				['GET', `/api/communities/${cid}/members`],
				['PATCH', `/api/communities/${cid}/members/${s.gridMember.id}`],
				['DELETE', `/api/communities/${cid}/members/${s.gridMember.id}`],
				['GET', `/api/communities/${cid}/invites`],
				['POST', `/api/communities/${cid}/invites`],
				['DELETE', `/api/communities/${cid}/invites/abc`],
				['GET', `/api/communities/${cid}/blobs/${hash}`],
				['PUT', `/api/communities/${cid}/blobs/${hash}`],
				['GET', `/api/communities/${cid}/basemap`],
				['HEAD', `/api/communities/${cid}/basemap`],
				['GET', `/api/communities/${cid}/notices`],
				['PUT', `/api/communities/${cid}/notices/g1`],
				['DELETE', `/api/communities/${cid}/notices/g1`],
				['GET', `/api/communities/${cid}/notice-phone`],
				['PUT', `/api/communities/${cid}/notice-phone`]
			);
		}
		sweep.push(
			['POST', '/api/join'],
			['POST', '/api/token'],
			['GET', '/api'],
			['GET', '/api/communities/demo'],
			['GET', '/sync/c/demo/directory'],
			['GET', withdrawnUrl],
			['GET', `${withdrawnUrl}.json`],
			['GET', '/n/'],
			['GET', '/n/AAAAAAAAAAAAAAAAAAAAAA'],
			['POST', liveUrl],
			['GET', '/health/../api/communities/demo/members']
		);
		for (const [method, path] of sweep) {
			const answer = await call(
				s.r,
				method,
				path,
				method === 'GET' || method === 'HEAD' ? {} : { body: {} }
			);
			expect(answer.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
			for (const secret of ['13800138000', '李敏', '钱书记', '王书记']) {
				expect(answer.text, `${method} ${path}`).not.toContain(secret);
			}
		}
		// WebSocket upgrades without a token, to every kind of document.
		for (const doc of [
			'c/demo/directory',
			'c/demo/board/g1',
			'c/demo/households/g1',
			'c/demo/tasks',
			'c/other/map'
		]) {
			const ws = new WebSocket(`${s.r.wsUrl}/${doc}`);
			const frames: unknown[] = [];
			ws.on('message', (data) => frames.push(data));
			ws.on('error', () => {});
			expect(await closeCode(ws), doc).toBe(4401);
			expect(frames, doc).toEqual([]);
		}
		// …while the notice answers, with its phone.
		const page = await call(s.r, 'GET', liveUrl);
		expect(page.status).toBe(200);
		expect(page.text).toContain('13800138000');
		const otherPage = await call(
			s.r,
			'GET',
			pagePath((otherPublished.body.notice as { url: string }).url)
		);
		expect(otherPage.status).toBe(200);
		expect(otherPage.text).toContain('钱书记');
	});
});
