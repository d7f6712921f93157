import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { bundledBinaryPath, describeSource, fsChecks, resolveServerBinary, type BinaryChecks, type BinaryEnv } from '../../src/core/binary';

const ctx = { home: '/home/u', workspaceFolder: '/ws' };

/** Checks over a fake file system; `chmod` lists the files made executable, `chmodFails` refuses with EPERM. */
function fakeChecks(executables: string[], existing: string[] = [], chmodFails = false): BinaryChecks & { chmod: string[] } {
    const exe = new Set(executables);
    const chmod: string[] = [];
    return {
        chmod,
        isExecutable: (p) => exe.has(p),
        exists: (p) => exe.has(p) || existing.includes(p),
        makeExecutable: (p) => {
            chmod.push(p);
            if (chmodFails) {
                throw new Error(`EPERM: operation not permitted, chmod '${p}'`);
            }
            exe.add(p);
        },
    };
}

function lookup(setting: string, env: BinaryEnv, extensionDir?: string): Parameters<typeof resolveServerBinary>[0] {
    return extensionDir === undefined ? { setting, ctx, env } : { setting, ctx, env, extensionDir };
}

describe('resolveServerBinary', () => {
    it('prefers the setting over PATH and the bundled binary', () => {
        const r = resolveServerBinary(lookup('~/bin/semnav', { PATH: '/usr/bin' }, '/ext'), fakeChecks(['/home/u/bin/semnav', '/usr/bin/semnav', '/ext/server/semnav']), 'linux');
        assert.deepEqual(r, { ok: true, path: '/home/u/bin/semnav', source: 'setting' });
    });

    it('takes a relative setting from the workspace folder', () => {
        const r = resolveServerBinary(lookup('target/release/semnav', {}), fakeChecks(['/ws/target/release/semnav']), 'linux');
        assert.ok(r.ok && r.path === '/ws/target/release/semnav');
    });

    it('does not fall back to PATH or the bundled binary when the configured file is missing, and says what to do', () => {
        const checks = fakeChecks(['/usr/bin/semnav', '/ext/server/semnav']);
        const r = resolveServerBinary(lookup('/nope/semnav', { PATH: '/usr/bin' }, '/ext'), checks, 'linux');
        assert.equal(r.ok, false);
        if (!r.ok) {
            assert.equal(r.reason, 'setting-not-executable');
            assert.deepEqual(r.tried, ['/nope/semnav']);
            assert.match(r.message, /\/nope\/semnav\) does not exist/);
            assert.match(r.message, /cargo install --locked --path server/);
            assert.match(r.message, /semnav\.server\.path/);
        }
        assert.deepEqual(checks.chmod, []);
    });

    it('says when the configured file exists but cannot run, and never changes its mode', () => {
        const checks = fakeChecks([], ['/x/semnav']);
        const r = resolveServerBinary(lookup('/x/semnav', {}), checks, 'linux');
        assert.ok(!r.ok && /is not an executable file/.test(r.message));
        assert.deepEqual(checks.chmod, []);
    });

    it('searches PATH in order', () => {
        const r = resolveServerBinary(lookup('', { PATH: '/a::/b:/c' }), fakeChecks(['/b/semnav', '/c/semnav']), 'linux');
        assert.deepEqual(r, { ok: true, path: '/b/semnav', source: 'PATH' });
    });

    it('prefers PATH over the bundled binary', () => {
        const r = resolveServerBinary(lookup('', { PATH: '/a' }, '/ext'), fakeChecks(['/a/semnav', '/ext/server/semnav']), 'linux');
        assert.deepEqual(r, { ok: true, path: '/a/semnav', source: 'PATH' });
    });

    it('uses ; and PATHEXT on Windows', () => {
        const r = resolveServerBinary(lookup('', { PATH: 'C:\\a;C:\\b', PATHEXT: '.COM;.EXE' }), fakeChecks(['C:\\b\\semnav.exe']), 'win32');
        assert.deepEqual(r, { ok: true, path: 'C:\\b\\semnav.exe', source: 'PATH' });
    });

    it('takes the bundled binary last: server/semnav, server\\semnav.exe on Windows', () => {
        const r = resolveServerBinary(lookup('', { PATH: '/a:/b' }, '/ext'), fakeChecks(['/ext/server/semnav']), 'linux');
        assert.deepEqual(r, { ok: true, path: '/ext/server/semnav', source: 'bundled' });
        const w = resolveServerBinary(lookup('', { PATH: 'C:\\a' }, 'C:\\ext'), fakeChecks(['C:\\ext\\server\\semnav.exe']), 'win32');
        assert.deepEqual(w, { ok: true, path: 'C:\\ext\\server\\semnav.exe', source: 'bundled' });
        assert.equal(bundledBinaryPath('/ext', 'darwin'), '/ext/server/semnav');
    });

    it('makes a bundled binary that lost its executable bit executable, once', () => {
        const checks = fakeChecks([], ['/ext/server/semnav']);
        const r = resolveServerBinary(lookup('', {}, '/ext'), checks, 'linux');
        assert.deepEqual(r, { ok: true, path: '/ext/server/semnav', source: 'bundled', madeExecutable: true });
        assert.deepEqual(checks.chmod, ['/ext/server/semnav']);
        const again = resolveServerBinary(lookup('', {}, '/ext'), checks, 'linux');
        assert.deepEqual(again, { ok: true, path: '/ext/server/semnav', source: 'bundled' });
        assert.deepEqual(checks.chmod, ['/ext/server/semnav']);
    });

    it('names the bundled file when it cannot be made executable', () => {
        const checks = fakeChecks([], ['/ext/server/semnav'], true);
        const r = resolveServerBinary(lookup('', { PATH: '/a' }, '/ext'), checks, 'linux');
        assert.equal(r.ok, false);
        if (!r.ok) {
            assert.equal(r.reason, 'bundled-not-executable');
            assert.deepEqual(r.tried, ['/a/semnav', '/ext/server/semnav']);
            assert.match(r.message, /bundled with the extension \(\/ext\/server\/semnav\) is not executable/);
            assert.match(r.message, /EPERM/);
            assert.match(r.message, /chmod 755 \/ext\/server\/semnav/);
        }
        assert.equal(checks.chmod.length, 1);
    });

    it('explains how to build or install when nothing is found', () => {
        const r = resolveServerBinary(lookup('', { PATH: '/a:/b' }, '/ext'), fakeChecks([]), 'linux');
        assert.equal(r.ok, false);
        if (!r.ok) {
            assert.equal(r.reason, 'not-found');
            assert.deepEqual(r.tried, ['/a/semnav', '/b/semnav', '/ext/server/semnav']);
            assert.match(r.message, /cargo install --locked --path server/);
            assert.match(r.message, /scripts\/package-vscode\.sh/);
            assert.match(r.message, /PATH/);
        }
    });

    it('checks real files: executable bit and regular file', () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'semnav-bin-'));
        try {
            const exe = path.join(dir, 'semnav');
            fs.writeFileSync(exe, '#!/bin/sh\n');
            fs.chmodSync(exe, 0o644);
            assert.equal(fsChecks.isExecutable(exe), process.platform === 'win32');
            fs.chmodSync(exe, 0o755);
            assert.equal(fsChecks.isExecutable(exe), true);
            assert.equal(fsChecks.isExecutable(dir), false);
            assert.equal(fsChecks.exists(path.join(dir, 'nope')), false);
            const r = resolveServerBinary({ setting: '', ctx: { home: dir }, env: { PATH: dir } }, fsChecks, 'linux');
            assert.deepEqual(r, { ok: true, path: exe, source: 'PATH' });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it('chmods a real bundled file that a zip left without its executable bit', { skip: process.platform === 'win32' ? 'no executable bit on Windows' : false }, () => {
        const ext = fs.mkdtempSync(path.join(os.tmpdir(), 'semnav-ext-'));
        try {
            const bundled = path.join(ext, 'server', 'semnav');
            fs.mkdirSync(path.dirname(bundled));
            fs.writeFileSync(bundled, '#!/bin/sh\n');
            fs.chmodSync(bundled, 0o644);
            const r = resolveServerBinary({ setting: '', ctx: { home: ext }, env: { PATH: '' }, extensionDir: ext }, fsChecks, 'linux');
            assert.deepEqual(r, { ok: true, path: bundled, source: 'bundled', madeExecutable: true });
            assert.equal(fs.statSync(bundled).mode & 0o777, 0o755);
        } finally {
            fs.rmSync(ext, { recursive: true, force: true });
        }
    });

    it('describes each source for the log and the status', () => {
        assert.equal(describeSource('setting'), 'set in semnav.server.path');
        assert.equal(describeSource('PATH'), 'found on PATH');
        assert.equal(describeSource('bundled'), 'bundled with the extension');
    });
});
