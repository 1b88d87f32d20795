/**
 * Why a call to the relay's HTTP API failed, as a sentence in the active language: every reason
 * the relay refuses with (the wire's `API_REASONS`) and this device's own (`offline`,
 * `unreadable`, `signed_out`, `destroyed`).
 *
 * Invariant: the map is keyed by `ApiFailure`, with no fallback: a new reason (in the wire, and
 * so in the relay's `Refusal`) fails type-checking until it has a text here. No screen shows the
 * raw code.
 */
import { m } from '$lib/paraglide/messages.js';
import type { ApiFailure } from '$lib/sync/auth-api';

export const API_FAILURES: Record<ApiFailure, () => string> = {
	not_found: m.api_error_not_found,
	method_not_allowed: m.api_error_method_not_allowed,
	bad_request: m.api_error_bad_request,
	bad_json: m.api_error_bad_json,
	body_too_large: m.api_error_body_too_large,
	rate_limited: m.api_error_rate_limited,
	internal: m.api_error_internal,
	token_missing: m.api_error_token_missing,
	token_invalid: m.api_error_token_invalid,
	token_outdated: m.api_error_token_outdated,
	member_removed: m.api_error_member_removed,
	forbidden: m.api_error_forbidden,
	bad_code: m.api_error_bad_code,
	bad_displayName: m.api_error_bad_display_name,
	bad_deviceId: m.api_error_bad_device_id,
	bad_credential: m.api_error_bad_credential,
	invite_unknown: m.api_error_invite_unknown,
	invite_expired: m.api_error_invite_expired,
	invite_used_up: m.api_error_invite_used_up,
	invite_revoked: m.api_error_invite_revoked,
	credential_unknown: m.api_error_credential_unknown,
	credential_revoked: m.api_error_credential_revoked,
	bad_role: m.api_error_bad_role,
	bad_grids: m.api_error_bad_grids,
	bad_expiresInHours: m.api_error_bad_expiry,
	bad_maxUses: m.api_error_bad_max_uses,
	bad_host: m.api_error_bad_host,
	member_unknown: m.api_error_member_unknown,
	bad_hash: m.api_error_bad_hash,
	unsupported_type: m.api_error_unsupported_type,
	type_mismatch: m.api_error_type_mismatch,
	blob_too_large: m.api_error_blob_too_large,
	incomplete_body: m.api_error_incomplete_body,
	hash_mismatch: m.api_error_hash_mismatch,
	blob_unknown: m.api_error_blob_unknown,
	no_basemap: m.api_error_no_basemap,
	bad_at: m.api_error_bad_at,
	bad_notice: m.api_error_bad_notice,
	bad_phone: m.api_error_bad_phone,
	phone_not_agreed: m.api_error_phone_not_agreed,
	notice_unknown: m.api_error_notice_unknown,
	notice_withdrawn: m.api_error_notice_withdrawn,
	offline: m.api_error_offline,
	unreadable: m.api_error_unreadable,
	signed_out: m.api_error_signed_out,
	destroyed: m.api_error_destroyed
};

export const apiFailureText = (reason: ApiFailure): string => API_FAILURES[reason]();
