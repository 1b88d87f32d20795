/**
 * @hocuspocus/server 4.7 with default settings (debounce 2 s, maxDebounce 10 s, documents
 * unloaded when their last connection leaves), logging off. HOCUSPOCUS_SQLITE=<file> adds
 * @hocuspocus/extension-sqlite on that file; the only difference from the stock extension is
 * that its database is opened with better-sqlite3 13 instead of its own 12.x, which aborts the
 * process on Node >= 24.19 when a statement is garbage-collected (bench/relay/prepare.ts).
 * GET /bench-stats reports the documents held in memory.
 */
import { Server } from '@hocuspocus/server';
import { SQLite } from '@hocuspocus/extension-sqlite';
// @ts-expect-error better-sqlite3 ships no types and @types/better-sqlite3 is not installed.
import BetterSqlite3 from 'better-sqlite3';

class BenchSQLite extends SQLite {
	async onConfigure(): Promise<void> {
		this.db = new BetterSqlite3(this.configuration.database);
		this.db.exec(this.configuration.schema);
	}
}

const sqliteFile = process.env.HOCUSPOCUS_SQLITE;
const server = new Server({
	port: Number(process.env.PORT ?? 0),
	address: '127.0.0.1',
	quiet: true,
	extensions: [
		...(sqliteFile ? [new BenchSQLite({ database: sqliteFile })] : []),
		{
			async onRequest({ request, response }) {
				if (request.url !== '/bench-stats') return;
				response.writeHead(200, { 'Content-Type': 'application/json' });
				response.end(JSON.stringify({ docsLoaded: server.hocuspocus.getDocumentsCount() }));
				// Hocuspocus stops the hook chain on a rejection and then leaves the response alone.
				throw null;
			}
		}
	]
});
await server.listen();
console.log(JSON.stringify({ event: 'listening', port: server.address.port }));
