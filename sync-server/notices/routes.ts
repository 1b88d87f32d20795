/**
 * The public notice boards' HTTP routes (docs/access.md, "Public notice board"):
 *
 *   GET    /api/communities/:cid/notices          secretary: live notices + who agreed to a phone
 *   PUT    /api/communities/:cid/notices/:gridId  secretary: publish a snapshot (JSON body)
 *   DELETE /api/communities/:cid/notices/:gridId  secretary: withdraw
 *   GET    /api/communities/:cid/notice-phone     any member: my consent ({ phone | null })
 *   PUT    /api/communities/:cid/notice-phone     any member: set or clear my consent
 *   GET    /n/:token   /n/:token.json             anyone, no token: the page, or its JSON twin
 *
 * Invariants:
 * - `/n/…` is the only thing the relay serves about a community without a token, and it reads
 *   only the published snapshot (never a document): nothing unpublished leaves.
 * - A phone is shown only while its member agrees to show that number and is still a member:
 *   checked when publishing (`phone_not_agreed`) and again on every read, so withdrawing consent
 *   or removing a member takes the number off at once, without republishing.
 * - Every team entry names a current member of the community (`member_unknown`).
 * - Tokens are 128 random bits; a withdrawn token answers 410, an unknown one 404.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { canAdminister, ID_SEGMENT } from '../../src/lib/wire/index.ts';
import {
	NOTICE_LIMITS,
	NOTICE_TOKEN,
	isNoticePhone,
	parseNoticeSnapshot,
	type NoticeSnapshot,
	type PublishedNotice
} from '../../src/lib/wire/notice.ts';
import { readBody } from '../api.ts';
import { answerRefusal, bearerClaims, Refusal, sendJson, type MemberCheck } from '../http-json.ts';
import { SECURITY_HEADERS } from '../static-files.ts';
import type { KeyRing } from '../tokens.ts';
import { NOTICE_PAGE_CSP, noticeLanguage, renderGone, renderNotice } from './page.ts';
import type { AsyncNoticeStore } from './store.ts';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, rawPath: string) => void;

export type NoticeContext = MemberCheck & {
	notices: AsyncNoticeStore;
	keys: KeyRing;
	clockSkewSeconds: number;
	publicUrl: string | null;
	log(event: Record<string, unknown>): void;
};

const API_PATH = /^\/api\/communities\/([^/]+)\/(notices|notice-phone)(?:\/([^/]+))?$/;
const PAGE_PATH = /^\/n\/([^/]*?)(\.json)?$/;

export function isNoticeApiPath(rawPath: string): boolean {
	return API_PATH.test(rawPath);
}

export function isNoticePagePath(rawPath: string): boolean {
	return rawPath === '/n' || rawPath.startsWith('/n/');
}

/** 22 url-safe characters of 16 random bytes. */
export function newNoticeToken(): string {
	return randomBytes(16).toString('base64url');
}

/** The snapshot as the public may see it now: phones only of current, consenting members. */
async function visibleSnapshot(
	ctx: NoticeContext,
	communityId: string,
	snapshot: NoticeSnapshot
): Promise<NoticeSnapshot> {
	const phones = await ctx.notices.phones(communityId);
	const current = new Set(
		ctx.identity
			.listMembers(communityId)
			.filter((member) => member.removedAt === null)
			.map((member) => member.id)
	);
	return {
		...snapshot,
		team: snapshot.team.map(({ phone, ...member }) =>
			phone !== undefined && current.has(member.memberId) && phones.get(member.memberId) === phone
				? { ...member, phone }
				: member
		)
	};
}

/** What the public JSON twin shows: no member ids. */
function publicJson(notice: PublishedNotice, snapshot: NoticeSnapshot) {
	return {
		community: snapshot.community,
		grid: snapshot.grid,
		hours: snapshot.hours,
		team: snapshot.team.map(({ name, duty, phone }) =>
			phone ? { name, duty, phone } : { name, duty }
		),
		publishedAt: notice.publishedAt
	};
}

