/**
 * The kernel tests again in a Node without relaxed SIMD (the suite's processes have it: scripts/run-tests.mjs),
 * so the plain-SIMD build is what the hosts pick there and both paths run in CI. Also checks the choice itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const CHILD = 'BACKPROP_KERNEL_TEST_CHILD';
const here = path.join('test', 'kernels');

test(
  'without relaxed SIMD the hosts choose plain SIMD, and every kernel test passes on it',
  { skip: process.env[CHILD] ? 'already the plain-runtime run' : false },
  () => {
    // execArgv minus the relaxed flag; BACKPROP_RELAXED_SIMD=0 keeps the command line from turning it on.
    const execArgv = process.execArgv.filter((a) => !a.includes('relaxed-simd'));
    // NODE_TEST_CONTEXT would make the child's test runner think it is nested and skip every file.
    const { NODE_TEST_CONTEXT: _nested, ...parentEnv } = process.env;
    const env = { ...parentEnv, [CHILD]: '1', BACKPROP_RELAXED_SIMD: '0' };
    const probe = spawnSync(
      process.execPath,
      [...execArgv, '--import', 'tsx', '-e', "const k=require('./common/kernels'); console.log(JSON.stringify(k.enableFastKernels(1)))"],
      { env, encoding: 'utf8' },
    );
    assert.equal(probe.status, 0, probe.stderr);
    assert.deepEqual(JSON.parse(probe.stdout.trim().split('\n').pop()!), { kernels: 'simd', threads: 1 });

    const files = readdirSync(here)
      .filter((f) => f.endsWith('.test.ts') && f !== path.basename(__filename))
      .map((f) => path.join(here, f));
    const r = spawnSync(process.execPath, [...execArgv, '--import', 'tsx', '--test', '--test-reporter=tap', ...files], { env, encoding: 'utf8' });
    assert.equal(r.status, 0, `kernel tests failed without relaxed SIMD:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^# pass [1-9]/m, 'the kernel tests ran');
    assert.match(r.stdout, /\(simd, 1 thread\)/, 'the plain-SIMD kernels were tested');
    assert.doesNotMatch(r.stdout, /relaxed-simd, 1 thread/, 'relaxed SIMD was off in that process');
  },
);
