/**
 * What the relay's JSON routes share (the identity API, api.ts, and photos, blobs.ts): bearer
 * tokens, JSON replies and refusals.
 *
 * Invariants:
 * - A refusal is `{ "error": "<reason>" }` with its HTTP status; a reply is never sent twice.
 * - A bearer token is checked against the member table on every request (fresh read):
 *   missing → 401 token_missing, member removed → 403 member_removed, outdated → 401
 *   token_outdated, anything else wrong → 401 token_invalid, another community → 403 forbidden.
 *   Tokens are never logged.
 */
import type http from 'node:http';
import { CLOSE, MEMBER_REMOVED, type ApiReason, type Claims } from '../src/lib/wire/index.ts';
import type { IdentityStore } from './identity-store.ts';
import { authenticate } from './identity.ts';
import type { KeyRing } from './tokens.ts';

/** A request refused with an HTTP status and a reason (the body's `error`), one of the wire's. */
export class Refusal extends Error {
	readonly status: number;
	readonly reason: ApiReason;
	constructor(status: number, reason: ApiReason) {
		super(reason);
		this.status = status;
		this.reason = reason;
	}
}

/** Sends `body` as JSON, uncached; `close` asks the client to drop the connection after it. */
export function sendJson(
	res: http.ServerResponse,
	status: number,
	body: unknown,
	close = false
): void {
	if (res.headersSent) return;
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': Buffer.byteLength(text),
		'Cache-Control': 'no-store',
		'X-Content-Type-Options': 'nosniff',
		...(close ? { Connection: 'close' } : {})
	});
	res.end(text);
}

/** Answers an error: a Refusal with its status and reason, anything else as 500 `internal`. */
export function sendRefusal(
	res: http.ServerResponse,
	error: unknown,
	onInternal: (error: unknown) => void,
	close = false
): void {
	if (error instanceof Refusal) {
		sendJson(res, error.status, { error: error.reason }, close);
		return;
	}
	onInternal(error);
	sendJson(res, 500, { error: 'internal' satisfies ApiReason }, close);
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(req: http.IncomingMessage): string | null {
	const header = req.headers.authorization;
	if (typeof header !== 'string') return null;
	const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header.trim());
	return match ? match[1]! : null;
}

export type BearerCheck = {
	identity: IdentityStore;
	keys: KeyRing;
	clockSkewSeconds: number;
	now: () => number;
};

/** The claims of the request's bearer token, current and of `communityId`; else a Refusal. */
export function bearerClaims(
	req: http.IncomingMessage,
	check: BearerCheck,
	communityId: string
): Claims {
	const token = bearerToken(req);
	if (!token) throw new Refusal(401, 'token_missing');
	const auth = authenticate(check.identity, check.keys, token, check.now(), check.clockSkewSeconds);
	if (!auth.ok) {
		if (auth.code === CLOSE.forbidden) throw new Refusal(403, MEMBER_REMOVED);
		throw new Refusal(401, auth.reason === 'outdated' ? 'token_outdated' : 'token_invalid');
	}
	if (auth.claims.cid !== communityId) throw new Refusal(403, 'forbidden');
	return auth.claims;
}
