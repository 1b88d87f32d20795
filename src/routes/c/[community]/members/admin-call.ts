/**
 * Calls a secretary endpoint with the current relay token; a 401 (token expired or outdated)
 * gets one fresh token and one more try.
 */
import type { ApiResult } from '$lib/sync/auth-api';
import type { TokenManager } from '$lib/sync/token-manager';

export async function withToken<T>(
	tokens: TokenManager | null,
	call: (token: string) => Promise<ApiResult<T>>
): Promise<ApiResult<T>> {
	if (!tokens) return { ok: false, reason: 'signed_out' };
	const first = await tokens.get();
	if (!first.ok) return first;
	const result = await call(first.token);
	if (result.ok || result.status !== 401) return result;
	const again = await tokens.fresh();
	return again.ok ? call(again.token) : again;
}
