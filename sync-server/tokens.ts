/**
 * Relay tokens: compact JWS with HS256, signed with keys from DATA_DIR/keys.json.
 *
 * Invariants:
 * - `alg` is pinned: a header with any other value (including `none`) is refused before any
 *   signature check; the signature is compared in constant time.
 * - `exp`, `iss` and `aud` are always checked (30 s clock skew allowed on `exp` and `iat`); the
 *   claims must have the exact shape of `Claims`.
 * - keys.json is created on first use with mode 0600; the newest key signs, every listed key
 *   verifies (rotation). A token is never logged: errors carry a reason, never the token.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ID_SEGMENT, isRole, type Claims } from '../src/lib/wire/index.ts';

export const TOKEN_ISSUER = 'gridboard';
export const TOKEN_AUDIENCE = 'gridboard-relay';
export const CLOCK_SKEW_SECONDS = 30;
export const KEYS_FILE_NAME = 'keys.json';
export const SERVICE_SUBJECT = 'admin-cli';

export type SigningKey = { kid: string; secret: string; createdAt: number };
type KeysFile = { keys: SigningKey[] };

/** The signing keys of one DATA_DIR; re-reads the file when another process rotated it. */
export class KeyRing {
	readonly file: string;
	#keys: SigningKey[] = [];
	#stamp = '';

	constructor(dataDir: string) {
		fs.mkdirSync(dataDir, { recursive: true });
		this.file = path.join(dataDir, KEYS_FILE_NAME);
		if (!fs.existsSync(this.file)) {
			try {
				this.#write([newKey()], 'wx');
			} catch (error) {
				// Another process created it first: use theirs.
				if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			}
		}
		this.reload();
	}

