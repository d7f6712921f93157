/**
 * "Show Index Status"'s doctor step against the real binary: the argv the
 * extension builds from the user's settings, run as the extension runs it
 * (runDoctor: no shell, a timeout), the answer formatted as the dialog shows
 * it. Once with `semnav.modelDir` pointed at an empty folder, once with the
 * installed model (the one the LSP test uses: the server's default, or
 * $SEMNAV_MODEL_DIR), once with doctor failing.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { doctorArgs, doctorSeverity, formatDoctorReport, type DoctorReport } from '../../src/core/doctor';
import { runDoctor } from '../../src/core/runDoctor';
import { readSettings, type PathContext } from '../../src/core/settings';
import { MODEL_HINT } from '../../src/core/status';
import { statusDialog } from '../../src/core/statusDialog';
import { writeFixture } from './fixture';
import { locateBinary } from './server';

describe('semnav doctor, run as "Show Index Status" runs it', () => {
    let bin = '';
    let tmp = '';
    let root = '';
    let ctx: PathContext;

    before(() => {
        bin = locateBinary();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'semnav-vscode-doctor-'));
        root = path.join(tmp, 'workspace');
        fs.mkdirSync(root);
        writeFixture(root);
        ctx = { home: os.homedir(), workspaceFolder: root };
    });

    after(() => {
        if (tmp !== '') {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });

    /** Runs doctor with these settings, as the extension does; fails the test when it gives no report. */
    const doctor = async (values: Record<string, unknown>): Promise<DoctorReport> => {
        const settings = readSettings((key) => values[key]);
        const outcome = await runDoctor(bin, doctorArgs(settings, ctx, root), { cwd: root });
        assert.ok(outcome.ok, `doctor gave a report: ${outcome.ok ? '' : outcome.problem}`);
        return outcome.report;
    };

    it('semnav.modelDir at an empty folder: the model is missing, with the command that fixes it', async () => {
        const empty = path.join(tmp, 'empty-model-dir');
        fs.mkdirSync(empty);
        const report = await doctor({ modelDir: empty, indexDir: path.join(tmp, 'index') });
        assert.deepEqual(
            report.checks.map((c) => c.name),
            ['binary', 'runtime', 'model', 'index', 'vectors'],
        );
        const text = formatDoctorReport(report);
        const model = new RegExp(`^model: error — .*${path.join(empty, 'model.onnx').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is missing.*\\n {4}fix: .*semnav provision.*--model-dir`, 'm');
        assert.match(text, model, text);
        assert.match(text, /^semnav doctor \d+\.\d+\.\d+: 1 error \(model\)/, text);
        assert.equal(doctorSeverity(report), 'error');
        assert.equal(report.ok, false);

        // The dialog with the server not running (what a user without the model may see).
        const dialog = statusDialog({ live: { kind: 'not-running', server: 'stopped' }, doctor: { ok: true, report }, indexChecked: true });
        assert.equal(dialog.severity, 'error');
        assert.ok(dialog.detail.includes(text), dialog.detail);
    });

    it('the installed model: the model line is ok, and semnav.indexDir is where the index check looks', async () => {
        const indexDir = path.join(tmp, 'index');
        const report = await doctor({ indexDir });
        const text = formatDoctorReport(report);
        const model = report.checks.find((c) => c.name === 'model');
        assert.ok(model, text);
        assert.equal(model.state, 'ok', `the model loads (if it is not installed: ${MODEL_HINT}):\n${text}`);
        assert.match(text, /^model: ok — all-MiniLM-L6-v2-int8 at .* \(loads, \d+ dimensions\); static model potion-base-8M at .*$/m, text);
        assert.doesNotMatch(text, /^model: .*\n {4}fix:/m, 'no fix for a model that loads');
        assert.match(text, /^runtime: ok — ONNX Runtime /m, text);
        // No index yet, at the indexDir the settings name.
        assert.ok(text.includes(`index: warn — none yet for ${fs.realpathSync(root)} (it will be at ${indexDir})`), text);
        assert.equal(report.ok, true);
    });

    it('doctor failing: the message names the command and carries its stderr', async () => {
        // A flag this doctor does not know stands for an older or broken binary.
        const outcome = await runDoctor(bin, ['doctor', '--json', '--no-such-flag', root], { cwd: root });
        assert.ok(!outcome.ok, 'no report');
        assert.ok(outcome.problem.startsWith(`\`${bin} doctor --json --no-such-flag `), outcome.problem);
        assert.match(outcome.problem, /exited with 2 with no JSON report; its stderr:\n.*unexpected argument '--no-such-flag'/, outcome.problem);
    });
});
