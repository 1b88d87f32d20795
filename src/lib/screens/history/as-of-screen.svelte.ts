/**
 * "As it was on…" (ARCHITECTURE.md "Back in time"): the screen model that shows one document as
 * it was at the end of a chosen day, read with the same reader as the live document. Generic over
 * what it shows, so a case, a meeting's minutes or a household plug in with three things: the
 * document's name, a reader `(doc) => T`, and a view that renders a `T` (components/AsOf.svelte).
 *
 *   open()      asks the relay for the hours the document changed in → the community's days
 *   pick(day)   asks for the document as of the end of that day → `shown` (read, then dropped)
 *
 * Invariants: only days the document changed in are offered; what is shown always says which
 * day and which moment it is as of, and is never the live document or an empty one passed off as
 * the past (offline, refused or unreadable: `problem` says so, `shown` is cleared); an answer
 * that arrives after a newer question (another day picked, closed) is dropped; the past Y.Doc is
 * read once and destroyed, so nothing connects it to a session or a store.
 */
import type * as Y from 'yjs';
import { parseDocName } from '$lib/wire';
import {
	changedDays,
	createHistoryApi,
	endOfDay,
	type HistoryResult,
	type PastDocument
} from '$lib/sync/history-api';
import type { ApiFailure } from '$lib/sync/auth-api';
import type { TokenGetter } from '$lib/sync/photo-outbox';

/** The part of the history client (sync/history-api.ts) the screen uses; tests pass a fake. */
export type HistoryClient = Readonly<{
	documentAt(docPath: string, at: number): Promise<HistoryResult<PastDocument>>;
	hours(docPath: string): Promise<HistoryResult<number[]>>;
}>;

export type AsOfSources<T> = Readonly<{
	client: HistoryClient;
	/** The document's full name, `c/{cid}/{kind}[/{id}]`. */
	docName: string;
	read: (doc: Y.Doc) => T;
	/** The community's time zone when asked (its setting may change while the page is open). */
	timeZone: () => string;
}>;

/** The document as it was: the day picked, the moment it is as of, and what the reader made. */
export type PastView<T> = Readonly<{
	day: string;
	/** Everything the relay received before this moment (epoch ms). */
	until: number;
	/** When the relay's history of this document begins, if it knows (older relays). */
	since: number | null;
	value: T;
}>;

export type AsOfProblem = ApiFailure | 'bad_document' | 'bad_day';

/** `board/g1` for `c/demo/board/g1`: the path the history API takes; null for a bad name. */
export function historyPath(docName: string): string | null {
	const parsed = parseDocName(docName);
	if (!parsed.ok) return null;
	const { kind, id } = parsed.value;
	return id === null ? kind : `${kind}/${id}`;
}

export class AsOfScreen<T> {
	readonly #sources: AsOfSources<T>;
	/** Bumped by every question; an answer to an older one is dropped. */
	#asked = 0;

	/** The days (`YYYY-MM-DD`, newest first) the document changed in; null until asked. */
	days = $state<readonly string[] | null>(null);
	shown = $state<PastView<T> | null>(null);
	loading = $state(false);
	problem = $state<AsOfProblem | null>(null);

	constructor(sources: AsOfSources<T>) {
		this.#sources = sources;
	}

	/** Asks which days the document changed in. */
	async open(): Promise<void> {
		const asked = ++this.#asked;
		const path = historyPath(this.#sources.docName);
		if (path === null) return this.#fail('bad_document');
		this.loading = true;
		this.problem = null;
		const hours = await this.#sources.client.hours(path);
		if (asked !== this.#asked) return;
		this.loading = false;
		if (!hours.ok) return this.#fail(hours.reason);
		this.days = Object.freeze(changedDays(hours.value, this.#sources.timeZone()));
	}

	/** Shows the document as it was at the end of `day` (one of `days`). */
	async pick(day: string): Promise<void> {
		const asked = ++this.#asked;
		const path = historyPath(this.#sources.docName);
		if (path === null) return this.#fail('bad_document');
		const until = endOfDay(day, this.#sources.timeZone());
		if (until === null) return this.#fail('bad_day');
		this.loading = true;
		this.problem = null;
		const past = await this.#sources.client.documentAt(path, until);
		if (asked !== this.#asked) {
			if (past.ok) past.value.doc.destroy();
			return;
		}
		this.loading = false;
		if (!past.ok) return this.#fail(past.reason);
		const { doc, since } = past.value;
		try {
			this.shown = Object.freeze({
				day,
				until: past.value.until,
				since,
				value: this.#sources.read(doc)
			});
		} finally {
			doc.destroy();
		}
	}

	/** Back to the live document; an answer still on its way is dropped. */
	close(): void {
		this.#asked++;
		this.shown = null;
		this.loading = false;
		this.problem = null;
	}

	#fail(reason: AsOfProblem): void {
		this.loading = false;
		this.shown = null;
		this.problem = reason;
	}
}

/** The screen over the relay's history API for a signed-in member (sync/history-api.ts). */
export function createAsOfScreen<T>(
	options: Omit<AsOfSources<T>, 'client'> &
		Readonly<{ communityId: string; tokens: TokenGetter | null }>
): AsOfScreen<T> {
	const { communityId, tokens, ...rest } = options;
	return new AsOfScreen({ ...rest, client: createHistoryApi({ communityId, tokens }) });
}
