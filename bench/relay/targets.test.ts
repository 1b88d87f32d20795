/**
 * The harness's view of a server process: a server that dies under load is reported as dead,
 * with what it printed, and the Hocuspocus + SQLite peer does not die of its database engine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, connectMany, type BenchClient } from './clients.ts';
import { checkBetterSqlite3 } from './prepare.ts';
import { ServerHandle, TARGETS } from './targets.ts';

const servers: ServerHandle[] = [];
const clients: BenchClient[] = [];
afterEach(async () => {
	for (const client of clients.splice(0)) client.destroy();
	for (const server of servers.splice(0)) await server.dispose();
});

async function started(id: keyof typeof TARGETS): Promise<ServerHandle> {
	const server = new ServerHandle(TARGETS[id]);
	servers.push(server);
	await server.start();
	return server;
}

async function until(condition: () => boolean, what: string): Promise<void> {
	const deadline = Date.now() + 10_000;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

describe('ServerHandle', () => {
	it('names a server that died on its own, and not one it stopped', async () => {
		const dying = await started('raw-ws');
		process.kill(dying.pid, 'SIGABRT');
		await until(() => dying.crashed !== null, 'the crash to be noticed');
		expect(dying.crashed).toMatch(/^SIGABRT: /);

		const stopped = await started('raw-ws');
		await stopped.stop();
		expect(stopped.crashed).toBeNull();
		await stopped.start();
		await stopped.kill9();
		expect(stopped.crashed).toBeNull();
	});

	it('Hocuspocus + SQLite survives collected statements (better-sqlite3 12 aborted on Node 24.19+)', async () => {
		expect(checkBetterSqlite3()).toMatchObject({ ok: true });
		const server = await started('hocuspocus-sqlite');
		const names = Array.from({ length: 100 }, (_, i) => `c/bench/board/sqlite-${i}`);
		const connect = async (): Promise<BenchClient[]> => {
			const connected = await connectMany(
				(i) => createClient(server, names[i]!),
				names.length,
				50,
				10_000
			).catch((error: Error) => {
				throw new Error(`${error.message}; server: ${server.crashed ?? 'alive'}`);
			});
			clients.push(...connected);
			return connected;
		};
		const writers = await connect();
		for (const [i, writer] of writers.entries())
			writer.doc.getText('t').insert(0, `文档 ${i}`.padEnd(2000, '记'));
		// Every document load prepares a statement; the server's collections (and the forced full
		// ones) finalize them. With better-sqlite3 12 the server aborted within the first round.
		for (let round = 0; round < 3; round++) {
			const readers = await connect();
			await until(
				() =>
					readers.every((r, i) => r.doc.getText('t').toString() === `文档 ${i}`.padEnd(2000, '记')),
				'readers to see the writes'
			);
			expect(await server.heap()).not.toBeNull();
			for (const reader of readers) reader.destroy();
		}
		expect(server.crashed).toBeNull();
	}, 60_000);
});
