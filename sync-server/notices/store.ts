/**
 * Storage of the public notice boards: each grid's published snapshot under its public token,
 * and each member's consent to show a phone number on them.
 *
 * Invariants every implementation keeps (one contract suite runs on both, store.test.ts):
 * - A grid has at most one live notice. Publishing over a live notice replaces its snapshot and
 *   keeps its token (posters already on the walls keep working); publishing after a withdrawal
 *   issues a new token, so a withdrawn URL never shows anything again.
 * - A withdrawn notice keeps its token row (marked withdrawn, snapshot dropped), so its URL says
 *   "withdrawn", never "unknown", and the token is never reused.
 * - A consent is the member's own: one phone per member, or none.
 * - Reads are never cached: the admin CLI may write the same database.
 *
 * The relay's routes use the asynchronous twin, `AsyncNoticeStore`: the embedded stores behind
 * `asAsyncNotices`, or PostgresNoticeStore (postgres.ts) in cluster mode, shared by every relay.
 */
import type { NoticeSnapshot, PublishedNotice } from '../../src/lib/wire/notice.ts';

/** What a public token finds: a live notice, a withdrawn one, or nothing. */
export type NoticeLookup =
	| { state: 'live'; communityId: string; notice: PublishedNotice }
	| { state: 'withdrawn'; communityId: string; gridId: string; withdrawnAt: number }
	| { state: 'unknown' };

export interface NoticeStore {
	/** Publishes (or republishes) a grid's notice; `newToken` is used only when none is live. */
	publish(
		communityId: string,
		gridId: string,
		snapshot: NoticeSnapshot,
		now: number,
		newToken: string
	): PublishedNotice;
	/** Withdraws the grid's live notice; false when none is live. */
	withdraw(communityId: string, gridId: string, now: number): boolean;
	/** The community's live notices, by grid id. */
	listLive(communityId: string): PublishedNotice[];
	byToken(token: string): NoticeLookup;
	/** Sets (a phone) or clears (null) a member's consent to show a phone on notices. */
	setPhone(communityId: string, memberId: string, phone: string | null, now: number): void;
	/** The members who agreed, with their phones. */
	phones(communityId: string): Map<string, string>;
	close(): void;
}

/** `NoticeStore`, each operation resolving once done (PostgreSQL: committed). */
export type AsyncNoticeStore = {
	[K in Exclude<keyof NoticeStore, 'close'>]: (
		...args: Parameters<NoticeStore[K]>
	) => Promise<ReturnType<NoticeStore[K]>>;
};

/** An embedded store behind the asynchronous interface; a synchronous throw becomes a rejection. */
export function asAsyncNotices(store: NoticeStore): AsyncNoticeStore {
	return {
		publish: async (...args) => store.publish(...args),
		withdraw: async (...args) => store.withdraw(...args),
		listLive: async (communityId) => store.listLive(communityId),
		byToken: async (token) => store.byToken(token),
		setPhone: async (...args) => store.setPhone(...args),
		phones: async (communityId) => store.phones(communityId)
	};
}

type Row = {
	communityId: string;
	gridId: string;
	token: string;
	publishedAt: number;
	snapshot: NoticeSnapshot | null;
	withdrawnAt: number | null;
};

const live = (row: Row): PublishedNotice => ({
	gridId: row.gridId,
	token: row.token,
	publishedAt: row.publishedAt,
	snapshot: structuredClone(row.snapshot!)
});

/** In-memory twin of SqliteNoticeStore, for tests. */
export class MemoryNoticeStore implements NoticeStore {
	#rows = new Map<string, Row>();
	#phones = new Map<string, Map<string, string>>();

	#live(communityId: string, gridId: string): Row | undefined {
		for (const row of this.#rows.values()) {
			if (row.communityId === communityId && row.gridId === gridId && row.withdrawnAt === null) {
				return row;
			}
		}
		return undefined;
	}

	publish(
		communityId: string,
		gridId: string,
		snapshot: NoticeSnapshot,
		now: number,
		newToken: string
	): PublishedNotice {
		const current = this.#live(communityId, gridId);
		if (!current && this.#rows.has(newToken)) throw new Error('token taken');
		const row = current ?? {
			communityId,
			gridId,
			token: newToken,
			publishedAt: now,
			snapshot: null,
			withdrawnAt: null
		};
		row.snapshot = structuredClone(snapshot);
		row.publishedAt = now;
		this.#rows.set(row.token, row);
		return live(row);
	}

	withdraw(communityId: string, gridId: string, now: number): boolean {
		const row = this.#live(communityId, gridId);
		if (!row) return false;
		row.withdrawnAt = now;
		row.snapshot = null;
		return true;
	}

	listLive(communityId: string): PublishedNotice[] {
		return [...this.#rows.values()]
			.filter((row) => row.communityId === communityId && row.withdrawnAt === null)
			.map(live)
			.sort((a, b) => (a.gridId < b.gridId ? -1 : a.gridId > b.gridId ? 1 : 0));
	}

	byToken(token: string): NoticeLookup {
		const row = this.#rows.get(token);
		if (!row) return { state: 'unknown' };
		if (row.withdrawnAt !== null) {
			return {
				state: 'withdrawn',
				communityId: row.communityId,
				gridId: row.gridId,
				withdrawnAt: row.withdrawnAt
			};
		}
		return { state: 'live', communityId: row.communityId, notice: live(row) };
	}

	setPhone(communityId: string, memberId: string, phone: string | null): void {
		const phones = this.#phones.get(communityId) ?? new Map<string, string>();
		if (phone === null) phones.delete(memberId);
		else phones.set(memberId, phone);
		this.#phones.set(communityId, phones);
	}

	phones(communityId: string): Map<string, string> {
		return new Map(this.#phones.get(communityId));
	}

	close(): void {}
}
