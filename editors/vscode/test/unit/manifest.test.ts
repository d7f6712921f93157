/**
 * The manifest and the entry point, without VS Code: package.json declares
 * what the code implements, and activate() registers every command and, with
 * no server binary, tells the user how to get one instead of failing.
 *
 * `vscode` is replaced by a small recording stub; anything the stub does not
 * define is a harmless dummy, enough for vscode-languageclient to load.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import Module, { builtinModules } from 'node:module';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { DEFAULT_SETTINGS, SETTING_KEYS } from '../../src/core/settings';

const EXTENSION_DIR = path.resolve(__dirname, '..', '..', '..');

interface Manifest {
    main: string;
    engines: { vscode: string };
    activationEvents: string[];
    devDependencies: Record<string, string>;
    contributes: {
        commands: { command: string; title: string; category: string }[];
        menus: { commandPalette: { command: string; when: string }[] };
        configuration: { properties: Record<string, { type: string; default: unknown }> };
    };
}

const manifest = JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, 'package.json'), 'utf8')) as Manifest;

/** A value that can be called, constructed, extended and read from, forever. */
function dummy(): unknown {
    const target = function () {
        /* dummy */
    };
    const prototype: unknown = target.prototype;
    return new Proxy(target, {
        get: (_t, key) => (key === 'prototype' ? prototype : key === Symbol.toPrimitive ? () => 0 : key === 'then' ? undefined : dummy()),
        apply: () => dummy(),
        construct: () => dummy() as object,
    });
}

function withFallback<T extends object>(obj: T): T {
    return new Proxy(obj, { get: (t, key) => (key in t ? (t as Record<string | symbol, unknown>)[key] : dummy()) });
}

const recorded = {
    commands: new Map<string, (...args: unknown[]) => unknown>(),
    errors: [] as string[],
    statusItems: [] as { text: string; command?: string; visible: boolean }[],
    configListeners: [] as ((e: { affectsConfiguration(section: string): boolean }) => void)[],
    config: { 'server.path': path.join(EXTENSION_DIR, 'no-such-dir', 'semnav') } as Record<string, unknown>,
};

const disposable = { dispose: (): void => undefined };
const vscodeStub = withFallback({
    commands: withFallback({
        registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
            recorded.commands.set(id, fn);
            return disposable;
        },
        executeCommand: () => Promise.resolve(undefined),
    }),
    window: withFallback({
        createOutputChannel: () => withFallback({ info: () => undefined, warn: () => undefined, error: () => undefined, show: () => undefined, dispose: () => undefined }),
        createStatusBarItem: () => {
            const item = { text: '', visible: false, show: () => (item.visible = true), dispose: () => (item.visible = false) } as { text: string; visible: boolean; show(): void; dispose(): void; command?: string };
            recorded.statusItems.push(item);
            return item;
        },
        showErrorMessage: (message: string) => {
            recorded.errors.push(message);
            return Promise.resolve(undefined);
        },
        showInformationMessage: () => Promise.resolve(undefined),
        showWarningMessage: () => Promise.resolve(undefined),
        withProgress: (_options: unknown, task: (progress: { report(): void }, token: unknown) => Promise<unknown>) => task({ report: () => undefined }, dummy()),
    }),
    workspace: withFallback({
        workspaceFolders: undefined,
        getConfiguration: () => ({ get: (key: string) => recorded.config[key] }),
        onDidChangeConfiguration: (listener: (e: { affectsConfiguration(section: string): boolean }) => void) => {
            recorded.configListeners.push(listener);
            return disposable;
        },
    }),
    StatusBarAlignment: { Left: 1, Right: 2 },
    ThemeColor: class {
        constructor(readonly id: string) {}
    },
});

type Resolve = (request: string, ...rest: unknown[]) => string;
const mod = Module as unknown as { _resolveFilename: Resolve };
const originalResolve = mod._resolveFilename;

