// A layered (left-to-right) layout of the service graph: callers left of
// the services they call, so requests read from left to right. Cycles are
// broken by ignoring the edges that close them; node order within a layer
// follows the average position of its neighbours (barycentre), which keeps
// edge crossings low for the few-dozen-node graphs a service map has.

export interface LayoutEdge {
  client: string;
  server: string;
}

export interface Placed {
  x: number;
  y: number;
  layer: number;
}

export interface Layout {
  pos: Map<string, Placed>;
  width: number;
  height: number;
}

export const NODE_W = 150;
export const NODE_H = 44;
const GAP_X = 110;
const GAP_Y = 26;
const PAD = 20;
/** The most nodes stacked in one column. */
export const MAX_ROWS = 12;

/** layeredLayout places nodes in columns by call depth. Deterministic for the same input. */
export function layeredLayout(ids: string[], edges: LayoutEdge[]): Layout {
  const nodes = [...new Set(ids)].sort();
  const out = new Map<string, string[]>();
  const inn = new Map<string, string[]>();
  for (const n of nodes) {
    out.set(n, []);
    inn.set(n, []);
  }
  for (const e of edges) {
    if (e.client === e.server || !out.has(e.client) || !out.has(e.server)) continue;
    out.get(e.client)!.push(e.server);
    inn.get(e.server)!.push(e.client);
  }
  for (const l of [...out.values(), ...inn.values()]) l.sort();

  // Depth-first search from the sources (then from any node left) gives a
  // topological order of the graph without its back edges.
  const state = new Map<string, 0 | 1 | 2>(); // 0 new, 1 on stack, 2 done
  const back = new Set<string>();
  const order: string[] = [];
  const visit = (start: string) => {
    const stack: [string, number][] = [[start, 0]];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const succ = out.get(top[0])!;
      if (top[1] < succ.length) {
        const v = succ[top[1]++];
        const s = state.get(v) ?? 0;
        if (s === 1) back.add(`${top[0]}\u0000${v}`);
        else if (s === 0) {
          state.set(v, 1);
          stack.push([v, 0]);
        }
      } else {
        state.set(top[0], 2);
        order.push(top[0]);
        stack.pop();
      }
    }
  };
  for (const n of nodes) if (inn.get(n)!.length === 0 && !state.get(n)) visit(n);
  for (const n of nodes) if (!state.get(n)) visit(n);
  order.reverse();

  const layer = new Map<string, number>();
  for (const n of order) {
    let l = 0;
    for (const p of inn.get(n)!) if (!back.has(`${p}\u0000${n}`)) l = Math.max(l, (layer.get(p) ?? 0) + 1);
    layer.set(n, l);
  }
  const depth = Math.max(0, ...layer.values());
  const layers: string[][] = Array.from({ length: depth + 1 }, () => []);
  for (const n of nodes) layers[layer.get(n)!].push(n);

  // Barycentre sweeps, left to right then right to left.
  const index = new Map<string, number>();
  const reindex = () => layers.forEach((ls) => ls.forEach((n, i) => index.set(n, i)));
  reindex();
  const bary = (n: string, nbrs: string[]) => {
    const ps = nbrs.filter((m) => index.has(m)).map((m) => index.get(m)!);
    return ps.length ? ps.reduce((a, b) => a + b, 0) / ps.length : index.get(n)!;
  };
  for (let sweep = 0; sweep < 4; sweep++) {
    const down = sweep % 2 === 0;
    const seq = down ? layers.slice(1) : layers.slice(0, -1).reverse();
    for (const ls of seq) {
      const key = new Map(ls.map((n) => [n, bary(n, down ? inn.get(n)! : out.get(n)!)]));
      ls.sort((a, b) => key.get(a)! - key.get(b)! || a.localeCompare(b));
      ls.forEach((n, i) => index.set(n, i));
    }
  }

  // A layer taller than MAX_ROWS wraps into several columns, so 50
  // services stay on a screen or two rather than one very tall column.
  const columns: { layer: number; nodes: string[] }[] = [];
  layers.forEach((ls, li) => {
    for (let i = 0; i < ls.length; i += MAX_ROWS) columns.push({ layer: li, nodes: ls.slice(i, i + MAX_ROWS) });
  });
  const rows = Math.max(1, ...columns.map((c) => c.nodes.length));
  const height = PAD * 2 + rows * NODE_H + (rows - 1) * GAP_Y;
  const width = PAD * 2 + columns.length * NODE_W + (columns.length - 1) * GAP_X;
  const pos = new Map<string, Placed>();
  columns.forEach((c, ci) => {
    const colH = c.nodes.length * NODE_H + (c.nodes.length - 1) * GAP_Y;
    const top = (height - colH) / 2;
    c.nodes.forEach((n, i) => pos.set(n, { layer: c.layer, x: PAD + ci * (NODE_W + GAP_X), y: top + i * (NODE_H + GAP_Y) }));
  });
  return { pos, width, height };
}
