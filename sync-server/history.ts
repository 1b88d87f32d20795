/**
 * A document as it was (ARCHITECTURE.md "Back in time"), from the store's history
 * (storage/history.ts):
 *
 *   GET /api/communities/:cid/history/<kind>[/<id>]?at=<ms | ISO 8601>
 *       → the document received before `at` rounded down to a whole hour, as one Yjs update
 *         (application/octet-stream); `X-History-Until`: that hour (ms), `X-History-Since`: the
 *         first hour the document has history for (ms; absent for an empty history)
 *   GET /api/communities/:cid/history/<kind>[/<id>]?hours
 *       → { hours: [ms…] }: the start of every hour in which the document changed (the app
 *         groups them into its own days), the last MAX_HOURS of them
 *
 * Invariants: the raw path and query are checked before any storage call (the document name
 * through the same grammar as the upgrade, src/lib/wire/doc-names.ts); a caller needs a current
 * token of that community with the secretary role AND read access to that document under the
 * access matrix (src/lib/wire/access.ts), so the households of a grid stay behind their cell
 * even if that cell changes; every refusal is a 4xx `{ "error" }`, never a crash. An unknown
 * document is 404, like an unreadable one of another community (403 comes only from the token).
 */
import type http from 'node:http';
import * as Y from 'yjs';
import { accessFor, canAdminister, parseDocName } from '../src/lib/wire/index.ts';
import { answerRefusal, bearerClaims, Refusal, sendJson, type MemberCheck } from './http-json.ts';
import { HOUR_MS } from './storage/history.ts';
import type { AsyncDocStore } from './storage/async-types.ts';
import type { KeyRing } from './tokens.ts';

const PATH = /^\/api\/communities\/([a-z0-9_-]{1,40})\/history\/([a-z0-9_/-]{1,100})$/;
/** Hours listed at most (about seven years of a document changed every working hour). */
export const MAX_HOURS = 20_000;
/** ISO 8601 date or date-time as `Date.parse` reads it; digits alone are ms since the epoch. */
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const MAX_TIME = 8.64e15;

export function isHistoryPath(rawPath: string): boolean {
	return /^\/api\/communities\/[^/]+\/history(\/|$)/.test(rawPath);
}

export type HistoryOptions = MemberCheck & {
	/** The embedded store behind `asAsync`, or PostgreSQL in cluster mode (folded history). */
	store: AsyncDocStore;
	keys: KeyRing;
	clockSkewSeconds: number;
	log(event: Record<string, unknown>): void;
	now?: () => number;
};

/** `at` as ms since the epoch, or null when it is not a time this route accepts. */
export function parseAt(value: string): number | null {
	if (value.length === 0 || value.length > 40) return null;
	const ms = /^\d{1,16}$/.test(value) ? Number(value) : ISO.test(value) ? Date.parse(value) : NaN;
	return Number.isSafeInteger(ms) && ms >= 0 && ms <= MAX_TIME ? ms : null;
}

/** The document built from the updates received before `until`, as one Yjs update. */
export async function documentBefore(
	store: AsyncDocStore,
	docName: string,
	until: number
): Promise<Uint8Array> {
	const updates = await store.historyBefore(docName, until);
	const doc = new Y.Doc();
	try {
		for (const update of updates) Y.applyUpdate(doc, update);
		return Y.encodeStateAsUpdate(doc);
	} finally {
		doc.destroy();
	}
}

export function createHistoryHandler(
	options: HistoryOptions
): (req: http.IncomingMessage, res: http.ServerResponse, rawPath: string) => void {
	const now = options.now ?? Date.now;
	const route = async (
		req: http.IncomingMessage,
		res: http.ServerResponse,
		rawPath: string
	): Promise<void> => {
		const match = PATH.exec(rawPath);
		if (!match) throw new Refusal(404, 'not_found');
		const [, communityId = '', rest = ''] = match;
		const docName = `c/${communityId}/${rest}`;
		if (!parseDocName(docName).ok) throw new Refusal(404, 'not_found');
		if (req.method !== 'GET') throw new Refusal(405, 'method_not_allowed');
		const claims = await bearerClaims(req, { ...options, now }, communityId);
		if (!canAdminister(claims.role) || accessFor(claims, docName) === 'none') {
			throw new Refusal(403, 'forbidden');
		}
		const query = new URLSearchParams((req.url ?? '').split('?')[1]?.split('#')[0] ?? '');
		const keys = [...query.keys()];
		if (keys.length !== 1 || (keys[0] !== 'at' && keys[0] !== 'hours')) {
			throw new Refusal(400, 'bad_at');
		}
		if (!(await options.store.hasDoc(docName))) throw new Refusal(404, 'not_found');
		const hours = await options.store.historyHours(docName);
		if (keys[0] === 'hours') {
			sendJson(res, 200, { hours: hours.slice(-MAX_HOURS) }, false, {
				'Cache-Control': 'no-store'
			});
			return;
		}
		const at = parseAt(query.get('at') ?? '');
		if (at === null) throw new Refusal(400, 'bad_at');
		const until = Math.floor(at / HOUR_MS) * HOUR_MS;
		const body = await documentBefore(options.store, docName, until);
		const headers: Record<string, string | number> = {
			'Content-Type': 'application/octet-stream',
			'Content-Length': body.length,
			'Cache-Control': 'no-store',
			'X-Content-Type-Options': 'nosniff',
			'X-History-Until': String(until)
		};
		if (hours.length > 0) headers['X-History-Since'] = String(hours[0]);
		res.writeHead(200, headers);
		res.end(body);
	};
	return (req, res, rawPath) => {
		route(req, res, rawPath).catch((error: unknown) => {
			answerRefusal(req, res, error, (internal) =>
				options.log({ event: 'api-error', path: rawPath.slice(0, 80), error: String(internal) })
			);
		});
	};
}
