import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DEFAULT_TIME_ZONE } from '../../domain/due-date';
import { acting, type TestMember } from '../testing/work-members';
import {
	addPatrolFinding,
	createPatrolRoute,
	finishPatrolRun,
	linkFindingToCase,
	listPatrolRoutes,
	listPatrolRuns,
	readPatrolRun,
	startPatrolRun,
	tickPatrolItem
} from './patrols';
import { listHours } from './service-hours';
import { hoursArray, patrolRunsMap } from './schema';
import { createReplicaNetwork } from '../testing/replica-network';
import {
	claimWish,
	fulfilWish,
	listWishes,
	publishWish,
	readWish,
	recordWish,
	releaseWishClaim,
	thankWish
} from './wishes';

const MON = Date.parse('2025-03-03T01:00:00Z');
const LI: TestMember = { memberId: 'm-li', name: '李书记', role: 'secretary', deviceId: 'p-li' };
const ZHAO: TestMember = { memberId: 'm-zhao', name: '赵大爷', role: 'volunteer', deviceId: 'p-z' };
const QIAN: TestMember = { memberId: 'm-qian', name: '钱阿姨', role: 'volunteer', deviceId: 'p-q' };
const OBS: TestMember = { memberId: 'm-o', name: '街道', role: 'observer', deviceId: 'p-o' };

const ROUTE = {
	name: '啄木鸟巡查 东片',
	area: '幸福里小区',
	gridId: 'g1',
	checklist: ['消防通道畅通', '无飞线充电', '门前三包', '垃圾清运'],
	weekdays: [3, 0],
	hoursPerRun: 2
};

function must<T>(result: { ok: true; value: T } | { ok: false; reason: string }): T {
	if (!result.ok) throw new Error(result.reason);
	return result.value;
}

describe('patrols', () => {
	it('a route, a run: tick, finding, case link, finish credits the runner', () => {
		const doc = new Y.Doc();
		expect(createPatrolRoute(doc, ROUTE, acting(ZHAO, MON))).toEqual({
			ok: false,
			reason: 'not_allowed'
		});
		const routeId = must(createPatrolRoute(doc, ROUTE, acting(LI, MON)));
		expect(listPatrolRoutes(doc, MON)[0]?.nextDay).toBe('2025-03-05');
		expect(startPatrolRun(doc, routeId, DEFAULT_TIME_ZONE, acting(OBS, MON))).toEqual({
			ok: false,
			reason: 'not_allowed'
		});
		const runId = must(startPatrolRun(doc, routeId, DEFAULT_TIME_ZONE, acting(ZHAO, MON + 1)));
		must(tickPatrolItem(doc, runId, 0, true, acting(ZHAO, MON + 2)));
		must(tickPatrolItem(doc, runId, 1, true, acting(ZHAO, MON + 3)));
		must(tickPatrolItem(doc, runId, 1, false, acting(ZHAO, MON + 4)));
		expect(tickPatrolItem(doc, runId, 9, true, acting(ZHAO))).toEqual({
			ok: false,
			reason: 'item_not_found'
		});
		expect(tickPatrolItem(doc, runId, 0, true, acting(QIAN))).toEqual({
			ok: false,
			reason: 'not_allowed'
		});
		const findingId = must(
			addPatrolFinding(doc, runId, { note: '7号楼北侧飞线充电' }, acting(ZHAO, MON + 5))
		);
		expect(addPatrolFinding(doc, runId, { note: ' ' }, acting(ZHAO))).toEqual({
			ok: false,
			reason: 'note_required'
		});
		must(finishPatrolRun(doc, runId, acting(ZHAO, MON + 6)));
		expect(tickPatrolItem(doc, runId, 2, true, acting(ZHAO))).toEqual({
			ok: false,
			reason: 'run_finished'
		});
		// Reporting the finding may wait for signal: allowed after the run finished.
		must(
			linkFindingToCase(
				doc,
				runId,
				findingId,
				{ gridId: 'g1', caseId: 'c-9' },
				acting(ZHAO, MON + 7)
			)
		);
		const run = readPatrolRun(doc, runId)!;
		expect(run.ticked).toEqual([true, false, false, false]);
		expect(run.findings).toEqual([
			{
				id: findingId,
				note: '7号楼北侧飞线充电',
				by: '赵大爷',
				at: MON + 5,
				photos: [],
				caseRef: { gridId: 'g1', caseId: 'c-9' }
			}
		]);
		expect(run.finishedAt).toBe(MON + 6);
		expect(listPatrolRuns(doc, routeId).map((r) => r.id)).toEqual([runId]);
		expect(listHours(doc).map((h) => [h.memberId, h.hours, h.source])).toEqual([
			['m-zhao', 2, 'patrol']
		]);
	});

	it("a run's day is the community's calendar day it started on, not the default zone's; older runs stay readable", () => {
		const doc = new Y.Doc();
		const routeId = must(createPatrolRoute(doc, ROUTE, acting(LI, MON)));
		// 20:00 UTC on 3 March: 15:00 that day in New York, already 4 March in Shanghai.
		const evening = Date.parse('2025-03-03T20:00:00Z');
		const ny = must(startPatrolRun(doc, routeId, 'America/New_York', acting(ZHAO, evening)));
		const sh = must(startPatrolRun(doc, routeId, 'Asia/Shanghai', acting(ZHAO, evening)));
		expect(readPatrolRun(doc, ny)?.day).toBe('2025-03-03');
		expect(readPatrolRun(doc, sh)?.day).toBe('2025-03-04');
		// A run written before the day was stored: read in the default zone, as it always was.
		const old = must(startPatrolRun(doc, routeId, 'America/New_York', acting(ZHAO, evening)));
		doc.transact(() => (patrolRunsMap(doc).get(old) as Y.Map<unknown>).delete('day'));
		expect(readPatrolRun(doc, old)?.day).toBe('2025-03-04');
		expect(listPatrolRuns(doc, routeId)).toHaveLength(3);
	});

	it('a finished run credits hours titled with the route, no ISO day; old "route 2025-03-04" titles read the same', () => {
		const doc = new Y.Doc();
		const routeId = must(createPatrolRoute(doc, ROUTE, acting(LI, MON)));
		const runId = must(startPatrolRun(doc, routeId, 'Asia/Shanghai', acting(ZHAO, MON + 1)));
		must(finishPatrolRun(doc, runId, acting(ZHAO, MON + 2)));
		doc.transact(() =>
			hoursArray(doc).push([
				{
					id: 'h-legacy',
					memberId: 'm-qian',
					name: '钱阿姨',
					hours: 2,
					source: 'patrol',
					sourceId: 'r-legacy',
					title: '啄木鸟巡查 东片 2025-03-04',
					at: MON + 3,
					by: '钱阿姨'
				}
			])
		);
		expect(listHours(doc).map((h) => h.title)).toEqual(['啄木鸟巡查 东片', '啄木鸟巡查 东片']);
	});

	it('two phones tick the same run and note findings concurrently: they converge, nothing lost', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		const routeId = must(createPatrolRoute(a, ROUTE, acting(LI, MON)));
		const runId = must(startPatrolRun(a, routeId, DEFAULT_TIME_ZONE, acting(LI, MON + 1)));
		net.flush();
		must(tickPatrolItem(a, runId, 0, true, acting(LI, MON + 2)));
		must(addPatrolFinding(a, runId, { note: '消防通道堆放杂物' }, acting(LI, MON + 3)));
		must(tickPatrolItem(b, runId, 3, true, acting({ ...LI, deviceId: 'tablet' }, MON + 2)));
		must(
			addPatrolFinding(
				b,
				runId,
				{ note: '垃圾桶满溢' },
				acting({ ...LI, deviceId: 'tablet' }, MON + 3)
			)
		);
		net.flush({ shuffle: 7 });
		expect(readPatrolRun(a, runId)).toEqual(readPatrolRun(b, runId));
		expect(readPatrolRun(a, runId)!.ticked).toEqual([true, false, false, true]);
		expect(readPatrolRun(a, runId)!.findings).toHaveLength(2);
	});
});

