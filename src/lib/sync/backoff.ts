/**
 * How long to wait before trying again after failures in a row: the one backoff rule of the
 * relay link (refused tokens), the token manager (relay unreachable) and the photo outbox
 * (uploads). The first failure waits `baseMs`, each further one doubles it, never past `maxMs`;
 * no failure, no wait. A policy with `baseMs === maxMs` is a fixed wait.
 */

export type BackoffPolicy = Readonly<{ baseMs: number; maxMs: number }>;

/** The wait after the `failures`-th failure in a row (1, 2, …); 0 for none. */
export function backoffDelay(failures: number, policy: BackoffPolicy): number {
	if (failures <= 0) return 0;
	// The exponent is capped so the product stays finite for any count.
	return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(failures - 1, 30));
}
