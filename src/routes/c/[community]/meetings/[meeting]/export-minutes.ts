/**
 * Downloads a finished meeting's locked minutes with their amendments, as Markdown, a printable
 * HTML page or plain text (the editor module, loaded on demand, renders them).
 */
import { m } from '$lib/paraglide/messages.js';
import { getLocale } from '$lib/paraglide/runtime.js';
import { formatTime } from '$lib/components/format';
import type { Amendment, MinutesLock } from '$lib/model/meeting';

export type MinutesFormat = 'md' | 'html' | 'txt';

export async function downloadMinutes(
	format: MinutesFormat,
	title: string,
	lock: MinutesLock,
	amendments: readonly Amendment[],
	zone: string
): Promise<void> {
	const editor = await import('$lib/editor/minutes-editor');
	const lines = amendments.map(
		(a) => `${a.by} · ${formatTime(a.at, getLocale(), zone)} · ${a.text}`
	);
	let body: string;
	let type: string;
	if (format === 'html') {
		body = editor.minutesToHtmlPage(lock.minutes, title);
		type = 'text/html';
	} else if (format === 'md') {
		body = editor.minutesToMarkdown(lock.minutes, title);
		if (lines.length > 0)
			body += `\n## ${m.meeting_amendments()}\n\n${lines.map((a) => `- ${a}`).join('\n')}\n`;
		type = 'text/markdown';
	} else {
		body = editor.minutesToText(lock.minutes, title);
		if (lines.length > 0) body += `\n${m.meeting_amendments()}\n${lines.join('\n')}\n`;
		type = 'text/plain';
	}
	const url = URL.createObjectURL(new Blob([body], { type: `${type};charset=utf-8` }));
	const a = document.createElement('a');
	a.href = url;
	a.download = `${title}.${format}`;
	a.click();
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