describe('package.json', () => {
    it('declares every setting the extension reads, with the same defaults', () => {
        const props = manifest.contributes.configuration.properties;
        const declared = Object.keys(props).filter((k) => k !== 'semnav.trace.server').sort();
        const read = Object.values(SETTING_KEYS).map((k) => `semnav.${k}`).sort();
        assert.deepEqual(declared, read);
        for (const [field, key] of Object.entries(SETTING_KEYS)) {
            assert.deepEqual(props[`semnav.${key}`]?.default, DEFAULT_SETTINGS[field as keyof typeof DEFAULT_SETTINGS], `default of semnav.${key}`);
        }
        for (const required of ['semnav.server.path', 'semnav.model', 'semnav.modelDir', 'semnav.exclude', 'semnav.hover.enabled', 'semnav.codeLens.enabled', 'semnav.debounceMs']) {
            assert.ok(required in props, required);
        }
    });

    it('names the palette commands as the issue does', () => {
        const titles = manifest.contributes.commands.map((c) => `${c.category}: ${c.title}`);
        for (const t of ['semnav: Search Code by Meaning', 'semnav: Find Similar Code', 'semnav: Reindex Workspace', 'semnav: Show Index Status', 'semnav: Restart Server']) {
            assert.ok(titles.includes(t), t);
        }
        // The lens command needs arguments: hidden from the palette.
        assert.ok(manifest.contributes.menus.commandPalette.some((m) => m.command === 'semnav.showSimilar' && m.when === 'false'));
    });

    it('ships the bundle and matches @types/vscode to engines.vscode', () => {
        assert.equal(manifest.main, './dist/extension.js');
        assert.equal(`^${manifest.devDependencies['@types/vscode']}`, manifest.engines.vscode);
    });
});

describe('activate() without a server binary', () => {
    let ext: { activate(ctx: unknown): Promise<void>; deactivate(): Promise<void> };
    // No server/ folder there: nothing bundled (the setting is looked at first anyway).
    const context = { subscriptions: [] as { dispose(): unknown }[], extensionPath: path.join(EXTENSION_DIR, 'no-such-extension') };

    before(async () => {
        mod._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
            return request === 'vscode' ? 'vscode' : originalResolve.call(this, request, ...rest);
        };
        require.cache['vscode'] = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscodeStub } as unknown as NodeJS.Module;
        // Loaded after the stub is in place, and by require: import() would go through the ESM loader, which ignores require.cache.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        ext = require('../../src/extension') as typeof ext;
        await ext.activate(context);
        // start() runs in the background: let it reach the notification.
        await new Promise((r) => setTimeout(r, 50));
    });

    after(async () => {
        await ext.deactivate();
        mod._resolveFilename = originalResolve;
        delete require.cache['vscode'];
    });

    it('registers every contributed command', () => {
        const contributed = manifest.contributes.commands.map((c) => c.command).sort();
        assert.deepEqual([...recorded.commands.keys()].sort(), contributed);
        assert.equal(context.subscriptions.length, contributed.length);
    });

    it('says how to build or install the server', () => {
        const message = recorded.errors.find((m) => m.includes('semnav.server.path'));
        assert.ok(message, `an error notification: ${JSON.stringify(recorded.errors)}`);
        assert.match(message, /does not exist/);
        assert.match(message, /cargo install --locked --path server/);
        assert.match(message, /scripts\/package-vscode\.sh/);
        assert.match(message, /PATH/);
    });

    it('shows the missing server in the status bar, which opens the status', () => {
        const item = recorded.statusItems[0];
        assert.ok(item);
        assert.equal(item.text, '$(error) semnav: no server');
        assert.equal(item.command, 'semnav.showStatus');
        assert.equal(item.visible, true);
    });

    it('the esbuild bundle (what the .vsix ships) needs nothing but vscode and node built-ins', () => {
        const bundle = path.join(EXTENSION_DIR, manifest.main);
        assert.ok(fs.existsSync(bundle), `${bundle} is missing: run \`npm run bundle\``);
        const required = new Set([...fs.readFileSync(bundle, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1] ?? ''));
        const external = [...required].filter((r) => r !== 'vscode' && !builtinModules.includes(r.replace(/^node:/, '')));
        assert.deepEqual(external, [], 'everything else is bundled, so `vsce package --no-dependencies` works');
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const loaded = require(bundle) as Record<string, unknown>;
        assert.equal(typeof loaded['activate'], 'function');
        assert.equal(typeof loaded['deactivate'], 'function');
    });

    it('a changed semnav.server.path restarts: the new path is tried', async () => {
        const other = path.join(EXTENSION_DIR, 'elsewhere', 'semnav');
        recorded.config['server.path'] = other;
        for (const listener of recorded.configListeners) {
            listener({ affectsConfiguration: (section) => section === 'semnav' || section === 'semnav.server' || section === 'semnav.server.path' });
        }
        await new Promise((r) => setTimeout(r, 50));
        assert.ok(recorded.errors.some((m) => m.includes(other)), JSON.stringify(recorded.errors));
    });

    it('commands explain that there is no server instead of throwing', async () => {
        const before = recorded.errors.length;
        await recorded.commands.get('semnav.search')?.();
        await recorded.commands.get('semnav.showStatus')?.();
        assert.equal(recorded.errors.length, before + 2);
        assert.match(recorded.errors.at(-1) ?? '', /cargo install --locked --path server/);
    });
});
