/**
 * The palette commands and the code-lens command. Each sends exactly the
 * request built by src/core/protocol.ts (the protocol test sends the same).
 */
import * as vscode from 'vscode';
import { CancellationTokenSource, LSPErrorCodes, ResponseError, type LanguageClient } from 'vscode-languageclient/node';

import { debounce, Latest, SEARCH_DEBOUNCE_MS, shouldQuery } from './core/debounce';
import { hitsToItems, type HitItem } from './core/format';
import {
    FindSimilarRequest,
    findSimilarParams,
    parseShowSimilarArgs,
    ReindexRequest,
    reindexParams,
    SearchRequest,
    searchParams,
    SHOW_SIMILAR_COMMAND,
    type Hit,
} from './core/protocol';
import { statusDialog, type LiveStatus } from './core/statusDialog';
import type { Server } from './server';

type SearchItem = HitItem & vscode.QuickPickItem;

function roots(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

function isCancellation(e: unknown): boolean {
    return e instanceof ResponseError && (e.code === LSPErrorCodes.RequestCancelled || e.code === LSPErrorCodes.ServerCancelled);
}

function errorText(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
}

export function registerCommands(server: Server): vscode.Disposable[] {
    /** Runs `fn` with the running client, or explains why there is none. */
    const withClient =
        <A extends unknown[]>(fn: (client: LanguageClient, ...args: A) => Promise<void>) =>
        async (...args: A): Promise<void> => {
            const client = await server.ready();
            if (client === undefined) {
                server.explainNotRunning();
                return;
            }
            try {
                await fn(client, ...args);
            } catch (e) {
                if (!isCancellation(e)) {
                    void vscode.window.showErrorMessage(`semnav: ${errorText(e)}`);
                }
            }
        };

    return [
        vscode.commands.registerCommand('semnav.search', withClient((client) => searchCode(client))),
        vscode.commands.registerCommand(
            'semnav.findSimilar',
            withClient(async (client) => {
                const editor = vscode.window.activeTextEditor;
                if (editor === undefined) {
                    void vscode.window.showInformationMessage('semnav: open a file and put the cursor in the code to compare.');
                    return;
                }
                await showSimilar(client, editor.document.uri, editor.selection.active, editor.selection.isEmpty ? undefined : editor.selection);
            }),
        ),
        vscode.commands.registerCommand(
            SHOW_SIMILAR_COMMAND,
            withClient(async (client, ...args: unknown[]) => {
                const target = parseShowSimilarArgs(args);
                if (target === undefined) {
                    throw new Error(`${SHOW_SIMILAR_COMMAND} expects [uri, {line, character}], got ${JSON.stringify(args)}`);
                }
                const uri = client.protocol2CodeConverter.asUri(target.uri);
                await showSimilar(client, uri, client.protocol2CodeConverter.asPosition(target.position));
            }),
        ),
        vscode.commands.registerCommand(
            'semnav.reindex',
            withClient(async (client) => {
                await client.sendRequest(ReindexRequest, reindexParams());
                server.statusBar.pollSoon();
                void vscode.window.showInformationMessage('semnav: reindexing the workspace; the status bar shows the progress.');
            }),
        ),
        vscode.commands.registerCommand('semnav.showStatus', () => showStatus(server)),
        vscode.commands.registerCommand('semnav.restart', async () => {
            await server.restart();
        }),
    ];
}

/** What the running server says about its index, or why it says nothing. */
async function liveStatus(server: Server): Promise<LiveStatus> {
    if ((await server.ready()) === undefined) {
        const { server: state, error } = server.statusBar.current;
        return error !== undefined ? { kind: 'not-running', server: state, error } : { kind: 'not-running', server: state };
    }
    try {
        return { kind: 'status', status: await server.status() };
    } catch (e) {
        return { kind: 'failed', error: errorText(e) };
    }
}

/**
 * "Show Index Status": the live status from the server and `semnav doctor`'s
 * checks in one dialog. Doctor runs even when the server does not (a missing
 * model or ONNX Runtime is exactly when the checks help); only without any
 * binary is there nothing to run, and the missing binary is explained instead.
 */
async function showStatus(server: Server): Promise<void> {
    const run = server.statusBar.run;
    const [live, doctor] = await Promise.all([
        liveStatus(server),
        vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'semnav: checking the installation (semnav doctor)' }, () => server.doctor()),
    ]);
    if (!doctor.ok) {
        server.explainNotRunning();
        return;
    }
    server.statusBar.setDoctor(doctor.outcome, run);
    const dialog = statusDialog({ live, binary: server.statusBar.current.binary ?? doctor.binary, doctor: doctor.outcome, indexChecked: doctor.indexChecked });
    const show =
        dialog.severity === 'error' ? vscode.window.showErrorMessage : dialog.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const actions = dialog.running ? ['Reindex', 'Show Log'] : ['Restart Server', 'Show Log'];
    const choice = await show(dialog.message, { modal: true, detail: dialog.detail }, ...actions);
    if (choice === 'Reindex') {
        await vscode.commands.executeCommand('semnav.reindex');
    } else if (choice === 'Restart Server') {
        await server.restart();
    } else if (choice === 'Show Log') {
        server.output.show();
    }
}

/** The hit's location in VS Code terms. */
function location(client: LanguageClient, hit: Hit): vscode.Location {
    return new vscode.Location(client.protocol2CodeConverter.asUri(hit.uri), client.protocol2CodeConverter.asRange(hit.range));
}

