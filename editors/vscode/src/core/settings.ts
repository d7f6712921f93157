/**
 * VS Code settings (`semnav.*`) → the server's configuration object (the
 * contract's `initializationOptions` / `didChangeConfiguration` keys).
 *
 * Pure: settings are read through a getter, so tests need no `vscode`.
 */
import * as os from 'node:os';
import * as path from 'node:path';

/** The extension's settings, as declared in package.json `contributes.configuration`. */
export interface ExtensionSettings {
    /** `semnav.server.path`: the server binary; empty = look on PATH, then for the bundled one. */
    serverPath: string;
    /** `semnav.model`: model name; empty = the server's default. */
    model: string;
    /** `semnav.modelDir`: folder with model.onnx and the tokenizer; empty = the server's default. */
    modelDir: string;
    /** `semnav.indexDir`: where indexes are stored; empty = the server's default (~/.cache/semnav/indexes). */
    indexDir: string;
    /** `semnav.exclude`: extra glob patterns the server does not index. */
    exclude: string[];
    /** `semnav.maxFileBytes`: files larger than this are not indexed; 0 = the server's default. */
    maxFileBytes: number;
    /** `semnav.hover.enabled`: the "Similar code" hover. */
    hover: boolean;
    /** `semnav.codeLens.enabled`: the "N similar" lenses. */
    codeLens: boolean;
    /** `semnav.debounceMs`: how long the server waits after an edit before re-embedding. */
    debounceMs: number;
}

/** The server's configuration object (contract keys). */
export interface ServerConfig {
    model?: string;
    modelDir?: string;
    indexDir?: string;
    exclude?: string[];
    maxFileBytes?: number;
    hover?: boolean;
    codeLens?: boolean;
    debounceMs?: number;
}

export const DEFAULT_SETTINGS: Readonly<ExtensionSettings> = Object.freeze({
    serverPath: '',
    model: '',
    modelDir: '',
    indexDir: '',
    exclude: [],
    maxFileBytes: 0,
    hover: true,
    codeLens: true,
    debounceMs: 300,
});

/** Setting keys under `semnav.`, for each field. */
export const SETTING_KEYS: Readonly<Record<keyof ExtensionSettings, string>> = Object.freeze({
    serverPath: 'server.path',
    model: 'model',
    modelDir: 'modelDir',
    indexDir: 'indexDir',
    exclude: 'exclude',
    maxFileBytes: 'maxFileBytes',
    hover: 'hover.enabled',
    codeLens: 'codeLens.enabled',
    debounceMs: 'debounceMs',
});

/** Reads one setting below `semnav.` (e.g. `workspace.getConfiguration('semnav').get`). */
export type SettingGetter = (key: string) => unknown;

function str(v: unknown, dflt: string): string {
    return typeof v === 'string' ? v.trim() : dflt;
}

function bool(v: unknown, dflt: boolean): boolean {
    return typeof v === 'boolean' ? v : dflt;
}

function count(v: unknown, dflt: number): number {
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : dflt;
}

/** Reads every setting, falling back to the default for missing or ill-typed values. */
export function readSettings(get: SettingGetter): ExtensionSettings {
    const d = DEFAULT_SETTINGS;
    const k = SETTING_KEYS;
    const exclude = get(k.exclude);
    return {
        serverPath: str(get(k.serverPath), d.serverPath),
        model: str(get(k.model), d.model),
        modelDir: str(get(k.modelDir), d.modelDir),
        indexDir: str(get(k.indexDir), d.indexDir),
        exclude: Array.isArray(exclude) ? exclude.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()) : [...d.exclude],
        maxFileBytes: count(get(k.maxFileBytes), d.maxFileBytes),
        hover: bool(get(k.hover), d.hover),
        codeLens: bool(get(k.codeLens), d.codeLens),
        debounceMs: Math.min(count(get(k.debounceMs), d.debounceMs), 60_000),
    };
}

