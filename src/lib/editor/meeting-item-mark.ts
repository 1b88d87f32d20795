/**
 * The `meetingItem` mark: a passage of the minutes marked as a decision or an action. Its
 * `itemId` names the entry in the meeting document's `items` map (model/meeting/record.ts).
 *
 * Invariant: attributes are parsed from known attributes only, and the id must be one
 * document-name segment, so pasted markup cannot smuggle anything else through the mark.
 */
import { Mark, mergeAttributes } from '@tiptap/core';
import { ID_SEGMENT } from '$lib/wire';

export const MeetingItemMark = Mark.create({
	name: 'meetingItem',
	inclusive: false,
	addAttributes() {
		return {
			kind: {
				default: 'decision',
				parseHTML: (element) =>
					element.getAttribute('data-kind') === 'action' ? 'action' : 'decision',
				renderHTML: (attributes) => ({ 'data-kind': attributes.kind })
			},
			itemId: {
				default: null,
				parseHTML: (element) => {
					const value = element.getAttribute('data-item');
					return value && ID_SEGMENT.test(value) ? value : null;
				},
				renderHTML: (attributes) => ({ 'data-item': attributes.itemId })
			}
		};
	},
	parseHTML() {
		return [{ tag: 'mark[data-item]' }];
	},
	renderHTML({ HTMLAttributes }) {
		return ['mark', mergeAttributes({ class: 'meeting-item' }, HTMLAttributes), 0];
	}
});
