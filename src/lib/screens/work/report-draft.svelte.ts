/**
 * A report being written on a piece of work (a task's completion, a wish's fulfilment, a patrol
 * finding): the note and the photos already committed to the photo outbox by the picker.
 *
 * Invariant: the draft clears only when the command it was sent with accepted it; a refusal keeps
 * what the person typed and picked.
 */

import type { PhotoInput } from '$lib/model/case';
import type { WorkReport } from '$lib/model/work';

export class ReportDraft {
	note = $state('');
	photos = $state<PhotoInput[]>([]);

	add(photo: PhotoInput): void {
		this.photos = [...this.photos, photo];
	}

	/** Sends the report with `send` (true when accepted) and clears it once accepted. */
	submit(send: (report: WorkReport) => boolean): boolean {
		if (!send({ note: this.note, photos: this.photos })) return false;
		this.note = '';
		this.photos = [];
		return true;
	}
}
