import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import {
	addCategory,
	readCommunitySettings,
	renameCategory,
	readCommunityTimeZone,
	setCategoryHidden,
	setCommunityTimeZone,
	setDeadlineDays,
	setVisitInterval,
	readVisitPlan
} from './settings';
import { DEFAULT_VISIT_PLAN } from '../../domain/household';
import type { DirectoryContext } from './directory';
import type { Actor } from '../../domain/actor';
import { LI, WANG } from '../testing/fixtures';
import { createReplicaNetwork } from '../testing/replica-network';
import { deadlineDays } from '../../domain/case-deadline';

const as = (actor: Actor, role: string, at?: number): DirectoryContext => ({
	actor,
	authority: { claims: { role } },
	at
});

describe('community settings', () => {
	it('secretaries add, rename and hide categories and set deadlines; others may not', () => {
		const net = createReplicaNetwork(1);
		const [doc] = net.docs as [Y.Doc];
		expect(addCategory(doc, '电梯困人', as(WANG, 'grid-member'))).toEqual({
			ok: false,
			reason: 'not_permitted'
		});
		const added = addCategory(doc, ' 电梯困人 ', as(LI, 'secretary', 1000));
		if (!added.ok) throw new Error(added.reason);
		expect(added.value).toMatch(/^cat-/);
		expect(renameCategory(doc, 'noise', '噪音扰民', as(LI, 'secretary', 1100)).ok).toBe(true);
		expect(setCategoryHidden(doc, 'parking', true, as(LI, 'secretary', 1200)).ok).toBe(true);
		expect(renameCategory(doc, 'cat-nothere', 'x', as(LI, 'secretary')).ok).toBe(false);
		expect(setDeadlineDays(doc, 'noise', 'grid', 3, as(LI, 'secretary', 1300)).ok).toBe(true);
		expect(setDeadlineDays(doc, 'noise', 'grid', 0, as(LI, 'secretary', 1300))).toEqual({
			ok: false,
			reason: 'days_invalid'
		});
		const settings = readCommunitySettings(doc);
		expect(settings.categories.at(-1)).toMatchObject({
			id: added.value,
			builtIn: false,
			label: '电梯困人',
			hidden: false
		});
		expect(settings.categories.find((c) => c.id === 'noise')?.label).toBe('噪音扰民');
		expect(settings.categories.find((c) => c.id === 'parking')?.hidden).toBe(true);
		expect(deadlineDays('noise', 'grid', settings.deadlineRules)).toBe(3);
	});

	it('two secretaries editing concurrently converge and keep both values flagged', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		renameCategory(a, 'noise', '噪音', as(LI, 'secretary', 1000));
		renameCategory(b, 'noise', '扰民', as(WANG, 'secretary', 1000));
		setDeadlineDays(a, 'fire_safety', 'grid', 2, as(LI, 'secretary', 1000));
		setDeadlineDays(b, 'fire_safety', 'community', 4, as(WANG, 'secretary', 1000));
		addCategory(a, '高空抛物', as(LI, 'secretary', 1000));
		addCategory(b, '宠物扰民', as(WANG, 'secretary', 1001));
		net.flush();
		expect(readCommunitySettings(a)).toEqual(readCommunitySettings(b));
		const settings = readCommunitySettings(a);
		expect(settings.categories.find((c) => c.id === 'noise')?.conflict).toBe(true);
		expect(settings.deadlineRules.fire_safety).toEqual({ grid: 2, community: 4 });
		expect(settings.categories.filter((c) => !c.builtIn).map((c) => c.label)).toEqual([
			'高空抛物',
			'宠物扰民'
		]);
	});

	it('the time zone: Asia/Shanghai until a secretary sets another; only real zones', () => {
		const net = createReplicaNetwork(1);
		const [doc] = net.docs as [Y.Doc];
		expect(readCommunitySettings(doc).timeZone).toBe('Asia/Shanghai');
		expect(readCommunityTimeZone(doc)).toBe('Asia/Shanghai');
		expect(setCommunityTimeZone(doc, 'Asia/Urumqi', as(WANG, 'grid-member'))).toEqual({
			ok: false,
			reason: 'not_permitted'
		});
		expect(setCommunityTimeZone(doc, 'Mars/Olympus', as(LI, 'secretary'))).toEqual({
			ok: false,
			reason: 'time_zone_invalid'
		});
		expect(setCommunityTimeZone(doc, 'Asia/Urumqi', as(LI, 'secretary', 1000)).ok).toBe(true);
		expect(readCommunitySettings(doc)).toMatchObject({
			timeZone: 'Asia/Urumqi',
			timeZoneConflict: null
		});
		expect(readCommunityTimeZone(doc)).toBe('Asia/Urumqi');
	});

	it('two secretaries setting the time zone concurrently converge, both zones kept and flagged', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		setCommunityTimeZone(a, 'Asia/Urumqi', as(LI, 'secretary', 1000));
		setCommunityTimeZone(b, 'America/New_York', as(WANG, 'secretary', 1000));
		net.flush();
		expect(readCommunitySettings(a)).toEqual(readCommunitySettings(b));
		const settings = readCommunitySettings(a);
		expect([...(settings.timeZoneConflict ?? [])].sort()).toEqual([
			'America/New_York',
			'Asia/Urumqi'
		]);
		expect(['America/New_York', 'Asia/Urumqi']).toContain(settings.timeZone);
		// Setting it again over both settles it on every replica.
		setCommunityTimeZone(b, 'Asia/Shanghai', as(WANG, 'secretary', 2000));
		net.flush();
		expect(readCommunitySettings(a)).toMatchObject({
			timeZone: 'Asia/Shanghai',
			timeZoneConflict: null
		});
		expect(readCommunitySettings(b)).toEqual(readCommunitySettings(a));
	});

	it('keeps the visit plan per colour: defaults, secretaries only, concurrent edits flagged', () => {
		const net = createReplicaNetwork(2);
		const [a, b] = net.docs as [Y.Doc, Y.Doc];
		expect(readVisitPlan(a)).toEqual(DEFAULT_VISIT_PLAN);
		expect(setVisitInterval(a, 'red', 3, as(WANG, 'grid-member'))).toEqual({
			ok: false,
			reason: 'not_permitted'
		});
		expect(setVisitInterval(a, 'red', 0, as(LI, 'secretary'))).toEqual({
			ok: false,
			reason: 'days_invalid'
		});
		expect(setVisitInterval(a, 'red', 3, as(LI, 'secretary', 1000)).ok).toBe(true);
		expect(setVisitInterval(b, 'red', 5, as(LI, 'secretary', 1001)).ok).toBe(true);
		expect(setVisitInterval(b, 'green', 60, as(LI, 'secretary', 1002)).ok).toBe(true);
		net.flush();
		for (const doc of [a, b]) {
			expect(readVisitPlan(doc)).toEqual({ red: 5, yellow: 30, green: 60 });
			const settings = readCommunitySettings(doc);
			expect(settings.visitPlan).toEqual({ red: 5, yellow: 30, green: 60 });
			expect(settings.visitPlanConflicts).toEqual(['red']);
		}
	});
});
