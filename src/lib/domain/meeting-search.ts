/**
 * Meeting search: whether a meeting matches what someone typed in the list's search box.
 *
 * Invariant: every whitespace-separated term must occur (case-insensitively) in the title,
 * agenda, place or an attendee's name or organisation; an empty query matches everything.
 */

export type SearchableMeeting = Readonly<{
	title: string;
	agenda: string;
	place: string;
	attendees: readonly Readonly<{ name: string; organisation: string }>[];
}>;

export function matchesMeetingSearch(meeting: SearchableMeeting, query: string): boolean {
	const terms = query.toLocaleLowerCase().split(/\s+/u).filter(Boolean);
	if (terms.length === 0) return true;
	const haystack = [
		meeting.title,
		meeting.agenda,
		meeting.place,
		...meeting.attendees.flatMap((a) => [a.name, a.organisation])
	]
		.join('\n')
		.toLocaleLowerCase();
	return terms.every((term) => haystack.includes(term));
}
