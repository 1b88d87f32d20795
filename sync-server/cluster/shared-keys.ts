/**
 * The relays' token-signing keys in cluster mode (issue 22): every relay of a cluster signs and
 * checks tokens with one list of keys, kept in PostgreSQL (`relay_keys`, identity-postgres.ts).
 * A relay's keys.json (tokens.ts, `KeyRing`) is its copy of that list, so every user of the key
 * ring (admission, the API, photos, history) works unchanged.
 *
 * Invariants:
 * - Before the relay listens, its keys.json equals the shared list; the first relay of a new
 *   cluster seeds the list with its own keys (`seedSigningKeys`, under a table lock, so relays
 *   starting together agree on one list).
 * - The copy follows the list: re-read on a message on the Redis channel `{prefix}:keys` (to be
 *   published by whoever changes the list: `admin rotate-key` in cluster mode) and every `refreshMs`
 *   as a backstop for a missed message. A failed re-read keeps the keys it has.
 */
import type { Redis } from 'ioredis';
import type { PostgresIdentityStore } from '../identity-postgres.ts';
import type { KeyRing } from '../tokens.ts';
import { keysChannel } from './cluster-identity.ts';
import { connect, ready } from './doc-streams.ts';

export type SharedKeysOptions = {
	identity: PostgresIdentityStore;
	ring: KeyRing;
	redisUrl: string;
	/** Prefix of the Redis keys and channels (default `gridboard`). */
	prefix?: string;
	/** Backstop re-read of the list (ms; default 60 s). */
	refreshMs?: number;
	log: (event: Record<string, unknown>) => void;
};

export class SharedKeys {
	#options: SharedKeysOptions;
	#subscriber: Redis;
	#timer: NodeJS.Timeout;

	private constructor(options: SharedKeysOptions, subscriber: Redis) {
		this.#options = options;
		this.#subscriber = subscriber;
		subscriber.on('message', () => void this.refresh());
		this.#timer = setInterval(() => void this.refresh(), options.refreshMs ?? 60_000);
		this.#timer.unref();
	}

	/** Seeds or reads the shared list into `ring`, then follows it. */
	static async start(options: SharedKeysOptions): Promise<SharedKeys> {
		options.ring.replaceAll(await options.identity.seedSigningKeys(options.ring.keys));
		const subscriber = connect(options.redisUrl);
		try {
			await ready(subscriber);
			// ioredis subscribes again by itself after a reconnect.
			await subscriber.subscribe(keysChannel(options.prefix));
		} catch (error) {
			subscriber.disconnect();
			throw error;
		}
		return new SharedKeys(options, subscriber);
	}

	/** Re-reads the shared list into the ring. */
	async refresh(): Promise<void> {
		try {
			const keys = await this.#options.identity.signingKeys();
			if (keys.length > 0) this.#options.ring.replaceAll(keys);
		} catch (error) {
			this.#options.log({ event: 'storage-error', op: 'keys', error: String(error) });
		}
	}

	close(): void {
		clearInterval(this.#timer);
		this.#subscriber.disconnect();
	}
}
