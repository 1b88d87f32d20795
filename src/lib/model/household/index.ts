/**
 * The household aggregate's public face: one grid's household register
 * (`c/{communityId}/households/{gridId}`, issue 18). Everything outside model/ imports from here.
 *
 *   schema.ts      the Yjs layout (read its header first) and typed access
 *   commands.ts    every write: households, colours, residents, tags, tombstones, visits,
 *                  follow-up links, export records; one HouseholdContext each, a Result back
 *   import.ts      many households at once, duplicates by address merged or skipped
 *   follow-ups.ts  a case or a task made from a visit, linked both ways
 *   readers.ts     frozen snapshots: listHouseholds (memoised), readHousehold, listExports,
 *                  visitsDue ("我的走访")
 *   validate.ts    the commands' input checks (the domain's parsers)
 *
 * The community's visit plan (days between visits per colour) is a directory setting:
 * model/directory/settings.ts `readVisitPlan` / `setVisitInterval`. Statistics for the dashboard:
 * domain/household-stats.ts, fed by `listHouseholds`.
 *
 * Invariant: this module adds no behaviour of its own.
 */

export {
	addResident,
	createHousehold,
	deleteHousehold,
	editHouseholdField,
	linkFollowUp,
	mayWriteHouseholds,
	recordExport,
	recordVisit,
	restoreHousehold,
	setResidentRemoved,
	setColour,
	setResidentTag,
	editResidentField,
	EXPORT_FORMATS,
	EXPORT_SCOPES,
	FOLLOW_UP_KINDS,
	VISIT_PHOTOS_MAX,
	VISITORS_MAX,
	type Changed,
	type CreateHouseholdReason,
	type EditHouseholdReason,
	type ExportInput,
	type ExportRecord,
	type FollowUpKind,
	type FollowUpLink,
	type HouseholdAuthority,
	type HouseholdContext,
	type HouseholdExtras,
	type LinkFollowUpInput,
	type LinkFollowUpReason,
	type RecordExportReason,
	type RecordVisitReason,
	type ResidentCommandReason,
	type SetColourReason,
	type TombstoneReason,
	type VisitInput,
	type VisitRecord
} from './commands';
export {
	findImportDuplicates,
	importHouseholds,
	type DuplicateDecision,
	type ImportDuplicate,
	type ImportOptions,
	type ImportReport,
	type ImportRowError
} from './import';
export {
	createCaseFromVisit,
	createTaskFromVisit,
	readCaseVisitSource,
	readTaskVisitSource,
	type VisitRef,
	type VisitSource
} from './follow-ups';
export {
	intervalOf,
	listExports,
	listHouseholds,
	readHousehold,
	visitsDue,
	type ColourChange,
	type ColourSnapshot,
	type DueVisit,
	type HouseholdSnapshot,
	type HouseholdSummary,
	type ResidentSnapshot,
	type VisitSnapshot
} from './readers';
export type {
	EditableHouseholdField,
	EditableResidentField,
	HouseholdFieldStates,
	ResidentFieldStates
} from './schema';
