/**
 * The summaries benchmark's data: one community of `grids` grids, each board holding `cases`
 * cases written by the app's own model commands (bench/board/seed.ts's mix of titles, places,
 * categories and statuses over six months). Returns the encoded Yjs updates.
 */
import '../../sync-server/ts-resolve.ts';
import * as Y from 'yjs';

type Model = typeof import('../../src/lib/model/case/index.ts');
type Directory = typeof import('../../src/lib/model/directory/directory.ts');
const model: Model = await import('../../src/lib/model/case/index.ts');
const directory: Directory = await import('../../src/lib/model/directory/directory.ts');
const { CASE_CATEGORIES } = await import('../../src/lib/domain/case-category.ts');
const { newId } = await import('../../src/lib/domain/ids.ts');

const DAY = 86_400_000;
const PLACES = ['锦绣花园', '玉城小区', '和平里', '幸福家园', '东湖苑', '南山新村'];
const TITLES = ['楼道灯不亮', '电动车堵塞消防通道', '窗口飞线充电', '垃圾清运不及时', '电梯停运'];
const PEOPLE = ['张丽', '王强', '刘芳', '陈静', '老周'];

export type CommunityData = Readonly<{
	directory: Uint8Array;
	boards: readonly Readonly<{ gridId: string; update: Uint8Array; open: number }>[];
}>;

export function seedCommunity(
	communityId: string,
	grids: number,
	cases: number,
	now = Date.now()
): CommunityData {
	const dirDoc = new Y.Doc();
	const secretary = {
		actor: { name: '李书记', deviceId: 'b' },
		authority: { claims: { role: 'secretary' } }
	};
	let seed = 42;
	const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
	const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
	const actors = PEOPLE.map((name) => ({ name, deviceId: newId('d') }));
	const boards = [];
	for (let g = 0; g < grids; g++) {
		const added = directory.addGrid(dirDoc, { name: `第${g + 1}网格` }, secretary);
		if (!added.ok) throw new Error(added.reason);
		const gridId = added.value;
		const doc = new Y.Doc();
		const authority = {
			claims: { cid: communityId, role: 'secretary', grids: [] as string[] },
			memberId: '',
			gridId
		} as never;
		for (let i = 0; i < cases; i++) {
			const who = pick(actors);
			const at = Math.round(now - random() * 182 * DAY);
			const created = model.createCase(
				doc,
				{
					title: `${pick(TITLES)} #${g + 1}-${i + 1}`,
					description: '居民反映多日未修，请尽快安排处理。',
					category: pick(CASE_CATEGORIES),
					location: `${pick(PLACES)}${1 + (i % 10)}栋${1 + (i % 4)}单元`
				},
				{ actor: who, authority, at }
			);
			if (!created.ok) throw new Error(created.reason);
			const r = random();
			const later = (days: number) => ({ actor: who, authority, at: at + days * DAY });
			if (r > 0.3) model.applyCaseStatusAction(doc, created.value, 'start', {}, later(1));
			if (r > 0.6) model.applyCaseStatusAction(doc, created.value, 'resolve', {}, later(2));
		}
		const open = model.listCases(doc).filter((item) => item.status !== 'resolved').length;
		boards.push({ gridId, update: Y.encodeStateAsUpdate(doc), open });
	}
	return { directory: Y.encodeStateAsUpdate(dirDoc), boards };
}
