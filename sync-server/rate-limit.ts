/**
 * Rate limits on the HTTP endpoints an attacker would hammer: joining with an invite code,
 * exchanging a device credential for a relay token, uploading a photo. Each endpoint is limited
 * per client address (the socket's, or with `trustProxy` the last X-Forwarded-For hop, as for
 * WebSockets: admission.ts `clientAddress`) and per credential (the device credential for tokens,
 * the bearer token's member for uploads, the invite code for joins).
 *
 * Each limit is a token bucket per key: `perMinute` requests a minute, in bursts of as many.
 *
 * Invariants:
 * - A refused request is a Refusal(429, 'rate_limited') whose `Retry-After` is the whole seconds
 *   until the bucket holds one request again (at least 1).
 * - Memory is bounded: buckets that have refilled are swept (on use, at most once per
 *   SWEEP_EVERY_MS), and a limit holds at most `maxKeys` buckets; beyond that the oldest are
 *   dropped first (dropping a bucket only forgives, it never refuses anyone).
 */
import type http from 'node:http';
import { clientAddress } from './admission.ts';
import type { RelayConfig } from './config.ts';
import { Refusal } from './http-json.ts';

const SWEEP_EVERY_MS = 10_000;
const DEFAULT_MAX_KEYS = 50_000;

type Bucket = { tokens: number; at: number };

/** Token buckets per key: `perMinute` requests a minute, bursts of `perMinute`. */
export class RateLimiter {
	readonly #buckets = new Map<string, Bucket>();
	readonly #perMinute: number;
	readonly #maxKeys: number;
	readonly #now: () => number;
	#sweptAt = 0;

	constructor(perMinute: number, maxKeys = DEFAULT_MAX_KEYS, now: () => number = Date.now) {
		this.#perMinute = perMinute;
		this.#maxKeys = maxKeys;
		this.#now = now;
	}

	/** Buckets held (tests and /health-style figures). */
	get size(): number {
		return this.#buckets.size;
	}

	/** Takes one request for `key`: 0 when allowed, else the seconds to wait before retrying. */
	take(key: string): number {
		const now = this.#now();
		this.#sweep(now);
		const perMs = this.#perMinute / 60_000;
		const held = this.#buckets.get(key);
		const tokens = held
			? Math.min(this.#perMinute, held.tokens + (now - held.at) * perMs)
			: this.#perMinute;
		if (tokens < 1) {
			held!.tokens = tokens;
			held!.at = now;
			return Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));
		}
		// Re-inserted, so the Map's order is oldest use first.
		this.#buckets.delete(key);
		this.#buckets.set(key, { tokens: tokens - 1, at: now });
		while (this.#buckets.size > this.#maxKeys) {
			const oldest = this.#buckets.keys().next().value!;
			this.#buckets.delete(oldest);
		}
		return 0;
	}

	#sweep(now: number): void {
		if (now - this.#sweptAt < SWEEP_EVERY_MS) return;
		this.#sweptAt = now;
		const fullAfterMs = 60_000;
		for (const [key, bucket] of this.#buckets) {
			if (now - bucket.at >= fullAfterMs) this.#buckets.delete(key);
		}
	}
}

export type HttpEndpoint = 'join' | 'token' | 'upload';

export type HttpLimits = {
	/** Throws Refusal(429) when `req`'s address has used up its budget for `endpoint`. */
	address(req: http.IncomingMessage, endpoint: HttpEndpoint): void;
	/** Throws Refusal(429) when `credential` has used up its budget for `endpoint`. */
	credential(endpoint: HttpEndpoint, credential: string): void;
};

export function createHttpLimits(
	config: Pick<
		RelayConfig,
		| 'trustProxy'
		| 'joinsPerMinutePerAddress'
		| 'joinsPerMinutePerCode'
		| 'tokensPerMinutePerAddress'
		| 'tokensPerMinutePerCredential'
		| 'uploadsPerMinutePerAddress'
		| 'uploadsPerMinutePerMember'
	>,
	now: () => number = Date.now
): HttpLimits {
	const byAddress: Record<HttpEndpoint, RateLimiter> = {
		join: new RateLimiter(config.joinsPerMinutePerAddress, undefined, now),
		token: new RateLimiter(config.tokensPerMinutePerAddress, undefined, now),
		upload: new RateLimiter(config.uploadsPerMinutePerAddress, undefined, now)
	};
	const byCredential: Record<HttpEndpoint, RateLimiter> = {
		join: new RateLimiter(config.joinsPerMinutePerCode, undefined, now),
		token: new RateLimiter(config.tokensPerMinutePerCredential, undefined, now),
		upload: new RateLimiter(config.uploadsPerMinutePerMember, undefined, now)
	};
	const refuse = (wait: number): void => {
		if (wait > 0) throw new Refusal(429, 'rate_limited', wait);
	};
	return {
		address: (req, endpoint) =>
			refuse(byAddress[endpoint].take(clientAddress(req, config.trustProxy))),
		credential: (endpoint, credential) => refuse(byCredential[endpoint].take(credential))
	};
}
