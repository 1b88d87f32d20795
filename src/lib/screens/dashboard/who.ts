/**
 * Who is offered the dashboard and the report: the secretary, and observers read-only (they
 * never see households: the access matrix gives them no register). No imports, so the community
 * home can ask without loading anything.
 */
export function mayViewDashboard(role: string): boolean {
	return role === 'secretary' || role === 'observer';
}
