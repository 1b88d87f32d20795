/**
 * `npm run demo`: seeds a fictional community, 玉城社区 (Yucheng), shaped like a real urban one
 * (12 grids, 9 compounds, 60 buildings, a few hundred cases over every status, tier and category
 * and the last six months, with timelines written by several members; a map with the grids'
 * areas and their buildings, around 116.64 E, 36.93 N; 20–40 households per grid in three colours,
 * some overdue for a visit) straight into the relay's
 * storage in DATA_DIR, creates its identity, and prints a one-time secretary sign-in link.
 *
 *   npm run demo -- [--id <communityId>] [--name "<name>"] [--cases <n>] [--url <public url>] [--json]
 *
 * One source of truth for the schema: every document is built by the app's own model commands
 * (`src/lib/model/*`), the same code a phone runs. Those modules import without file extensions
 * (Vite resolves them); the resolve hook of ts-resolve.ts lets Node's type stripping find them
 * too, so they are imported dynamically after it is registered. This script is a tool beside the
 * relay, not part of it: the relay process imports nothing of src/ but the wire contract.
 *
 * Invariant: refuses (exit 1, nothing written) when the community or any of its documents exists
 * already; otherwise writes each document as one stored update, then the identity. Deterministic
 * for a given --id (seeded random), except for the ids the commands draw.
 */
import './ts-resolve.ts';
import path from 'node:path';
import * as Y from 'yjs';
import { parseOrigin } from './config.ts';
import { SqliteIdentityStore } from './identity-sqlite.ts';
import { householdsDocName, ID_SEGMENT } from '../src/lib/wire/index.ts';
import { createCommunity, inviteUrl } from './identity.ts';
import { SqliteStore } from './storage/sqlite.ts';
import { KeyRing } from './tokens.ts';

type Model = typeof import('../src/lib/model/case/index.ts');
type Directory = typeof import('../src/lib/model/directory/directory.ts');
type Ids = typeof import('../src/lib/domain/ids.ts');
type Options = typeof import('../src/lib/domain/case-options.ts');
type MapModel = typeof import('../src/lib/model/map/index.ts');
type Geo = typeof import('../src/lib/domain/geo.ts');
type HouseholdModel = typeof import('../src/lib/model/household/index.ts');
type HouseholdDomain = typeof import('../src/lib/domain/household.ts');

