import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import {
    doctorArgs,
    doctorCommand,
    doctorErrors,
    doctorOutcome,
    doctorSeverity,
    doctorSummary,
    formatDoctorReport,
    parseDoctorReport,
    reportsProblem,
    type DoctorCheck,
    type DoctorReport,
    type DoctorRun,
} from '../../src/core/doctor';
import { runDoctor } from '../../src/core/runDoctor';
import { readSettings, type PathContext } from '../../src/core/settings';

const ctx: PathContext = { home: '/home/u', workspaceFolder: '/work/proj' };

function check(name: string, state: DoctorCheck['state'], detail: string, fix: string | null = null): DoctorCheck {
    return { name, state, detail, fix };
}

/** The shape `semnav doctor --json` prints (copied from a run with the model dir pointed at an empty folder). */
const MISSING_MODEL_JSON = JSON.stringify({
    checks: [
        { detail: 'semnav 0.1.0 at /x/semnav, not on PATH (editors and agents run `semnav`)', fix: '`cargo install --locked --path server` in the semnav repository, or add /x to PATH', name: 'binary', state: 'warn' },
        { detail: 'ONNX Runtime 1.31.1 at /c/runtime/libonnxruntime.so', fix: null, name: 'runtime', state: 'ok' },
        { detail: 'model file /empty/model.onnx is missing: run `python3 /r/scripts/provision.py`', fix: 'python3 /r/scripts/provision.py (or set SEMNAV_MODEL_DIR / --model-dir)', name: 'model', state: 'error' },
        { detail: 'none yet for /work/proj (it will be at /i)', fix: '`semnav index /work/proj`', name: 'index', state: 'warn' },
    ],
    ok: false,
    version: '0.1.0',
});

function report(checks: DoctorCheck[]): DoctorReport {
    return { ok: checks.every((c) => c.state !== 'error'), version: '0.1.0', checks };
}

function run(over: Partial<DoctorRun>): DoctorRun {
    return { stdout: '', stderr: '', exitCode: 0, timedOut: false, timeoutMs: 30_000, ...over };
}

describe('doctorArgs', () => {
    it('is `doctor --json -- <folder>` with nothing set', () => {
        assert.deepEqual(doctorArgs(readSettings(() => undefined), ctx, '/work/proj'), ['doctor', '--json', '--', '/work/proj']);
    });

    it('passes modelDir, model and indexDir as flags, expanded as the server gets them', () => {
        const s = readSettings((key) => ({ modelDir: '~/models/m', model: 'all-MiniLM-L6-v2-int8', indexDir: '${workspaceFolder}/.idx', exclude: ['x/**'], debounceMs: 5 })[key]);
        assert.deepEqual(doctorArgs(s, ctx, '/work/proj'), [
            'doctor',
            '--json',
            '--model-dir=/home/u/models/m',
            '--model=all-MiniLM-L6-v2-int8',
            '--index-dir=/work/proj/.idx',
            '--',
            '/work/proj',
        ]);
    });

    it('keeps a value starting with "-" attached to its flag, and leaves out the path without a folder', () => {
        const s = readSettings((key) => ({ model: '-weird' })[key]);
        assert.deepEqual(doctorArgs(s, { home: '/h' }, undefined), ['doctor', '--json', '--model=-weird']);
    });

    it('names the command line with quotes where a shell would need them', () => {
        assert.equal(doctorCommand('/b/semnav', ['doctor', '--json', '--', '/my proj']), "/b/semnav doctor --json -- '/my proj'");
    });
});

describe('parseDoctorReport', () => {
    it('reads what semnav doctor --json prints', () => {
        const r = parseDoctorReport(MISSING_MODEL_JSON);
        assert.ok(r);
        assert.equal(r.ok, false);
        assert.equal(r.version, '0.1.0');
        assert.deepEqual(
            r.checks.map((c) => [c.name, c.state]),
            [
                ['binary', 'warn'],
                ['runtime', 'ok'],
                ['model', 'error'],
                ['index', 'warn'],
            ],
        );
        assert.equal(r.checks[1]?.fix, null);
    });

    it('rejects what is not a report', () => {
        for (const text of ['', 'semnav: error', '[]', '{}', '{"checks": []}', '{"checks": [{"name": "x", "state": "bad", "detail": ""}]}', '{"checks": [{"name": "x", "state": "ok"}]}']) {
            assert.equal(parseDoctorReport(text), undefined, text);
        }
    });
});

describe('doctorOutcome', () => {
    it('takes the report even with exit code 1 (doctor exits 1 when a check is an error)', () => {
        const o = doctorOutcome(run({ stdout: MISSING_MODEL_JSON, exitCode: 1, stderr: 'semnav: semnav cannot run here yet' }), 'semnav doctor --json');
        assert.ok(o.ok);
        assert.equal(o.report.checks.length, 4);
    });

    it('says the command, the exit code and the stderr when there is no JSON', () => {
        const o = doctorOutcome(run({ exitCode: 2, stderr: "error: unexpected argument '--bogus' found\n" }), '/b/semnav doctor --json --bogus');
        assert.equal(o.ok, false);
        assert.ok(!o.ok);
        assert.equal(o.problem, "`/b/semnav doctor --json --bogus` exited with 2 with no JSON report; its stderr:\nerror: unexpected argument '--bogus' found");
    });

    it('says so when the output is not a report, or stderr is empty', () => {
        const o = doctorOutcome(run({ stdout: 'semnav 0.0.1\n' }), 'semnav doctor');
        assert.ok(!o.ok);
        assert.match(o.problem, /exited with 0 with output that is not a doctor report; it wrote nothing on stderr$/);
    });

    it('explains a timeout and a binary that cannot start', () => {
        const t = doctorOutcome(run({ exitCode: null, timedOut: true, stderr: 'loading model' }), 'semnav doctor');
        assert.ok(!t.ok);
        assert.match(t.problem, /gave no answer within 30 s and was stopped; its stderr:\nloading model/);
        const s = doctorOutcome(run({ exitCode: null, spawnError: 'spawn /x ENOENT' }), '/x doctor');
        assert.ok(!s.ok);
        assert.equal(s.problem, 'cannot run `/x doctor`: spawn /x ENOENT');
    });
});

