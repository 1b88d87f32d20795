/**
 * The notice board's screen models without a browser, on a fake relay API: the draft starts
 * from the grid's own members, the preview is what publishing sends (phones only of members
 * who agreed), refusals reach the view, and a member's consent is validated before it is sent.
 */
import { describe, expect, it } from 'vitest';
import type { ApiResult } from '$lib/sync/auth-api';
import type { NoticeBoards, NoticeInfo } from '$lib/sync/notice-api';
import type { NoticeSnapshot } from '$lib/wire/notice';
import { NoticePhoneScreen } from './notice-phone.svelte';
import { NoticeScreen } from './notice-screen.svelte';

const tokens = {
	get: async () => ({ ok: true as const, token: 't' }),
	fresh: async () => ({ ok: true as const, token: 't' })
};

const ROSTER = [
	{ id: 'sec', displayName: '王书记', role: 'secretary', grids: [] },
	{ id: 'gm1', displayName: '李敏', role: 'grid-member', grids: ['g1'] },
	{ id: 'gm2', displayName: '周强', role: 'grid-member', grids: ['g2'] },
	{ id: 'vol', displayName: '赵志', role: 'volunteer', grids: [] }
];

function screen(
	role = 'secretary',
	boards: NoticeBoards = { notices: [], phones: { gm1: '13800138000', vol: '13900139000' } }
) {
	const sent: NoticeSnapshot[] = [];
	const api = {
		listNotices: async (): Promise<ApiResult<NoticeBoards>> => ({ ok: true, value: boards }),
		publishNotice: async (
			_token: string,
			_cid: string,
			gridId: string,
			snapshot: NoticeSnapshot
		): Promise<ApiResult<{ notice: NoticeInfo }>> => {
			sent.push(snapshot);
			return {
				ok: true,
				value: {
					notice: { gridId, token: 'x'.repeat(22), publishedAt: 1, snapshot, url: 'http://r/n/x' }
				}
			};
		},
		withdrawNotice: async (): Promise<ApiResult<{ ok: true }>> => ({
			ok: false,
			reason: 'notice_unknown',
			status: 404
		})
	};
	const s = new NoticeScreen({
		api,
		tokens,
		communityId: 'demo',
		gridId: 'g1',
		role,
		communityName: () => '示例社区',
		gridName: () => '第一网格',
		roster: () => ROSTER,
		dutyLabel: (duty) => `duty:${duty}`
	});
	return { s, sent };
}

describe('NoticeScreen', () => {
	it('drafts from the grid’s own members; the preview carries phones only of those who agreed', async () => {
		const { s, sent } = screen();
		await s.load();
		expect(s.state).toBe('ready');
		expect(s.candidates.map((c) => c.id)[0]).toBe('gm1');
		expect(s.team).toEqual([{ id: 'gm1', duty: 'duty:grid_worker' }]);
		s.toggle('sec', true);
		s.toggle('vol', true);
		s.toggle('vol', false);
		s.setDuty('sec', '网格长');
		s.hours = ' 周一至周五 9:00–17:30 ';
		const preview = s.preview;
		expect(preview).toEqual({
			ok: true,
			value: {
				community: '示例社区',
				grid: '第一网格',
				hours: '周一至周五 9:00–17:30',
				team: [
					{ memberId: 'gm1', name: '李敏', duty: 'duty:grid_worker', phone: '13800138000' },
					{ memberId: 'sec', name: '王书记', duty: '网格长' }
				]
			}
		});
		const result = await s.publish();
		expect(result.ok).toBe(true);
		expect(sent).toEqual([preview.ok && preview.value]);
		expect(s.published?.url).toBe('http://r/n/x');
	});

	it('an empty team or an empty duty cannot be published; a refused withdrawal says why', async () => {
		const { s, sent } = screen();
		await s.load();
		s.setDuty('gm1', ' ');
		expect(s.preview).toEqual({ ok: false, reason: 'empty' });
		s.toggle('gm1', false);
		expect(await s.publish()).toEqual({ ok: false, reason: 'empty' });
		expect(sent).toEqual([]);
		expect(await s.withdraw()).toEqual({ ok: false, reason: 'notice_unknown', status: 404 });
	});

	it('opens the draft from the published notice; only the secretary may publish', async () => {
		const snapshot: NoticeSnapshot = {
			community: '示例社区',
			grid: '第一网格',
			hours: '每天',
			team: [{ memberId: 'vol', name: '赵志', duty: '楼栋长' }]
		};
		const { s } = screen('secretary', {
			notices: [{ gridId: 'g1', token: 'y'.repeat(22), publishedAt: 5, snapshot, url: 'u' }],
			phones: {}
		});
		await s.load();
		expect(s.team).toEqual([{ id: 'vol', duty: '楼栋长' }]);
		expect(s.hours).toBe('每天');
		const { s: volunteer } = screen('volunteer');
		expect(volunteer.mayPublish).toBe(false);
		await volunteer.load();
		expect(volunteer.state).toBe('loading');
	});
});

describe('NoticePhoneScreen', () => {
	it('sends only a valid, normalised number; withdrawing sends null', async () => {
		const sent: (string | null | undefined)[] = [];
		let held: string | null = null;
		const phone = new NoticePhoneScreen({
			tokens,
			communityId: 'demo',
			api: {
				noticePhone: async (_t: string, _c: string, value?: string | null) => {
					sent.push(value);
					if (value !== undefined) held = value;
					return { ok: true as const, value: { phone: held } };
				}
			}
		});
		await phone.load();
		expect(phone.agreed).toBeNull();
		phone.draft = '12345';
		expect(await phone.agree()).toEqual({ ok: false, reason: 'phone_format' });
		phone.draft = '';
		expect(await phone.agree()).toEqual({ ok: false, reason: 'phone_required' });
		phone.draft = '+86 138-0013-8000';
		expect(await phone.agree()).toEqual({ ok: true, value: '13800138000' });
		expect(phone.agreed).toBe('13800138000');
		expect(await phone.withdraw()).toEqual({ ok: true, value: null });
		expect(sent).toEqual([undefined, '13800138000', null]);
	});
});