const model: Model = await import('../src/lib/model/case/index.ts');
const directory: Directory = await import('../src/lib/model/directory/directory.ts');
const ids: Ids = await import('../src/lib/domain/ids.ts');
const options: Options = await import('../src/lib/domain/case-options.ts');
const mapModel: MapModel = await import('../src/lib/model/map/index.ts');
const geo: Geo = await import('../src/lib/domain/geo.ts');
const householdModel: HouseholdModel = await import('../src/lib/model/household/index.ts');
const householdDomain: HouseholdDomain = await import('../src/lib/domain/household.ts');

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** mulberry32: a small seeded generator, so a demo looks the same every time. */
function seeded(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function hash(text: string): number {
	let h = 2166136261;
	for (const char of text) h = Math.imul(h ^ char.codePointAt(0)!, 16777619);
	return h >>> 0;
}

const COMPOUNDS = [
	'锦绣花园',
	'玉城小区',
	'和平里',
	'幸福家园',
	'东湖苑',
	'南山新村',
	'翠竹园',
	'金桂苑',
	'供电局宿舍'
];
/** 60 buildings over 9 compounds (larger compounds have more). */
const BUILDINGS_PER_COMPOUND = [10, 9, 8, 7, 7, 6, 5, 4, 4];
const GRID_NAMES = [
	'第一网格',
	'第二网格',
	'第三网格',
	'第四网格',
	'第五网格',
	'第六网格',
	'第七网格',
	'第八网格',
	'第九网格',
	'第十网格',
	'第十一网格',
	'第十二网格'
];
const GRID_MEMBERS = [
	'张丽',
	'王强',
	'刘芳',
	'陈静',
	'杨洋',
	'赵敏',
	'黄磊',
	'周婷',
	'吴刚',
	'徐娟',
	'孙涛',
	'马红'
];
const HELPERS = ['老周（志愿者）', '钱阿姨（联户长）', '物业 何经理', '胡大爷（楼长）', '小林'];
const SECRETARY = '李书记';
const { CASE_CHANNELS, HANDLING_TYPES, PRIORITIES } = options;
/** Most cases are normal; a few are urgent. */
const PRIORITY_WEIGHTS: Readonly<Record<string, number>> = {
	low: 2,
	normal: 6,
	high: 2,
	urgent: 1
};
const WEIGHTED_PRIORITIES = PRIORITIES.flatMap((p) =>
	Array<string>(PRIORITY_WEIGHTS[p] ?? 1).fill(p)
);

type Template = { category: string; titles: string[]; description: string };

const TEMPLATES: Template[] = [
	{
		category: 'public_facilities',
		titles: ['楼道灯短路不亮', '小区路灯损坏', '单元门禁失灵', '健身器材松动', '下水道堵塞'],
		description: '居民反映多日未修，夜间出行不便，请尽快安排维修。'
	},
	{
		category: 'fire_safety',
		titles: ['电动车堵塞消防通道', '楼道堆放杂物', '消防栓被圈占', '灭火器过期未换'],
		description: '巡查发现消防通道被占用，存在安全隐患，已拍照留存。'
	},
	{
		category: 'flying_wire',
		titles: ['窗口飞线给电动车充电', '楼下私拉电线充电', '车棚私接充电线'],
		description: '住户从窗口拉线到楼下充电，夜间充电存在起火风险。'
	},
	{
		category: 'illegal_construction',
		titles: ['顶楼违建阳光房', '私自拆改承重墙', '一楼院子违规加盖'],
		description: '邻居举报装修中拆改结构，需核实并通知执法部门。'
	},
	{
		category: 'noise',
		titles: ['地下车库减速带噪音', '夜间广场舞噪音扰民', '装修超时施工噪音'],
		description: '噪音持续时间长，影响老人和孩子休息，多次反映。'
	},
	{
		category: 'sanitation',
		titles: ['垃圾清运不及时', '绿化带积存垃圾', '楼道小广告清理', '化粪池外溢'],
		description: '气温升高后异味明显，请协调物业及环卫处理。'
	},
	{
		category: 'parking',
		titles: ['车辆乱停占用通道', '僵尸车长期占位', '充电桩车位被燃油车占用'],
		description: '高峰时段车辆进出困难，救护车无法通行。'
	},
	{
		category: 'gas_safety',
		titles: ['燃气管道私自改装', '闻到燃气异味', '燃气表箱锈蚀'],
		description: '住户未经许可改动燃气管道，需燃气公司上门检查。'
	},
	{
		category: 'neighbour_dispute',
		titles: ['楼上漏水邻里纠纷', '宠物扰邻纠纷', '公共区域占用纠纷'],
		description: '双方多次争执，需网格员上门调解并记录结果。'
	},
	{
		category: 'elevator_property',
		titles: ['电梯维保报价有争议', '电梯频繁停运', '地下室水管爆裂淹水', '物业费公示不清'],
		description: '业委会与物业公司意见不一，需三方协商（党支部、业委会、物业）。'
	},
	{
		category: 'other',
		titles: ['独居老人需要上门关照', '楼栋公告栏破损', '居民咨询办事流程'],
		description: '记录在案，跟进处理。'
	}
];

const COMMENTS = [
	'已电话联系居民，约好明天上门。',
	'现场查看，情况属实，已拍照。',
	'已通知物业，等待回复。',
	'协调会上已讨论，明确了责任方。',
	'居民表示理解，等待施工队。',
	'再次催办，物业答复本周内处理。'
];
const ESCALATE_REASONS = [
	'涉及多个部门，网格内无法解决',
	'物业拒不整改，需社区协调',
	'超期未办结，提请上级处理',
	'需执法部门介入'
];

type Args = { id: string; name: string; cases: number; url: string; json: boolean };

function parseArgs(argv: string[]): Args {
	const args: Args = {
		id: 'yucheng-demo',
		name: '玉城社区（演示）',
		cases: 360,
		url: process.env.PUBLIC_URL || `http://127.0.0.1:${process.env.PORT || 8787}`,
		json: false
	};
	for (let i = 0; i < argv.length; i++) {
		const flag = argv[i];
		const value = () => {
			const next = argv[++i];
			if (next === undefined) throw new Error(`${flag} needs a value`);
			return next;
		};
		if (flag === '--id') args.id = value();
		else if (flag === '--name') args.name = value();
		else if (flag === '--cases') args.cases = Number(value());
		else if (flag === '--url') args.url = value();
		else if (flag === '--json') args.json = true;
		else throw new Error(`unknown option ${flag}`);
	}
	if (!ID_SEGMENT.test(args.id)) throw new Error('--id: lowercase letters, digits, - and _');
	if (!Number.isSafeInteger(args.cases) || args.cases < 0 || args.cases > 20_000) {
		throw new Error('--cases: 0 to 20000');
	}
	args.url = parseOrigin(args.url, '--url');
	return args;
}

type Grid = { id: string; name: string; member: string; buildings: string[] };

function planGrids(): { name: string; member: string; buildings: string[] }[] {
	const buildings: string[] = [];
	COMPOUNDS.forEach((compound, c) => {
		for (let b = 1; b <= BUILDINGS_PER_COMPOUND[c]!; b++) buildings.push(`${compound}${b}栋`);
	});
	// 60 buildings, 5 per grid, in order: a grid is a patch of neighbouring buildings.
	return GRID_NAMES.map((name, g) => ({
		name,
		member: GRID_MEMBERS[g]!,
		buildings: buildings.slice(g * 5, g * 5 + 5)
	}));
}

/** Where the demo community lies (WGS-84): the south-west corner of its grid areas. */
const MAP_ORIGIN: readonly [number, number] = [116.634, 36.924];
/** Grid areas are laid out 4 across and 3 up, each this many degrees (about 270 m × 330 m). */
const GRID_COLUMNS = 4;
const GRID_SPAN: readonly [number, number] = [0.003, 0.003];

type Position = [lng: number, lat: number];

/** Where a grid's five buildings stand, as fractions of its area's width and height. */
const BUILDING_SLOTS: readonly (readonly [number, number])[] = [
	[0.15, 0.2],
	[0.6, 0.2],
	[0.4, 0.45],
	[0.15, 0.7],
	[0.6, 0.7]
];

function rectangle(
	[west, south]: Position,
	[width, height]: readonly [number, number]
): Position[] {
	return [
		[west, south],
		[west + width, south],
		[west + width, south + height],
		[west, south + height],
		[west, south]
	];
}

/**
 * The map: an area for every grid (a 4 × 3 patchwork around 116.64, 36.93) and its five
 * buildings, named as the cases name them, inside it: every other one outlined, the rest pinned.
 * Written by the map commands, as the secretary draws them.
 */
function buildMap(grids: readonly Grid[], now: number, random: () => number): Y.Doc {
	const doc = new Y.Doc();
	let at = now - 180 * DAY;
	const context = () => ({
		actor: { name: SECRETARY, deviceId: 'demo-secretary' },
		authority: { claims: { role: 'secretary' } },
		at: (at += 10 * 60 * 1000)
	});
	grids.forEach((grid, g) => {
		const corner: Position = [
			MAP_ORIGIN[0] + (g % GRID_COLUMNS) * GRID_SPAN[0],
			MAP_ORIGIN[1] + Math.floor(g / GRID_COLUMNS) * GRID_SPAN[1]
		];
		const area = mapModel.addGridArea(
			doc,
			{ gridId: grid.id, ring: rectangle(corner, GRID_SPAN) },
			context()
		);
		if (!area.ok) throw new Error(`addGridArea: ${area.reason}`);
		grid.buildings.forEach((name, b) => {
			// Five slots well inside the grid's area (never on its edge), each nudged a little.
			const [fx, fy] = BUILDING_SLOTS[b % BUILDING_SLOTS.length]!;
			const spot: Position = [
				corner[0] + GRID_SPAN[0] * (fx + 0.1 * random()),
				corner[1] + GRID_SPAN[1] * (fy + 0.1 * random())
			];
			const shape =
				(g + b) % 2 === 0
					? { ring: rectangle([spot[0] - 0.0002, spot[1] - 0.0001], [0.0004, 0.0002]) }
					: { point: spot };
			const building = mapModel.addBuilding(doc, { name, gridId: grid.id, ...shape }, context());
			if (!building.ok) throw new Error(`addBuilding: ${building.reason}`);
		});
	});
	return doc;
}

const SURNAMES = [
	'王',
	'李',
	'张',
	'刘',
	'陈',
	'杨',
	'赵',
	'黄',
	'周',
	'吴',
	'徐',
	'孙',
	'马',
	'朱'
];
const GIVEN = [
	'秀英',
	'桂兰',
	'建国',
	'淑珍',
	'志强',
	'玉梅',
	'德华',
	'海燕',
	'文明',
	'丽娟',
	'国庆'
];
const YELLOW_REASONS = ['低保家庭', '独居老人，子女在外地', '长期患病', '家庭矛盾需关注'];
const RED_REASONS = ['高龄独居，行动不便', '重度残疾，无人照料', '精神障碍患者，需定期走访'];
const FINDINGS = [
	'身体状况良好',
	'反映楼道灯不亮',
	'需要帮忙买药',
	'情况稳定',
	'家中无人，改日再访'
];

/** A valid ID number (GB 11643 check character) for a resident born in `year`. */
function demoIdNumber(year: number, random: () => number): string {
	const month = String(1 + Math.floor(random() * 12)).padStart(2, '0');
	const day = String(1 + Math.floor(random() * 28)).padStart(2, '0');
	const serial = String(Math.floor(random() * 1000)).padStart(3, '0');
	const first17 = `370982${year}${month}${day}${serial}`;
	return `${first17}${householdDomain.idCheckCharacter(first17)}`;
}

/**
 * One grid's household register: 20–40 households in its buildings, mostly green, some yellow
 * and red (with why), one to three residents each, visits in the past so that some are overdue.
 * Written by the household commands, as the grid member registers them.
 */
function buildHouseholds(
	communityId: string,
	grid: Grid,
	now: number,
	random: () => number
): Y.Doc {
	const doc = new Y.Doc();
	const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
	const context = (at: number) => ({
		actor: { name: grid.member, deviceId: `demo-${hash(grid.member).toString(36)}` },
		authority: {
			claims: { cid: communityId, role: 'grid-member', grids: [grid.id] },
			memberId: '',
			gridId: grid.id
		},
		at
	});
	const count = 20 + Math.floor(random() * 21);
	for (let h = 0; h < count; h++) {
		const building = grid.buildings[h % grid.buildings.length]!;
		const compound = COMPOUNDS.find((name) => building.startsWith(name)) ?? '';
		const roll = random();
		const colour = roll < 0.15 ? 'red' : roll < 0.4 ? 'yellow' : 'green';
		const residents = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, r) => {
			const year = r === 0 ? 1935 + Math.floor(random() * 40) : 1960 + Math.floor(random() * 50);
			const elderly = r === 0 && year < 1955 && random() < 0.5;
			return {
				name: `${pick(SURNAMES)}${pick(GIVEN)}`,
				relation: (r === 0 ? 'head' : pick(['spouse', 'child', 'tenant'])) as 'head',
				phone: random() < 0.7 ? `13${Math.floor(100_000_000 + random() * 899_999_999)}` : '',
				idNumber: random() < 0.6 ? demoIdNumber(year, random) : '',
				birthYear: year,
				tags: [
					...(elderly ? (['elderlyAlone'] as const) : []),
					...(colour === 'red' && random() < 0.5 ? (['disability'] as const) : []),
					...(colour === 'yellow' && random() < 0.4 ? (['lowIncome'] as const) : [])
				],
				note: ''
			};
		});
		const registered = now - (120 + Math.floor(random() * 60)) * DAY;
		const created = householdModel.createHousehold(
			doc,
			{
				address: {
					compound,
					building: building.slice(compound.length),
					unit: `${1 + (h % 3)}单元`,
					room: `${1 + Math.floor(h / 6)}0${1 + (h % 2)}室`
				},
				colour,
				colourReason:
					colour === 'red' ? pick(RED_REASONS) : colour === 'yellow' ? pick(YELLOW_REASONS) : '',
				note: '',
				residents
			},
			context(registered)
		);
		if (!created.ok) continue;
		// The last visit: within the colour's interval for most, past it for some (overdue).
		const interval = householdDomain.DEFAULT_VISIT_PLAN[colour];
		const last = now - Math.floor(random() * interval * 1.3 * DAY);
		if (last > registered) {
			householdModel.recordVisit(
				doc,
				created.value,
				{ visitedAt: last, visitors: [], findings: pick(FINDINGS), photos: [] },
				context(last)
			);
		}
	}
	return doc;
}

