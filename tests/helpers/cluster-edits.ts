// Applies cluster-table edits in order and collects their inverses in the order they were made
// (reverse them to undo), for the cluster-table tests.
import { applyClusterEdit, type ClusterEdit, type ClusterTable } from '../../src/core/session/cluster-table';

export function applyEdits(table: ClusterTable, edits: readonly ClusterEdit[]): { table: ClusterTable; inverses: ClusterEdit[] } {
  const inverses: ClusterEdit[] = [];
  for (const e of edits) {
    const r = applyClusterEdit(table, e);
    table = r.table;
    inverses.push(r.inverse);
  }
  return { table, inverses };
}
