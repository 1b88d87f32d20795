/**
 * Test helpers for the work screen models: a document source that reads live (as `useDoc` does,
 * without a component) and the members who act.
 *
 * Invariant: test-only.
 */

import type * as Y from 'yjs';
import { acting, type TestMember } from '$lib/model/testing/work-members';
import type { ContextSource, DocSource } from './work-screen.svelte';

const member = (memberId: string, name: string, role: string): TestMember => ({
	memberId,
	name,
	role,
	deviceId: `phone-${memberId}`
});

export const LI = member('m-li', '李书记', 'secretary');
export const ZHAO = member('m-zhao', '赵大爷', 'volunteer');
export const QIAN = member('m-qian', '钱阿姨', 'volunteer');
export const OBSERVER = member('m-o', '街道', 'observer');

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
