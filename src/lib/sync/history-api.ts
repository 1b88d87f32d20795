/**
 * The app's side of "Back in time" (ARCHITECTURE.md): asks the relay for a document as it was
 * (sync-server/history.ts) and turns the hours in which it changed into the community's days.
 *
 * Invariants: history lives only on the relay, so every call needs the network and says
 * `offline` without it (never a stale or empty document shown as the past); the returned Y.Doc
 * is a detached, read-only copy (nothing connects it to a session or a store) that the screens
 * read with the same readers as the live document; a day is the community's calendar day
 * (its time zone), and "as of a day" means up to the end of that day.
 */
import * as Y from 'yjs';
import type { ApiFailure } from './auth-api.ts';
import type { TokenGetter } from './photo-outbox.ts';
import { isApiReason } from '../wire/index.ts';

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type HistoryApiOptions = Readonly<{
	communityId: string;
	tokens: TokenGetter | null;
	baseUrl?: string;
	fetch?: FetchLike;
	isOnline?: () => boolean;
}>;

/** A document as it was: everything received before `until`; `since`: its history's start. */
export type PastDocument = Readonly<{ doc: Y.Doc; until: number; since: number | null }>;

export type HistoryResult<T> = { ok: true; value: T } | { ok: false; reason: ApiFailure };

/** `YYYY-MM-DD` of a time in a time zone. */
export function localDay(at: number, timeZone: string): string {
	const parts = new Intl.DateTimeFormat('en-CA', {
		timeZone,
		year: 'numeric',
		month: '2-digit',
		day: '2-digit'
	}).formatToParts(at);
	const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
	return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The days (`YYYY-MM-DD`, in `timeZone`) of the hours in which a document changed, newest first. */
export function changedDays(hours: readonly number[], timeZone: string): string[] {
	return [...new Set(hours.map((hour) => localDay(hour, timeZone)))].sort().reverse();
}

/** The first moment after local day `day` (`YYYY-MM-DD`) in `timeZone`: "as of that day". */
export function endOfDay(day: string, timeZone: string): number | null {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
	if (!match) return null;
	const utcMidnight = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1);
	if (!Number.isFinite(utcMidnight)) return null;
	// The zone's offset then, read back from the clock time it shows (twice, across a change).
	let guess = utcMidnight;
	for (let i = 0; i < 2; i++) {
		const shown = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: 'numeric',
			day: 'numeric',
			hour: 'numeric',
			minute: 'numeric'
		}).formatToParts(guess);
		const n = (type: string) => Number(shown.find((part) => part.type === type)?.value);
		const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'));
		guess = utcMidnight - (asUtc - guess);
	}
	return guess;
}

export function createHistoryApi(options: HistoryApiOptions) {
	const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
	const isOnline = options.isOnline ?? (() => globalThis.navigator?.onLine ?? true);
	const base = `${options.baseUrl ?? ''}/api/communities/${encodeURIComponent(options.communityId)}/history`;

	/** A GET with the bearer token, asking for a fresh one once after a 401. */
	const get = async (path: string): Promise<Response | { failure: ApiFailure }> => {
		if (!options.tokens) return { failure: 'signed_out' };
		if (!isOnline()) return { failure: 'offline' };
		let token = await options.tokens.get();
		for (let attempt = 0; ; attempt++) {
			if (!token.ok) return { failure: token.reason };
			let response: Response;
			try {
				response = await doFetch(`${base}/${path}`, {
					headers: { Authorization: `Bearer ${token.token}` },
					cache: 'no-store'
				});
			} catch {
				return { failure: 'offline' };
			}
			if (response.status !== 401 || attempt > 0) return response;
			await response.body?.cancel().catch(() => {});
			token = await options.tokens.fresh();
		}
	};

	const refusal = async (response: Response): Promise<ApiFailure> => {
		const body = (await response.json().catch(() => null)) as { error?: unknown } | null;
		return isApiReason(body?.error) ? body.error : 'unreadable';
	};

	return {
		/** The document (`kind/id` inside the community, e.g. `board/g1`) as it was at `at`. */
		async documentAt(docPath: string, at: number): Promise<HistoryResult<PastDocument>> {
			const response = await get(`${docPath}?at=${Math.floor(at)}`);
			if ('failure' in response) return { ok: false, reason: response.failure };
			if (!response.ok) return { ok: false, reason: await refusal(response) };
			const doc = new Y.Doc();
			try {
				Y.applyUpdate(doc, new Uint8Array(await response.arrayBuffer()));
			} catch {
				doc.destroy();
				return { ok: false, reason: 'unreadable' };
			}
			const since = response.headers.get('X-History-Since');
			return {
				ok: true,
				value: {
					doc,
					until: Number(response.headers.get('X-History-Until') ?? at),
					since: since === null ? null : Number(since)
				}
			};
		},
		/** The hours (ms) in which the document changed, oldest first. */
		async hours(docPath: string): Promise<HistoryResult<number[]>> {
			const response = await get(`${docPath}?hours`);
			if ('failure' in response) return { ok: false, reason: response.failure };
			if (!response.ok) return { ok: false, reason: await refusal(response) };
			const body = (await response.json().catch(() => null)) as { hours?: unknown } | null;
			const hours = body?.hours;
			if (!Array.isArray(hours) || !hours.every((h) => Number.isSafeInteger(h))) {
				return { ok: false, reason: 'unreadable' };
			}
			return { ok: true, value: hours as number[] };
		}
	};
}
