/**
 * `.ci/run`'s check that the scale-out tests' servers start here: starts a private Redis and a
 * private PostgreSQL as the tests do (test-servers.ts), creates a database, restarts both, and
 * removes them. Exits non-zero with the harness's message (what to install) when one cannot.
 */
import { startTestPostgres, startTestRedis } from './test-servers.ts';

const started = performance.now();
const redis = await startTestRedis();
const postgres = await startTestPostgres();
try {
	await postgres.createDatabase();
	await Promise.all([redis.restart(), postgres.restart()]);
	const seconds = ((performance.now() - started) / 1000).toFixed(1);
	console.log(
		`redis-server on ${redis.url} and PostgreSQL on ${postgres.url()} started and restarted (${seconds} s)`
	);
} finally {
	await redis.close();
	await postgres.close();
}
