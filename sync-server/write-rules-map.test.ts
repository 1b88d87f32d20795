/**
 * The map's write rules through the real relay, with members' tokens (join + token through the
 * HTTP API): the secretary's feature is stored and reaches another member; a volunteer's is
 * dropped (the map is read-only to them: message 101, nothing stored or forwarded); a secretary's
 * update that names another author or removes history is refused whole with message 102
 * (src/lib/wire/write-rules-map.ts).
 */
import * as decoding from 'lib0/decoding';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MESSAGE_UPDATE_REFUSED, MESSAGE_WRITES_REFUSED } from '../src/lib/wire/index.ts';
import { encodeSyncUpdate } from './protocol.ts';
import {
	connectSynced,
	demoCommunity,
	RawClient,
	removeDir,
	startTestRelay,
	waitFor,
	type TestRelay
} from './test-helpers.ts';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
	cleanups = [];
});

const DOC = 'c/demo/map';

/** Community `demo` with a secretary 李书记 and a volunteer 赵志愿者, signed in as members. */
async function community() {
	const r = await startTestRelay();
	cleanups.push(() => removeDir(r.dataDir));
	cleanups.push(() => r.relay.close());
	const demo = await demoCommunity(r);
	const secretary = demo.secretary.token;
	const volunteer = (await demo.join('volunteer', [], '赵志愿者', 'phone-zhao')).token;
	return { r, secretary, volunteer };
}

const RING = [
	[116.64, 36.93],
	[116.641, 36.93],
	[116.641, 36.931],
	[116.64, 36.931],
	[116.64, 36.93]
];

/** A grid area written the way src/lib/model/map/commands.ts writes one, by `by`. */
function featureUpdate(doc: Y.Doc, id: string, by: string): Uint8Array {
	const before = Y.encodeStateVector(doc);
	doc.transact(() => {
		const feature = new Y.Map<unknown>();
		doc.getMap('features').set(id, feature);
		feature.set('id', id);
		feature.set('kind', 'grid');
		feature.set('createdAt', 1);
		feature.set('createdBy', by);
		feature.set('createdByDevice', 'phone');
		const log = (value: unknown) => {
			const array = new Y.Array<unknown>();
			array.push([{ id: `${id}-e`, value, bases: [], by, deviceId: 'phone', at: 1 }]);
			return array;
		};
		feature.set('geometry', log({ type: 'Polygon', coordinates: [RING] }));
		feature.set('name', log(''));
		feature.set('gridId', log('g1'));
	});
	return Y.encodeStateAsUpdate(doc, before);
}

async function raw(r: TestRelay, token: string): Promise<RawClient> {
	const client = new RawClient(`${r.wsUrl}/${DOC}`, token);
	cleanups.push(() => client.ws.close());
	await client.opened();
	await waitFor(() => client.frames.length > 0, 5000, 'first frame');
	return client;
}

function refusal(frame: Uint8Array): { count: number; reason: string; path: string } {
	const decoder = decoding.createDecoder(frame);
	expect(decoding.readVarUint(decoder)).toBe(MESSAGE_UPDATE_REFUSED);
	return {
		count: decoding.readVarUint(decoder),
		reason: decoding.readVarString(decoder),
		path: decoding.readVarString(decoder)
	};
}

describe('the map through the relay', () => {
	it("stores the secretary's feature and forwards it; drops a volunteer's", async () => {
		const { r, secretary, volunteer } = await community();
		const reader = await connectSynced(r.wsUrl, DOC, volunteer);
		cleanups.push(() => reader.destroy());

		const forger = await raw(r, volunteer);
		forger.send(encodeSyncUpdate(featureUpdate(new Y.Doc(), 'f-volunteer', '赵志愿者')));
		await waitFor(() => forger.ofType(MESSAGE_WRITES_REFUSED).length > 0, 5000, '101');

		const writer = await raw(r, secretary);
		writer.send(encodeSyncUpdate(featureUpdate(new Y.Doc(), 'f-secretary', '李书记')));
		const features = reader.doc.getMap('features');
		await waitFor(() => features.has('f-secretary'), 5000, 'the feature reaches the reader');
		expect([...features.keys()]).toEqual(['f-secretary']);
		expect(writer.ofType(MESSAGE_UPDATE_REFUSED)).toEqual([]);

		// A fresh client sees what the relay stored: the secretary's feature only.
		const fresh = await connectSynced(r.wsUrl, DOC, volunteer);
		cleanups.push(() => fresh.destroy());
		expect([...fresh.doc.getMap('features').keys()]).toEqual(['f-secretary']);
	});

	it("refuses with 102 a secretary's update naming another author or removing history", async () => {
		const { r, secretary, volunteer } = await community();
		const reader = await connectSynced(r.wsUrl, DOC, volunteer);
		cleanups.push(() => reader.destroy());
		const writer = await raw(r, secretary);

		writer.send(encodeSyncUpdate(featureUpdate(new Y.Doc(), 'f-forged', '王网格员')));
		await waitFor(() => writer.ofType(MESSAGE_UPDATE_REFUSED).length === 1, 5000, '102');
		expect(refusal(writer.ofType(MESSAGE_UPDATE_REFUSED)[0]!)).toMatchObject({
			count: 1,
			reason: 'author',
			path: expect.stringContaining('features/f-forged')
		});

		// The secretary's own feature, then its geometry log cut: history.
		const phone = new Y.Doc();
		writer.send(encodeSyncUpdate(featureUpdate(phone, 'f-own', '李书记')));
		await waitFor(() => reader.doc.getMap('features').has('f-own'), 5000, 'the own feature');
		const before = Y.encodeStateVector(phone);
		(
			(phone.getMap('features').get('f-own') as Y.Map<unknown>).get('geometry') as Y.Array<unknown>
		).delete(0, 1);
		writer.send(encodeSyncUpdate(Y.encodeStateAsUpdate(phone, before)));
		await waitFor(() => writer.ofType(MESSAGE_UPDATE_REFUSED).length === 2, 5000, 'second 102');
		expect(refusal(writer.ofType(MESSAGE_UPDATE_REFUSED)[1]!)).toMatchObject({
			count: 2,
			reason: 'history'
		});
		expect([...reader.doc.getMap('features').keys()]).toEqual(['f-own']);
		const geometry = (reader.doc.getMap('features').get('f-own') as Y.Map<unknown>).get('geometry');
		expect((geometry as Y.Array<unknown>).length).toBe(1);
	});
});
