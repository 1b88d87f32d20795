import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import {
	addCategory,
	readCommunitySettings,
	renameCategory,
	setCategoryHidden,
	setDeadlineDays
} from './community-settings';
import { LI, WANG } from './testing/fixtures';
import { createReplicaNetwork } from './testing/replica-network';
import { deadlineDays } from '../domain/case-deadline';

describe('community settings', () => {
	it('secretaries add, rename and hide categories and set deadlines; others may not', () => {
		const net = createReplicaNetwork(1);
		const [doc] = net.docs as [Y.Doc];
		expect(addCategory(doc, '电梯困人', WANG, 'grid-member')).toEqual({
			ok: false,
			reason: 'not_permitted'
		});
		const added = addCategory(doc, ' 电梯困人 ', LI, 'secretary', 1000);
		if (!added.ok) throw new Error(added.reason);
		expect(added.value).toMatch(/^cat-/);
		expect(renameCategory(doc, 'noise', '噪音扰民', LI, 'secretary', 1100).ok).toBe(true);
		expect(setCategoryHidden(doc, 'parking', true, LI, 'secretary', 1200).ok).toBe(true);
		expect(renameCategory(doc, 'cat-nothere', 'x', LI, 'secretary').ok).toBe(false);
		expect(setDeadlineDays(doc, 'noise', 'grid', 3, LI, 'secretary', 1300).ok).toBe(true);
		expect(setDeadlineDays(doc, 'noise', 'grid', 0, LI, 'secretary', 1300)).toEqual({
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
		renameCategory(a, 'noise', '噪音', LI, 'secretary', 1000);
		renameCategory(b, 'noise', '扰民', WANG, 'secretary', 1000);
		setDeadlineDays(a, 'fire_safety', 'grid', 2, LI, 'secretary', 1000);
		setDeadlineDays(b, 'fire_safety', 'community', 4, WANG, 'secretary', 1000);
		addCategory(a, '高空抛物', LI, 'secretary', 1000);
		addCategory(b, '宠物扰民', WANG, 'secretary', 1001);
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
});
