/**
 * The relay's HTTP API for identity (docs/access.md): join with an invite, exchange a device
 * credential for a relay token, the secretary's members and invites, and the roster staff pick
 * assignees from.
 *
 * Invariants:
 * - Bodies are JSON objects of at most MAX_BODY_BYTES; anything else is a 4xx, never a crash.
 * - Every admin route re-authenticates the bearer token against the store (fresh read; in
 *   cluster mode the relay's mirror, re-read when it may lag: http-json.ts) and requires the
 *   secretary role of the community in the path.
 * - Reads and writes go through `store` (the embedded store behind `asAsyncIdentity`, or
 *   PostgreSQL in cluster mode, where every member change reaches the other relays:
 *   cluster/cluster-identity.ts).
 * - Errors are `{ "error": "<reason>" }`; tokens, codes and secrets are never logged. A refusal
 *   sent before the body was read ends the connection cleanly (http-json.ts `answerRefusal`).
 * - Join and token requests are rate-limited per address before the body is read, and per invite
 *   code / device credential once it is (rate-limit.ts): 429 with Retry-After.
 */
import type http from 'node:http';
import {
	canAdminister,
	canReadRoster,
	isRole,
	CLOSE,
	MEMBER_REMOVED,
	ID_SEGMENT,
	type ApiReason,
	type Claims,
	type Role
} from '../src/lib/wire/index.ts';
import { answerRefusal, bearerClaims, Refusal, sendJson, type MemberCheck } from './http-json.ts';
import type { AsyncIdentityStore } from './identity-async.ts';
import {
	createInviteAsync,
	DEVICE_ID_PATTERN,
	inviteUrl,
	issueTokenAsync,
	publicCommunity,
	publicInvite,
	publicMember,
	redeemAsync,
	type Credential
} from './identity.ts';
import type { HttpLimits } from './rate-limit.ts';
import type { KeyRing } from './tokens.ts';

export const MAX_BODY_BYTES = 16 * 1024;
const MAX_GRIDS = 200;
const MAX_INVITE_HOURS = 24 * 90;
const MAX_INVITE_USES = 1000;

export type ApiContext = MemberCheck & {
	/** Where communities, members and invites are read and written. */
	store: AsyncIdentityStore;
	keys: KeyRing;
	tokenTtlSeconds: number;
	publicUrl: string | null;
	clockSkewSeconds: number;
	/** Rate limits of join and token requests, per address and per credential (rate-limit.ts). */
	limits: HttpLimits;
	closeMember(communityId: string, memberId: string, code: number, reason: string): number;
	log(event: Record<string, unknown>): void;
};

/** The request's JSON object body, of at most `maxBytes`; else a Refusal (400 or 413). */
export function readBody(
	req: http.IncomingMessage,
	maxBytes = MAX_BODY_BYTES
): Promise<Record<string, unknown>> {
	return new Promise((resolve, reject) => {
		const declared = Number(req.headers['content-length'] ?? 0);
		if (declared > maxBytes) {
			reject(new Refusal(413, 'body_too_large'));
			return;
		}
		const chunks: Buffer[] = [];
		let size = 0;
		let done = false;
		req.on('data', (chunk: Buffer) => {
			if (done) return;
			size += chunk.length;
			if (size > maxBytes) {
				done = true;
				reject(new Refusal(413, 'body_too_large'));
				return;
			}
			chunks.push(chunk);
		});
		req.on('error', () => {
			if (!done) reject(new Refusal(400, 'bad_request'));
			done = true;
		});
		req.on('end', () => {
			if (done) return;
			done = true;
			let parsed: unknown;
			try {
				parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
			} catch {
				reject(new Refusal(400, 'bad_json'));
				return;
			}
			if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
				reject(new Refusal(400, 'bad_json'));
				return;
			}
			resolve(parsed as Record<string, unknown>);
		});
	});
}

function text(value: unknown, refusal: ApiReason, max: number): string {
	if (typeof value !== 'string') throw new Refusal(400, refusal);
	const trimmed = value.trim();
	if (trimmed.length === 0 || trimmed.length > max) throw new Refusal(400, refusal);
	return trimmed;
}

function role(value: unknown): Role {
	if (!isRole(value)) throw new Refusal(400, 'bad_role');
	return value;
}

