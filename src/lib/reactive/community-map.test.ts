import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addBuilding, readMap, renameBuilding, type MapContext } from '$lib/model/map';
import { featureSnapshot } from './community-map.svelte.ts';
import type { DocHandle } from './use-doc.svelte.ts';

const context = (at: number): MapContext => ({
	actor: { name: '李书记', deviceId: 'phone-li' },
	authority: { claims: { role: 'secretary' } },
	at
});

describe('featureSnapshot', () => {
	it('follows one feature of the open map, and null once it is gone', () => {
		const doc = new Y.Doc();
		const added = addBuilding(
			doc,
			{ name: '1号楼', point: [116.64, 36.93], gridId: null },
			context(1)
		);
		if (!added.ok) throw new Error(added.reason);
		const handle = { doc } as DocHandle<ReturnType<typeof readMap>>;
		const feature = featureSnapshot(handle, added.value);
		expect(feature.current?.name).toBe('1号楼');
		const heads = feature.current?.heads.name;
		renameBuilding(doc, added.value, { name: '一号楼' }, context(2));
		expect(feature.current?.name).toBe('一号楼');
		expect(feature.current?.heads.name).not.toEqual(heads);
		expect(featureSnapshot(handle, 'nothing').current).toBeNull();
		feature.destroy();
	});
});