export function createNoticeService(ctx: NoticeContext): { api: Handler; page: Handler } {
	const urlOf = (req: http.IncomingMessage, token: string): string => {
		const host = req.headers.host;
		const origin =
			ctx.publicUrl ?? (host && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? `http://${host}` : '');
		return `${origin}/n/${token}`;
	};

	const api = async (
		req: http.IncomingMessage,
		res: http.ServerResponse,
		rawPath: string
	): Promise<void> => {
		const [, communityId = '', collection, gridId] = API_PATH.exec(rawPath) ?? [];
		if (!ID_SEGMENT.test(communityId)) throw new Refusal(404, 'not_found');
		const method = req.method ?? 'GET';

		if (collection === 'notice-phone') {
			if (gridId !== undefined) throw new Refusal(404, 'not_found');
			if (method !== 'GET' && method !== 'PUT') throw new Refusal(405, 'method_not_allowed');
			const claims = await bearerClaims(req, { ...ctx, now: Date.now }, communityId);
			// Consent is a member's own: a service token has nobody to consent for.
			if (claims.svc) throw new Refusal(403, 'forbidden');
			if (method === 'PUT') {
				const body = await readBody(req, 1024);
				const keys = Object.keys(body);
				if (keys.length !== 1 || keys[0] !== 'phone') throw new Refusal(400, 'bad_phone');
				const phone = body.phone;
				if (phone !== null && (typeof phone !== 'string' || !isNoticePhone(phone))) {
					throw new Refusal(400, 'bad_phone');
				}
				await ctx.notices.setPhone(communityId, claims.sub, phone, Date.now());
				ctx.log({ event: 'notice-phone', communityId, agreed: phone !== null });
			}
			const phones = await ctx.notices.phones(communityId);
			sendJson(res, 200, { phone: phones.get(claims.sub) ?? null });
			return;
		}

		const allowed = gridId === undefined ? ['GET'] : ['PUT', 'DELETE'];
		if (!allowed.includes(method)) throw new Refusal(405, 'method_not_allowed');
		if (gridId !== undefined && !ID_SEGMENT.test(gridId)) throw new Refusal(404, 'not_found');
		const claims = await bearerClaims(req, { ...ctx, now: Date.now }, communityId);
		if (!canAdminister(claims.role)) throw new Refusal(403, 'forbidden');

		if (gridId === undefined) {
			const members = new Set(
				ctx.identity
					.listMembers(communityId)
					.filter((member) => member.removedAt === null)
					.map((member) => member.id)
			);
			const phones = Object.fromEntries(
				[...(await ctx.notices.phones(communityId))].filter(([memberId]) => members.has(memberId))
			);
			const notices = (await ctx.notices.listLive(communityId)).map((notice) => ({
				...notice,
				url: urlOf(req, notice.token)
			}));
			sendJson(res, 200, { notices, phones });
			return;
		}
		if (method === 'DELETE') {
			if (!(await ctx.notices.withdraw(communityId, gridId, Date.now()))) {
				throw new Refusal(404, 'notice_unknown');
			}
			ctx.log({ event: 'notice-withdrawn', communityId });
			sendJson(res, 200, { ok: true });
			return;
		}
		const body = await readBody(req, NOTICE_LIMITS.bodyBytes);
		const parsed = parseNoticeSnapshot(body);
		if (!parsed.ok) {
			sendJson(res, 400, { error: 'bad_notice', detail: parsed.reason });
			return;
		}
		const phones = await ctx.notices.phones(communityId);
		for (const member of parsed.value.team) {
			const record = ctx.identity.getMember(communityId, member.memberId);
			if (!record || record.removedAt !== null) throw new Refusal(400, 'member_unknown');
			if (member.phone !== undefined && phones.get(member.memberId) !== member.phone) {
				throw new Refusal(400, 'phone_not_agreed');
			}
		}
		const notice = await ctx.notices.publish(
			communityId,
			gridId,
			parsed.value,
			Date.now(),
			newNoticeToken()
		);
		ctx.log({ event: 'notice-published', communityId, team: parsed.value.team.length });
		sendJson(res, 200, { notice: { ...notice, url: urlOf(req, notice.token) } });
	};

	const page = async (
		req: http.IncomingMessage,
		res: http.ServerResponse,
		rawPath: string
	): Promise<void> => {
		const method = req.method ?? 'GET';
		const lang = noticeLanguage(req.headers['accept-language']);
		const [, token = '', json] = PAGE_PATH.exec(rawPath) ?? [];
		const send = (status: number, type: string, body: string): void => {
			res.writeHead(status, {
				...SECURITY_HEADERS,
				'Content-Security-Policy': NOTICE_PAGE_CSP,
				'Content-Type': type,
				'Content-Length': Buffer.byteLength(body),
				'Content-Language': lang,
				// A withdrawal or a new consent shows at the next scan, never from a cache.
				'Cache-Control': 'no-store',
				Vary: 'Accept-Language'
			});
			res.end(method === 'HEAD' ? undefined : body);
		};
		if (method !== 'GET' && method !== 'HEAD') {
			sendJson(res, 405, { error: 'method_not_allowed' }, true);
			return;
		}
		const found = NOTICE_TOKEN.test(token)
			? await ctx.notices.byToken(token)
			: { state: 'unknown' as const };
		if (found.state !== 'live') {
			const status = found.state === 'withdrawn' ? 410 : 404;
			if (json) {
				send(
					status,
					'application/json; charset=utf-8',
					JSON.stringify({
						error: found.state === 'withdrawn' ? 'notice_withdrawn' : 'notice_unknown'
					})
				);
			} else {
				send(status, 'text/html; charset=utf-8', renderGone(lang, found.state));
			}
			return;
		}
		const snapshot = await visibleSnapshot(ctx, found.communityId, found.notice.snapshot);
		if (json) {
			send(
				200,
				'application/json; charset=utf-8',
				JSON.stringify(publicJson(found.notice, snapshot))
			);
			return;
		}
		send(200, 'text/html; charset=utf-8', renderNotice(snapshot, found.notice.publishedAt, lang));
	};

	return {
		api: (req, res, rawPath) => {
			api(req, res, rawPath).catch((error: unknown) => {
				answerRefusal(req, res, error, (internal) =>
					ctx.log({ event: 'notice-error', error: String(internal) })
				);
			});
		},
		page: (req, res, rawPath) => {
			page(req, res, rawPath).catch((error: unknown) => {
				ctx.log({ event: 'notice-error', error: String(error) });
				if (!res.headersSent) sendJson(res, 500, { error: 'internal' });
				else res.destroy();
			});
		}
	};
}