function grids(value: unknown): string[] {
	if (
		!Array.isArray(value) ||
		value.length > MAX_GRIDS ||
		!value.every((g) => typeof g === 'string' && ID_SEGMENT.test(g))
	) {
		throw new Refusal(400, 'bad_grids');
	}
	return [...new Set(value as string[])];
}

function integer(value: unknown, refusal: ApiReason, min: number, max: number): number {
	if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
		throw new Refusal(400, refusal);
	}
	return value;
}

function credential(value: unknown): Credential {
	if (typeof value !== 'object' || value === null) throw new Refusal(400, 'bad_credential');
	const c = value as Record<string, unknown>;
	if (
		typeof c.communityId !== 'string' ||
		!ID_SEGMENT.test(c.communityId) ||
		typeof c.memberId !== 'string' ||
		c.memberId.length > 64 ||
		typeof c.deviceId !== 'string' ||
		!DEVICE_ID_PATTERN.test(c.deviceId) ||
		typeof c.secret !== 'string' ||
		c.secret.length > 256
	) {
		throw new Refusal(400, 'bad_credential');
	}
	return {
		communityId: c.communityId,
		memberId: c.memberId,
		deviceId: c.deviceId,
		secret: c.secret
	};
}

function origin(req: http.IncomingMessage, publicUrl: string | null): string {
	if (publicUrl) return publicUrl;
	const host = req.headers.host;
	if (!host || !/^[A-Za-z0-9.:[\]-]{1,255}$/.test(host)) throw new Refusal(400, 'bad_host');
	return `http://${host}`;
}

