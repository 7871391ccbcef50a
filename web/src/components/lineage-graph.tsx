import { Graph, layout } from '@dagrejs/dagre';
import { useMemo } from 'react';
import { Link, useNavigate } from 'react-router';
import { artifactPath, type LineageGraph } from '../api';
import { ScrollArea } from './scroll-area';

const NODE_HEIGHT = 44;
const CHAR_WIDTH = 7.5;

interface PlacedNode {
  id: string;
  name: string;
  x: number;
  y: number;
  width: number;
  href: string | null;
  self: boolean;
  kind: string;
}

/** Registry nodes link to their own page; nodes outside the registry (ext-…) are named only. */
function hrefOf(node: LineageGraph['nodes'][number]): string | null {
  const type = node.metadata?.type;
  const inRegistry = node.metadata?.in_registry !== false && !node.artifact_id.startsWith('ext-');
  return inRegistry && typeof type === 'string' ? artifactPath(type, node.artifact_id) : null;
}

function place(graph: LineageGraph, selfId: string) {
  const g = new Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 48, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) {
    const width = Math.min(260, Math.max(120, node.name.length * CHAR_WIDTH + 24));
    g.setNode(node.artifact_id, { width, height: NODE_HEIGHT });
  }
  for (const edge of graph.edges) g.setEdge(edge.from_node_artifact_id, edge.to_node_artifact_id);
  layout(g);
  const nodes: PlacedNode[] = graph.nodes.map((node) => {
    const placed = g.node(node.artifact_id);
    return {
      id: node.artifact_id,
      name: node.name,
      x: placed.x,
      y: placed.y,
      width: placed.width,
      href: node.artifact_id === selfId ? null : hrefOf(node),
      self: node.artifact_id === selfId,
      kind: typeof node.metadata?.type === 'string' ? node.metadata.type : 'external',
    };
  });
  const edges = g.edges().map((e) => ({ key: `${e.v}->${e.w}`, points: g.edge(e).points ?? [] }));
  const { width = 0, height = 0 } = g.graph();
  return { nodes, edges, width, height };
}

/**
 * The lineage as a picture (dagre layout, arrows from upstream to the model) and, for those who
 * cannot see it, the same relationships as a list.
 */
export function LineagePicture({ graph, selfId }: { graph: LineageGraph; selfId: string }) {
  const navigate = useNavigate();
  const placed = useMemo(() => place(graph, selfId), [graph, selfId]);
  const names = new Map(graph.nodes.map((n) => [n.artifact_id, n]));
  if (graph.edges.length === 0) {
    return <p>No parents, datasets or code are known for this model.</p>;
  }
  return (
    <figure className="lineage">
      <ScrollArea className="lineage-scroll" label="Lineage graph">
        <svg viewBox={`0 0 ${placed.width} ${placed.height}`} width={placed.width} height={placed.height}>
          <title>Lineage graph: arrows point from each source to what was built from it</title>
          <defs>
            <marker
              id="lineage-arrow"
              viewBox="0 0 10 10"
              refX="10"
              refY="5"
              markerWidth="7"
              markerHeight="7"
              orient="auto"
            >
              <path d="M0,0 L10,5 L0,10 z" className="lineage-arrow" />
            </marker>
          </defs>
          {placed.edges.map((edge) => (
            <polyline
              key={edge.key}
              className="lineage-edge"
              points={edge.points.map((p: { x: number; y: number }) => `${p.x},${p.y}`).join(' ')}
              markerEnd="url(#lineage-arrow)"
            />
          ))}
          {placed.nodes.map((node) => {
            const box = (
              <>
                <rect
                  x={node.x - node.width / 2}
                  y={node.y - NODE_HEIGHT / 2}
                  width={node.width}
                  height={NODE_HEIGHT}
                  rx="6"
                  className={`lineage-node lineage-${node.self ? 'self' : node.kind}`}
                />
                <text x={node.x} y={node.y - 3} textAnchor="middle" className="lineage-name">
                  {truncate(node.name, Math.floor((node.width - 16) / CHAR_WIDTH))}
                </text>
                <text x={node.x} y={node.y + 13} textAnchor="middle" className="lineage-kind">
                  {node.self ? 'this model' : node.kind}
                </text>
              </>
            );
            return node.href ? (
              <a
                key={node.id}
                href={node.href}
                className="lineage-link"
                onClick={(event) => {
                  event.preventDefault();
                  if (node.href) navigate(node.href);
                }}
              >
                {box}
              </a>
            ) : (
              <g key={node.id}>{box}</g>
            );
          })}
        </svg>
      </ScrollArea>
      <figcaption>
        <p>In words:</p>
        <ul className="lineage-text">
          {graph.edges.map((edge) => {
            const from = names.get(edge.from_node_artifact_id);
            const to = names.get(edge.to_node_artifact_id);
            const href = from && from.artifact_id !== selfId ? hrefOf(from) : null;
            return (
              <li key={`${edge.from_node_artifact_id}-${edge.to_node_artifact_id}-${edge.relationship}`}>
                {href ? (
                  <Link to={href}>{from?.name}</Link>
                ) : (
                  <span>{from?.name ?? edge.from_node_artifact_id}</span>
                )}{' '}
                is the {edge.relationship.replaceAll('_', ' ')} of {to?.name ?? edge.to_node_artifact_id}
                {from && !href && from.artifact_id !== selfId ? ' (not in this registry)' : ''}.
              </li>
            );
          })}
        </ul>
      </figcaption>
    </figure>
  );
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}
