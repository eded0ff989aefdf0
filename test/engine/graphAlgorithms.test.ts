// The shared graph algorithms on small hand-made graphs, each expected order, path and set worked out by
// hand: the tie rules the analyzer and the training overlay rely on, the cycle named with its path, and
// the one wording of each cycle error.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  closesCycleMessage,
  cycleClosedBy,
  cycleProblem,
  downstream,
  findCycle,
  onCycleMessage,
  selfLoopMessage,
  shortestPath,
  stableTopologicalOrder,
  topologicalOrder,
  upstream,
  type Edge,
} from '../../engine/graph/algorithms';

/** `'a>b c>d'` → edges a → b, c → d. */
const edges = (text: string): Edge[] =>
  text
    .split(' ')
    .filter(Boolean)
    .map((pair) => {
      const [from, to] = pair.split('>');
      return { from: from!, to: to! };
    });
const sorted = (s: Set<string>) => [...s].sort();

const diamond = edges('a>b a>c b>d c>d');

describe('topologicalOrder', () => {
  it('places sources in the given order, then each node once its inputs are placed, following edge order', () => {
    assert.deepEqual(topologicalOrder(['a', 'b', 'c', 'd'], diamond), ['a', 'b', 'c', 'd']);
    assert.deepEqual(topologicalOrder(['d', 'c', 'b', 'a'], diamond), ['a', 'b', 'c', 'd'], 'b before c: a → b is the first edge');
    assert.deepEqual(topologicalOrder(['a', 'b', 'c', 'd'], edges('a>c a>b b>d c>d')), ['a', 'c', 'b', 'd']);
  });

  it('puts every source first, then goes breadth first (the analyzer’s order, not the least reordering)', () => {
    assert.deepEqual(topologicalOrder(['a', 'b', 'c', 'd'], edges('a>d b>c')), ['a', 'b', 'd', 'c']);
  });

  it('orders disconnected parts together, sources in the given order', () => {
    assert.deepEqual(topologicalOrder(['x', 'y', 'p', 'q'], edges('p>q x>y')), ['x', 'p', 'y', 'q']);
    assert.deepEqual(topologicalOrder(['lone', 'b', 'a'], edges('a>b')), ['lone', 'a', 'b']);
  });

  it('counts a duplicate edge twice and still places its target once', () => {
    assert.deepEqual(topologicalOrder(['add', 'x'], edges('x>add x>add')), ['x', 'add']);
  });

  it('leaves out the nodes on a cycle and downstream of one', () => {
    assert.deepEqual(topologicalOrder(['a', 'b'], edges('a>a a>b')), [], 'a self-loop blocks a and what it feeds');
    assert.deepEqual(topologicalOrder(['r1', 'r2', 'a', 'b', 't'], edges('r1>t r2>a a>b b>a')), ['r1', 'r2', 't']);
  });

  it('ignores edges with an end outside the nodes', () => {
    assert.deepEqual(topologicalOrder(['b', 'a'], edges('ghost>a a>b b>elsewhere')), ['a', 'b']);
  });
});

describe('stableTopologicalOrder', () => {
  it('keeps an order that is already topological, and moves a node only after what reaches it', () => {
    assert.deepEqual(stableTopologicalOrder(['a', 'b', 'c', 'd'], edges('a>d b>c')), ['a', 'b', 'c', 'd']);
    assert.deepEqual(stableTopologicalOrder(['d', 'c', 'b', 'a'], diamond), ['a', 'c', 'b', 'd'], 'c before b: c came first');
  });

  it('orders a subset by paths through nodes outside it', () => {
    const chain = edges('x>a a>r r>b b>c');
    assert.deepEqual(stableTopologicalOrder(['c', 'a', 'b'], chain), ['a', 'b', 'c']);
    assert.deepEqual(stableTopologicalOrder(['a', 'b', 'c'], chain), ['a', 'b', 'c']);
    const fork = edges('x>p x>q p>s q>s');
    assert.deepEqual(stableTopologicalOrder(['q', 'p', 's'], fork), ['q', 'p', 's'], 'parallel branches keep the given order');
    assert.deepEqual(stableTopologicalOrder(['s', 'p', 'q'], fork), ['p', 'q', 's']);
    assert.deepEqual(stableTopologicalOrder(['b', 'a'], []), ['b', 'a'], 'no edges: the given order');
  });

  it('returns every id on a cycle, the earliest left first', () => {
    assert.deepEqual(stableTopologicalOrder(['b', 'a', 'z'], edges('a>b b>a z>a')), ['z', 'b', 'a']);
  });
});

