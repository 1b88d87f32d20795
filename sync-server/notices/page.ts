/**
 * The public notice page: a small server-rendered HTML document, no script, no external asset,
 * in zh-CN or (when the browser prefers it) English.
 *
 * Invariants:
 * - Every piece of the snapshot passes through `escapeHtml` before it is written; nothing of the
 *   snapshot is ever placed in an attribute other than `tel:` hrefs of validated phone numbers.
 * - The one inline style is named by its hash in the page's Content-Security-Policy
 *   (`NOTICE_PAGE_CSP`); scripts, images, fonts, frames, forms and connections are all refused.
 */
import { createHash } from 'node:crypto';
import type { NoticeSnapshot } from '../../src/lib/wire/notice.ts';

export type NoticeLanguage = 'zh-CN' | 'en';

const STYLE = `body{margin:0;font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1a1a1a;background:#f6f7f9;line-height:1.5}
main{max-width:36rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.25rem 0}
.community{color:#555;margin:0}
.hours{background:#fff;border-left:4px solid #1d6fd6;padding:.5rem .75rem;margin:1rem 0}
ul{list-style:none;padding:0;margin:0}
li{background:#fff;border-radius:.5rem;padding:.75rem;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:baseline}
.name{font-weight:600;font-size:1.1rem;overflow-wrap:anywhere}
.duty{color:#444;overflow-wrap:anywhere}
.phone{margin-left:auto;font-size:1.05rem}
.phone a{color:#0b57b0}
footer{color:#666;font-size:.85rem;margin-top:1rem}`;

/** The page's policy: nothing but its own inline style. */
export const NOTICE_PAGE_CSP =
	`default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; ` +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TEXT = {
	'zh-CN': {
		title: '网格服务公示',
		hours: '服务时间',
		team: '网格服务团队',
		published: '公布于',
		call: '拨打',
		goneTitle: '公示已撤下',
		gone: '这张公示已由社区撤下，请联系社区居委会了解当前的网格服务团队。',
		unknownTitle: '没有这张公示',
		unknown: '找不到这张公示，请确认链接或二维码是否完整。'
	},
	en: {
		title: 'Grid service notice',
		hours: 'Service hours',
		team: 'Grid service team',
		published: 'Published',
		call: 'Call',
		goneTitle: 'Notice withdrawn',
		gone: 'The community has withdrawn this notice. Please ask the community office for the current grid team.',
		unknownTitle: 'No such notice',
		unknown: 'This notice could not be found. Please check that the link or QR code is complete.'
	}
} as const;

/** zh-CN unless the browser's first language choice is English. */
export function noticeLanguage(acceptLanguage: string | undefined): NoticeLanguage {
	const first = (acceptLanguage ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
	return first.startsWith('en') ? 'en' : 'zh-CN';
}

export function escapeHtml(value: string): string {
	return value.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!
	);
}

/** "2025年3月5日 14:30" / "5 Mar 2025, 14:30" in China's time (the notice's community). */
function formatTime(at: number, lang: NoticeLanguage): string {
	return new Intl.DateTimeFormat(lang, {
		dateStyle: 'medium',
		timeStyle: 'short',
		timeZone: 'Asia/Shanghai'
	}).format(new Date(at));
}

function page(lang: NoticeLanguage, title: string, body: string): string {
	return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export function renderNotice(
	snapshot: NoticeSnapshot,
	publishedAt: number,
	lang: NoticeLanguage
): string {
	const t = TEXT[lang];
	const rows = snapshot.team
		.map((member) => {
			const phone = member.phone
				? `<span class="phone"><a href="tel:${escapeHtml(member.phone)}" aria-label="${t.call} ${escapeHtml(member.name)}">${escapeHtml(member.phone)}</a></span>`
				: '';
			return `<li data-member><span class="name">${escapeHtml(member.name)}</span><span class="duty">${escapeHtml(member.duty)}</span>${phone}</li>`;
		})
		.join('\n');
	const hours = snapshot.hours
		? `<p class="hours"><strong>${t.hours}</strong> ${escapeHtml(snapshot.hours)}</p>`
		: '';
	return page(
		lang,
		`${snapshot.grid} · ${t.title}`,
		`<p class="community">${escapeHtml(snapshot.community)}</p>
<h1>${escapeHtml(snapshot.grid)}</h1>
${hours}
<h2>${t.team}</h2>
<ul>
${rows}
</ul>
<footer>${t.published} <time datetime="${new Date(publishedAt).toISOString()}">${formatTime(publishedAt, lang)}</time></footer>`
	);
}

export function renderGone(lang: NoticeLanguage, state: 'withdrawn' | 'unknown'): string {
	const t = TEXT[lang];
	const [title, text] = state === 'withdrawn' ? [t.goneTitle, t.gone] : [t.unknownTitle, t.unknown];
	return page(lang, title, `<h1>${title}</h1>\n<p>${text}</p>`);
}
