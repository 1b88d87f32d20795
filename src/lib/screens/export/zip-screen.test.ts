/**
 * The community ZIP's screen model: only the secretary builds (anyone else opens nothing); a
 * build opens every document of the community from the registry, says how current each kind is
 * (a document never heard is named), records a `zip` export in every register, hands over a ZIP
 * that unzips to the builder's files, and releases every document it opened.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { unzipSync } from 'fflate';
import { addGrid } from '$lib/model/directory';
import { createHousehold, listExports } from '$lib/model/household';
import { acting } from '$lib/model/testing/work-members';
import { household, householdContext, LI, T0 } from '$lib/model/household/test-fixtures';
import type { CommandContext, Authority } from '$lib/model/command-context';
import { LABELS } from './test-labels';
import { CommunityZipScreen } from './zip-screen.svelte';

const SECRETARY = { memberId: 'm-li', name: '李书记', role: 'secretary', deviceId: 'phone-li' };
const VOLUNTEER = { memberId: 'm-v', name: '赵志愿者', role: 'volunteer', deviceId: 'phone-v' };

function registry(docs: Map<string, Y.Doc>, heard: ReadonlyMap<string, number>) {
	const held = new Map<string, number>();
	return {
		held,
		acquire(docName: string) {
			const doc = docs.get(docName) ?? new Y.Doc();
			docs.set(docName, doc);
			held.set(docName, (held.get(docName) ?? 0) + 1);
			const session = {
				docName,
				doc,
				whenLoaded: Promise.resolve(),
				getState: () => ({ lastConfirmedAt: heard.get(docName) ?? null })
			};
			return {
				session: session as never,
				release: () => held.set(docName, held.get(docName)! - 1)
			};
		}
	};
}

function community() {
	const directory = new Y.Doc();
	const made = addGrid(directory, { name: '一网格' }, acting(SECRETARY, T0) as never);
	if (!made.ok) throw new Error(made.reason);
	const gridId = made.value as string;
	const register = new Y.Doc();
	createHousehold(
		register,
		household('1栋', '101'),
		householdContext(LI, 'secretary', T0, [], gridId)
	);
	const docs = new Map([
		['c/demo/directory', directory],
		[`c/demo/households/${gridId}`, register]
	]);
	return { docs, gridId, register };
}

function screen(member: typeof SECRETARY, docs: Map<string, Y.Doc>) {
	const heard = new Map([['c/demo/directory', T0 + 5]]);
	const fake = registry(docs, heard);
	const context = (): CommandContext<Authority> => acting(member, T0 + 9) as never;
	const model = new CommunityZipScreen({
		communityId: 'demo',
		communityName: () => '示例社区',
		registry: fake,
		member: context,
		labels: () => LABELS,
		localPhoto: async () => null,
		readStamps: async (names) =>
			names
				.filter((name) => name.includes('/board/'))
				.map((docName) => ({ docName, summary: null, asOf: T0 + 7 })),
		now: () => T0 + 10
	});
	return { model, fake };
}

describe('community ZIP screen', () => {
	it('refuses anyone but the secretary, opening nothing', async () => {
		const { docs } = community();
		const { model, fake } = screen(VOLUNTEER, docs);
		expect(await model.build()).toBeNull();
		expect(model.problem).toBe('not_permitted');
		expect(fake.held.size).toBe(0);
	});

	it('builds from every document, records the ZIP in each register, releases them all', async () => {
		const { docs, gridId, register } = community();
		const { model, fake } = screen(SECRETARY, docs);
		const file = await model.build();
		expect(model.phase).toBe('done');
		expect(model.done).toBe(model.total);
		expect(file?.bytes).toBeGreaterThan(0);
		const files = unzipSync(new Uint8Array(await file!.blob.arrayBuffer()));
		expect(Object.keys(files)).toContain(`households/${gridId}.xlsx`);
		expect(file!.manifest.counts.households).toBe(1);

		// How current: the directory heard by its session, the board by its stored stamp, the
		// register, tasks and meetings never.
		const kinds = new Map(file!.asOf.map((k) => [k.kind, k]));
		expect(kinds.get('directory')).toMatchObject({ oldest: T0 + 5, never: [] });
		expect(kinds.get('board')).toMatchObject({ oldest: T0 + 7, never: [] });
		expect(kinds.get('households')).toMatchObject({
			oldest: null,
			never: [`households/${gridId}`]
		});

		expect(listExports(register).map((e) => [e.by, e.format, e.scope, e.households])).toEqual([
			['李书记', 'zip', 'community', 1]
		]);
		expect([...fake.held.values()].every((count) => count === 0)).toBe(true);
		expect([...fake.held.keys()].sort()).toEqual(
			[
				'c/demo/directory',
				`c/demo/board/${gridId}`,
				`c/demo/households/${gridId}`,
				'c/demo/tasks',
				'c/demo/meetings/index'
			].sort()
		);
		model.destroy();
	});
});
