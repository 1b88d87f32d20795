/**
 * The relay speaks the app's wire contract (src/lib/wire/): the same module, run by Node
 * directly, and the same numbers on the wire.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as wire from '../src/lib/wire/index.ts';
import * as protocol from './protocol.ts';

describe('the wire contract', () => {
	it('runs in Node without a bundler (type stripping, explicit extensions)', () => {
		const script = `
			const wire = await import('./src/lib/wire/index.ts');
			console.log(JSON.stringify({
				close: wire.CLOSE,
				refused: wire.MESSAGE_WRITES_REFUSED,
				board: wire.parseDocName(wire.boardDocName('demo', 'g1')),
				access: wire.accessFor({ cid: 'demo', role: 'volunteer', grids: [] }, 'c/demo/tasks')
			}));`;
		const stdout = execFileSync(
			process.execPath,
			[
				'--experimental-strip-types',
				'--disable-warning=ExperimentalWarning',
				'--input-type=module',
				'-e',
				script
			],
			{ cwd: process.cwd(), encoding: 'utf8' }
		);
		expect(JSON.parse(stdout)).toEqual({
			close: wire.CLOSE,
			refused: 101,
			board: { ok: true, value: { communityId: 'demo', kind: 'board', id: 'g1' } },
			access: 'write'
		});
	});

	it("is the relay codec's numbers: one table, not a copy", () => {
		expect(protocol.CLOSE).toBe(wire.CLOSE);
		expect(protocol.MESSAGE_SYNC).toBe(0);
		expect(protocol.MESSAGE_AWARENESS).toBe(1);
		expect(protocol.MESSAGE_QUERY_AWARENESS).toBe(3);
		expect(protocol.MESSAGE_PERSISTED).toBe(100);
		expect(protocol.MESSAGE_WRITES_REFUSED).toBe(wire.MESSAGE_WRITES_REFUSED);
		expect(protocol.encodeWritesRefused(2)).toEqual(Uint8Array.of(101, 2));
		expect(protocol.encodePersistedSubscribe()).toEqual(Uint8Array.of(100));
	});
});
