/**
 * Every reason the relay's HTTP routes refuse with: the `error` of a `{ "error": "<reason>" }`
 * answer (the identity API, photos and the bearer check; docs/access.md, "HTTP API").
 *
 * Invariant: the relay's `Refusal` takes only an `ApiReason`, and the app shows each through a
 * map keyed by it, so a new reason fails type-checking until the app has a text for it.
 * `sync-server/api-reasons.test.ts` checks this list against what the relay's source sends.
 */
export const API_REASONS = [
	// Any route: the request itself.
	'not_found',
	'method_not_allowed',
	'bad_request',
	'bad_json',
	'body_too_large',
	'rate_limited',
	'internal',
	// The bearer token (http-json.ts).
	'token_missing',
	'token_invalid',
	'token_outdated',
	'member_removed',
	'forbidden',
	// Joining with an invite, and exchanging a device credential for a token.
	'bad_code',
	'bad_displayName',
	'bad_deviceId',
	'bad_credential',
	'invite_unknown',
	'invite_expired',
	'invite_used_up',
	'invite_revoked',
	'credential_unknown',
	'credential_revoked',
	// The secretary's members and invites.
	'bad_role',
	'bad_grids',
	'bad_expiresInHours',
	'bad_maxUses',
	'bad_host',
	'member_unknown',
	// Photos (blobs.ts).
	'bad_hash',
	'unsupported_type',
	'type_mismatch',
	'blob_too_large',
	'incomplete_body',
	'hash_mismatch',
	'blob_unknown',
	// The offline basemap (sync-server/basemap/serve.ts).
	'no_basemap',
	// A document as it was (sync-server/history.ts).
	'bad_at',
	// The public notice board (sync-server/notices/).
	'bad_notice',
	'bad_phone',
	'phone_not_agreed',
	'notice_unknown',
	'notice_withdrawn'
] as const;

export type ApiReason = (typeof API_REASONS)[number];

export function isApiReason(value: unknown): value is ApiReason {
	return typeof value === 'string' && (API_REASONS as readonly string[]).includes(value);
}
