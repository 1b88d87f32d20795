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
	/** How long a document stays in memory after its last connection leaves. */
	idleUnloadMs: number;
	/** Compact a document once its update log holds this many rows. */
	compactAfterUpdates: number;
};

export const DEFAULT_CONFIG: RelayConfig = {
	host: '127.0.0.1',
	port: 8787,
	dataDir: './data',
	staticDir: './build',
	maxPayload: 8 * 1024 * 1024,
	maxDocBytes: 64 * 1024 * 1024,
	idleUnloadMs: 30_000,
	compactAfterUpdates: 500
};

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
	return {
		host: env.HOST || DEFAULT_CONFIG.host,
		port,
		dataDir: path.resolve(env.DATA_DIR || DEFAULT_CONFIG.dataDir),
		staticDir: path.resolve(env.STATIC_DIR || DEFAULT_CONFIG.staticDir),
		maxPayload: readInt(env, 'MAX_PAYLOAD', DEFAULT_CONFIG.maxPayload, 1024),
		maxDocBytes: readInt(env, 'MAX_DOC_BYTES', DEFAULT_CONFIG.maxDocBytes, 1024),
		idleUnloadMs: readInt(env, 'IDLE_UNLOAD_MS', DEFAULT_CONFIG.idleUnloadMs, 0),
		compactAfterUpdates: readInt(
			env,
			'COMPACT_AFTER_UPDATES',
			DEFAULT_CONFIG.compactAfterUpdates,
			1
		)
	};
}