/** Writes one grid's board: `count` cases, each with a believable history up to `now`. */
function buildBoard(
	communityId: string,
	grid: Grid,
	count: number,
	now: number,
	random: () => number
): { doc: Y.Doc; refused: number } {
	const doc = new Y.Doc();
	const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
	const device = (name: string) => `demo-${hash(name).toString(36)}`;
	const actor = (name: string) => ({ name, deviceId: device(name) });
	const authority = (role: string) => ({
		claims: { cid: communityId, role, grids: role === 'secretary' ? [] : [grid.id] },
		memberId: '',
		gridId: grid.id
	});
	const context = (who: { name: string; deviceId: string }, auth: unknown, at: number) => ({
		actor: who,
		authority: auth as never,
		at
	});
	const member = { who: actor(grid.member), auth: authority('grid-member') };
	const secretary = { who: actor(SECRETARY), auth: authority('secretary') };
	let refused = 0;
	const check = (result: { ok: boolean; reason?: string }) => {
		if (!result.ok) refused++;
		if (!result.ok && process.env.DEMO_DEBUG) console.error(result);
		return result.ok;
	};

	for (let i = 0; i < count; i++) {
		const template = pick(TEMPLATES);
		// Spread over six months, more of them recent.
		const age = Math.pow(random(), 1.6) * 182 * DAY;
		const createdAt = Math.round(now - age);
		const reporter = random() < 0.7 ? grid.member : pick(HELPERS);
		const unit = `${1 + Math.floor(random() * 4)}单元`;
		const created = model.createCase(
			doc,
			{
				title: pick(template.titles),
				description: template.description,
				category: template.category,
				channel: pick(CASE_CHANNELS),
				location: `${pick(grid.buildings)}${unit}`,
				reporterName: reporter,
				handlingType: pick(HANDLING_TYPES),
				priority: pick(WEIGHTED_PRIORITIES)
			},
			// Reporters and helpers write as the grid's own board writers (case-permissions.ts).
			context(actor(reporter), member.auth, createdAt)
		);
		if (!check(created) || !created.ok) continue;
		const caseId = created.value;
		let at = createdAt;
		const later = (maxHours: number) => {
			at = Math.min(now - 60_000, at + HOUR + Math.floor(random() * maxHours * HOUR));
			return at;
		};
		const step = (action: string, who = member, details = {}) =>
			check(
				model.applyCaseStatusAction(
					doc,
					caseId,
					action as never,
					details,
					context(who.who, who.auth, later(48))
				)
			);

		// How far along: older cases are further along the flow.
		const progress = random() * 0.6 + (age / (182 * DAY)) * 0.6;
		if (random() < 0.5) step('accept');
		if (progress > 0.25) {
			check(
				model.assignCase(
					doc,
					caseId,
					[grid.member],
					{},
					context(secretary.who, secretary.auth, later(6))
				)
			);
			step('start');
		}
		if (random() < 0.5) {
			const helper = actor(pick(HELPERS));
			check(
				model.addCaseComment(doc, caseId, pick(COMMENTS), context(helper, member.auth, later(24)))
			);
		}
		// About one case in six climbs: community, some further to the street, a few to departments.
		const climb = random();
		const tiers = climb < 0.03 ? 3 : climb < 0.08 ? 2 : climb < 0.18 ? 1 : 0;
		for (let t = 0; t < tiers; t++) {
			const who = t === 0 ? member : secretary;
			check(
				model.escalateCase(
					doc,
					caseId,
					pick(ESCALATE_REASONS),
					context(who.who, who.auth, later(72))
				)
			);
		}
		if (progress > 0.55 && at < now - DAY) step('resolve', tiers > 0 ? secretary : member);
		if (progress > 0.7 && at < now - DAY) {
			step('review', secretary, {
				satisfaction: pick(['satisfied', 'satisfied', 'basically_satisfied', 'dissatisfied']),
				note: '回访：居民对处理结果表示认可。'
			});
		}
		if (progress > 0.85 && at < now - DAY) step('close', secretary);
	}
	return { doc, refused };
}

