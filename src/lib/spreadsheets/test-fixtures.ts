/**
 * Test fixtures for the spreadsheets: the household export's labels in Chinese (headers,
 * colours, relations, tags), as the export's screen model and the spreadsheet tests write them;
 * the fields the columns of the messy register fixtures are recognised as
 * (tests/fixtures/households/make-households.ts), as the import screen and the spreadsheet tests
 * expect them.
 *
 * Invariant: test-only data; nothing in the app imports it.
 */
import type { HouseholdExportLabels } from '$lib/domain/household-export';

export const EXPORT_LABELS_ZH: HouseholdExportLabels = {
	headers: {
		compound: '小区',
		building: '楼栋',
		unit: '单元',
		room: '门牌号',
		colour: '颜色',
		colourReason: '颜色原因',
		name: '姓名',
		relation: '与户主关系',
		phone: '联系电话',
		idNumber: '身份证号',
		birthYear: '出生年份',
		tags: '标签',
		residentNote: '居民备注',
		lastVisit: '最近走访',
		note: '备注'
	},
	colours: { red: '红', yellow: '黄', green: '绿' },
	relations: {
		head: '户主',
		spouse: '配偶',
		child: '子女',
		parent: '父母',
		grandchild: '孙子女',
		sibling: '兄弟姐妹',
		tenant: '租户',
		other: '其他'
	},
	tags: {
		elderlyAlone: '独居老人',
		disability: '残疾人',
		lowIncome: '低保户',
		veteran: '退役军人',
		specialCare: '特殊关爱',
		rented: '出租',
		vacant: '空置'
	}
};

export const MESSY_FIELDS = [
	'compound',
	'building',
	'unit',
	'room',
	'name',
	'relation',
	'phone',
	'idNumber',
	'birthYear',
	'tag:elderlyAlone',
	'tag:disability',
	'colour',
	'colourReason',
	'note'
];
