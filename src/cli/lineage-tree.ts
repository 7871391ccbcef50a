interface LineageGraph {
  nodes: {
    artifact_id: string;
    name: string;
    source: string;
    metadata?: { in_registry?: boolean; type?: string };
  }[];
  edges: { from_node_artifact_id: string; to_node_artifact_id: string; relationship: string }[];
}

/**
 * The lineage graph as a tree rooted at the model, each node's parents (what it was built from)
 * beneath it with the relationship; a node reached twice is shown once in full, then marked (see above).
 */
export function lineageTree(rootId: string, graph: LineageGraph): string {
  const nodes = new Map(graph.nodes.map((node) => [node.artifact_id, node]));
  const label = (id: string) => {
    const node = nodes.get(id);
    if (!node) return id;
    const where = node.metadata?.in_registry === false ? 'not in registry' : id;
    return `${node.name} (${[node.metadata?.type, where].filter(Boolean).join(', ')})`;
  };
  const lines = [label(rootId)];
  const shown = new Set([rootId]);
  const walk = (id: string, indent: string) => {
    const parents = graph.edges.filter((edge) => edge.to_node_artifact_id === id);
    parents.forEach((edge, index) => {
      const last = index === parents.length - 1;
      const parent = edge.from_node_artifact_id;
      const repeated = shown.has(parent);
      lines.push(
        `${indent}${last ? '└── ' : '├── '}${edge.relationship}: ${label(parent)}${repeated ? ' (see above)' : ''}`,
      );
      if (repeated) return;
      shown.add(parent);
      walk(parent, `${indent}${last ? '    ' : '│   '}`);
    });
  };
  walk(rootId, '');
  return lines.join('\n');
}
