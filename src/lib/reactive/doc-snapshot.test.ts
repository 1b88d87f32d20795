import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DocSnapshot } from './doc-snapshot.svelte.ts';

describe('DocSnapshot', () => {
	it('is never older than the doc, reads once per change, and does not listen to updates', () => {
		const doc = new Y.Doc();
		const events: string[] = [];
		const emit = doc.emit.bind(doc);
		doc.emit = (name, args) => {
			events.push(name);
			emit(name, args);
		};
		let reads = 0;
		const snapshot = new DocSnapshot(doc, (d) => {
			reads++;
			return d.getMap('case').get('title');
		});
		expect(snapshot.current).toBeUndefined();
		doc.getMap('case').set('title', '楼道灯不亮');
		expect(snapshot.current).toBe('楼道灯不亮');
		expect(snapshot.current).toBe('楼道灯不亮');
		expect(reads).toBe(2);
		// A transaction that changes nothing does not make it read again.
		doc.transact(() => {});
		expect(snapshot.current).toBe('楼道灯不亮');
		expect(reads).toBe(2);
		// A deletion is a change.
		doc.getMap('case').delete('title');
		expect(snapshot.current).toBeUndefined();
		expect(reads).toBe(3);
		// An 'update' listener would make Yjs encode every transaction (a loaded board: seconds).
		expect(events).not.toContain('update');
		snapshot.destroy();
	});
});
