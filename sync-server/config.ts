/**
 * Relay configuration: reads and checks environment variables once at start-up.
 *
 * Invariant: every value is validated here; a bad value stops start-up with a clear message
 * instead of running with a surprising default. HOST defaults to 127.0.0.1 so a fresh relay is
 * not exposed to the network until someone asks for it (set HOST=0.0.0.0 behind a TLS proxy).
 */
import path from 'node:path';

export type RelayConfig = {
	host: string;
	port: number;
	dataDir: string;
	staticDir: string;
	/** Largest WebSocket message accepted, in bytes; larger ones close with 1009. */
	maxPayload: number;
	/** Largest document (stored bytes, approximately) before writes close with 4413. */
	maxDocBytes: number;
	/** Largest Yjs pending content (updates with missing dependencies) per document; 4413 above. */
	maxPendingBytes: number;
	/** How long a document stays in memory after its last connection leaves. */
	idleUnloadMs: number;
	/** Compact a document once its update log holds this many rows (and it is quiet). */
	compactAfterUpdates: number;
	/** A document due for compaction waits until it had no commit for this long, in ms. */
	compactQuietMs: number;
	/** Least time between two storage commits (fsyncs), in ms; confirmations wait for them. */
	commitIntervalMs: number;
	/**
	 * Least time between two broadcasts of one document's updates, in ms: edits arriving faster
	 * go out together as one message per connection; its awareness changes likewise. 0: once per
	 * event-loop turn.
	 */
	broadcastIntervalMs: number;
	/** A connection must finish its HTTP upgrade (headers, token) within this many ms. */
	authDeadlineMs: number;
	/** Longest time one HTTP request (headers and body, e.g. a photo upload on a slow link) may take. */
	requestTimeoutMs: number;
	/**
	 * Concurrent WebSocket connections per remote address; more are refused with HTTP 429. A phone
	 * holds one socket per open document (10–20 while someone works), and phones behind one NAT
	 * (a grid office's Wi-Fi, a carrier's shared address) share an address: the default leaves
	 * room for dozens of phones there while still bounding what one address can hold open.
	 */
	maxConnectionsPerIp: number;
	/** Behind a reverse proxy: the client address is the last X-Forwarded-For hop. */
	trustProxy: boolean;
	/** Messages per second per connection (token bucket, burst 2×); over it closes with 4429. */
	maxMessagesPerSecond: number;
	/** Largest awareness update accepted, in bytes (4400 above). */
	maxAwarenessBytes: number;
	/** Awareness updates per second per connection (burst 2×); over it closes with 4429. */
	maxAwarenessPerSecond: number;
	/** Lifetime of relay tokens issued by POST /api/token. */
	tokenTtlSeconds: number;
	/** Extra allowed WebSocket origins; the relay's own origin and PUBLIC_URL are always allowed. */
	allowedOrigins: string[];
	/** The public origin (e.g. https://grid.example.org) used in invite links; null: the Host. */
	publicUrl: string | null;
	/** POST /api/join per client address, a minute (bursts of as many); over it 429. */
	joinsPerMinutePerAddress: number;
	/** POST /api/join per invite code, a minute. */
	joinsPerMinutePerCode: number;
	/** POST /api/token per client address, a minute (every device behind one NAT refreshes). */
	tokensPerMinutePerAddress: number;
	/** POST /api/token per device credential, a minute. */
	tokensPerMinutePerCredential: number;
	/** Photo uploads per client address, a minute. */
	uploadsPerMinutePerAddress: number;
	/** Photo uploads per member, a minute. */
	uploadsPerMinutePerMember: number;
	/** Where scheduled backups go (backup/backup.ts); null: no scheduled backups. */
	backupDir: string | null;
	/** Time between two backups, in ms (BACKUP_INTERVAL: `6h`, `30m`, `90s`, `1d`). */
	backupIntervalMs: number;
	/** Backups kept; older ones are removed after each new one is verified. */
	backupKeep: number;
	/**
	 * Cluster mode (issue 22, cluster/cluster-rooms.ts): with both set, documents live in the
	 * Redis streams and PostgreSQL; with neither, in SQLite as always. One alone is an error.
	 */
	redisUrl: string | null;
	databaseUrl: string | null;
	/** Cluster mode: time between two rounds of this relay's compaction worker, in ms; 0: none. */
	clusterCompactMs: number;
	/** Cluster mode: stream entries younger than this are not folded (compactor.ts), in ms. */
	clusterCompactMinLifetimeMs: number;
	/** Cluster mode: a Redis command with no answer for this long fails (silent partitions), in ms. */
	clusterRedisTimeoutMs: number;
	/** Cluster mode: how often this relay checks that PostgreSQL answers (`/health`), in ms. */
	clusterPostgresCheckMs: number;
	/** Time between two checks of memory-return.ts (memory back to the system once quiet); 0: off. */
	memoryReturnMs: number;
};

