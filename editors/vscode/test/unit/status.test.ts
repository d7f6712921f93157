import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { IndexStatus } from '../../src/core/protocol';
import { MODEL_HINT, pollDelay, ProgressTracker, statusBarView, statusReport } from '../../src/core/status';

function status(over: Partial<IndexStatus> = {}): IndexStatus {
    return {
        root: '/ws',
        roots: ['/ws'],
        indexDir: '/cache/semnav/indexes/ws-0123',
        model: 'all-MiniLM-L6-v2-int8:b2a68b34:len256',
        files: 12,
        chunks: 40,
        pendingEmbeddings: 0,
        diskBytes: 6144,
        indexing: false,
        ...over,
    };
}

describe('status bar', () => {
    it('shows the file count when idle, with the details in the tooltip', () => {
        const v = statusBarView({ server: 'running', status: status() });
        assert.equal(v.text, '$(search) semnav: 12');
        assert.match(v.tooltip, /12 files, 40 chunks indexed/);
        assert.match(v.tooltip, /Index: \/cache\/semnav\/indexes\/ws-0123 \(6\.0 KB on disk\)/);
        assert.equal(v.severity, 'normal');
    });

    it('shows progress percentage while indexing', () => {
        const v = statusBarView({ server: 'running', status: status({ indexing: true }), progress: { title: 'Indexing', message: '3/10 files', percentage: 30 } });
        assert.equal(v.text, '$(sync~spin) semnav: indexing 30%');
        assert.match(v.tooltip, /^Indexing: 3\/10 files/);
    });

    it('shows indexing from the status alone, then pending embeddings', () => {
        assert.equal(statusBarView({ server: 'running', status: status({ indexing: true }) }).text, '$(sync~spin) semnav: indexing');
        const v = statusBarView({ server: 'running', status: status({ pendingEmbeddings: 7 }) });
        assert.equal(v.text, '$(sync~spin) semnav: 7 pending');
        assert.match(v.tooltip, /7 chunks waiting to be embedded/);
    });

    it('warns when the model is missing and says how to install it', () => {
        const v = statusBarView({ server: 'running', status: status({ model: 'unavailable: model file /m/model.onnx is missing' }) });
        assert.equal(v.text, '$(warning) semnav: no model');
        assert.equal(v.severity, 'warning');
        assert.match(v.tooltip, /model file \/m\/model\.onnx is missing/);
        assert.match(v.tooltip, /semnav provision/);
    });

    it('says which binary runs and where it was found', () => {
        const bundled = { path: '/ext/server/semnav', source: 'bundled' as const };
        assert.match(statusBarView({ server: 'running', status: status(), binary: bundled }).tooltip, /\nServer: \/ext\/server\/semnav \(bundled with the extension\)\n/);
        assert.match(statusBarView({ server: 'running', binary: { path: '/usr/bin/semnav', source: 'PATH' } }).tooltip, /Server: \/usr\/bin\/semnav \(found on PATH\)/);
        assert.match(statusBarView({ server: 'starting', binary: { path: '/b/semnav', source: 'setting' } }).tooltip, /Server: \/b\/semnav \(set in semnav\.server\.path\)/);
        assert.doesNotMatch(statusBarView({ server: 'running', status: status() }).tooltip, /Server:/);
    });

    it('shows a missing or stopped server as an error', () => {
        assert.equal(statusBarView({ server: 'missing' }).text, '$(error) semnav: no server');
        const stopped = statusBarView({ server: 'stopped', error: 'spawn EACCES' });
        assert.equal(stopped.severity, 'error');
        assert.match(stopped.tooltip, /spawn EACCES/);
        assert.equal(statusBarView({ server: 'starting' }).text, '$(loading~spin) semnav');
    });
});

describe('polling', () => {
    it('polls often while busy, rarely when idle, never when stopped', () => {
        assert.equal(pollDelay({ server: 'running' }), 2000);
        assert.equal(pollDelay({ server: 'running', status: status({ indexing: true }) }), 2000);
        assert.equal(pollDelay({ server: 'running', status: status({ pendingEmbeddings: 3 }) }), 2000);
        assert.equal(pollDelay({ server: 'running', status: status(), progress: { title: 'Indexing' } }), 2000);
        assert.equal(pollDelay({ server: 'running', status: status() }), 15000);
        assert.equal(pollDelay({ server: 'stopped' }), undefined);
        assert.equal(pollDelay({ server: 'missing' }), undefined);
    });
});

