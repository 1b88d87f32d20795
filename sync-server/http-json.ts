/**
 * What the relay's JSON routes share (the identity API, api.ts, and photos, blobs.ts): bearer
 * tokens, JSON replies and refusals.
 *
 * Invariants:
 * - A refusal is `{ "error": "<reason>" }` with its HTTP status; a reply is never sent twice. A
 *   rate-limited one (429) says when to try again in `Retry-After`.
 * - A refusal sent before the request body was read ends cleanly (`answerRefusal`): the answer
 *   goes out whole with `Connection: close`, the rest of the body is read and dropped (up to
 *   LINGER_BYTES, for up to LINGER_MS), and only then is the connection closed. Closing a socket
 *   with unread bytes would reset it (TCP RST), and the client would see a reset, not the answer.
 * - A bearer token is checked against the member table on every request (fresh read):
 *   missing → 401 token_missing, member removed → 403 member_removed, outdated → 401
 *   token_outdated, anything else wrong → 401 token_invalid, another community → 403 forbidden.
 *   In cluster mode the read is of the relay's mirror, and of PostgreSQL when the mirror may lag
 *   (identity.ts `authenticateLagging`). Tokens are never logged.
 */
import type http from 'node:http';
import { CLOSE, MEMBER_REMOVED, type ApiReason, type Claims } from '../src/lib/wire/index.ts';
import { authenticateLagging, type MemberDirectory, type MemberReread } from './identity.ts';
import type { KeyRing } from './tokens.ts';

/** A request refused with an HTTP status and a reason (the body's `error`), one of the wire's. */
export class Refusal extends Error {
	readonly status: number;
	readonly reason: ApiReason;
	/** For 429: whole seconds until a request would be allowed (the `Retry-After` header). */
	readonly retryAfterSeconds: number | null;
	constructor(status: number, reason: ApiReason, retryAfterSeconds: number | null = null) {
		super(reason);
		this.status = status;
		this.reason = reason;
		this.retryAfterSeconds = retryAfterSeconds;
	}
}

/** Most bytes of a refused request's body read and dropped before its connection is closed. */
export const LINGER_BYTES = 64 * 1024 * 1024;
/** Longest time a refused request's body is read and dropped before its connection is closed. */
export const LINGER_MS = 10_000;

/** Sends `body` as JSON, uncached; `close` asks the client to drop the connection after it. */
export function sendJson(
	res: http.ServerResponse,
	status: number,
	body: unknown,
	close = false,
	extraHeaders: Record<string, string> = {},
	end = true
): void {
	if (res.headersSent) return;
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': Buffer.byteLength(text),
		'Cache-Control': 'no-store',
		'X-Content-Type-Options': 'nosniff',
		...extraHeaders,
		...(close ? { Connection: 'close' } : {})
	});
	if (end) res.end(text);
	else res.write(text);
}

function refusalHeaders(error: unknown): Record<string, string> {
	return error instanceof Refusal && error.retryAfterSeconds !== null
		? { 'Retry-After': String(error.retryAfterSeconds) }
		: {};
}

/** Answers an error: a Refusal with its status and reason, anything else as 500 `internal`. */
export function sendRefusal(
	res: http.ServerResponse,
	error: unknown,
	onInternal: (error: unknown) => void,
	close = false
): void {
	if (error instanceof Refusal) {
		sendJson(res, error.status, { error: error.reason }, close, refusalHeaders(error));
		return;
	}
	onInternal(error);
	sendJson(res, 500, { error: 'internal' satisfies ApiReason }, close);
}

/**
 * Answers an error for `req`, cleanly whether or not its body was read: a finished request keeps
 * its keep-alive connection; an unfinished one gets its whole answer at once with
 * `Connection: close`, then the rest of its body is read and dropped (at most LINGER_BYTES, at
 * most LINGER_MS) before the response ends and the connection closes.
 */
export function answerRefusal(
	req: http.IncomingMessage,
	res: http.ServerResponse,
	error: unknown,
	onInternal: (error: unknown) => void,
	linger: { bytes: number; ms: number } = { bytes: LINGER_BYTES, ms: LINGER_MS }
): void {
	if (req.complete || req.destroyed) {
		sendRefusal(res, error, onInternal, !req.complete);
		return;
	}
	if (res.headersSent) {
		req.destroy();
		return;
	}
	const internal = !(error instanceof Refusal);
	if (internal) onInternal(error);
	const status = internal ? 500 : error.status;
	const reason = internal ? 'internal' : error.message;
	// The answer is written whole now (its Content-Length tells the client where it ends), but the
	// response only ends once the body has been read: ending it would close the socket at once.
	sendJson(res, status, { error: reason }, true, refusalHeaders(error), false);
	let dropped = 0;
	const finish = (): void => {
		clearTimeout(timer);
		req.off('data', onData);
		if (!res.writableEnded) res.end();
		if (!req.complete) res.once('finish', () => req.destroy());
	};
	const onData = (chunk: Buffer): void => {
		dropped += chunk.length;
		if (dropped > linger.bytes) finish();
	};
	const timer = setTimeout(finish, linger.ms);
	timer.unref();
	req.on('data', onData);
	req.once('end', finish);
	req.once('error', finish);
	req.once('close', finish);
	req.resume();
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(req: http.IncomingMessage): string | null {
	const header = req.headers.authorization;
	if (typeof header !== 'string') return null;
	const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header.trim());
	return match ? match[1]! : null;
}

/** Whom a route asks whether a token's member is current. */
export type MemberCheck = {
	identity: MemberDirectory;
	/** Cluster mode: re-reads a member the directory may hold an old version of. */
	reread?: MemberReread;
};

export type BearerCheck = MemberCheck & {
	keys: KeyRing;
	clockSkewSeconds: number;
	now: () => number;
};

/** The claims of the request's bearer token, current and of `communityId`; else a Refusal. */
export async function bearerClaims(
	req: http.IncomingMessage,
	check: BearerCheck,
	communityId: string
): Promise<Claims> {
	const token = bearerToken(req);
	if (!token) throw new Refusal(401, 'token_missing');
	const auth = await authenticateLagging(
		check.identity,
		check.keys,
		token,
		check.reread,
		check.now(),
		check.clockSkewSeconds
	);
	if (!auth.ok) {
		if (auth.code === CLOSE.forbidden) throw new Refusal(403, MEMBER_REMOVED);
		throw new Refusal(401, auth.reason === 'outdated' ? 'token_outdated' : 'token_invalid');
	}
	if (auth.claims.cid !== communityId) throw new Refusal(403, 'forbidden');
	return auth.claims;
}
