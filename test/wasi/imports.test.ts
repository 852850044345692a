// The import object covers all of wasi_snapshot_preview1, and createWasi owns its host fds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWasi } from '../../electron/sandbox/wasi/index.js';

const PREVIEW1 = [
  'args_get',
  'args_sizes_get',
  'environ_get',
  'environ_sizes_get',
  'clock_res_get',
  'clock_time_get',
  'fd_advise',
  'fd_allocate',
  'fd_close',
  'fd_datasync',
  'fd_fdstat_get',
  'fd_fdstat_set_flags',
  'fd_fdstat_set_rights',
  'fd_filestat_get',
  'fd_filestat_set_size',
  'fd_filestat_set_times',
  'fd_pread',
  'fd_prestat_get',
  'fd_prestat_dir_name',
  'fd_pwrite',
  'fd_read',
  'fd_readdir',
  'fd_renumber',
  'fd_seek',
  'fd_sync',
  'fd_tell',
  'fd_write',
  'path_create_directory',
  'path_filestat_get',
  'path_filestat_set_times',
  'path_link',
  'path_open',
  'path_readlink',
  'path_remove_directory',
  'path_rename',
  'path_symlink',
  'path_unlink_file',
  'poll_oneoff',
  'proc_exit',
  'proc_raise',
  'sched_yield',
  'random_get',
  'sock_accept',
  'sock_recv',
  'sock_send',
  'sock_shutdown',
]; // prettier-ignore

const options = {
  args: ['x'],
  env: {},
  realClock: false,
  realRandom: false,
  stdout: () => {},
  stderr: () => {},
};

describe('createWasi', () => {
  it('provides every wasi_snapshot_preview1 function', () => {
    const wasi = createWasi({ ...options, mounts: [] });
    expect(Object.keys(wasi.imports).sort()).toEqual([...PREVIEW1].sort());
    wasi.close();
  });

  it('a call before setMemory is EFAULT, not a host exception', () => {
    const wasi = createWasi({ ...options, mounts: [] });
    const argsSizesGet = wasi.imports.args_sizes_get as unknown as (a: number, b: number) => number;
    expect(argsSizesGet(0, 4)).toBe(21);
    wasi.close();
  });

  it('close() releases the host fds of its preopens', () => {
    if (!fs.existsSync('/proc/self/fd')) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-fds-'));
    const before = fs.readdirSync('/proc/self/fd').length;
    const wasi = createWasi({ ...options, mounts: [{ guestPath: '/a', hostPath: dir, readOnly: true }] });
    expect(fs.readdirSync('/proc/self/fd').length).toBe(before + 1);
    wasi.close();
    expect(fs.readdirSync('/proc/self/fd').length).toBe(before);
    fs.rmSync(dir, { recursive: true });
  });

  it('a mount that does not exist fails at creation', () => {
    expect(() =>
      createWasi({ ...options, mounts: [{ guestPath: '/x', hostPath: '/nonexistent/dir', readOnly: true }] }),
    ).toThrow();
  });
});