describe('status report', () => {
    it('summarises the index', () => {
        const r = statusReport(status({ pendingEmbeddings: 2 }));
        assert.equal(r.message, 'semnav: 12 files, 40 chunks (2 chunks waiting to be embedded)');
        assert.match(r.detail, /Root: \/ws/);
        assert.match(r.detail, /Model: all-MiniLM/);
        assert.equal(r.modelMissing, false);
        assert.equal(statusReport(status({ files: 1, chunks: 1 })).message, 'semnav: 1 file, 1 chunk (up to date)');
    });

    it('lists several roots and a not-yet-created index', () => {
        const r = statusReport(status({ roots: ['/a', '/b'], indexDir: null }));
        assert.match(r.detail, /Roots: \/a, \/b/);
        assert.match(r.detail, /Index: \(not created yet\)/);
    });

    it('names the binary that runs', () => {
        const r = statusReport(status(), { path: '/ext/server/semnav', source: 'bundled' });
        assert.match(r.detail, /^Server: \/ext\/server\/semnav \(bundled with the extension\)$/m);
        assert.doesNotMatch(statusReport(status()).detail, /Server:/);
    });

    it('explains a missing model', () => {
        const r = statusReport(status({ model: 'unavailable: no model.onnx' }));
        assert.equal(r.modelMissing, true);
        assert.ok(r.detail.endsWith(MODEL_HINT));
    });
});

describe('ProgressTracker', () => {
    it('follows begin, report and end per token', () => {
        const t = new ProgressTracker();
        assert.equal(t.update('a', { kind: 'report', percentage: 5 }), false);
        assert.equal(t.update('a', { kind: 'begin', title: 'Indexing', percentage: 0, message: '0/4 files' }), true);
        t.update('a', { kind: 'report', percentage: 50, message: '2/4 files: src/x.rs' });
        assert.deepEqual(t.current, { title: 'Indexing', percentage: 50, message: '2/4 files: src/x.rs' });
        t.update(7, { kind: 'begin', title: 'Second root' });
        assert.equal(t.current?.title, 'Second root');
        t.update(7, { kind: 'end' });
        assert.equal(t.current?.title, 'Indexing');
        assert.equal(t.update('a', { kind: 'end', message: '4 files' }), true);
        assert.equal(t.current, undefined);
        assert.equal(t.update('a', { kind: 'end' }), false);
    });
});

describe('status bar with doctor\'s report', () => {
    const modelError = {
        ok: true as const,
        report: {
            ok: false,
            version: '0.1.0',
            checks: [
                { name: 'runtime', state: 'ok' as const, detail: 'ONNX Runtime 1.31.1', fix: null },
                { name: 'model', state: 'error' as const, detail: 'model file /m/model.onnx is missing', fix: 'python3 /r/scripts/provision.py' },
                { name: 'index', state: 'warn' as const, detail: 'none yet', fix: 'semnav index /ws' },
            ],
        },
    };

    it('a stopped server lists doctor\'s errors with their fixes, not its warnings', () => {
        const v = statusBarView({ server: 'stopped', error: 'the server exited', doctor: modelError });
        assert.equal(v.severity, 'error');
        assert.match(v.tooltip, /\nsemnav doctor:\nmodel: error — model file \/m\/model\.onnx is missing\n {4}fix: python3 \/r\/scripts\/provision\.py\n/);
        assert.doesNotMatch(v.tooltip, /index: warn/);
        assert.doesNotMatch(statusBarView({ server: 'stopped' }).tooltip, /semnav doctor/);
    });

    it('a missing model shows doctor\'s fix instead of the generic hint once doctor has run', () => {
        const model = 'unavailable: model file /m/model.onnx is missing';
        const before = statusBarView({ server: 'running', status: status({ model }) });
        assert.ok(before.tooltip.includes(MODEL_HINT));
        const after = statusBarView({ server: 'running', status: status({ model }), doctor: modelError });
        assert.ok(!after.tooltip.includes(MODEL_HINT));
        assert.match(after.tooltip, /fix: python3 \/r\/scripts\/provision\.py/);
        assert.equal(after.severity, 'warning');
    });

    it('says when doctor itself failed', () => {
        const v = statusBarView({ server: 'stopped', doctor: { ok: false, problem: '`semnav doctor --json` exited with 2 with no JSON report' } });
        assert.match(v.tooltip, /semnav doctor failed: `semnav doctor --json` exited with 2/);
    });
});
