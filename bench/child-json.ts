// Bench measurements that need a process of their own (an honest peak RSS, a V8 flag such as
// relaxed SIMD's): the script runs in a child node with the same loader flags (tsx's) and prints
// its figures as JSON on its last line of stdout; stderr goes straight through.
import { spawnSync } from 'node:child_process';

/** Runs `script` with `args` in a child node (`nodeFlags` first) and returns its last stdout line as JSON. */
export function childJson<T>(what: string, script: string, args: readonly string[], nodeFlags: readonly string[] = []): T {
  const child = spawnSync(process.execPath, [...nodeFlags, ...process.execArgv, script, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 22,
  });
  if (child.status !== 0) throw new Error(`${what} failed: exit ${child.status ?? child.signal}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as T;
}
