/**
 * Auth API: the relay's JSON endpoints for joining, tokens, members and invites
 * (docs/access.md, "HTTP API"), as functions that never throw.
 *
 * Invariant: every call resolves to `{ ok: true, value }` or `{ ok: false, reason, status? }` where
 * `reason` is the relay's `error` when it is one of the wire's API reasons, `offline` when the
 * relay could not be reached, or `unreadable` (with the HTTP status) for an answer without a
 * known reason. The app shows every `ApiFailure` through a map keyed by it
 * (`components/api-labels.ts`), never the raw code.
 */
import { isApiReason, type ApiReason } from '../wire/index.ts';
import type {
	CommunityInfo,
	DeviceCredential,
	MemberInfo,
	MemberRole,
	StoredCredential
} from './credential-store.ts';

/**
 * Why a call failed: the relay's reason, or this device's word for a failure without one:
 * `offline` (no answer), `unreadable` (an answer without a known reason), `signed_out` (no
 * credential to ask with) and `destroyed` (the token manager was stopped).
 */
export type ApiFailure = ApiReason | 'offline' | 'unreadable' | 'signed_out' | 'destroyed';

export type ApiResult<T> =
	{ ok: true; value: T } | { ok: false; reason: ApiFailure; status?: number };

export type InviteInfo = Readonly<{
	id: string;
	role: MemberRole;
	grids: readonly string[];
	expiresAt: number | string;
	maxUses: number;
	uses: number;
	createdAt: number | string;
	createdBy?: string;
	revokedAt: number | string | null;
}>;

/** One member as the roster lists them (`GET /api/communities/:cid/roster`). */
export type RosterEntry = Readonly<{
	id: string;
	displayName: string;
	role: MemberRole;
	grids: readonly string[];
}>;

/** A live public notice as the secretary's list shows it, with its public page's URL. */
export type NewInvite = Readonly<{ invite: InviteInfo; code: string; url: string }>;
export type TokenAnswer = Readonly<{
	token: string;
	expiresAt: number;
	member: MemberInfo;
	community: CommunityInfo;
}>;

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type AuthApiOptions = { baseUrl?: string; fetch?: FetchLike };

/** `expiresAt` may come as epoch ms, epoch seconds or an ISO date; the app keeps epoch ms. */
export function toEpochMs(value: unknown): number {
	if (typeof value === 'number') return value < 1e12 ? value * 1000 : value;
	if (typeof value === 'string') {
		const parsed = Date.parse(value);
		if (!Number.isNaN(parsed)) return parsed;
	}
	return 0;
}

export function createAuthApi(options: AuthApiOptions = {}) {
	const baseUrl = options.baseUrl ?? '';
	const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

	async function call<T>(
		method: string,
		path: string,
		body?: unknown,
		token?: string
	): Promise<ApiResult<T>> {
		const headers: Record<string, string> = {};
		if (body !== undefined) headers['content-type'] = 'application/json';
		if (token) headers.authorization = `Bearer ${token}`;
		let response: Response;
		try {
			response = await doFetch(baseUrl + path, {
				method,
				headers,
				body: body === undefined ? undefined : JSON.stringify(body),
				cache: 'no-store'
			});
		} catch {
			return { ok: false, reason: 'offline' };
		}
		const data: unknown = await response.json().catch(() => null);
		if (!response.ok) {
			const error = data && typeof data === 'object' ? (data as { error?: unknown }).error : null;
			const reason = isApiReason(error) ? error : 'unreadable';
			return { ok: false, reason, status: response.status };
		}
		return { ok: true, value: data as T };
	}

	const members = (communityId: string) =>
		`/api/communities/${encodeURIComponent(communityId)}/members`;
	const invites = (communityId: string) =>
		`/api/communities/${encodeURIComponent(communityId)}/invites`;

	return {
		/** One call to another endpoint (feature modules such as notice-api.ts build theirs on it). */
		request: call,
		join(input: { code: string; displayName: string; deviceId: string }) {
			return call<StoredCredential>('POST', '/api/join', input);
		},
		async token(credential: DeviceCredential): Promise<ApiResult<TokenAnswer>> {
			const result = await call<TokenAnswer>('POST', '/api/token', { credential });
			if (!result.ok) return result;
			return { ok: true, value: { ...result.value, expiresAt: toEpochMs(result.value.expiresAt) } };
		},
		async listMembers(token: string, communityId: string) {
			const result = await call<{ members: MemberInfo[] }>(
				'GET',
				members(communityId),
				undefined,
				token
			);
			return result.ok ? { ok: true as const, value: result.value.members } : result;
		},
		/** Current members' names, roles and grids: what staff pick assignees from. */
		async roster(token: string, communityId: string) {
			const result = await call<{ members: RosterEntry[] }>(
				'GET',
				`/api/communities/${encodeURIComponent(communityId)}/roster`,
				undefined,
				token
			);
			return result.ok ? { ok: true as const, value: result.value.members } : result;
		},
		updateMember(
			token: string,
			communityId: string,
			memberId: string,
			patch: { role?: MemberRole; grids?: string[] }
		) {
			return call<{ member: MemberInfo }>(
				'PATCH',
				`${members(communityId)}/${encodeURIComponent(memberId)}`,
				patch,
				token
			);
		},
		removeMember(token: string, communityId: string, memberId: string) {
			return call<{ ok: true }>(
				'DELETE',
				`${members(communityId)}/${encodeURIComponent(memberId)}`,
				undefined,
				token
			);
		},
		async listInvites(token: string, communityId: string) {
			const result = await call<{ invites: InviteInfo[] }>(
				'GET',
				invites(communityId),
				undefined,
				token
			);
			return result.ok ? { ok: true as const, value: result.value.invites } : result;
		},
		createInvite(
			token: string,
			communityId: string,
			input: { role: MemberRole; grids: string[]; expiresInHours: number; maxUses: number }
		) {
			return call<NewInvite>('POST', invites(communityId), input, token);
		},
		revokeInvite(token: string, communityId: string, inviteId: string) {
			return call<{ ok: true }>(
				'DELETE',
				`${invites(communityId)}/${encodeURIComponent(inviteId)}`,
				undefined,
				token
			);
		}
	};
}

export type AuthApi = ReturnType<typeof createAuthApi>;

/** The invite code from a pasted link (`…/join#CODE`) or a bare code. */
export function inviteCodeFrom(input: string): string | null {
	const text = input.trim();
	if (text === '') return null;
	const hash = text.indexOf('#');
	const code = (hash === -1 ? text : text.slice(hash + 1)).trim();
	if (hash === -1 && /[/:]/.test(code)) return null;
	return /^[A-Za-z0-9_-]{4,200}$/.test(code) ? code : null;
}
