import { describe, expect, it } from 'vitest';
import { minutesToMarkdown, minutesToText } from './minutes-export';

const minutes = {
	type: 'doc',
	content: [
		{ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: '议题一' }] },
		{
			type: 'paragraph',
			content: [
				{ type: 'text', text: '决定：' },
				{
					type: 'text',
					text: '周三清理飞线',
					marks: [{ type: 'meetingItem', attrs: { kind: 'decision', itemId: 'i-1' } }]
				},
				{ type: 'text', text: ' <script>*x*</script>', marks: [{ type: 'bold' }] }
			]
		},
		{
			type: 'taskList',
			content: [
				{
					type: 'taskItem',
					attrs: { checked: true },
					content: [{ type: 'paragraph', content: [{ type: 'text', text: '通知物业' }] }]
				},
				{
					type: 'taskItem',
					attrs: { checked: false },
					content: [{ type: 'paragraph', content: [{ type: 'text', text: '巡查' }] }]
				}
			]
		}
	]
};

describe('minutes export', () => {
	it('Markdown: headings, marks, checklists; text never becomes markup', () => {
		expect(minutesToMarkdown(minutes, '楼下议事')).toBe(
			[
				'# 楼下议事',
				'',
				'## 议题一',
				'',
				'决定：周三清理飞线 **[DECISION]**** \\<script\\>\\*x\\*\\</script\\>**',
				'',
				'- [x] 通知物业',
				'- [ ] 巡查',
				''
			].join('\n')
		);
	});
	it('plain text', () => {
		expect(minutesToText(minutes, '楼下议事')).toBe(
			'楼下议事\n\n议题一\n决定：周三清理飞线 <script>*x*</script>\n[x] 通知物业\n[ ] 巡查\n'
		);
	});
});
