import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createReplicaNetwork } from './replica-network';
import { seededRandom } from './seeded-random';

describe('createReplicaNetwork', () => {
	it('delivers nothing until flush, then everything', () => {
		const net = createReplicaNetwork(3);
		const [a, b, c] = net.docs;
		if (!a || !b || !c) throw new Error('three docs expected');
		a.getArray('log').push(['楼道灯短路']);
		b.getArray('log').push(['飞线充电']);
		expect(c.getArray('log').length).toBe(0);
		expect(net.pending()).toBe(4);
		expect(net.flush()).toBe(4);
		expect(net.pending()).toBe(0);
		for (const doc of net.docs) expect(doc.getArray('log').length).toBe(2);
		expect(a.getArray('log').toJSON()).toEqual(c.getArray('log').toJSON());
	});

	it('converges when messages are delivered out of order, a few at a time', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs;
		if (!a || !b) throw new Error('two docs expected');
		for (let i = 0; i < 5; i++) a.getArray('log').push([i]);
		expect(net.flush({ shuffle: 7, limit: 2 })).toBe(2);
		expect(net.pending()).toBe(3);
		net.flush({ shuffle: 8 });
		expect(b.getArray('log').toJSON()).toEqual([0, 1, 2, 3, 4]);
	});

	it('gives replicas distinct fixed client ids', () => {
		const net = createReplicaNetwork(4);
		expect(net.docs.map((doc) => doc.clientID)).toEqual([1, 2, 3, 4]);
		expect(Y.encodeStateVector(net.docs[0] as Y.Doc)).toEqual(new Uint8Array([0]));
	});
});

describe('seededRandom', () => {
	it('repeats its sequence for a seed and keeps ints in range', () => {
		const a = seededRandom(42);
		const b = seededRandom(42);
		const xs = Array.from({ length: 100 }, () => a.int(2, 5));
		expect(xs).toEqual(Array.from({ length: 100 }, () => b.int(2, 5)));
		expect(new Set(xs)).toEqual(new Set([2, 3, 4, 5]));
		expect(seededRandom(1).shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
	});
});
