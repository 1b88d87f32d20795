/**
 * Minutes → Markdown and plain text, walking the schema's JSON (the lock's record).
 *
 * Invariant: only node and mark types of the minutes schema produce output; text is emitted as
 * text (Markdown-special characters escaped), so nothing in it becomes markup.
 */
import type { JSONContent } from '@tiptap/core';

const escapeMarkdown = (text: string) => text.replace(/([\\`*_[\]#<>~|])/g, '\\$1');

function inline(nodes: JSONContent[] | undefined): string {
	let out = '';
	for (const node of nodes ?? []) {
		if (node.type === 'hardBreak') {
			out += '  \n';
			continue;
		}
		if (node.type !== 'text' || typeof node.text !== 'string') continue;
		let text = escapeMarkdown(node.text);
		for (const mark of node.marks ?? []) {
			if (mark.type === 'bold') text = `**${text}**`;
			else if (mark.type === 'italic') text = `*${text}*`;
			else if (mark.type === 'strike') text = `~~${text}~~`;
			else if (mark.type === 'code') text = `\`${node.text.replace(/`/g, '')}\``;
			else if (mark.type === 'meetingItem') {
				text = `${text} **[${mark.attrs?.kind === 'action' ? 'ACTION' : 'DECISION'}]**`;
			}
		}
		out += text;
	}
	return out;
}

function block(node: JSONContent, indent: string): string[] {
	const content = node.content ?? [];
	switch (node.type) {
		case 'heading': {
			const level = Math.min(6, Math.max(1, Number(node.attrs?.level) || 1));
			return [`${indent}${'#'.repeat(level)} ${inline(content)}`, ''];
		}
		case 'paragraph':
			return [`${indent}${inline(content)}`, ''];
		case 'blockquote':
			return content.flatMap((child) => block(child, `${indent}> `));
		case 'codeBlock':
			return [
				`${indent}\`\`\``,
				...content.map((c) => indent + (c.text ?? '')),
				`${indent}\`\`\``,
				''
			];
		case 'horizontalRule':
			return [`${indent}---`, ''];
		case 'bulletList':
		case 'orderedList':
		case 'taskList': {
			const lines: string[] = [];
			content.forEach((item, index) => {
				const marker =
					node.type === 'orderedList'
						? `${index + 1}. `
						: node.type === 'taskList'
							? `- [${item.attrs?.checked ? 'x' : ' '}] `
							: '- ';
				const [first, ...rest] = (item.content ?? []).flatMap((child) =>
					block(child, `${indent}  `).filter((line) => line.trim() !== '')
				);
				lines.push(`${indent}${marker}${(first ?? '').trimStart()}`, ...rest);
			});
			lines.push('');
			return lines;
		}
		default:
			return content.flatMap((child) => block(child, indent));
	}
}

export function minutesToMarkdown(minutes: JSONContent, title: string): string {
	const lines = [`# ${escapeMarkdown(title)}`, '', ...block(minutes, '')];
	return (
		lines
			.join('\n')
			.replace(/\n{3,}/g, '\n\n')
			.trimEnd() + '\n'
	);
}

function text(node: JSONContent): string {
	if (node.type === 'text') return node.text ?? '';
	if (node.type === 'hardBreak') return '\n';
	const inner = (node.content ?? []).map(text).join('');
	if (node.type === 'taskItem') return `[${node.attrs?.checked ? 'x' : ' '}] ${inner}`;
	return node.type === 'doc' || node.type === 'listItem' ? inner : `${inner}\n`;
}

export function minutesToText(minutes: JSONContent, title: string): string {
	return `${title}\n\n${text(minutes)
		.replace(/\n{3,}/g, '\n\n')
		.trimEnd()}\n`;
}
