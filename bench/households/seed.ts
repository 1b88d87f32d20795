/**
 * The households benchmark's data: one community with one grid, and that grid's household
 * register holding `count` households (2–3 residents each, about 60 % green, 30 % yellow, 10 %
 * red, tags on some residents, visits on about half of them), written by the app's own model
 * commands (`importHouseholds` in chunks as the import screen does, then `recordVisit`), so the
 * document has the real schema. Also `importSheet`: the rows of a realistic register spreadsheet
 * (Chinese headers, one row per resident, the address repeated on every row), for the import
 * figure. Returns encoded Yjs updates.
 *
 * Deterministic for the same arguments (seeded random), except the ids the commands draw.
 */
import '../../sync-server/ts-resolve.ts';
import * as Y from 'yjs';
import type { HouseholdInput, ResidentInput } from '../../src/lib/domain/household.ts';

type HouseholdModel = typeof import('../../src/lib/model/household/index.ts');
type Directory = typeof import('../../src/lib/model/directory/directory.ts');
const households: HouseholdModel = await import('../../src/lib/model/household/index.ts');
const directory: Directory = await import('../../src/lib/model/directory/directory.ts');
const { idCheckCharacter } = await import('../../src/lib/domain/household.ts');

const DAY = 86_400_000;
const COMPOUNDS = ['阳光小区', '幸福家园', '锦绣花园', '和平里', '东湖苑'];
const SURNAMES = ['张', '王', '李', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙'];
const GIVEN = [
	'伟',
	'芳',
	'娜',
	'秀英',
	'敏',
	'静',
	'丽',
	'强',
	'磊',
	'军',
	'洋',
	'勇',
	'艳',
	'杰'
];
const REASONS = {
	yellow: ['低保', '残疾', '租住', '空巢'],
	red: ['独居高龄老人', '重病', '矛盾纠纷']
};
const FINDINGS = ['身体状况良好', '反映楼道灯不亮', '需要协助办理低保复核', '家中无人，电话联系'];
const SECRETARY = { name: '李书记', deviceId: 'seed-secretary' };

export type SeededHouseholds = Readonly<{
	gridId: string;
	/** Grids whose register is empty (the import figure writes into one per run). */
	emptyGrids: readonly string[];
	directory: Uint8Array;
	/** The register (`c/{communityId}/households/{gridId}`). */
	register: Uint8Array;
	households: number;
	residents: number;
	visits: number;
}>;

type Random = () => number;
const randomFrom =
	(seed: number): Random =>
	() =>
		(seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = <T>(random: Random, list: readonly T[]): T =>
	list[Math.floor(random() * list.length)]!;

function idNumber(random: Random, birthYear: number): string {
	const month = String(1 + Math.floor(random() * 12)).padStart(2, '0');
	const day = String(1 + Math.floor(random() * 28)).padStart(2, '0');
	const serial = String(Math.floor(random() * 1000)).padStart(3, '0');
	const first17 = `520102${birthYear}${month}${day}${serial}`;
	return `${first17}${idCheckCharacter(first17)}`;
}

/** Household `i` of a register: an address of its own, 2–3 residents, a colour. */
function householdInput(i: number, random: Random, thisYear: number): HouseholdInput {
	const roll = random();
	const colour = roll < 0.1 ? 'red' : roll < 0.4 ? 'yellow' : 'green';
	const surname = pick(random, SURNAMES);
	const count = random() < 0.5 ? 2 : 3;
	const residents: ResidentInput[] = Array.from({ length: count }, (_, r) => {
		const birthYear =
			r === 2 ? thisYear - 10 - Math.floor(random() * 20) : 1940 + Math.floor(random() * 50);
		const tags: ResidentInput['tags'] =
			r === 0 && birthYear < 1955 && random() < 0.5
				? ['elderlyAlone']
				: random() < 0.08
					? ['disability']
					: random() < 0.1
						? ['lowIncome']
						: [];
		return {
			name: `${r === 1 ? pick(random, SURNAMES) : surname}${pick(random, GIVEN)}`,
			relation: r === 0 ? 'head' : r === 1 ? 'spouse' : 'child',
			phone: r === 2 ? '' : `13${String(100_000_000 + Math.floor(random() * 899_999_999))}`,
			idNumber: r === 2 ? '' : idNumber(random, birthYear),
			birthYear,
			tags,
			note: ''
		};
	});
	return {
		address: {
			compound: COMPOUNDS[i % COMPOUNDS.length]!,
			building: `${1 + (Math.floor(i / COMPOUNDS.length) % 20)}栋`,
			unit: `${1 + (Math.floor(i / (COMPOUNDS.length * 20)) % 4)}单元`,
			room: `${1 + Math.floor(i / (COMPOUNDS.length * 80))}0${1 + (i % 4)}`
		},
		colour,
		colourReason: colour === 'green' ? '' : pick(random, REASONS[colour]),
		note: random() < 0.1 ? '租住' : '',
		residents
	};
}

export async function seedHouseholds(
	communityId: string,
	count: number,
	emptyGrids = 0,
	now = Date.now()
): Promise<SeededHouseholds> {
	const random = randomFrom(18);
	const dirDoc = new Y.Doc();
	const added = directory.addGrid(
		dirDoc,
		{ name: '第一网格' },
		{ actor: SECRETARY, authority: { claims: { role: 'secretary' } }, at: now - 200 * DAY }
	);
	if (!added.ok) throw new Error(added.reason);
	const gridId = added.value as string;
	const empty = Array.from({ length: emptyGrids }, (_, g) => {
		const more = directory.addGrid(
			dirDoc,
			{ name: `第${g + 2}网格` },
			{ actor: SECRETARY, authority: { claims: { role: 'secretary' } }, at: now - 200 * DAY }
		);
		if (!more.ok) throw new Error(more.reason);
		return more.value as string;
	});
	const context = {
		actor: SECRETARY,
		authority: { claims: { cid: communityId, role: 'secretary', grids: [] }, memberId: '', gridId },
		at: now - 120 * DAY
	} as const;
	const thisYear = new Date(now).getUTCFullYear();
	const inputs = Array.from({ length: count }, (_, i) => householdInput(i, random, thisYear));
	const doc = new Y.Doc();
	const imported = await households.importHouseholds(doc, inputs, {}, context);
	if (!imported.ok) throw new Error(`seed import: ${imported.reason}`);
	if (imported.value.created !== count) throw new Error(`seed: ${imported.value.created} created`);

	let visits = 0;
	for (const summary of households.listHouseholds(doc)) {
		if (random() < 0.5) continue;
		const times = 1 + Math.floor(random() * 3);
		for (let v = 0; v < times; v++) {
			const visitedAt = now - Math.floor(random() * 110) * DAY;
			const visited = households.recordVisit(
				doc,
				summary.id,
				{ visitedAt, visitors: [], findings: pick(random, FINDINGS), photos: [] },
				{ ...context, at: visitedAt }
			);
			if (!visited.ok) throw new Error(`seed visit: ${visited.reason}`);
			visits++;
		}
	}
	return {
		gridId,
		emptyGrids: empty,
		directory: Y.encodeStateAsUpdate(dirDoc),
		register: Y.encodeStateAsUpdate(doc),
		households: count,
		residents: inputs.reduce((n, input) => n + input.residents.length, 0),
		visits
	};
}

/** The header of `importSheet`: the words a community's register uses. */
const SHEET_HEADER = [
	'小区',
	'楼栋',
	'单元',
	'门牌号',
	'姓名',
	'与户主关系',
	'联系电话',
	'身份证号',
	'出生年份',
	'独居老人',
	'残疾人',
	'管理等级',
	'颜色原因',
	'备注'
];
const RELATION_WORDS = { head: '户主', spouse: '配偶', child: '子女' } as Record<string, string>;
const COLOUR_WORDS = { green: '绿', yellow: '黄', red: '红' } as const;

/**
 * A register spreadsheet of `rows` data rows under a title row and the header: households of
 * 2–3 residents, one row per resident, the address, colour and reason on every row of the
 * household (as most registers are kept once filtered and re-sorted), phones and ID numbers as
 * text, tags as "√". Returns the rows and how many households they hold.
 */
export function importSheet(rows: number): { sheet: string[][]; households: number } {
	const random = randomFrom(5000);
	const sheet: string[][] = [
		['第一网格住户台账', ...Array(SHEET_HEADER.length - 1).fill('')],
		SHEET_HEADER
	];
	let households = 0;
	for (let i = 0; sheet.length - 2 < rows; i++) {
		const input = householdInput(i, random, 2026);
		households++;
		for (const resident of input.residents) {
			if (sheet.length - 2 >= rows) break;
			sheet.push([
				input.address.compound,
				input.address.building,
				input.address.unit,
				input.address.room,
				resident.name,
				RELATION_WORDS[resident.relation] ?? '其他',
				resident.phone,
				resident.idNumber,
				String(resident.birthYear ?? ''),
				resident.tags.includes('elderlyAlone') ? '√' : '',
				resident.tags.includes('disability') ? '√' : '',
				COLOUR_WORDS[input.colour],
				input.colourReason,
				input.note
			]);
		}
	}
	return { sheet, households };
}
