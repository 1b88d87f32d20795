/**
 * Saving a file the app made (a report's workbook, a board's ledger): an object URL clicked as a
 * download, revoked after the click.
 */
export function downloadFile(name: string, body: Blob | string, type: string): void {
	const blob = typeof body === 'string' ? new Blob([body], { type }) : body;
	const url = URL.createObjectURL(blob);
	const link = document.createElement('a');
	link.href = url;
	link.download = name;
	document.body.append(link);
	link.click();
	link.remove();
	setTimeout(() => URL.revokeObjectURL(url), 1000);
}