	/** Re-reads keys.json if it changed on disk. */
	reload(): void {
		const stat = fs.statSync(this.file);
		// rotate() replaces the file by rename: a new inode even within the same millisecond.
		const stamp = `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
		if (stamp === this.#stamp && this.#keys.length > 0) return;
		const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as KeysFile;
		const keys = Array.isArray(parsed.keys)
			? parsed.keys.filter(
					(k) => typeof k?.kid === 'string' && typeof k.secret === 'string' && k.secret.length >= 32
				)
			: [];
		if (keys.length === 0) throw new Error(`${this.file} holds no signing key`);
		this.#keys = keys;
		this.#stamp = stamp;
	}

	get current(): SigningKey {
		return this.#keys.at(-1)!;
	}

	get keys(): readonly SigningKey[] {
		return this.#keys;
	}

	find(kid: string): SigningKey | undefined {
		let key = this.#keys.find((k) => k.kid === kid);
		if (!key) {
			this.reload();
			key = this.#keys.find((k) => k.kid === kid);
		}
		return key;
	}

	/**
	 * Replaces the keys with `keys` (cluster mode: keys.json is this relay's copy of the shared
	 * list in PostgreSQL, cluster/shared-keys.ts); writes only if they differ.
	 */
	replaceAll(keys: readonly SigningKey[]): void {
		if (keys.length === 0) throw new Error('no signing key to use');
		const same = (a: SigningKey, b: SigningKey | undefined): boolean =>
			a.kid === b?.kid && a.secret === b.secret && a.createdAt === b.createdAt;
		if (keys.length === this.#keys.length && keys.every((key, i) => same(key, this.#keys[i])))
			return;
		this.#write([...keys], 'w');
		this.#stamp = '';
		this.reload();
	}

	/** Adds a new current key; with `dropOlderThanMs`, removes older keys created before then. */
	rotate(now = Date.now(), dropOlderThanMs?: number): { added: string; dropped: string[] } {
		this.reload();
		const rotated = rotateKeys(this.#keys, now, dropOlderThanMs);
		this.#write(rotated.keys, 'w');
		this.#stamp = '';
		this.reload();
		return { added: rotated.added, dropped: rotated.dropped };
	}

	#write(keys: SigningKey[], flag: 'w' | 'wx'): void {
		const tmp = flag === 'wx' ? this.file : `${this.file}.${process.pid}.tmp`;
		fs.writeFileSync(tmp, JSON.stringify({ keys }, null, '\t') + '\n', {
			mode: 0o600,
			flag
		});
		fs.chmodSync(tmp, 0o600);
		if (tmp !== this.file) fs.renameSync(tmp, this.file);
	}
}

/**
 * `keys` with a new current key appended; with `dropOlderThanMs`, without the older keys created
 * before then (keys.json here, PostgreSQL `relay_keys` in cluster mode).
 */
export function rotateKeys(
	keys: readonly SigningKey[],
	now: number,
	dropOlderThanMs?: number
): { keys: SigningKey[]; added: string; dropped: string[] } {
	const added = newKey(now);
	let next = [...keys, added];
	let dropped: string[] = [];
	if (dropOlderThanMs !== undefined) {
		const keep = next.filter((k) => k === added || now - k.createdAt < dropOlderThanMs);
		dropped = next.filter((k) => !keep.includes(k)).map((k) => k.kid);
		next = keep;
	}
	return { keys: next, added: added.kid, dropped };
}

function newKey(now = Date.now()): SigningKey {
	return {
		kid: `k${now.toString(36)}${randomBytes(3).toString('hex')}`,
		secret: randomBytes(32).toString('base64url'),
		createdAt: now
	};
}

const b64 = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

function hmac(key: SigningKey, input: string): Buffer {
	return createHmac('sha256', Buffer.from(key.secret, 'base64url')).update(input).digest();
}

export type TokenInput = Omit<Claims, 'iss' | 'aud' | 'iat' | 'exp'> & { ttlSeconds: number };

export function signToken(ring: KeyRing, input: TokenInput, now = Date.now()): string {
	const { ttlSeconds, ...rest } = input;
	const iat = Math.floor(now / 1000);
	const claims: Claims = {
		iss: TOKEN_ISSUER,
		aud: TOKEN_AUDIENCE,
		...rest,
		iat,
		exp: iat + ttlSeconds
	};
	try {
		ring.reload(); // another process may have rotated the keys
	} catch {
		// keep signing with the keys already loaded
	}
	const key = ring.current;
	const signingInput = `${b64(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: key.kid }))}.${b64(
		JSON.stringify(claims)
	)}`;
	return `${signingInput}.${hmac(key, signingInput).toString('base64url')}`;
}

export type TokenError =
	| 'missing'
	| 'malformed'
	| 'bad-alg'
	| 'unknown-key'
	| 'bad-signature'
	| 'bad-claims'
	| 'wrong-issuer'
	| 'wrong-audience'
	| 'expired'
	| 'not-yet-valid';

export type VerifyResult = { ok: true; claims: Claims } | { ok: false; reason: TokenError };

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function parseJsonPart(part: string): unknown {
	if (!BASE64URL.test(part)) return null;
	try {
		return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
	} catch {
		return null;
	}
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validClaims(value: Record<string, unknown>): value is Claims {
	return (
		typeof value.sub === 'string' &&
		value.sub.length > 0 &&
		value.sub.length <= 64 &&
		typeof value.cid === 'string' &&
		ID_SEGMENT.test(value.cid) &&
		isRole(value.role) &&
		Array.isArray(value.grids) &&
		value.grids.length <= 500 &&
		value.grids.every((g) => typeof g === 'string' && ID_SEGMENT.test(g)) &&
		typeof value.name === 'string' &&
		Number.isSafeInteger(value.ver) &&
		Number.isSafeInteger(value.iat) &&
		Number.isSafeInteger(value.exp) &&
		(value.svc === undefined || value.svc === true)
	);
}

/** Checks signature, algorithm, issuer, audience, expiry and claim shapes. */
export function verifyToken(
	ring: KeyRing,
	token: string | null | undefined,
	now = Date.now(),
	clockSkewSeconds = CLOCK_SKEW_SECONDS
): VerifyResult {
	if (!token) return { ok: false, reason: 'missing' };
	if (token.length > 8192) return { ok: false, reason: 'malformed' };
	const parts = token.split('.');
	if (parts.length !== 3) return { ok: false, reason: 'malformed' };
	const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
	const header = parseJsonPart(headerPart);
	if (!isRecord(header)) return { ok: false, reason: 'malformed' };
	if (header.alg !== 'HS256') return { ok: false, reason: 'bad-alg' };
	if (typeof header.kid !== 'string') return { ok: false, reason: 'unknown-key' };
	let key: SigningKey | undefined;
	try {
		key = ring.find(header.kid);
	} catch {
		key = undefined;
	}
	if (!key) return { ok: false, reason: 'unknown-key' };
	if (!BASE64URL.test(signaturePart)) return { ok: false, reason: 'bad-signature' };
	const expected = hmac(key, `${headerPart}.${payloadPart}`);
	const given = Buffer.from(signaturePart, 'base64url');
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
		return { ok: false, reason: 'bad-signature' };
	}
	const claims = parseJsonPart(payloadPart);
	if (!isRecord(claims)) return { ok: false, reason: 'malformed' };
	if (claims.iss !== TOKEN_ISSUER) return { ok: false, reason: 'wrong-issuer' };
	if (claims.aud !== TOKEN_AUDIENCE) return { ok: false, reason: 'wrong-audience' };
	if (!validClaims(claims)) return { ok: false, reason: 'bad-claims' };
	const nowSeconds = now / 1000;
	if (claims.exp + clockSkewSeconds <= nowSeconds) return { ok: false, reason: 'expired' };
	if (claims.iat - clockSkewSeconds > nowSeconds) return { ok: false, reason: 'not-yet-valid' };
	return { ok: true, claims };
}

/** Signs arbitrary header and payload JSON with a key of the ring: tests forge tokens with it. */
export function signRaw(key: SigningKey, header: unknown, payload: unknown): string {
	const signingInput = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
	return `${signingInput}.${hmac(key, signingInput).toString('base64url')}`;
}