describe('findCycle', () => {
  it('is null for acyclic graphs, duplicate edges and disconnected parts included', () => {
    assert.equal(findCycle(['a', 'b', 'c', 'd'], diamond), null);
    assert.equal(findCycle(['x', 'add'], edges('x>add x>add')), null);
    assert.equal(findCycle(['x', 'y', 'p', 'q'], edges('p>q x>y')), null);
  });

  it('names a self-loop', () => {
    assert.deepEqual(findCycle(['x', 'a', 'b'], edges('x>a a>a a>b')), ['a', 'a']);
  });

  it('gives a long cycle as a closed path from the first node on it', () => {
    assert.deepEqual(findCycle(['s', 'a', 'b', 'c', 'd', 'e'], edges('s>a a>b b>c c>d d>e e>a')), ['a', 'b', 'c', 'd', 'e', 'a']);
  });

  it('finds a cycle reachable from only one of the roots', () => {
    assert.deepEqual(findCycle(['r1', 'r2', 'a', 'b', 't'], edges('r1>t r2>a a>b b>a')), ['a', 'b', 'a']);
  });

  it('skips the nodes downstream of the cycle, even when they come first', () => {
    assert.deepEqual(findCycle(['t', 'a', 'b'], edges('a>b b>a b>t')), ['b', 'a', 'b']);
  });

  it('takes the first edge into a node when several close cycles', () => {
    // a is fed by c then b: walking back from a goes to c, and c's only feed is b.
    assert.deepEqual(findCycle(['a', 'b', 'c'], edges('c>a b>a a>b b>c b>c')), ['a', 'b', 'c', 'a']);
  });
});

describe('reachability', () => {
  it('upstream: the ids and their ancestors', () => {
    assert.deepEqual(sorted(upstream(diamond, ['c'])), ['a', 'c']);
    assert.deepEqual(sorted(upstream(diamond, ['d'])), ['a', 'b', 'c', 'd']);
    assert.deepEqual(sorted(upstream(diamond, ['b', 'c'])), ['a', 'b', 'c']);
    assert.deepEqual(sorted(upstream(diamond, ['a'])), ['a']);
  });

  it('downstream: the ids and their descendants, across cycles and not into other parts', () => {
    assert.deepEqual(sorted(downstream(diamond, ['b'])), ['b', 'd']);
    assert.deepEqual(sorted(downstream(edges('p>q x>y'), ['x'])), ['x', 'y']);
    assert.deepEqual(sorted(downstream(edges('r>a a>b b>a b>t'), ['b'])), ['a', 'b', 't']);
    assert.deepEqual(sorted(downstream(edges('a>a'), ['a'])), ['a']);
  });

  it('shortestPath: the fewest edges, the first edge on ties', () => {
    assert.deepEqual(shortestPath(diamond, 'a', 'd'), ['a', 'b', 'd']);
    assert.deepEqual(shortestPath(edges('a>b b>c c>d a>d'), 'a', 'd'), ['a', 'd']);
    assert.deepEqual(shortestPath(diamond, 'b', 'b'), ['b']);
    assert.equal(shortestPath(diamond, 'd', 'a'), null);
  });
});

describe('cycleClosedBy', () => {
  it('is the path the new edge would close, from its target back to it', () => {
    assert.deepEqual(cycleClosedBy(diamond, 'd', 'a'), ['a', 'b', 'd', 'a']);
    assert.deepEqual(cycleClosedBy(edges('a>b b>c c>d d>e'), 'e', 'b'), ['b', 'c', 'd', 'e', 'b']);
    assert.deepEqual(cycleClosedBy(diamond, 'c', 'c'), ['c', 'c'], 'a self-loop');
  });

  it('is null for an edge that keeps the graph acyclic: across, parallel, duplicate or into another part', () => {
    assert.equal(cycleClosedBy(diamond, 'b', 'c'), null);
    assert.equal(cycleClosedBy(diamond, 'a', 'd'), null);
    assert.equal(cycleClosedBy(diamond, 'a', 'b'), null);
    assert.equal(cycleClosedBy(edges('p>q x>y'), 'q', 'x'), null);
  });
});

describe('messages', () => {
  it('word each cycle error once', () => {
    assert.equal(onCycleMessage('Linear node "fc"', ['fc', 'mix', 'fc']), 'Linear node "fc" is on a cycle: fc → mix → fc (the graph must be acyclic)');
    assert.equal(selfLoopMessage('fc'), '"fc" cannot feed itself (the graph must be acyclic).');
    assert.equal(
      closesCycleMessage('fc', 'add', ['add', 'fc', 'add']),
      'Connecting "fc" to "add" would make a cycle (add → fc → add); the graph must be acyclic.',
    );
  });

  it('cycleProblem: the reason a new edge is refused for a cycle, or null', () => {
    assert.equal(cycleProblem(diamond, 'd', 'a'), 'Connecting "d" to "a" would make a cycle (a → b → d → a); the graph must be acyclic.');
    assert.equal(cycleProblem(diamond, 'b', 'b'), '"b" cannot feed itself (the graph must be acyclic).');
    assert.equal(cycleProblem(diamond, 'b', 'c'), null);
  });
});