describe('severity and text', () => {
    const missing = parseDoctorReport(MISSING_MODEL_JSON);
    assert.ok(missing);

    it('takes the worst state', () => {
        assert.equal(doctorSeverity(missing), 'error');
        assert.equal(doctorSeverity(report([check('a', 'ok', ''), check('b', 'warn', '')])), 'warning');
        assert.equal(doctorSeverity(report([check('a', 'ok', ''), check('b', 'ok', '')])), 'normal');
    });

    it('shows every check with its name, state, detail and fix', () => {
        const text = formatDoctorReport(missing);
        assert.equal(
            text,
            [
                'semnav doctor 0.1.0: 1 error (model), 2 warnings (binary, index)',
                'binary: warn — semnav 0.1.0 at /x/semnav, not on PATH (editors and agents run `semnav`)',
                '    fix: `cargo install --locked --path server` in the semnav repository, or add /x to PATH',
                'runtime: ok — ONNX Runtime 1.31.1 at /c/runtime/libonnxruntime.so',
                'model: error — model file /empty/model.onnx is missing: run `python3 /r/scripts/provision.py`',
                '    fix: python3 /r/scripts/provision.py (or set SEMNAV_MODEL_DIR / --model-dir)',
                'index: warn — none yet for /work/proj (it will be at /i)',
                '    fix: `semnav index /work/proj`',
            ].join('\n'),
        );
    });

    it('leaves out the index check when no folder is open', () => {
        const text = formatDoctorReport(missing, false);
        assert.match(text, /^index: not checked — no folder is open$/m);
        assert.doesNotMatch(text, /none yet/);
    });

    it('summarises a clean report', () => {
        assert.equal(doctorSummary(report([check('a', 'ok', '')])), 'all checks pass');
        assert.equal(doctorSummary(report([check('a', 'error', ''), check('b', 'error', '')])), '2 errors (a, b)');
    });

    it('lists only the errors for the status bar, or why doctor failed', () => {
        assert.deepEqual(doctorErrors({ ok: true, report: missing }), [
            'model: error — model file /empty/model.onnx is missing: run `python3 /r/scripts/provision.py`',
            '    fix: python3 /r/scripts/provision.py (or set SEMNAV_MODEL_DIR / --model-dir)',
        ]);
        assert.deepEqual(doctorErrors({ ok: false, problem: 'timeout' }), ['semnav doctor failed: timeout']);
        assert.equal(reportsProblem({ ok: true, report: missing }, 'model'), true);
        assert.equal(reportsProblem({ ok: true, report: missing }, 'runtime'), false);
        assert.equal(reportsProblem({ ok: false, problem: 'x' }, 'model'), false);
    });
});

describe('runDoctor (a stand-in script for the binary: no semnav needed)', () => {
    const posix = process.platform !== 'win32';
    const script = (body: string): { bin: string; dir: string } => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'semnav-doctor-unit-'));
        const bin = path.join(dir, 'semnav');
        fs.writeFileSync(bin, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
        return { bin, dir };
    };

    it('passes the arguments as they are, without a shell, and reads the report', { skip: !posix && 'needs /bin/sh' }, async () => {
        // The script prints a report whose detail is its own arguments: a shell would have split or expanded them.
        const { bin, dir } = script(`printf '{"ok":true,"version":"9","checks":[{"name":"args","state":"ok","detail":"%s|%s|%s","fix":null}]}' "$1" "$2" "$3"; exit 1`);
        try {
            const o = await runDoctor(bin, ['doctor', '--json', '$HOME; echo *'], { timeoutMs: 10_000 });
            assert.ok(o.ok, JSON.stringify(o));
            assert.equal(o.report.checks[0]?.detail, 'doctor|--json|$HOME; echo *');
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it('stops a doctor that hangs, and says so with its stderr', { skip: !posix && 'needs /bin/sh' }, async () => {
        const { bin, dir } = script('echo "loading the model" >&2; exec sleep 30');
        try {
            const o = await runDoctor(bin, ['doctor', '--json'], { timeoutMs: 300 });
            assert.ok(!o.ok);
            assert.match(o.problem, /gave no answer within 300 ms and was stopped; its stderr:\nloading the model/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it('says which binary could not be started', async () => {
        const missing = path.join(os.tmpdir(), 'semnav-no-such-dir', 'semnav');
        const o = await runDoctor(missing, ['doctor', '--json']);
        assert.ok(!o.ok);
        assert.match(o.problem, /^cannot run `.*semnav-no-such-dir\/semnav doctor --json`: .*ENOENT/);
    });
});
