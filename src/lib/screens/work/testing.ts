/**
 * Test helpers for the work screen models: a document source that reads live (as `useDoc` does,
 * without a component) and the members who act.
 *
 * Invariant: test-only.
 */

import type * as Y from 'yjs';
import { acting, type TestMember } from '$lib/model/testing/work-members';
import type { ContextSource, DocSource } from './work-screen.svelte';

export const LI: TestMember = {
	memberId: 'm-li',
	name: '李书记',
	role: 'secretary',
	deviceId: 'p-li'
};
export const ZHAO: TestMember = {
	memberId: 'm-zhao',
	name: '赵大爷',
	role: 'volunteer',
	deviceId: 'p-z'
};
export const QIAN: TestMember = {
	memberId: 'm-qian',
	name: '钱阿姨',
	role: 'volunteer',
	deviceId: 'p-q'
};
export const OBSERVER: TestMember = {
	memberId: 'm-o',
	name: '街道',
	role: 'observer',
	deviceId: 'p-o'
};

export function liveSource<T>(doc: Y.Doc, read: (doc: Y.Doc) => T): DocSource<T> {
	return {
		doc,
		snapshot: {
			get current() {
				return read(doc);
			}
		}
	};
}

export const as =
	(member: TestMember): ContextSource =>
	() =>
		acting(member);
