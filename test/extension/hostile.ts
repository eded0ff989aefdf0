// Messages a buggy or hostile webview page could send to the host (shared by the validator and provider tests).

const edit = (e: unknown, version: unknown = 3) => ({ type: 'edit', version, edit: e });

/** Builds an object nested `depth` deep without recursion. */
function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

function manyKeys(n: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) o[`k${i}`] = { x: 1, y: 1 };
  return o;
}

const sparse = (): unknown[] => {
  const a: unknown[] = [];
  a.length = 2 ** 32 - 1;
  return a;
};

/** Messages a buggy or hostile page could send. */
export const HOSTILE: [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['a number', 42],
  ['a string', '{"type":"ready"}'],
  ['an array', [{ type: 'ready' }]],
  ['no type', {}],
  ['an unknown type', { type: 'deleteEverything' }],
  ['type not a string', { type: ['edit'] }],
  ['a Date', new Date()],
  ['a Map', new Map([['type', 'ready']])],
  [
    'a class instance',
    new (class {
      type = 'ready';
    })(),
  ],
  ['ready with extra keys', { type: 'ready', extra: 1 }],
  ['runCommand of another command', { type: 'runCommand', command: 'workbench.action.terminal.new' }],
  ['runCommand of a prefixed command', { type: 'runCommand', command: 'backpropStudio.train' }],
  ['edit without version', { type: 'edit', edit: { kind: 'setName', name: 'x' } }],
  ['version NaN', edit({ kind: 'setName', name: 'x' }, NaN)],
  ['version Infinity', edit({ kind: 'setName', name: 'x' }, Infinity)],
  ['version 1e300', edit({ kind: 'setName', name: 'x' }, 1e300)],
  ['version -1', edit({ kind: 'setName', name: 'x' }, -1)],
  ['version 1.5', edit({ kind: 'setName', name: 'x' }, 1.5)],
  ['version as a string', edit({ kind: 'setName', name: 'x' }, '3')],
  ['edit not an object', edit('setName')],
  ['an unknown edit', edit({ kind: 'dropTable' })],
  ['edit kind __proto__', edit({ kind: '__proto__' })],
  ['a name of 10 MB', edit({ kind: 'setName', name: 'x'.repeat(10_000_000) })],
  ['a name that is a number', edit({ kind: 'setName', name: 5 })],
  ['an id with a dot', edit({ kind: 'renameNode', from: 'a', to: 'a.weight' })],
  ['an id starting with a digit', edit({ kind: 'renameNode', from: 'a', to: '1a' })],
  ['an id of 10 000 characters', edit({ kind: 'renameNode', from: 'a', to: 'a'.repeat(10_000) })],
  ['an id with a quote', edit({ kind: 'renameNode', from: 'a', to: 'a"b' })],
  ['an empty id', edit({ kind: 'renameNode', from: '', to: 'b' })],
  ['a position of NaN', edit({ kind: 'moveNodes', positions: { a: { x: NaN, y: 0 } } })],
  ['a position of Infinity', edit({ kind: 'moveNodes', positions: { a: { x: 0, y: -Infinity } } })],
  ['a position of 1e300', edit({ kind: 'moveNodes', positions: { a: { x: 1e300, y: 0 } } })],
  ['a position as strings', edit({ kind: 'moveNodes', positions: { a: { x: '1', y: '2' } } })],
  ['a position with extra keys', edit({ kind: 'moveNodes', positions: { a: { x: 1, y: 2, z: 3 } } })],
  ['no positions', edit({ kind: 'moveNodes', positions: {} })],
  ['positions as an array', edit({ kind: 'moveNodes', positions: [{ x: 1, y: 2 }] })],
  ['20 000 positions (over the 10 000-node cap)', edit({ kind: 'moveNodes', positions: manyKeys(20_000) })],
  ['a huge node array', edit({ kind: 'addNodes', nodes: new Array(10_000_000).fill({ id: 'a', op: 'ReLU' }), edges: [] })],
  ['a sparse array of length 2^32-1', edit({ kind: 'deleteElements', nodeIds: sparse(), edges: [] })],
  ['a huge edge array', edit({ kind: 'deleteElements', nodeIds: [], edges: new Array(1_000_000).fill({ from: 'a', to: 'b' }) })],
  ['no nodes', edit({ kind: 'addNodes', nodes: [], edges: [] })],
  ['deleting nothing', edit({ kind: 'deleteElements', nodeIds: [], edges: [] })],
  ['a node with extra keys', edit({ kind: 'addNodes', nodes: [{ id: 'a', op: 'ReLU', script: 'alert(1)' }], edges: [] })],
  ['an op with spaces', edit({ kind: 'addNodes', nodes: [{ id: 'a', op: 'Re LU' }], edges: [] })],
  ['attrs as an array', edit({ kind: 'addNodes', nodes: [{ id: 'a', op: 'ReLU', attrs: [1] }], edges: [] })],
  ['an attribute nested 100 000 deep', edit({ kind: 'addNodes', nodes: [{ id: 'a', op: 'ReLU', attrs: { p: nested(100_000) } }], edges: [] })],
  ['a ui value nested deep', edit({ kind: 'addNodes', nodes: [{ id: 'a', op: 'ReLU', ui: { x: 1, y: 2, c: nested(1000) } }], edges: [] })],
  ['an attribute array of 1e6', edit({ kind: 'setAttr', nodeId: 'a', attr: 'shape', value: new Array(1_000_000).fill(1) })],
  ['an attribute array with NaN', edit({ kind: 'setAttr', nodeId: 'a', attr: 'shape', value: [1, NaN] })],
  ['an attribute of -Infinity', edit({ kind: 'setAttr', nodeId: 'a', attr: 'p', value: -Infinity })],
  ['an attribute that is an object', edit({ kind: 'setAttr', nodeId: 'a', attr: 'p', value: { valueOf: 1 } })],
  ['an attribute named with a dot', edit({ kind: 'setAttr', nodeId: 'a', attr: 'a.b', value: 1 })],
  ['a port of 64', edit({ kind: 'connect', edge: { from: 'a', to: 'b', port: 64 } })],
  ['a port of -1', edit({ kind: 'connect', edge: { from: 'a', to: 'b', port: -1 } })],
  ['a port of 0.5', edit({ kind: 'setInput', nodeId: 'b', port: 0.5, source: 'a' })],
  ['a source of undefined', edit({ kind: 'setInput', nodeId: 'b', port: 0 })],
  ['__proto__ as the message', JSON.parse('{"__proto__": {"type": "ready"}}')],
  ['__proto__ in an edit', edit(JSON.parse('{"kind": "setName", "name": "x", "__proto__": {"polluted": true}}'))],
  ['__proto__ in attrs', edit({ kind: 'addNodes', nodes: [JSON.parse('{"id":"a","op":"ReLU","attrs":{"__proto__":{"polluted":true}}}')], edges: [] })],
  [
    'constructor.prototype in ui',
    edit({ kind: 'addNodes', nodes: [JSON.parse('{"id":"a","op":"ReLU","ui":{"constructor":{"prototype":{"polluted":true}}}}')], edges: [] }),
  ],
  ['a training control that is not one', { type: 'trainingControl', action: 'format C:' }],
  ['a watched node that is not an id', { type: 'watchNode', nodeId: 'a b' }],
  ['a watched node that is a number', { type: 'watchNode', nodeId: 7 }],
  ['a watched node left out', { type: 'watchNode' }],
  ['a watched node with extra keys', { type: 'watchNode', nodeId: 'a', step: 1 }],
  ['a training path of 10 keys', edit({ kind: 'setTraining', path: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'], value: 1 })],
  ['an empty training path', edit({ kind: 'setTraining', path: [], value: 1 })],
  ['a training path with a dot', edit({ kind: 'setTraining', path: ['optimizer.lr'], value: 1 })],
  ['a training value nested 100 000 deep', edit({ kind: 'setTraining', path: ['dataset'], value: nested(100_000) })],
  ['a training value with 100 000 keys', edit({ kind: 'setTraining', path: ['dataset'], value: manyKeys(100_000) })],
  [
    'a training value of 300 objects',
    edit({
      kind: 'setTraining',
      path: ['dataset'],
      value: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, Object.fromEntries(Array.from({ length: 20 }, (_, j) => [`j${j}`, j]))])),
    }),
  ],
  ['a training value of Infinity', edit({ kind: 'setTraining', path: ['optimizer', 'lr'], value: Infinity })],
  ['a training value that is null inside', edit({ kind: 'setTraining', path: ['dataset'], value: { source: null } })],
  ['input features that are not a list', edit({ kind: 'setInputFeatures', features: 'x1' })],
  ['no input features (an empty list)', edit({ kind: 'setInputFeatures', features: [] })],
  ['an unknown input feature', edit({ kind: 'setInputFeatures', features: ['x1', 'cos(x1)'] })],
  ['an input feature that is a number', edit({ kind: 'setInputFeatures', features: [1] })],
  ['more input features than there are', edit({ kind: 'setInputFeatures', features: new Array(8).fill('x1') })],
  ['input features left out', edit({ kind: 'setInputFeatures' })],
  ['input features with an Input id', edit({ kind: 'setInputFeatures', features: ['x1'], nodeId: 'x' })],
  [
    'a getter that throws',
    {
      type: 'edit',
      version: 1,
      get edit() {
        throw new Error('boom');
      },
    },
  ],
  [
    'a Proxy that throws',
    new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('boom');
        },
        getPrototypeOf() {
          return Object.prototype;
        },
        get() {
          throw new Error('boom');
        },
      },
    ),
  ],
];
