/**
 * The minutes editor: Tiptap over the meeting document's `minutes` Y.XmlFragment, with live
 * carets and names from the relay link's awareness. Loaded only by the meeting page, through
 * a dynamic `import()`, so the first screen never pays for it.
 *
 * Invariant: every piece of rich text is parsed and rendered through one schema
 * (`minutesExtensions`): headings, lists, checklists, bold/italic/strike/code, blockquote and
 * the decision/action mark. There are no links, images or raw HTML nodes, so pasted
 * `<script>`, `on*=` handlers and `javascript:` URLs have nowhere to live and are dropped.
 * A locked meeting's minutes are shown from the lock's JSON in a read-only editor, never from
 * the live fragment.
 */
import { Editor, Extension, generateHTML, type AnyExtension, type JSONContent } from '@tiptap/core';
import { Plugin, PluginKey } from '@tiptap/pm/state';
import StarterKit from '@tiptap/starter-kit';
import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import { TaskItem, TaskList } from '@tiptap/extension-list';
import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { MeetingItemMark } from './meeting-item-mark';

export { minutesToMarkdown, minutesToText } from './minutes-export';

export type PresenceUser = Readonly<{ clientId: number; name: string; color: string }>;

/** The schema of the minutes: shared by the live editor, the read-only record and exports. */
export function minutesExtensions(): AnyExtension[] {
	return [
		// Collaboration brings its own undo (per user, over Yjs); links are left out on purpose.
		StarterKit.configure({ undoRedo: false, link: false }),
		TaskList,
		TaskItem.configure({ nested: true }),
		MeetingItemMark
	];
}

const COLORS = ['#c62828', '#1565c0', '#2e7d32', '#6a1b9a', '#ef6c00', '#00838f', '#ad1457'];

/** A stable colour per device, so a person's caret keeps its colour across reloads. */
export function colorFor(seed: string): string {
	let hash = 0;
	for (const char of seed) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
	return COLORS[hash % COLORS.length] ?? COLORS[0]!;
}

/** Refuses any local change to the document while `isLocked()` (the model's lock arrived). */
function lockGuard(isLocked: () => boolean): Extension {
	return Extension.create({
		name: 'minutesLockGuard',
		addProseMirrorPlugins() {
			return [
				new Plugin({
					key: new PluginKey('minutesLockGuard'),
					filterTransaction: (tr) =>
						!tr.docChanged || !isLocked() || tr.getMeta('y-sync$') !== undefined
				})
			];
		}
	});
}

export type MinutesEditorOptions = {
	element: HTMLElement;
	fragment: Y.XmlFragment;
	awareness: Awareness;
	user: { name: string; deviceId: string };
	editable: boolean;
	/** The editor's accessible name (screen readers announce it; axe requires one). */
	label: string;
	isLocked: () => boolean;
	onPresence: (users: readonly PresenceUser[]) => void;
};

export function createMinutesEditor(options: MinutesEditorOptions): {
	editor: Editor;
	destroy(): void;
} {
	const user = { name: options.user.name, color: colorFor(options.user.deviceId) };
	const editor = new Editor({
		element: options.element,
		editable: options.editable,
		extensions: [
			...minutesExtensions(),
			Collaboration.configure({ fragment: options.fragment }),
			CollaborationCaret.configure({ provider: { awareness: options.awareness }, user }),
			lockGuard(options.isLocked)
		],
		editorProps: {
			attributes: {
				'data-testid': 'minutes-editor',
				class: 'minutes-prose',
				'aria-label': options.label
			}
		}
	});
	const report = () => {
		const users: PresenceUser[] = [];
		for (const [clientId, state] of options.awareness.getStates()) {
			const u = (state as { user?: { name?: unknown; color?: unknown } }).user;
			if (typeof u?.name !== 'string') continue;
			users.push({
				clientId,
				name: u.name,
				color: typeof u.color === 'string' ? u.color : '#777'
			});
		}
		users.sort((a, b) => a.clientId - b.clientId);
		options.onPresence(users);
	};
	options.awareness.on('change', report);
	report();
	return {
		editor,
		destroy() {
			options.awareness.off('change', report);
			// Leave the document: others stop seeing this caret at once.
			options.awareness.setLocalStateField('user', null);
			editor.destroy();
		}
	};
}

/** A read-only view of locked minutes (the lock's JSON), rendered through the same schema. */
export function createRecordViewer(
	element: HTMLElement,
	minutes: JSONContent,
	label: string
): Editor {
	return new Editor({
		element,
		editable: false,
		extensions: minutesExtensions(),
		content: minutes,
		editorProps: {
			attributes: { 'data-testid': 'minutes-record', class: 'minutes-prose', 'aria-label': label }
		}
	});
}

/**
 * Marks the selection as a decision or an action; returns the selected text ('' when nothing
 * is selected, and then nothing is marked).
 */
export function markSelection(editor: Editor, kind: 'decision' | 'action', itemId: string): string {
	const { from, to, empty } = editor.state.selection;
	if (empty) return '';
	const text = editor.state.doc.textBetween(from, to, ' ').trim();
	if (text === '') return '';
	editor.chain().focus().setMark('meetingItem', { kind, itemId }).run();
	return text;
}

/** The minutes as an HTML page, serialised by the schema (no user markup passes through). */
export function minutesToHtmlPage(minutes: JSONContent, title: string): string {
	const body = generateHTML(minutes, minutesExtensions());
	const escaped = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
	return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escaped}</title></head><body><h1>${escaped}</h1>\n${body}\n</body></html>\n`;
}
