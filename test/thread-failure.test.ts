// A worker thread that dies, exits or stops answering turns a 2-thread fit into a LatentrecError
// within seconds (the stall floor is 2 s; these blocks take a millisecond), every worker is ended,
// and the process stays responsive: a SIGINT sent during the hang is handled once the error is
// thrown. Each case runs in a child process (test/fixtures/thread-failure-child.ts), which breaks
// a worker from outside the library, under a hard timeout, so a hang fails the test instead of
// hanging vitest. Bounds here are on hangs only (20 s for what takes about 2), never on speed.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

const fixture = resolve(repoRoot, 'test/fixtures/thread-failure-child.ts');
/** A child still running after this is killed, and the test fails: no case should come near it. */
const HARD_TIMEOUT_MS = 60_000;
/** How long a failure may take to surface (2 s of stall floor, plus the fit around it on a loaded machine). */
const HANG_BOUND_S = 20;

interface Child {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** The child's last stdout line, parsed. */
  result: Record<string, unknown> & { threads?: number; exits?: (number | null)[]; error?: { name: string; latentrec: boolean; message: string } };
  /** Seconds from the SIGINT to the child's end (when one was sent). */
  sigintToExit?: number;
}

/** Runs one scenario; with `sigintAfterMs`, sends SIGINT that long after the child prints "killed". */
function runChild(scenario: string, sigintAfterMs?: number): Promise<Child> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, scenario], { cwd: repoRoot });
    let stdout = '', stderr = '', timedOut = false, sentAt: number | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, HARD_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (sigintAfterMs !== undefined && sentAt === undefined && stdout.includes('killed\n')) {
        sentAt = -1;
        setTimeout(() => {
          sentAt = performance.now();
          child.kill('SIGINT');
        }, sigintAfterMs);
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').filter((line) => line.startsWith('{')).pop();
      done({
        code, signal, timedOut, stdout, stderr,
        result: last ? JSON.parse(last) : {},
        sigintToExit: sentAt !== undefined && sentAt > 0 ? (performance.now() - sentAt) / 1000 : undefined,
      });
    });
  });
}

/** What every case shows: the fit ran on 2 threads, failed with a LatentrecError in bounded time, and every worker ended. */
function expectLoudFailure(child: Child, message: RegExp) {
  expect(child.timedOut, `the child hung: ${child.stderr}`).toBe(false);
  expect(child.result.threads).toBe(2);
  expect(child.result.error).toMatchObject({ name: 'LatentrecError', latentrec: true });
  expect(child.result.error!.message).toMatch(message);
  expect(child.result.error!.message).toContain('every worker thread was stopped. Fit with threads: 1 to train without worker threads');
  expect(child.result.fitSeconds).toBeLessThan(HANG_BOUND_S);
  // Both fits' workers (the healthy first one's and the broken one's) have ended.
  expect(child.result.exits).toHaveLength(2);
  expect(child.result.exits!.every((code) => code !== null)).toBe(true);
}

const STOPPED_ANSWERING = /^worker thread 1 of 1 stopped answering during round \d+ of blocked SGD \(no answer for [\d.]+ s; /;

describe('a worker thread that fails during a 2-thread fit', () => {
  it('terminated between epochs: the next round ends in a LatentrecError within seconds, and the next fit is bit-identical to 1 thread', async () => {
    const child = await runChild('kill-between-epochs');
    expectLoudFailure(child, STOPPED_ANSWERING);
    expect(child.result.error!.message).toContain('it was not running a block');
    expect(child.result.killToErrorSeconds).toBeLessThan(HANG_BOUND_S);
    expect(child.result.after).toEqual({ threads: 2, identical: true });
    expect(child.code).toBe(0);
  }, 90_000);

  it('terminated mid-round, inside a block: the caller waiting for it fails within seconds', async () => {
    const child = await runChild('kill-mid-round');
    expectLoudFailure(child, STOPPED_ANSWERING);
    expect(child.result.error!.message).toMatch(/it was running a block of [\d,]+ ratings, which takes (about [\d.]+ s|under a millisecond) here\)/);
    expect(child.result.killToErrorSeconds).toBeLessThan(HANG_BOUND_S);
    expect(child.code).toBe(0);
  }, 90_000);

  it('spinning forever inside a block (alive, not answering): a LatentrecError, and the spinning thread is ended too', async () => {
    const child = await runChild('hang-in-block');
    expectLoudFailure(child, STOPPED_ANSWERING);
    expect(child.result.error!.message).toMatch(/it was running a block of [\d,]+ ratings/);
    expect(child.code).toBe(0);
  }, 90_000);

  it('calling process.exit(3) inside a block: the worker reports it before its thread ends, with the code', async () => {
    const child = await runChild('exit-in-block');
    expectLoudFailure(child, /^worker thread 1 of 1 exited \(code 3\) during round \d+ of blocked SGD; /);
    expect(child.result.exits![1]).toBe(3);
    expect(child.code).toBe(0);
  }, 90_000);

  it('Ctrl-C during the hang of a sync fit on a killed worker: the SIGINT handler runs once the error is thrown', async () => {
    const child = await runChild('sigint-killed', 300);
    expect(child.timedOut, `the child hung: ${child.stderr}`).toBe(false);
    expect(child.result.error?.message).toMatch(STOPPED_ANSWERING);
    // The error first (the event loop was blocked), then the handler, whose exit ended the process.
    expect(child.stderr).toMatch(/stopped answering[^]*\nSIGINT handled\n/);
    expect(child.stdout).not.toContain('no SIGINT handled');
    expect(child.code).toBe(130);
    expect(child.sigintToExit).toBeLessThan(HANG_BOUND_S);
  }, 90_000);

  it('Ctrl-C while fitAsync hangs on a spinning worker (the CLI\'s way): the handler runs and the process ends on its own', async () => {
    const child = await runChild('sigint-hang-async', 300);
    expect(child.timedOut, `the child hung: ${child.stderr}`).toBe(false);
    expect(child.result.error?.message).toMatch(STOPPED_ANSWERING);
    expect(child.stderr).toContain('SIGINT handled');
    expect(child.code).toBe(0);
    expect(child.sigintToExit).toBeLessThan(HANG_BOUND_S);
  }, 90_000);
});

describe('an engine whose pool failed', () => {
  it('fails at once when Node already reported the worker\'s exit, then refuses every round with the reason; a disposed one refuses too', async () => {
    const child = await runChild('engine');
    expect(child.timedOut, `the child hung: ${child.stderr}`).toBe(false);
    const r = child.result as Record<string, unknown> & { attempts: { latentrec: boolean; message: string; seconds: number }[]; afterDispose: { latentrec: boolean; message: string } };
    expect(r.threads).toBe(2);
    expect(r.firstEpoch).toBe(true);
    const [first, second] = r.attempts;
    expect(first.latentrec).toBe(true);
    expect(first.message).toMatch(/^worker thread 1 of 1 ended before round \d+ of blocked SGD \(it exited with code 1\); every worker thread was stopped/);
    expect(first.seconds).toBeLessThan(1); // no stall wait: the exit was known
    expect(second.latentrec).toBe(true);
    expect(second.message).toMatch(/^blocked SGD cannot run on this engine's worker threads: they were stopped \(worker thread 1 of 1 ended before round/);
    expect(r.afterDispose).toMatchObject({ latentrec: true, message: expect.stringContaining('they were stopped (the engine was disposed)') });
    expect(r.exits).toEqual([1, 1]);
    expect(child.code).toBe(0);
  }, 90_000);
});
