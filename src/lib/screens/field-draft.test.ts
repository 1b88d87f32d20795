import { describe, expect, it } from 'vitest';
import { err, ok } from '$lib/domain/result';
import type { EditId } from '$lib/domain/ids';
import { FieldDraft, type DraftChanges } from './field-draft.svelte';

type Fields = { title: string; place: string; startsAt: number };
const FIELDS = ['title', 'place', 'startsAt'] as const;
const h = (...ids: string[]) => ids as unknown as readonly EditId[];
const shown = () => ({
	title: { value: '楼道堆物', heads: h('a') },
	place: { value: '3号楼', heads: h('b', 'c') },
	startsAt: { value: 1000, heads: h() }
});

describe('FieldDraft', () => {
	it('passes only the changed fields, each over the heads seen when the form opened', () => {
		const draft = new FieldDraft<Fields>(FIELDS);
		draft.open(shown());
		draft.values!.title = '楼道堆物（已清理）';
		draft.values!.startsAt = 2000;
		let given: DraftChanges<Fields> | null = null;
		const result = draft.save((changes) => {
			given = changes;
			return ok({ changed: true });
		});
		expect(result.ok).toBe(true);
		expect(given).toEqual({
			title: { value: '楼道堆物（已清理）', seen: ['a'] },
			startsAt: { value: 2000, seen: [] }
		});
		expect(draft.isOpen).toBe(false);
		expect(draft.values).toBeNull();
	});

	it('keeps the form open with what was typed when the command refuses', () => {
		const draft = new FieldDraft<Fields>(FIELDS);
		draft.open(shown());
		draft.values!.title = '';
		const result = draft.save(() => err('title_required'));
		expect(result).toEqual({ ok: false, reason: 'title_required' });
		expect(draft.isOpen).toBe(true);
		expect(draft.values?.title).toBe('');
	});

	it('refuses to save a draft that was never opened, without calling the command', () => {
		const draft = new FieldDraft<Fields>(FIELDS);
		let called = false;
		const result = draft.save(() => {
			called = true;
			return ok(true);
		});
		expect(result).toEqual({ ok: false, reason: 'draft_not_open' });
		expect(called).toBe(false);
	});

	it('remembers the opened values and heads even after the shown fields change', () => {
		const draft = new FieldDraft<Fields>(FIELDS);
		const source = shown();
		draft.open(source);
		(source.place.heads as EditId[]).push('d' as unknown as EditId);
		expect(draft.opened?.place).toBe('3号楼');
		draft.values!.place = '4号楼';
		expect(draft.changes()).toEqual({ place: { value: '4号楼', seen: ['b', 'c'] } });
	});

	it('takes the edited values from the form when given', () => {
		const draft = new FieldDraft<Fields>(FIELDS);
		draft.open(shown());
		const changes = draft.changes({ title: '楼道堆物', place: '5号楼', startsAt: 1000 });
		expect(changes).toEqual({ place: { value: '5号楼', seen: ['b', 'c'] } });
	});
});