/** Inside the data directory: V8's cache of the relay's compiled modules (main.ts). */
export const COMPILE_CACHE_DIR = 'compile-cache';

export const DEFAULT_CONFIG: RelayConfig = {
	host: '127.0.0.1',
	port: 8787,
	dataDir: './data',
	staticDir: './build',
	maxPayload: 8 * 1024 * 1024,
	maxDocBytes: 64 * 1024 * 1024,
	maxPendingBytes: 1024 * 1024,
	idleUnloadMs: 30_000,
	compactAfterUpdates: 500,
	compactQuietMs: 1000,
	commitIntervalMs: 10,
	broadcastIntervalMs: 10,
	authDeadlineMs: 10_000,
	requestTimeoutMs: 300_000,
	maxConnectionsPerIp: 1024,
	trustProxy: false,
	maxMessagesPerSecond: 200,
	maxAwarenessBytes: 64 * 1024,
	maxAwarenessPerSecond: 20,
	tokenTtlSeconds: 600,
	allowedOrigins: [],
	publicUrl: null,
	// A meeting where everyone joins at once behind one NAT; a volunteer's dozens of photos.
	joinsPerMinutePerAddress: 60,
	joinsPerMinutePerCode: 60,
	tokensPerMinutePerAddress: 600,
	tokensPerMinutePerCredential: 60,
	uploadsPerMinutePerAddress: 600,
	uploadsPerMinutePerMember: 120,
	backupDir: null,
	// Four a day, a week of them.
	backupIntervalMs: 6 * 3600_000,
	backupKeep: 28,
	redisUrl: null,
	databaseUrl: null,
	clusterCompactMs: 10_000,
	clusterCompactMinLifetimeMs: 60_000,
	clusterRedisTimeoutMs: 10_000,
	clusterPostgresCheckMs: 2000,
	memoryReturnMs: 10_000
};

const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };

/** `6h`, `30m`, `90s`, `1d` → ms; throws on anything else (at least 1 s). */
export function parseDuration(value: string, key: string): number {
	const match = /^(\d+)([smhd])$/.exec(value.trim());
	const ms = match ? Number(match[1]) * DURATION_UNITS[match[2]!]! : NaN;
	if (!Number.isSafeInteger(ms) || ms < 1000) {
		throw new Error(`${key} must be a duration like 6h, 30m or 90s, got ${JSON.stringify(value)}`);
	}
	return ms;
}

/** Normalises an origin (`scheme://host[:port]`); throws on anything else. */
export function parseOrigin(value: string, key: string): string {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw new Error(
			`${key} must be an origin like https://grid.example.org, got ${JSON.stringify(value)}`
		);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new Error(`${key} must use http or https, got ${JSON.stringify(value)}`);
	}
	return url.origin;
}

