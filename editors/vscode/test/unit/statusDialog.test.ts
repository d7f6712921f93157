import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { DoctorCheck, DoctorOutcome } from '../../src/core/doctor';
import type { IndexStatus } from '../../src/core/protocol';
import { MODEL_HINT } from '../../src/core/status';
import { statusDialog } from '../../src/core/statusDialog';

const STATUS: IndexStatus = {
    root: '/ws',
    roots: ['/ws'],
    indexDir: '/i/ws-01',
    model: 'all-MiniLM-L6-v2-int8:b2a68b34:len256',
    files: 3,
    chunks: 9,
    pendingEmbeddings: 0,
    diskBytes: 2048,
    indexing: false,
};

function doctor(...checks: [string, DoctorCheck['state'], string, string?][]): DoctorOutcome {
    return {
        ok: true,
        report: { ok: !checks.some((c) => c[1] === 'error'), version: '0.1.0', checks: checks.map(([name, state, detail, fix]) => ({ name, state, detail, fix: fix ?? null })) },
    };
}

const ALL_OK = doctor(['binary', 'ok', 'semnav 0.1.0 at /usr/bin/semnav (on PATH)'], ['runtime', 'ok', 'ONNX Runtime 1.31.1'], ['model', 'ok', 'all-MiniLM-L6-v2-int8 (loads, 384 dimensions)'], ['index', 'ok', '/i/ws-01: in use by a running semnav']);
const BINARY = { path: '/usr/bin/semnav', source: 'PATH' as const };

describe('Show Index Status', () => {
    it('shows the live status, then every doctor check', () => {
        const d = statusDialog({ live: { kind: 'status', status: STATUS }, binary: BINARY, doctor: ALL_OK, indexChecked: true });
        assert.equal(d.message, 'semnav: 3 files, 9 chunks (up to date)');
        assert.equal(d.severity, 'normal');
        assert.equal(d.running, true);
        const [live, checks] = d.detail.split('\n\n');
        assert.match(live ?? '', /^Files: 3\nChunks: 9\n/);
        assert.match(live ?? '', /\nServer: \/usr\/bin\/semnav \(found on PATH\)$/);
        assert.equal(
            checks,
            [
                'semnav doctor 0.1.0: all checks pass',
                'binary: ok — semnav 0.1.0 at /usr/bin/semnav (on PATH)',
                'runtime: ok — ONNX Runtime 1.31.1',
                'model: ok — all-MiniLM-L6-v2-int8 (loads, 384 dimensions)',
                'index: ok — /i/ws-01: in use by a running semnav',
            ].join('\n'),
        );
    });

    it('is a warning when a check warns, an error when one fails', () => {
        const warn = doctor(['binary', 'warn', 'not on PATH', 'cargo install --locked --path server']);
        assert.equal(statusDialog({ live: { kind: 'status', status: STATUS }, doctor: warn, indexChecked: true }).severity, 'warning');
        const error = doctor(['runtime', 'error', 'libonnxruntime.so not found', 'python3 scripts/provision.py']);
        const d = statusDialog({ live: { kind: 'status', status: STATUS }, doctor: error, indexChecked: true });
        assert.equal(d.severity, 'error');
        assert.match(d.detail, /\nruntime: error — libonnxruntime\.so not found\n {4}fix: python3 scripts\/provision\.py$/);
    });

    it('with the server not running, still shows doctor\'s checks and says what to do', () => {
        const missing = doctor(['runtime', 'error', 'libonnxruntime.so.1.31.1 not found', 'python3 /r/scripts/provision.py'], ['model', 'warn', 'files at /m; not loaded without ONNX Runtime']);
        const d = statusDialog({ live: { kind: 'not-running', server: 'stopped', error: 'the server exited with code 1' }, binary: BINARY, doctor: missing, indexChecked: true });
        assert.equal(d.message, 'semnav: the server is not running');
        assert.equal(d.severity, 'error');
        assert.equal(d.running, false);
        assert.match(d.detail, /^The language server is not running: the server exited with code 1\. The checks below say what is missing; then run "semnav: Restart Server"\.\nServer: \/usr\/bin\/semnav/);
        assert.match(d.detail, /\nsemnav doctor 0\.1\.0: 1 error \(runtime\), 1 warning \(model\)\nruntime: error — libonnxruntime\.so\.1\.31\.1 not found\n {4}fix: python3 \/r\/scripts\/provision\.py\nmodel: warn — /);
        // Even when doctor finds nothing wrong, a stopped server is an error.
        assert.equal(statusDialog({ live: { kind: 'not-running', server: 'stopped' }, doctor: ALL_OK, indexChecked: true }).severity, 'error');
        assert.equal(statusDialog({ live: { kind: 'not-running', server: 'starting' }, doctor: ALL_OK, indexChecked: true }).message, 'semnav: the server is still starting');
    });

    it('a missing model: doctor\'s exact fix replaces the generic hint', () => {
        const live = { kind: 'status' as const, status: { ...STATUS, model: 'unavailable: model file /m/model.onnx is missing' } };
        const withFix = statusDialog({ live, doctor: doctor(['model', 'error', 'model file /m/model.onnx is missing', 'python3 /r/scripts/provision.py']), indexChecked: true });
        assert.equal(withFix.message, 'semnav: the embedding model is unavailable');
        assert.equal(withFix.severity, 'error');
        assert.ok(!withFix.detail.includes(MODEL_HINT));
        assert.match(withFix.detail, /fix: python3 \/r\/scripts\/provision\.py/);
        // Doctor failed: the generic hint stays, and doctor's failure is said with its stderr.
        const failed = statusDialog({ live, doctor: { ok: false, problem: '`semnav doctor --json` exited with 2 with no JSON report; its stderr:\nerror: bad flag' }, indexChecked: true });
        assert.ok(failed.detail.includes(MODEL_HINT));
        assert.match(failed.detail, /\n\nsemnav doctor failed: `semnav doctor --json` exited with 2 with no JSON report; its stderr:\nerror: bad flag$/);
        assert.equal(failed.severity, 'warning');
    });

    it('says when semnav/status failed, and leaves out the index check without a folder', () => {
        const d = statusDialog({ live: { kind: 'failed', error: 'Request semnav/status failed' }, binary: BINARY, doctor: doctor(['index', 'warn', 'none yet for /']), indexChecked: false });
        assert.equal(d.message, 'semnav: cannot read the index status');
        assert.equal(d.running, true);
        assert.match(d.detail, /^semnav\/status failed: Request semnav\/status failed\nServer: /);
        assert.match(d.detail, /\nindex: not checked — no folder is open$/);
        assert.equal(d.severity, 'warning');
    });
});