function main(): void {
	const args = parseArgs(process.argv.slice(2));
	const dataDir = path.resolve(process.env.DATA_DIR || './data');
	const now = Date.now();
	new KeyRing(dataDir);
	const identities = new SqliteIdentityStore(dataDir);
	const docs = new SqliteStore(dataDir);
	try {
		const prefix = `c/${args.id}/`;
		if (identities.getCommunity(args.id) || docs.docNames().some((n) => n.startsWith(prefix))) {
			throw new Error(
				`community ${args.id} exists already in ${dataDir}; pick another --id (or another DATA_DIR)`
			);
		}
		const random = seeded(hash(args.id));
		const communityId = args.id as Parameters<Ids['directoryDocName']>[0];

		const directoryDoc = new Y.Doc();
		const grids: Grid[] = planGrids().map((plan, g) => {
			const added = directory.addGrid(
				directoryDoc,
				{ name: plan.name },
				{
					actor: { name: SECRETARY, deviceId: 'demo-secretary' },
					authority: { claims: { role: 'secretary' } },
					at: now - 190 * DAY + g * HOUR
				}
			);
			if (!added.ok) throw new Error(`addGrid: ${added.reason}`);
			return { ...plan, id: added.value };
		});

		const entries = [
			{
				doc: ids.directoryDocName(communityId),
				update: Y.encodeStateAsUpdate(directoryDoc)
			}
		];
		let cases = 0;
		let refused = 0;
		grids.forEach((grid, g) => {
			// Uneven on purpose: some grids are busier than others.
			const share = Math.floor(args.cases / grids.length);
			const count = share + (g < args.cases % grids.length ? 1 : 0);
			const board = buildBoard(args.id, grid, count, now, random);
			cases += model.listCases(board.doc).length;
			refused += board.refused;
			entries.push({
				doc: ids.boardDocName(communityId, grid.id as Parameters<Ids['boardDocName']>[1]),
				update: Y.encodeStateAsUpdate(board.doc)
			});
		});
		let households = 0;
		for (const grid of grids) {
			const register = buildHouseholds(args.id, grid, now, random);
			households += householdModel.listHouseholds(register).length;
			entries.push({
				doc: householdsDocName(args.id, grid.id),
				update: Y.encodeStateAsUpdate(register)
			});
		}
		const mapDoc = buildMap(grids, now, random);
		const drawn = mapModel.readMap(mapDoc);
		entries.push({ doc: geo.mapDocName(communityId), update: Y.encodeStateAsUpdate(mapDoc) });
		docs.appendBatch(entries);
		docs.syncNow();

		const created = createCommunity(identities, args.name, args.id, now);
		const link = inviteUrl(args.url, created.code);
		if (args.json) {
			console.log(
				JSON.stringify({
					communityId: args.id,
					name: args.name,
					grids: grids.map((grid) => ({ id: grid.id, name: grid.name, member: grid.member })),
					cases,
					households,
					map: { grids: drawn.grids.length, buildings: drawn.buildings.length },
					inviteUrl: link,
					code: created.code
				})
			);
		} else {
			console.log(
				`Seeded ${args.name} (${args.id}): ${grids.length} grids, ${COMPOUNDS.length} compounds, ` +
					`60 buildings, ${cases} cases over the last 6 months, a map of ${drawn.grids.length} ` +
					`grid areas and ${drawn.buildings.length} buildings, ${households} households` +
					(refused > 0 ? ` (${refused} steps the rules refused were skipped)` : '') +
					'.'
			);
			console.log(`Start the relay (npm start) and open this one-time secretary sign-in link:`);
			console.log(link);
		}
	} finally {
		docs.close();
		identities.close();
	}
}

try {
	main();
} catch (error) {
	console.error(`demo: ${(error as Error).message}`);
	process.exit(1);
}
