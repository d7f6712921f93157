import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { fsChecks, resolveServerBinary, type BinaryChecks } from '../../src/core/binary';

const ctx = { home: '/home/u', workspaceFolder: '/ws' };

function fakeChecks(executables: string[], existing: string[] = []): BinaryChecks {
    return {
        isExecutable: (p) => executables.includes(p),
        exists: (p) => executables.includes(p) || existing.includes(p),
    };
}

describe('resolveServerBinary', () => {
    it('prefers the setting over PATH', () => {
        const r = resolveServerBinary('~/bin/semnav', ctx, { PATH: '/usr/bin' }, fakeChecks(['/home/u/bin/semnav', '/usr/bin/semnav']), 'linux');
        assert.deepEqual(r, { ok: true, path: '/home/u/bin/semnav', source: 'setting' });
    });

    it('takes a relative setting from the workspace folder', () => {
        const r = resolveServerBinary('target/release/semnav', ctx, {}, fakeChecks(['/ws/target/release/semnav']), 'linux');
        assert.ok(r.ok && r.path === '/ws/target/release/semnav');
    });

    it('does not fall back to PATH when the configured file is missing, and says what to do', () => {
        const r = resolveServerBinary('/nope/semnav', ctx, { PATH: '/usr/bin' }, fakeChecks(['/usr/bin/semnav']), 'linux');
        assert.equal(r.ok, false);
        if (!r.ok) {
            assert.equal(r.reason, 'setting-not-executable');
            assert.match(r.message, /\/nope\/semnav\) does not exist/);
            assert.match(r.message, /cargo build --release/);
            assert.match(r.message, /semnav\.server\.path/);
        }
    });

    it('says when the configured file exists but cannot run', () => {
        const r = resolveServerBinary('/x/semnav', ctx, {}, fakeChecks([], ['/x/semnav']), 'linux');
        assert.ok(!r.ok && /is not an executable file/.test(r.message));
    });

    it('searches PATH in order', () => {
        const r = resolveServerBinary('', ctx, { PATH: '/a::/b:/c' }, fakeChecks(['/b/semnav', '/c/semnav']), 'linux');
        assert.deepEqual(r, { ok: true, path: '/b/semnav', source: 'PATH' });
    });

    it('uses ; and PATHEXT on Windows', () => {
        const r = resolveServerBinary('', ctx, { PATH: 'C:\\a;C:\\b', PATHEXT: '.COM;.EXE' }, fakeChecks(['C:\\b\\semnav.exe']), 'win32');
        assert.deepEqual(r, { ok: true, path: 'C:\\b\\semnav.exe', source: 'PATH' });
    });

    it('explains how to build or install when nothing is found', () => {
        const r = resolveServerBinary('', ctx, { PATH: '/a:/b' }, fakeChecks([]), 'linux');
        assert.equal(r.ok, false);
        if (!r.ok) {
            assert.equal(r.reason, 'not-found');
            assert.deepEqual(r.tried, ['/a/semnav', '/b/semnav']);
            assert.match(r.message, /cargo build --release/);
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
            const r = resolveServerBinary('', { home: dir }, { PATH: dir }, fsChecks, 'linux');
            assert.deepEqual(r, { ok: true, path: exe, source: 'PATH' });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
