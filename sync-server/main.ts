/**
 * Command-line entry: `node sync-server/main.ts`. Reads the environment (see config.ts),
 * starts the relay, prints where it listens, and shuts down cleanly on SIGINT/SIGTERM.
 *
 * Invariant: stdout carries one human line and one JSON line per event; log lines never
 * contain document content or tokens.
 *
 * Quick start: on the first start with no community at all (and BOOTSTRAP is not `off`), one
 * community is created (BOOTSTRAP_COMMUNITY_NAME, default 示例社区, id `demo`) and its one-time
 * secretary sign-in link is printed once, after the listening line.
 *
 * Restart after a crash (ARCHITECTURE.md, "Restart after a crash"): the port is bound first,
 * before the relay's modules load; connections arriving meanwhile wait and are served once the
 * relay is ready, instead of being refused (the listening line, printed then, counts them as
 * `waited`). The relay loads ~140 modules, ~60 of them TypeScript, stripped and compiled at
 * every start (most of a cold start's CPU): V8's compile cache keeps them in
 * DATA_DIR/compile-cache (or NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off),
 * written before the listening line, so that a relay killed with -9 later restarts from it.
 */
import module from 'node:module';
import path from 'node:path';
import { COMPILE_CACHE_DIR, readConfig } from './config.ts';
import { bindEarly } from './early-listener.ts';

const log = (event: Record<string, unknown>): void => {
	console.log(JSON.stringify({ time: new Date().toISOString(), ...event }));
};

let config;
try {
	config = readConfig();
} catch (error) {
	console.error(`Gridboard relay: ${(error as Error).message}`);
	process.exit(2);
}

let listener;
try {
	listener = await bindEarly(config.port, config.host, log);
} catch (error) {
	console.error(`Gridboard relay: cannot listen: ${(error as Error).message}`);
	process.exit(1);
}
// Before the relay's modules load (hence the dynamic import below); a no-op when the cache is
// already on (NODE_COMPILE_CACHE) or disabled.
module.enableCompileCache(path.join(config.dataDir, COMPILE_CACHE_DIR));
const { startRelay } = await import('./server.ts');
const relay = await startRelay({ ...config, log, listener });
module.flushCompileCache();
console.log(`Gridboard relay listening on ${relay.url}`);
console.log(
	JSON.stringify({ event: 'listening', url: relay.url, port: relay.port, waited: listener.waiting })
);

if (
	process.env.BOOTSTRAP !== 'off' &&
	(await relay.sharedIdentity.listCommunities()).length === 0
) {
	const created = await relay
		.createCommunityAsync(process.env.BOOTSTRAP_COMMUNITY_NAME || '示例社区', 'demo')
		.catch(async (error: unknown) => {
			// Cluster mode: another relay starting at the same time created it first.
			if (await relay.sharedIdentity.getCommunity('demo')) return null;
			throw error;
		});
	if (created) {
		console.log(`Open this one-time secretary sign-in link: ${created.inviteUrl}`);
		console.log(
			JSON.stringify({
				event: 'bootstrap',
				communityId: created.communityId,
				inviteUrl: created.inviteUrl
			})
		);
	}
}

let stopping = false;
const stop = (signal: string): void => {
	if (stopping) return;
	stopping = true;
	log({ event: 'stopping', signal });
	relay.close().then(
		() => process.exit(0),
		(error: unknown) => {
			console.error('Gridboard relay: error while closing', error);
			process.exit(1);
		}
	);
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
