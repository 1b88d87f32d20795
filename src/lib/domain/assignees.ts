/**
 * Assignees: who handles a case, as stored in its `assignees` field log (one string, entries
 * sorted and joined by ','; case-input.ts validates it).
 *
 * An entry is either a member of the community picked from the members list, stored as
 * `<name>#<memberId>` (the name as it was when picked, so every phone can show it offline, even
 * one that has never seen the members list), or a plain typed name: someone outside the
 * community (a plumber, the property company), or any assignee written before members could be
 * picked. Old values are plain names and read exactly as before.
 *
 *   "刘师傅,王秀英#m1f2e3d4c5b6a7980"   →  [{ name: 刘师傅, memberId: null },
 *                                            { name: 王秀英, memberId: m1f2e3d4c5b6a7980 }]
 *
 * Invariants: `parseAssignee(formatAssignee(a))` is `a` for every valid `a`; a plain name never
 * parses as a member unless it ends in `#` and a member-id-shaped suffix (`m` + 4–63 of
 * `[a-z0-9]`, what the relay issues), which typed names are refused (`isPlainNameAllowed`).
 * "Assigned to me" prefers the member id; a plain name matches a person only by equal name.
 */

/** Member ids as the relay issues them (`m` + 16 hex); a little wider, never a typed word. */
const MEMBER_ID = /^m[a-z0-9]{4,63}$/;
const SEPARATOR = '#';

export type Assignee = Readonly<{ name: string; memberId: string | null }>;

/** Someone the device knows from the community's members list. */
export type RosterMember = Readonly<{
	id: string;
	displayName: string;
	role?: string;
	grids?: readonly string[];
}>;

export function isMemberId(value: string): boolean {
	return MEMBER_ID.test(value);
}

/** One stored entry as an assignee; a plain (typed or old) name has no member id. */
export function parseAssignee(entry: string): Assignee {
	const at = entry.lastIndexOf(SEPARATOR);
	if (at > 0) {
		const memberId = entry.slice(at + 1);
		const name = entry.slice(0, at);
		if (isMemberId(memberId) && name.trim() !== '') return Object.freeze({ name, memberId });
	}
	return Object.freeze({ name: entry, memberId: null });
}

export function formatAssignee(assignee: Assignee): string {
	return assignee.memberId ? `${assignee.name}${SEPARATOR}${assignee.memberId}` : assignee.name;
}

/** A typed name that would read back as a member entry is refused: it must stay a name. */
export function isPlainNameAllowed(name: string): boolean {
	return parseAssignee(name).memberId === null;
}

/** The entries of a case's assignees (stored entries, as `CaseSummary.assignees` holds them). */
export function parseAssignees(entries: readonly string[]): readonly Assignee[] {
	return Object.freeze(entries.map(parseAssignee));
}

/** The stored value (`CaseFieldValues.assignees`) as assignees. */
export function parseAssigneesValue(value: string): readonly Assignee[] {
	return parseAssignees(value === '' ? [] : value.split(','));
}

/** Names for reading ("刘师傅、王秀英"), whatever the entries are. */
export function assigneeNames(entries: readonly string[]): string[] {
	return entries.map((entry) => parseAssignee(entry).name);
}

/** What identifies an assignee on a board (the assignee filter's value): member id, else name. */
export function assigneeKey(assignee: Assignee): string {
	return assignee.memberId ?? assignee.name;
}

/**
 * Whether an entry matches `key` (a member id or a name, as the assignee filter carries it).
 * A member entry matches its id or its name, so a link made with a name still works.
 */
export function assigneeMatches(entry: string, key: string): boolean {
	const assignee = parseAssignee(entry);
	return assignee.memberId === key || assignee.name === key;
}

/**
 * Everyone `entries` name, once each, for the board's assignee filter: value = `assigneeKey`
 * (member id, else name), label = name; sorted by name (Chinese collation), then value.
 */
export function distinctAssignees(
	entries: Iterable<string>
): readonly Readonly<{ value: string; label: string }>[] {
	const byKey = new Map<string, string>();
	for (const entry of entries) {
		const assignee = parseAssignee(entry);
		const key = assigneeKey(assignee);
		if (key !== '' && !byKey.has(key)) byKey.set(key, assignee.name);
	}
	return [...byKey]
		.map(([value, label]) => Object.freeze({ value, label }))
		.sort((a, b) => a.label.localeCompare(b.label, 'zh-CN') || (a.value < b.value ? -1 : 1));
}

/** Who "me" is for "assigned to me": this member's id and display name. */
export type Me = Readonly<{ memberId: string; name: string }>;

/**
 * Whether `entries` name me: my member id, or, for a plain name (typed, or from before members
 * could be picked), my display name. A member entry of someone else with my name is not me.
 */
export function isAssignedTo(entries: readonly string[], me: Me): boolean {
	return entries.some((entry) => {
		const assignee = parseAssignee(entry);
		if (assignee.memberId !== null) return assignee.memberId === me.memberId;
		return me.name.trim() !== '' && assignee.name.trim() === me.name.trim();
	});
}

/**
 * Whether an assignee is outside the community as far as this device knows: a plain name that
 * no member on the members list carries. Null when the device has no members list (it cannot
 * tell), so nothing is marked on a guess.
 */
export function isOutsider(
	assignee: Assignee,
	roster: readonly RosterMember[] | null
): boolean | null {
	if (assignee.memberId !== null) return false;
	if (roster === null) return null;
	return !roster.some((member) => member.displayName === assignee.name);
}

/**
 * The members offered by a picker: those not already `chosen` (member ids), members of `gridId`
 * first, then by name (Chinese collation).
 */
export function pickableMembers(
	roster: readonly RosterMember[],
	gridId: string,
	chosen: readonly string[] = []
): readonly RosterMember[] {
	return roster
		.filter((member) => !chosen.includes(member.id))
		.map((member) => ({ member, here: gridId !== '' && (member.grids?.includes(gridId) ?? false) }))
		.sort(
			(a, b) =>
				Number(b.here) - Number(a.here) ||
				a.member.displayName.localeCompare(b.member.displayName, 'zh-CN')
		)
		.map(({ member }) => member);
}

/** Longest assignee name kept (code points); case-input.ts's CASE_PERSON_MAX. */
const NAME_MAX = 40;

/**
 * A member as an entry. Display names may be longer than an assignee name (60 against 40) and may
 * hold ',', the stored form's separator: the name is cut and its commas made full-width, so
 * picking any member always gives a valid entry.
 */
export function assigneeOfMember(member: RosterMember): Assignee {
	const name = [...member.displayName.trim().replaceAll(',', '，')].slice(0, NAME_MAX).join('');
	return Object.freeze({ name: name.trim() || member.id, memberId: member.id });
}

/**
 * A typed name as an entry: the member of that exact name when there is exactly one (someone
 * typed a colleague's name instead of picking it), else the plain name.
 */
export function assigneeFromTyped(name: string, roster: readonly RosterMember[] | null): Assignee {
	const trimmed = name.trim();
	const same = (roster ?? []).filter((member) => member.displayName === trimmed);
	const only = same.length === 1 ? same[0] : undefined;
	return only && isMemberId(only.id)
		? assigneeOfMember(only)
		: Object.freeze({ name: trimmed, memberId: null });
}
