/**
 * The board benchmarks' data (bench:board, bench:summaries): one community of grids, each board
 * holding cases written by the app's own model commands (so the documents have the real schema:
 * field logs, timelines), spread over statuses, categories and the last six months, from one
 * seeded random sequence (the same data every run). Returns the encoded Yjs updates.
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
	boards: readonly Readonly<{ gridId: string; update: Uint8Array; cases: number; open: number }>[];
}>;

/** How grids and case titles are named: grid `g`'s name, the suffix of case `i`'s title. */
type Naming = Readonly<{ grid: (g: number) => string; case: (g: number, i: number) => string }>;

const NUMBERED: Naming = { grid: (g) => `第${g + 1}网格`, case: (g, i) => `${g + 1}-${i + 1}` };

/** `grids` grids of `cases` cases each (grid names 第1网格…, titles "… #grid-case"). */
export function seedCommunity(
	communityId: string,
	grids: number,
	cases: number,
	now = Date.now(),
	naming: Naming = NUMBERED
): CommunityData {
	const dirDoc = new Y.Doc();
	const secretary = {
		actor: { name: '李书记', deviceId: 'b' },
		authority: { claims: { role: 'secretary' } }
	};
	let seed = 42;
	const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
	const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
	// Each person on their own phone, with device ids shaped as the app makes them.
	const actors = PEOPLE.map((name) => ({ name, deviceId: newId('d') }));
	const boards = [];
	for (let g = 0; g < grids; g++) {
		const added = directory.addGrid(dirDoc, { name: naming.grid(g) }, secretary);
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
					title: `${pick(TITLES)} #${naming.case(g, i)}`,
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
		const listed = model.listCases(doc);
		const open = listed.filter((item) => item.status !== 'resolved').length;
		boards.push({ gridId, update: Y.encodeStateAsUpdate(doc), cases: listed.length, open });
	}
	return { directory: Y.encodeStateAsUpdate(dirDoc), boards };
}

export type BenchData = Readonly<{
	communityId: string;
	gridId: string;
	directory: Uint8Array;
	board: Uint8Array;
	cases: number;
}>;

/** One grid (第一网格) with a board of `count` cases (titles "… #case"). */
export function seedBoard(communityId: string, count: number, now = Date.now()): BenchData {
	const { directory, boards } = seedCommunity(communityId, 1, count, now, {
		grid: () => '第一网格',
		case: (_, i) => `${i + 1}`
	});
	const board = boards[0]!;
	return { communityId, gridId: board.gridId, directory, board: board.update, cases: board.cases };
}
