/** Between `<input type="date">` values and deadlines: a date means the end of that local day. */

export function dateInputToDeadline(value: string): number | null {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
	if (!match) return null;
	const end = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59, 999);
	return Number.isNaN(end.getTime()) ? null : end.getTime();
}

export function deadlineToDateInput(deadline: number | null): string {
	if (deadline === null) return '';
	const date = new Date(deadline);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