describe('micro-wishes', () => {
	const WISH = { who: '张奶奶（独居）', what: '想要一副老花镜', gridId: 'g1', hours: 1 };

	it('recorded → published → claimed → fulfilled → thanked, crediting the volunteer', () => {
		const doc = new Y.Doc();
		expect(recordWish(doc, WISH, acting(ZHAO, MON))).toEqual({ ok: false, reason: 'not_allowed' });
		const id = must(recordWish(doc, WISH, acting(LI, MON)));
		expect(claimWish(doc, id, acting(ZHAO, MON + 1))).toEqual({
			ok: false,
			reason: 'not_published'
		});
		expect(publishWish(doc, id, acting(LI, MON + 1))).toEqual({ ok: true, value: 'published' });
		expect(claimWish(doc, id, acting(ZHAO, MON + 2))).toEqual({ ok: true, value: 'claimed' });
		expect(claimWish(doc, id, acting(QIAN, MON + 3))).toEqual({ ok: false, reason: 'wish_taken' });
		expect(fulfilWish(doc, id, { note: '' }, acting(ZHAO, MON + 4))).toEqual({
			ok: false,
			reason: 'note_required'
		});
		expect(fulfilWish(doc, id, { note: '已送到，配了200度' }, acting(ZHAO, MON + 4))).toEqual({
			ok: true,
			value: 'fulfilled'
		});
		expect(thankWish(doc, id, '张奶奶说谢谢', acting(LI, MON + 5))).toEqual({
			ok: true,
			value: 'thanked'
		});
		const wish = readWish(doc, id)!;
		expect(wish.fulfilments.map((f) => f.note)).toEqual(['已送到，配了200度']);
		expect(wish.thanks?.note).toBe('张奶奶说谢谢');
		expect(listHours(doc).map((h) => [h.memberId, h.source, h.title])).toEqual([
			['m-zhao', 'wish', '想要一副老花镜']
		]);
		expect(listWishes(doc).map((w) => w.id)).toEqual([id]);
	});

	it('two volunteers claim offline: both kept, one over-claimed until staff release it', () => {
		const net = createReplicaNetwork(3);
		const [a, b, c] = net.docs as [Y.Doc, Y.Doc, Y.Doc];
		const id = must(recordWish(a, WISH, acting(LI, MON)));
		publishWish(a, id, acting(LI, MON + 1));
		net.flush();
		must(claimWish(b, id, acting(ZHAO, MON + 2)));
		must(claimWish(c, id, acting(QIAN, MON + 2)));
		net.flush({ shuffle: 3 });
		const seen = net.docs.map((doc) => readWish(doc, id));
		expect(seen[1]).toEqual(seen[0]);
		expect(seen[2]).toEqual(seen[0]);
		expect(seen[0]!.claims.map((claim) => claim.standing)).toEqual(['in_slot', 'over_claimed']);
		const over = seen[0]!.claims[1]!;
		must(releaseWishClaim(a, id, over.id, acting(LI, MON + 3)));
		net.flush();
		expect(readWish(c, id)!.overClaimed).toBe(false);
	});
});