function readBool(env: NodeJS.ProcessEnv, key: string, fallback: boolean): boolean {
	const raw = env[key];
	if (raw === undefined || raw === '') return fallback;
	if (['1', 'true', 'on', 'yes'].includes(raw.toLowerCase())) return true;
	if (['0', 'false', 'off', 'no'].includes(raw.toLowerCase())) return false;
	throw new Error(`${key} must be on or off, got ${JSON.stringify(raw)}`);
}

function readInt(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number): number {
	const raw = env[key];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isSafeInteger(value) || value < min) {
		throw new Error(`${key} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
	}
	return value;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): RelayConfig {
	const port = readInt(env, 'PORT', DEFAULT_CONFIG.port, 0);
	if (port > 65535) throw new Error(`PORT must be <= 65535, got ${port}`);
	const redisUrl = env.REDIS_URL || null;
	const databaseUrl = env.DATABASE_URL || null;
	if ((redisUrl === null) !== (databaseUrl === null)) {
		throw new Error('REDIS_URL and DATABASE_URL go together: set both (cluster mode) or neither');
	}
	const config: RelayConfig = {
		host: env.HOST || DEFAULT_CONFIG.host,
		port,
		dataDir: path.resolve(env.DATA_DIR || DEFAULT_CONFIG.dataDir),
		staticDir: path.resolve(env.STATIC_DIR || DEFAULT_CONFIG.staticDir),
		maxPayload: readInt(env, 'MAX_PAYLOAD', DEFAULT_CONFIG.maxPayload, 1024),
		maxDocBytes: readInt(env, 'MAX_DOC_BYTES', DEFAULT_CONFIG.maxDocBytes, 1024),
		maxPendingBytes: readInt(env, 'MAX_PENDING_BYTES', DEFAULT_CONFIG.maxPendingBytes, 1024),
		idleUnloadMs: readInt(env, 'IDLE_UNLOAD_MS', DEFAULT_CONFIG.idleUnloadMs, 0),
		compactAfterUpdates: readInt(
			env,
			'COMPACT_AFTER_UPDATES',
			DEFAULT_CONFIG.compactAfterUpdates,
			1
		),
		compactQuietMs: readInt(env, 'COMPACT_QUIET_MS', DEFAULT_CONFIG.compactQuietMs, 0),
		commitIntervalMs: readInt(env, 'COMMIT_INTERVAL_MS', DEFAULT_CONFIG.commitIntervalMs, 0),
		broadcastIntervalMs: readInt(
			env,
			'BROADCAST_INTERVAL_MS',
			DEFAULT_CONFIG.broadcastIntervalMs,
			0
		),
		authDeadlineMs: readInt(env, 'AUTH_DEADLINE_MS', DEFAULT_CONFIG.authDeadlineMs, 100),
		requestTimeoutMs: readInt(env, 'REQUEST_TIMEOUT_MS', DEFAULT_CONFIG.requestTimeoutMs, 100),
		maxConnectionsPerIp: readInt(
			env,
			'MAX_CONNECTIONS_PER_IP',
			DEFAULT_CONFIG.maxConnectionsPerIp,
			1
		),
		trustProxy: readBool(env, 'TRUST_PROXY', DEFAULT_CONFIG.trustProxy),
		maxMessagesPerSecond: readInt(
			env,
			'MAX_MESSAGES_PER_SECOND',
			DEFAULT_CONFIG.maxMessagesPerSecond,
			1
		),
		maxAwarenessBytes: readInt(env, 'MAX_AWARENESS_BYTES', DEFAULT_CONFIG.maxAwarenessBytes, 64),
		maxAwarenessPerSecond: readInt(
			env,
			'MAX_AWARENESS_PER_SECOND',
			DEFAULT_CONFIG.maxAwarenessPerSecond,
			1
		),
		tokenTtlSeconds: readInt(env, 'TOKEN_TTL_SECONDS', DEFAULT_CONFIG.tokenTtlSeconds, 60),
		allowedOrigins: (env.ALLOWED_ORIGINS ?? '')
			.split(',')
			.map((o) => o.trim())
			.filter((o) => o !== '')
			.map((o) => parseOrigin(o, 'ALLOWED_ORIGINS')),
		publicUrl: env.PUBLIC_URL ? parseOrigin(env.PUBLIC_URL, 'PUBLIC_URL') : null,
		joinsPerMinutePerAddress: readInt(
			env,
			'JOINS_PER_MINUTE_PER_ADDRESS',
			DEFAULT_CONFIG.joinsPerMinutePerAddress,
			1
		),
		joinsPerMinutePerCode: readInt(
			env,
			'JOINS_PER_MINUTE_PER_CODE',
			DEFAULT_CONFIG.joinsPerMinutePerCode,
			1
		),
		tokensPerMinutePerAddress: readInt(
			env,
			'TOKENS_PER_MINUTE_PER_ADDRESS',
			DEFAULT_CONFIG.tokensPerMinutePerAddress,
			1
		),
		tokensPerMinutePerCredential: readInt(
			env,
			'TOKENS_PER_MINUTE_PER_CREDENTIAL',
			DEFAULT_CONFIG.tokensPerMinutePerCredential,
			1
		),
		uploadsPerMinutePerAddress: readInt(
			env,
			'UPLOADS_PER_MINUTE_PER_ADDRESS',
			DEFAULT_CONFIG.uploadsPerMinutePerAddress,
			1
		),
		uploadsPerMinutePerMember: readInt(
			env,
			'UPLOADS_PER_MINUTE_PER_MEMBER',
			DEFAULT_CONFIG.uploadsPerMinutePerMember,
			1
		),
		backupDir: env.BACKUP_DIR ? path.resolve(env.BACKUP_DIR) : null,
		backupIntervalMs: env.BACKUP_INTERVAL
			? parseDuration(env.BACKUP_INTERVAL, 'BACKUP_INTERVAL')
			: DEFAULT_CONFIG.backupIntervalMs,
		backupKeep: readInt(env, 'BACKUP_KEEP', DEFAULT_CONFIG.backupKeep, 1),
		redisUrl,
		databaseUrl,
		clusterCompactMs: readInt(env, 'CLUSTER_COMPACT_MS', DEFAULT_CONFIG.clusterCompactMs, 0),
		clusterCompactMinLifetimeMs: readInt(
			env,
			'CLUSTER_COMPACT_MIN_LIFETIME_MS',
			DEFAULT_CONFIG.clusterCompactMinLifetimeMs,
			0
		),
		clusterRedisTimeoutMs: readInt(
			env,
			'CLUSTER_REDIS_TIMEOUT_MS',
			DEFAULT_CONFIG.clusterRedisTimeoutMs,
			100
		),
		clusterPostgresCheckMs: readInt(
			env,
			'CLUSTER_POSTGRES_CHECK_MS',
			DEFAULT_CONFIG.clusterPostgresCheckMs,
			50
		),
		memoryReturnMs: readInt(env, 'MEMORY_RETURN_MS', DEFAULT_CONFIG.memoryReturnMs, 0)
	};
	refuseClusterBackups(config);
	return config;
}

/**
 * Scheduled backups (BACKUP_DIR, backup/backup.ts) copy the embedded relay's DATA_DIR; a
 * cluster's data is in PostgreSQL and Redis, so on a cluster relay they would copy an empty,
 * irrelevant SQLite file: refused at start instead (the relay does not start).
 */
export function refuseClusterBackups(config: RelayConfig): void {
	if (config.backupDir !== null && (config.redisUrl !== null || config.databaseUrl !== null)) {
		throw new Error(
			'BACKUP_DIR backs up an embedded relay only: in cluster mode (REDIS_URL, DATABASE_URL) back up PostgreSQL (pg_dump or base backups with WAL archiving) and Redis (its AOF), and unset BACKUP_DIR'
		);
	}
}
