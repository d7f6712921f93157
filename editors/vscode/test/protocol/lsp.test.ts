/**
 * The integration test: the real `semnav lsp`, driven with the requests each
 * extension command sends (built by src/core, as in the extension), on a
 * fixture workspace in a temp dir with its index in another temp dir.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

import {
    CodeLensRequest,
    CodeLensResolveRequest,
    DidChangeConfigurationNotification,
    DidChangeTextDocumentNotification,
    DidOpenTextDocumentNotification,
    HoverRequest,
    MarkupContent,
    type CodeLens,
    type Hover,
} from 'vscode-languageserver-protocol/node';

import { doctorArgs } from '../../src/core/doctor';
import { hitsToItems } from '../../src/core/format';
import {
    FindSimilarRequest,
    findSimilarParams,
    parseShowSimilarArgs,
    ReindexRequest,
    reindexParams,
    SearchRequest,
    searchParams,
    SHOW_SIMILAR_COMMAND,
    StatusRequest,
    statusParams,
    type Hit,
} from '../../src/core/protocol';
import { didChangeConfigurationParams, readSettings, toInitializationOptions, toServerConfig, type ExtensionSettings, type PathContext } from '../../src/core/settings';
import { runDoctor } from '../../src/core/runDoctor';
import { statusDialog } from '../../src/core/statusDialog';
import { eventually, locateBinary, TestServer } from './server';
import { FILES, lineOf, UNSAVED_FUNCTION, writeFixture } from './fixture';

const READY_TIMEOUT_MS = 90_000;

function describeHits(hits: readonly Hit[]): string {
    return hits.map((h, i) => `${i + 1}. ${h.name ?? '(unnamed)'} ${h.uri}:${h.range.start.line} ${h.score}`).join('\n');
}

function hoverText(hover: Hover | null): string {
    if (hover === null) {
        return '';
    }
    const c = hover.contents;
    return MarkupContent.is(c) ? c.value : JSON.stringify(c);
}

it('the semnav binary is built (SEMNAV_BIN, else ../../target/debug/semnav)', () => {
    // Throws with the command to run when it is missing: never a silent skip.
    locateBinary();
});

describe('semnav lsp, driven like the VS Code extension', () => {
    let tmp = '';
    let root = '';
    let server: TestServer;
    let started = false;
    let ctx: PathContext;
    let settings: ExtensionSettings;
    const uriOf = (rel: string): string => pathToFileURL(path.join(root, rel)).href;
    const opened = new Map<string, { version: number; text: string }>();

    /** didOpen, as vscode-languageclient sends it for an editor tab. */
    const open = async (rel: string, languageId: string): Promise<string> => {
        const uri = uriOf(rel);
        const text = FILES[rel] ?? '';
        opened.set(uri, { version: 1, text });
        await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
        return uri;
    };

    before(async () => {
        const bin = locateBinary();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'semnav-vscode-'));
        root = path.join(tmp, 'workspace');
        fs.mkdirSync(root);
        writeFixture(root);
        ctx = { home: os.homedir(), workspaceFolder: root };
        // The settings a user would have, with the index in the temp dir.
        settings = readSettings((key) => ({ indexDir: path.join(tmp, 'index'), debounceMs: 50 })[key]);
        server = new TestServer(bin, path.join(tmp, 'server.log'));
        started = true;
        const init = await server.initialize(pathToFileURL(root).href, 'workspace', toInitializationOptions(settings, ctx));
        assert.ok(init.capabilities.hoverProvider, 'hover is offered');
        assert.equal(init.capabilities.codeLensProvider?.resolveProvider, true, 'code lenses are resolved lazily');
        await server.waitReady(READY_TIMEOUT_MS);
    });

    after(async () => {
        const code = started ? await server.stop() : undefined;
        if (tmp !== '') {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
        if (started) {
            assert.equal(code, 0, 'the server exits with 0 after shutdown + exit');
        }
    });

    it('Show Index Status: semnav/status describes the fixture index', async () => {
        const status = await server.connection.sendRequest(StatusRequest, statusParams());
        assert.equal(status.files, Object.keys(FILES).length, `all fixture files are indexed: ${JSON.stringify(status)}`);
        assert.ok(status.chunks >= 8, `functions and types are chunks: ${JSON.stringify(status)}`);
        assert.equal(status.pendingEmbeddings, 0);
        assert.equal(status.indexing, false);
        assert.equal(fs.realpathSync(status.root ?? ''), fs.realpathSync(root));
        assert.ok(status.indexDir?.startsWith(path.join(tmp, 'index')), `the index is where indexDir says: ${String(status.indexDir)}`);
        assert.ok(status.diskBytes > 0);
        assert.match(status.model, /MiniLM/);
    });

    it('Show Index Status: semnav doctor runs beside the server holding the index, and the dialog shows both', async () => {
        const outcome = await runDoctor(locateBinary(), doctorArgs(settings, ctx, root), { cwd: root });
        assert.ok(outcome.ok, outcome.ok ? '' : outcome.problem);
        const index = outcome.report.checks.find((c) => c.name === 'index');
        assert.equal(index?.state, 'ok', JSON.stringify(outcome.report));
        assert.match(index.detail, /in use by a running semnav/);
        assert.ok(index.detail.startsWith(path.join(tmp, 'index')), `doctor looked at semnav.indexDir: ${index.detail}`);
        const status = await server.connection.sendRequest(StatusRequest, statusParams());
        const dialog = statusDialog({ live: { kind: 'status', status }, doctor: outcome, indexChecked: true });
        assert.equal(dialog.message, `semnav: ${Object.keys(FILES).length} files, ${status.chunks} chunks (up to date)`);
        assert.match(dialog.detail, new RegExp(`^Files: ${Object.keys(FILES).length}\\n[^]*\\n\\nsemnav doctor [^]*\\nmodel: ok — [^]*\\nindex: ok — `));
    });

    it('Search Code by Meaning: finds load_config for "read settings from disk" in the top 3', async () => {
        const params = searchParams('read settings from disk');
        const answer = await server.connection.sendRequest(SearchRequest, params);
        assert.equal(answer.indexing, false);
        const top3 = answer.results.slice(0, 3);
        const hit = top3.find((h) => h.name === 'load_config');
        assert.ok(hit !== undefined, `load_config is in the top 3:\n${describeHits(answer.results)}`);
        assert.equal(hit.uri, uriOf('src/config.rs'));
        assert.equal(hit.range.start.line, lineOf(FILES['src/config.rs'] ?? '', 'pub fn load_config'));
        assert.equal(hit.kind, 'function');
        assert.equal(hit.language, 'rust');
        assert.match(hit.preview, /load_config/);
        assert.ok(answer.results.length <= (params.limit ?? Infinity));
        // Scores come best first.
        const scores = answer.results.map((h) => h.score);
        assert.deepEqual(scores, [...scores].sort((a, b) => b - a));

        // What the QuickPick shows for it.
        const item = hitsToItems(answer.results, [root]).find((i) => i.hit === hit);
        assert.ok(item);
        assert.equal(item.label, '$(symbol-function) load_config');
        assert.match(item.description, new RegExp(`^function · src/config\\.rs:${hit.range.start.line + 1}-\\d+ · [01]\\.\\d\\d$`));
    });

    it('Search Code by Meaning: the languages filter is honoured', async () => {
        const answer = await server.connection.sendRequest(SearchRequest, { ...searchParams('read settings from disk'), languages: ['python'] });
        assert.ok(answer.results.length > 0);
        assert.ok(answer.results.every((h) => h.language === 'python'), describeHits(answer.results));
    });

    it('Find Similar Code: after didOpen + didChange of an unsaved buffer, uses the buffer text', async () => {
        const uri = await open('tools/mailer.py', 'python');
        const doc = opened.get(uri);
        assert.ok(doc);
        // Type a new function at the end of the file, as the editor would send it (incremental).
        const lines = doc.text.split('\n');
        const end = { line: lines.length - 1, character: (lines[lines.length - 1] ?? '').length };
        doc.version = 2;
        doc.text += UNSAVED_FUNCTION;
        await server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
            textDocument: { uri, version: doc.version },
            contentChanges: [{ range: { start: end, end }, text: UNSAVED_FUNCTION }],
        });
        const defLine = lineOf(doc.text, 'def notify_new_member');
        assert.ok(defLine >= lines.length, 'the function exists only in the buffer');

        // The cursor inside the new function, no selection: what the command sends.
        const params = findSimilarParams(uri, { line: defLine + 3, character: 8 }, { start: { line: defLine + 3, character: 8 }, end: { line: defLine + 3, character: 8 } });
        assert.equal(params.range, undefined, 'an empty selection is not sent');
        const answer = await server.connection.sendRequest(FindSimilarRequest, params);
        assert.ok(
            answer.results.slice(0, 2).some((h) => h.name === 'send_welcome_email' && h.uri === uri),
            `the function doing the same is in the top 2:\n${describeHits(answer.results)}`,
        );
        assert.ok(
            !answer.results.some((h) => h.uri === uri && h.range.start.line <= defLine && defLine < h.range.end.line),
            `the query chunk itself is not returned:\n${describeHits(answer.results)}`,
        );

        // With a selection, the range is sent too and answers the same way.
        const selection = { start: { line: defLine, character: 0 }, end: { line: defLine + 5, character: 0 } };
        const withRange = await server.connection.sendRequest(FindSimilarRequest, findSimilarParams(uri, selection.end, selection));
        assert.equal(withRange.results[0]?.name, answer.results[0]?.name);
    });

    it('code lenses: codeLens + codeLens/resolve give "N similar" running semnav.showSimilar', async () => {
        const uri = await open('src/config.rs', 'rust');
        const text = FILES['src/config.rs'] ?? '';
        const lenses = (await server.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
        const defLine = lineOf(text, 'pub fn load_config');
        const lens = lenses.find((l) => l.range.start.line === defLine);
        assert.ok(lens, `a lens on load_config (line ${defLine}): ${JSON.stringify(lenses.map((l) => l.range.start.line))}`);
        assert.equal(lens.command, undefined, 'lenses come unresolved');
        assert.ok(lenses.length >= 3, 'one lens per function');

        const resolved: CodeLens = await server.connection.sendRequest(CodeLensResolveRequest.type, lens);
        assert.ok(resolved.command);
        assert.equal(resolved.command.command, SHOW_SIMILAR_COMMAND);
        assert.match(resolved.command.title, /^\d+ similar$/);
        const target = parseShowSimilarArgs(resolved.command.arguments ?? []);
        assert.ok(target, `the extension understands the arguments: ${JSON.stringify(resolved.command.arguments)}`);
        assert.equal(target.uri, uri);
        assert.equal(target.position.line, defLine);

        // What semnav.showSimilar then sends.
        const answer = await server.connection.sendRequest(FindSimilarRequest, findSimilarParams(target.uri, target.position));
        assert.ok(answer.results.length > 0);
        assert.ok(!answer.results.some((h) => h.uri === uri && h.range.start.line === defLine), 'not itself');
        const count = Number(/^(\d+)/.exec(resolved.command.title)?.[1]);
        assert.ok(count <= answer.results.length, `the lens count (${count}) is at most the number of similar chunks (${answer.results.length})`);
    });

    it('hover: answers Markdown starting with "**Similar code**" and links', async () => {
        const uri = uriOf('src/config.rs');
        assert.ok(opened.has(uri), 'opened by the previous test');
        const line = lineOf(FILES['src/config.rs'] ?? '', 'pub fn load_config');
        const hover = await server.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: line + 2, character: 8 } });
        const text = hoverText(hover);
        assert.ok(hover !== null && MarkupContent.is(hover.contents) && hover.contents.kind === 'markdown', `markdown hover: ${JSON.stringify(hover)}`);
        assert.ok(text.startsWith('**Similar code**'), text);
        assert.match(text, /\]\(file:\/\/[^)]+#L\d+\)/, 'links to the similar code');
    });

    it('settings: didChangeConfiguration {semnav: {...}} switches lenses and hover off and on', async () => {
        const uri = uriOf('src/config.rs');
        const line = lineOf(FILES['src/config.rs'] ?? '', 'pub fn load_config');
        const send = async (s: ExtensionSettings): Promise<void> =>
            server.connection.sendNotification(DidChangeConfigurationNotification.type, didChangeConfigurationParams(toServerConfig(s, ctx)));
        const lensCount = async (): Promise<number> => ((await server.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? []).length;
        const hover = async (): Promise<string> => hoverText(await server.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character: 8 } }));

        await send({ ...settings, codeLens: false, hover: false });
        await eventually(lensCount, (n) => n === 0, 5_000, 'lenses after codeLens: false');
        await eventually(hover, (h) => h === '', 5_000, 'hover after hover: false');

        await send(settings);
        await eventually(lensCount, (n) => n > 0, 5_000, 'lenses after codeLens: true');
        await eventually(hover, (h) => h.startsWith('**Similar code**'), 5_000, 'hover after hover: true');
    });

    it('Reindex Workspace: semnav/reindex answers null, reports $/progress, and the index is complete again', async () => {
        const before = server.progress.length;
        const answer = await server.connection.sendRequest(ReindexRequest, reindexParams());
        assert.equal(answer, null);
        const events = await eventually(
            async () => Promise.resolve(server.progress.slice(before)),
            (evs) => evs.some((e) => e.value.kind === 'end'),
            30_000,
            'progress of the reindex',
        );
        assert.equal(events[0]?.value.kind, 'begin', JSON.stringify(events));
        const status = await server.waitReady(30_000);
        assert.equal(status.files, Object.keys(FILES).length);
        const search = await server.connection.sendRequest(SearchRequest, searchParams('read settings from disk'));
        assert.ok(search.results.slice(0, 3).some((h) => h.name === 'load_config'), describeHits(search.results));
    });
});
