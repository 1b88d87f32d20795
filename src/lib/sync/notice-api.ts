/**
 * Notice API: the relay's public notice board endpoints (docs/access.md), built on the auth API's
 * `request`. A module of its own so that the join page, which loads auth-api.ts, does not carry
 * calls only the notice screens make.
 *
 * Invariant: like every auth API call, these never throw: `{ ok: true, value }` or a reason.
 */
import type { NoticeSnapshot, PublishedNotice } from '../wire/notice.ts';
import type { AuthApi } from './auth-api.ts';

export type NoticeInfo = PublishedNotice & Readonly<{ url: string }>;

/** The secretary's view of the notice boards: live notices and who agreed to show a phone. */
export type NoticeBoards = Readonly<{
	notices: readonly NoticeInfo[];
	phones: Readonly<Record<string, string>>;
}>;

export function createNoticeApi(api: Pick<AuthApi, 'request'>) {
	const notices = (communityId: string) =>
		`/api/communities/${encodeURIComponent(communityId)}/notices`;
	return {
		listNotices(token: string, communityId: string) {
			return api.request<NoticeBoards>('GET', notices(communityId), undefined, token);
		},
		publishNotice(token: string, communityId: string, gridId: string, snapshot: NoticeSnapshot) {
			return api.request<{ notice: NoticeInfo }>(
				'PUT',
				`${notices(communityId)}/${encodeURIComponent(gridId)}`,
				snapshot,
				token
			);
		},
		withdrawNotice(token: string, communityId: string, gridId: string) {
			return api.request<{ ok: true }>(
				'DELETE',
				`${notices(communityId)}/${encodeURIComponent(gridId)}`,
				undefined,
				token
			);
		},
		/** This member's consent to show a phone on notices (null: not agreed). */
		noticePhone(token: string, communityId: string, phone?: string | null) {
			return api.request<{ phone: string | null }>(
				phone === undefined ? 'GET' : 'PUT',
				`/api/communities/${encodeURIComponent(communityId)}/notice-phone`,
				phone === undefined ? undefined : { phone },
				token
			);
		}
	};
}

export type NoticeApi = ReturnType<typeof createNoticeApi>;