/** What `~` and `${workspaceFolder}` stand for in path settings. */
export interface PathContext {
    home: string;
    /** The first workspace folder's path, if any: relative paths are taken from there. */
    workspaceFolder?: string | undefined;
}

export function defaultPathContext(workspaceFolder?: string): PathContext {
    return { home: os.homedir(), workspaceFolder };
}

/**
 * Expands `~`, `${userHome}` and `${workspaceFolder}`, and makes a relative
 * path absolute against the workspace folder. Empty stays empty.
 */
export function expandPath(p: string, ctx: PathContext): string {
    let s = p.trim();
    if (s === '') {
        return '';
    }
    s = s.replace(/\$\{userHome\}/g, ctx.home);
    if (ctx.workspaceFolder !== undefined) {
        s = s.replace(/\$\{workspaceFolder\}/g, ctx.workspaceFolder);
    }
    if (s === '~') {
        s = ctx.home;
    } else if (s.startsWith('~/')) {
        s = path.join(ctx.home, s.slice(2));
    }
    if (!path.isAbsolute(s) && ctx.workspaceFolder !== undefined) {
        s = path.resolve(ctx.workspaceFolder, s);
    }
    return s;
}

/**
 * The server configuration for these settings: empty strings and zero limits
 * are left out (the server keeps its defaults), booleans and the debounce are
 * always sent.
 */
export function toServerConfig(s: ExtensionSettings, ctx: PathContext): ServerConfig {
    const out: ServerConfig = {};
    if (s.model !== '') {
        out.model = s.model;
    }
    const modelDir = expandPath(s.modelDir, ctx);
    if (modelDir !== '') {
        out.modelDir = modelDir;
    }
    const indexDir = expandPath(s.indexDir, ctx);
    if (indexDir !== '') {
        out.indexDir = indexDir;
    }
    out.exclude = [...s.exclude];
    if (s.maxFileBytes > 0) {
        out.maxFileBytes = s.maxFileBytes;
    }
    out.hover = s.hover;
    out.codeLens = s.codeLens;
    out.debounceMs = s.debounceMs;
    return out;
}

/** `initializationOptions` for the server: the configuration object itself. */
export function toInitializationOptions(s: ExtensionSettings, ctx: PathContext): ServerConfig {
    return toServerConfig(s, ctx);
}

/** The `workspace/didChangeConfiguration` params the extension sends. */
export function didChangeConfigurationParams(config: ServerConfig): { settings: { semnav: ServerConfig } } {
    return { settings: { semnav: config } };
}

export interface ConfigChange {
    /** Settings to send with `workspace/didChangeConfiguration`, if any changed. */
    notify?: ServerConfig;
    /** Why the server must be restarted instead, if it must. */
    restart?: string;
}

/**
 * What to do when settings change. The server applies changed keys from
 * `didChangeConfiguration` but cannot be told to forget one (a missing or
 * null key means "unchanged"), so clearing a setting such as `modelDir` needs a
 * restart, as does a new server binary.
 */
export function configurationChange(prev: ExtensionSettings, next: ExtensionSettings, ctx: PathContext): ConfigChange {
    if (prev.serverPath !== next.serverPath) {
        return { restart: 'semnav.server.path changed' };
    }
    const a = toServerConfig(prev, ctx);
    const b = toServerConfig(next, ctx);
    const cleared = (Object.keys(a) as (keyof ServerConfig)[]).filter((key) => b[key] === undefined);
    if (cleared.length > 0) {
        return { restart: `cleared ${cleared.map((key) => `semnav.${SETTING_KEYS[key]}`).join(', ')}` };
    }
    return sameConfig(a, b) ? {} : { notify: b };
}

export function sameConfig(a: ServerConfig, b: ServerConfig): boolean {
    return JSON.stringify(a, Object.keys(a).sort()) === JSON.stringify(b, Object.keys(b).sort());
}
