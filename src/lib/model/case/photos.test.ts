import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { CaseId } from '../../domain/ids';
import { createCase } from './commands';
import { attachCasePhoto, readCasePhotos, storedPhotoRefs, type PhotoInput } from './photos';
import { caseContext, CORRIDOR_LIGHT, created, LI, WANG, ZHAO } from '../testing/fixtures';
import { createReplicaNetwork } from '../testing/replica-network';

const photo = (digit: string, bytes = 120_000): PhotoInput => ({
	hash: digit.repeat(64),
	mime: 'image/jpeg',
	width: 1600,
	height: 1200,
	bytes
});

function timelineKinds(doc: Y.Doc, caseId: CaseId): string[] {
	const map = doc.getMap('cases').get(caseId) as Y.Map<unknown>;
	return (map.get('timeline') as Y.Array<{ kind: string }>).toArray().map((entry) => entry.kind);
}

describe('attachCasePhoto', () => {
	it('appends the ref and a photo_added timeline entry in one transaction', () => {
		const doc = new Y.Doc();
		const caseId = created(createCase(doc, CORRIDOR_LIGHT, caseContext(WANG, 1000)));
		let transactions = 0;
		doc.on('afterTransaction', () => transactions++);
		const result = attachCasePhoto(doc, caseId, photo('a'), caseContext(WANG, 2000));
		expect(result.ok).toBe(true);
		expect(transactions).toBe(1);
		expect(readCasePhotos(doc, caseId)).toEqual([
			{ ...photo('a'), addedBy: WANG.name, deviceId: WANG.deviceId, at: 2000 }
		]);
		expect(Object.isFrozen(readCasePhotos(doc, caseId)[0])).toBe(true);
		expect(timelineKinds(doc, caseId)).toEqual(['created', 'photo_added']);
		const entry = (
			(doc.getMap('cases').get(caseId) as Y.Map<unknown>).get('timeline') as Y.Array<unknown>
		).get(1);
		expect(entry).toMatchObject({ kind: 'photo_added', hash: 'a'.repeat(64), by: WANG.name });
	});

	it('writes nothing for a hash the case already has, and refuses bad refs and unknown cases', () => {
		const doc = new Y.Doc();
		const caseId = created(createCase(doc, CORRIDOR_LIGHT, caseContext(WANG, 1000)));
		attachCasePhoto(doc, caseId, photo('a'), caseContext(WANG, 2000));
		const before = Y.encodeStateVector(doc);
		const again = attachCasePhoto(doc, caseId, photo('a'), caseContext(LI, 3000));
		expect(again).toMatchObject({ ok: true, value: { at: 2000, addedBy: WANG.name } });
		expect(Y.encodeStateVector(doc)).toEqual(before);
		expect(attachCasePhoto(doc, caseId, { ...photo('a'), hash: 'xyz' }, caseContext(WANG))).toEqual(
			{
				ok: false,
				reason: 'bad_photo'
			}
		);
		expect(
			attachCasePhoto(
				doc,
				caseId,
				{ ...photo('b'), mime: 'image/gif' as 'image/png' },
				caseContext(WANG)
			).ok
		).toBe(false);
		expect(attachCasePhoto(doc, 'nope' as CaseId, photo('b'), caseContext(WANG))).toEqual({
			ok: false,
			reason: 'case_not_found'
		});
		expect(readCasePhotos(doc, 'nope' as CaseId)).toEqual([]);
	});

	it('skips malformed stored refs', () => {
		const doc = new Y.Doc();
		const caseId = created(createCase(doc, CORRIDOR_LIGHT, caseContext(WANG, 1000)));
		attachCasePhoto(doc, caseId, photo('a'), caseContext(WANG, 2000));
		const map = doc.getMap('cases').get(caseId) as Y.Map<unknown>;
		(map.get(`photos~${doc.clientID}`) as Y.Array<unknown>).push([{ hash: 'bad' }, 'text', null]);
		expect(readCasePhotos(doc, caseId).map((p) => p.hash)).toEqual(['a'.repeat(64)]);
	});
});

describe('case photos converge', () => {
	it('keeps photos attached concurrently on two replicas, in the same order everywhere', () => {
		const net = createReplicaNetwork(3);
		const [a, b, c] = net.docs as [Y.Doc, Y.Doc, Y.Doc];
		const caseId = created(createCase(a, CORRIDOR_LIGHT, caseContext(WANG, 1000)));
		net.flush();
		attachCasePhoto(a, caseId, photo('a'), caseContext(WANG, 5000));
		attachCasePhoto(b, caseId, photo('b'), caseContext(ZHAO, 5000));
		attachCasePhoto(b, caseId, photo('c'), caseContext(ZHAO, 4000));
		// The same photo attached on two phones at once stays one photo.
		attachCasePhoto(c, caseId, photo('a'), caseContext(LI, 6000));
		net.flush({ shuffle: 7 });
		const read = (doc: Y.Doc): string[] => readCasePhotos(doc, caseId).map((p) => p.hash[0]!);
		expect(read(a)).toEqual(['c', 'a', 'b']);
		expect(read(b)).toEqual(read(a));
		expect(read(c)).toEqual(read(a));
		expect(readCasePhotos(c, caseId).find((p) => p.hash[0] === 'a')?.addedBy).toBe(WANG.name);
	});

	it('keeps both refs when two replicas attach a case’s first photo at once (one slot each)', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const caseId = created(createCase(a, CORRIDOR_LIGHT, caseContext(WANG, 1000)));
		net.flush();
		attachCasePhoto(a, caseId, photo('a'), caseContext(WANG, 2000));
		attachCasePhoto(b, caseId, photo('b'), caseContext(ZHAO, 3000));
		net.flush({ shuffle: 3 });
		for (const doc of [a, b]) {
			const map = doc.getMap('cases').get(caseId) as Y.Map<unknown>;
			// Each replica wrote its own slot; neither array was dropped by the merge.
			expect([...map.keys()].filter((key) => key.startsWith('photos')).sort()).toEqual(
				[`photos~${a.clientID}`, `photos~${b.clientID}`].sort()
			);
			const stored = storedPhotoRefs(map).map((raw) => (raw as { hash: string }).hash[0]);
			expect(stored.sort()).toEqual(['a', 'b']);
			expect(readCasePhotos(doc, caseId).map((p) => p.hash[0])).toEqual(['a', 'b']);
		}
		// A third photo goes into the slot the replica already has.
		attachCasePhoto(a, caseId, photo('c'), caseContext(WANG, 4000));
		const map = a.getMap('cases').get(caseId) as Y.Map<unknown>;
		expect((map.get(`photos~${a.clientID}`) as Y.Array<unknown>).length).toBe(2);
	});

	it('keeps both photos when two replicas create a legacy case’s photos array at once', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const caseId = created(createCase(a, CORRIDOR_LIGHT, caseContext(WANG, 1000)));
		// A case written by an app version that had no photos array.
		a.transact(() => (a.getMap('cases').get(caseId) as Y.Map<unknown>).delete('photos'));
		net.flush();
		attachCasePhoto(a, caseId, photo('a'), caseContext(WANG, 2000));
		attachCasePhoto(b, caseId, photo('b'), caseContext(ZHAO, 3000));
		net.flush();
		for (const doc of [a, b]) {
			expect(readCasePhotos(doc, caseId).map((p) => p.hash[0])).toEqual(['a', 'b']);
		}
	});
});
