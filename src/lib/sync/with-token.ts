/**
 * Calls a relay endpoint with the current relay token; a 401 (token expired or outdated) gets one
 * fresh token and one more try.
 */
import type { ApiResult } from './auth-api.ts';
import type { TokenManager } from './token-manager.ts';

export async function withToken<T>(
	tokens: Pick<TokenManager, 'get' | 'fresh'> | null,
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