/**
 * "Find Similar Code" and the "N similar" lens: asks the server about the
 * chunk at `position` (the buffer as it is now, unsaved edits included) and
 * shows the answers in the references peek view.
 */
async function showSimilar(client: LanguageClient, uri: vscode.Uri, position: vscode.Position, selection?: vscode.Range): Promise<void> {
    // Opening the document makes the client send didOpen, so the server has the buffer.
    await vscode.workspace.openTextDocument(uri);
    const c2p = client.code2ProtocolConverter;
    const params = findSimilarParams(c2p.asUri(uri), c2p.asPosition(position), selection !== undefined ? c2p.asRange(selection) : undefined);
    const answer = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'semnav: finding similar code' },
        (_progress, token) => client.sendRequest(FindSimilarRequest, params, token),
    );
    if (answer.results.length === 0) {
        const why = answer.indexing ? ' yet: the index is still being built' : '';
        void vscode.window.showInformationMessage(`semnav: no similar code found${why}.`);
        return;
    }
    const locations = answer.results.map((hit) => location(client, hit));
    await vscode.commands.executeCommand('editor.action.showReferences', uri, position, locations);
}

/** "Search Code by Meaning": a QuickPick that queries while the user types. */
function searchCode(client: LanguageClient): Promise<void> {
    const title = 'semnav: Search Code by Meaning';
    const qp = vscode.window.createQuickPick<SearchItem>();
    qp.title = title;
    qp.placeholder = 'Describe what the code does, e.g. "read settings from disk"';
    qp.matchOnDescription = false;
    qp.matchOnDetail = false;

    // Where to go back to when the user escapes after previewing results.
    const origin = vscode.window.activeTextEditor;
    const originSelection = origin?.selection;
    const originVisible = origin?.visibleRanges[0];
    let accepted = false;
    let previewed = false;

    const latest = new Latest();
    let cts: CancellationTokenSource | undefined;
    const query = async (text: string): Promise<void> => {
        const ticket = latest.next();
        cts?.cancel();
        cts?.dispose();
        const mine = new CancellationTokenSource();
        cts = mine;
        qp.busy = true;
        try {
            const answer = await client.sendRequest(SearchRequest, searchParams(text), mine.token);
            if (!ticket.isCurrent()) {
                return;
            }
            qp.items = hitsToItems(answer.results, roots());
            qp.title =
                answer.results.length === 0
                    ? `${title}: nothing found${answer.indexing ? ' yet (indexing)' : ''}`
                    : answer.indexing
                      ? `${title} (still indexing: results may be incomplete)`
                      : title;
        } catch (e) {
            if (ticket.isCurrent() && !isCancellation(e)) {
                qp.items = [];
                qp.title = `${title}: ${errorText(e)}`;
            }
        } finally {
            if (ticket.isCurrent()) {
                qp.busy = false;
            }
        }
    };
    const debounced = debounce((text: string) => void query(text), SEARCH_DEBOUNCE_MS);

    const open = async (hit: Hit, preview: boolean): Promise<void> => {
        const loc = location(client, hit);
        const editor = await vscode.window.showTextDocument(loc.uri, {
            preview,
            preserveFocus: preview,
            selection: preview ? new vscode.Range(loc.range.start, loc.range.start) : loc.range,
        });
        editor.revealRange(loc.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    };

    qp.onDidChangeValue((text) => {
        if (!shouldQuery(text)) {
            debounced.cancel();
            latest.invalidate();
            cts?.cancel();
            qp.busy = false;
            qp.items = [];
            qp.title = title;
            return;
        }
        qp.busy = true;
        debounced(text);
    });
    qp.onDidChangeActive((items) => {
        const item = items[0];
        if (item !== undefined) {
            previewed = true;
            open(item.hit, true).catch(() => undefined);
        }
    });
    qp.onDidAccept(() => {
        const item = qp.selectedItems[0] ?? qp.activeItems[0];
        if (item === undefined) {
            debounced.flush();
            return;
        }
        accepted = true;
        qp.hide();
        open(item.hit, false).catch((e: unknown) => void vscode.window.showErrorMessage(`semnav: cannot open ${item.hit.uri}: ${errorText(e)}`));
    });
    qp.onDidHide(() => {
        debounced.cancel();
        latest.invalidate();
        cts?.cancel();
        cts?.dispose();
        qp.dispose();
        if (!accepted && previewed && origin !== undefined) {
            // Escape: back to where the user was.
            const options: vscode.TextDocumentShowOptions = {};
            if (origin.viewColumn !== undefined) {
                options.viewColumn = origin.viewColumn;
            }
            if (originSelection !== undefined) {
                options.selection = originSelection;
            }
            void vscode.window.showTextDocument(origin.document, options).then((editor) => {
                if (originVisible !== undefined) {
                    editor.revealRange(originVisible, vscode.TextEditorRevealType.AtTop);
                }
            });
        }
    });

    // Start from the selected text, if it is a short single line.
    const selected = origin !== undefined && !origin.selection.isEmpty ? origin.document.getText(origin.selection) : '';
    if (selected !== '' && !selected.includes('\n') && selected.length <= 200) {
        qp.value = selected;
        debounced(selected);
    }
    qp.show();
    return Promise.resolve();
}