export function createApiHandler(
	ctx: ApiContext
): (req: http.IncomingMessage, res: http.ServerResponse, rawPath: string) => void {
	/** The bearer token's claims, when it is current and its role may do what `allowed` says. */
	const authorized = async (
		req: http.IncomingMessage,
		communityId: string,
		allowed: (role: Role) => boolean
	): Promise<Claims> => {
		const claims = await bearerClaims(req, { ...ctx, now: Date.now }, communityId);
		if (!allowed(claims.role)) throw new Refusal(403, 'forbidden');
		return claims;
	};
	const secretary = (req: http.IncomingMessage, communityId: string): Promise<Claims> =>
		authorized(req, communityId, canAdminister);

	const route = async (
		req: http.IncomingMessage,
		res: http.ServerResponse,
		rawPath: string
	): Promise<void> => {
		const method = req.method ?? 'GET';
		if (rawPath === '/api/join') {
			if (method !== 'POST') throw new Refusal(405, 'method_not_allowed');
			ctx.limits.address(req, 'join');
			const body = await readBody(req);
			if (typeof body.code !== 'string' || body.code.length === 0 || body.code.length > 200) {
				throw new Refusal(400, 'bad_code');
			}
			ctx.limits.credential('join', body.code);
			const displayName = text(body.displayName, 'bad_displayName', 60);
			if (typeof body.deviceId !== 'string' || !DEVICE_ID_PATTERN.test(body.deviceId)) {
				throw new Refusal(400, 'bad_deviceId');
			}
			const result = await redeemAsync(ctx.store, body.code, displayName, body.deviceId);
			if (!result.ok) {
				throw new Refusal(result.reason === 'invite_unknown' ? 404 : 410, result.reason);
			}
			ctx.log({
				event: 'member-joined',
				communityId: result.community.id,
				role: result.member.role
			});
			sendJson(res, 200, {
				credential: result.credential,
				member: publicMember(result.member),
				community: publicCommunity(result.community)
			});
			return;
		}
		if (rawPath === '/api/token') {
			if (method !== 'POST') throw new Refusal(405, 'method_not_allowed');
			ctx.limits.address(req, 'token');
			const body = await readBody(req);
			const presented = credential(body.credential);
			ctx.limits.credential(
				'token',
				`${presented.communityId}/${presented.memberId}/${presented.deviceId}`
			);
			const result = await issueTokenAsync(ctx.store, ctx.keys, presented, ctx.tokenTtlSeconds);
			if (!result.ok) {
				throw new Refusal(result.reason === MEMBER_REMOVED ? 403 : 401, result.reason);
			}
			sendJson(res, 200, {
				token: result.token,
				expiresAt: result.expiresAt,
				member: publicMember(result.member),
				community: publicCommunity(result.community)
			});
			return;
		}
		const roster = /^\/api\/communities\/([^/]+)\/roster$/.exec(rawPath);
		if (roster) {
			const communityId = roster[1] ?? '';
			if (!ID_SEGMENT.test(communityId)) throw new Refusal(404, 'not_found');
			if (method !== 'GET') throw new Refusal(405, 'method_not_allowed');
			// Names, roles and grids of current members: staff pick assignees from it.
			await authorized(req, communityId, canReadRoster);
			const members = (await ctx.store.listMembers(communityId))
				.filter((member) => member.removedAt === null)
				.map(({ id, displayName, role, grids }) => ({ id, displayName, role, grids }));
			sendJson(res, 200, { members });
			return;
		}
		const match = /^\/api\/communities\/([^/]+)\/(members|invites)(?:\/([^/]+))?$/.exec(rawPath);
		if (!match) throw new Refusal(404, 'not_found');
		const [, communityId = '', collection, itemId] = match;
		if (!ID_SEGMENT.test(communityId)) throw new Refusal(404, 'not_found');
		if (itemId !== undefined && !/^[a-z0-9]{1,64}$/.test(itemId)) {
			throw new Refusal(404, collection === 'members' ? 'member_unknown' : 'invite_unknown');
		}
		const allowed =
			itemId === undefined
				? collection === 'members'
					? ['GET']
					: ['GET', 'POST']
				: collection === 'members'
					? ['PATCH', 'DELETE']
					: ['DELETE'];
		if (!allowed.includes(method)) throw new Refusal(405, 'method_not_allowed');
		const claims = await secretary(req, communityId);
		const now = Date.now();

		if (collection === 'members') {
			if (itemId === undefined) {
				sendJson(res, 200, {
					members: (await ctx.store.listMembers(communityId)).map(publicMember)
				});
				return;
			}
			if (method === 'PATCH') {
				const body = await readBody(req);
				const patch: { role?: Role; grids?: string[] } = {};
				if (body.role !== undefined) patch.role = role(body.role);
				if (body.grids !== undefined) patch.grids = grids(body.grids);
				const updated = await ctx.store.updateMember(communityId, itemId, patch);
				if (!updated) throw new Refusal(404, 'member_unknown');
				ctx.closeMember(communityId, itemId, CLOSE.unauthorized, 'access changed');
				ctx.log({ event: 'member-changed', communityId, role: updated.role });
				sendJson(res, 200, { member: publicMember(updated) });
				return;
			}
			if (!(await ctx.store.removeMember(communityId, itemId, now))) {
				throw new Refusal(404, 'member_unknown');
			}
			ctx.closeMember(communityId, itemId, CLOSE.forbidden, MEMBER_REMOVED);
			ctx.log({ event: 'member-removed', communityId });
			sendJson(res, 200, { ok: true });
			return;
		}

		if (itemId === undefined) {
			if (method === 'GET') {
				sendJson(res, 200, {
					invites: (await ctx.store.listInvites(communityId)).map(publicInvite)
				});
				return;
			}
			const body = await readBody(req);
			const hours = integer(body.expiresInHours, 'bad_expiresInHours', 0.01, MAX_INVITE_HOURS);
			const maxUses = integer(body.maxUses, 'bad_maxUses', 1, MAX_INVITE_USES);
			if (!Number.isInteger(maxUses)) throw new Refusal(400, 'bad_maxUses');
			const created = await createInviteAsync(
				ctx.store,
				{
					communityId,
					role: role(body.role),
					grids: body.grids === undefined ? [] : grids(body.grids),
					expiresAt: now + Math.round(hours * 3600_000),
					maxUses,
					createdBy: claims.sub
				},
				now
			);
			sendJson(res, 200, {
				invite: publicInvite(created.invite),
				code: created.code,
				url: inviteUrl(origin(req, ctx.publicUrl), created.code)
			});
			return;
		}
		if (!(await ctx.store.revokeInvite(communityId, itemId, now))) {
			throw new Refusal(404, 'invite_unknown');
		}
		sendJson(res, 200, { ok: true });
	};

	return (req, res, rawPath) => {
		route(req, res, rawPath).catch((error: unknown) => {
			// Ends cleanly even when the body was not read (a 405, 413 or 429 before it).
			answerRefusal(req, res, error, (internal) =>
				ctx.log({ event: 'api-error', path: rawPath.slice(0, 80), error: String(internal) })
			);
		});
	};
}
