/**
 * The test servers themselves (test-servers.ts): Redis runs durably (AOF, `appendfsync always`),
 * so an XADD acknowledged before a `kill -9` is there after the restart on the same port and
 * data; `close` removes the data directory.
 */
import fs from 'node:fs';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { startTestRedis } from './test-servers.ts';

it('Redis: an XADD acknowledged before kill -9 is there after the restart', async () => {
	const redis = await startTestRedis();
	const client = new Redis(redis.url);
	try {
		expect(await client.config('GET', 'appendfsync')).toEqual(['appendfsync', 'always']);
		const id = await client.xadd('c/demo/tasks', '*', 'u', Buffer.from([1, 2, 3]));
		await redis.restart({ crash: true });
		// The client reconnects by itself to the same port.
		const entries = await client.xrangeBuffer('c/demo/tasks', '-', '+');
		expect(entries.map(([entryId, fields]) => [entryId.toString(), fields])).toEqual([
			[id, [Buffer.from('u'), Buffer.from([1, 2, 3])]]
		]);
		const dir = String(((await client.config('GET', 'dir')) as string[])[1]);
		expect(fs.existsSync(dir)).toBe(true);
		client.disconnect();
		await redis.close();
		expect(fs.existsSync(dir)).toBe(false);
	} finally {
		client.disconnect();
		await redis.close();
	}
});
