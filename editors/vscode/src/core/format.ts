/**
 * How hits and ranges are shown: QuickPick items, locations, paths.
 * Pure: the item shape mirrors `vscode.QuickPickItem` without importing it.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Range } from 'vscode-languageserver-protocol';

import type { Hit } from './protocol';

/** The fields of `vscode.QuickPickItem` the search uses, plus the hit. */
export interface HitItem {
    label: string;
    description: string;
    detail: string;
    /** Always true: the server ranks by meaning, VS Code must not filter by label. */
    alwaysShow: true;
    hit: Hit;
}

const KIND_ICONS: Readonly<Record<string, string>> = {
    function: 'symbol-function',
    method: 'symbol-method',
    class: 'symbol-class',
    struct: 'symbol-struct',
    enum: 'symbol-enum',
    trait: 'symbol-interface',
    interface: 'symbol-interface',
    impl: 'symbol-class',
    module: 'symbol-module',
    namespace: 'symbol-namespace',
    type: 'symbol-type-parameter',
    const: 'symbol-constant',
    constant: 'symbol-constant',
    variable: 'symbol-variable',
    field: 'symbol-field',
    macro: 'symbol-misc',
    block: 'symbol-snippet',
    section: 'symbol-key',
    window: 'file-code',
};

/** The codicon for a chunk kind (`symbol-misc` for kinds not listed). */
export function kindIcon(kind: string): string {
    return KIND_ICONS[kind.toLowerCase()] ?? 'symbol-misc';
}

/** A score with two decimals (scores are similarities in [0, 1]). */
export function formatScore(score: number): string {
    return Number.isFinite(score) ? score.toFixed(2) : '?';
}

/** The filesystem path of a `file:` URI, or undefined for other schemes. */
export function uriToPath(uri: string): string | undefined {
    if (!uri.startsWith('file:')) {
        return undefined;
    }
    try {
        return fileURLToPath(uri);
    } catch {
        return undefined;
    }
}

/**
 * A path for display: relative to the workspace root that holds it (the
 * deepest one), prefixed with that root's folder name when there are several
 * roots; the URI itself for non-file URIs; the absolute path outside every root.
 */
export function displayPath(uri: string, roots: readonly string[]): string {
    const p = uriToPath(uri);
    if (p === undefined) {
        return uri;
    }
    let best: string | undefined;
    for (const root of roots) {
        const rel = path.relative(root, p);
        if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) && (best === undefined || root.length > best.length)) {
            best = root;
        }
    }
    if (best === undefined) {
        return p;
    }
    const rel = path.relative(best, p).split(path.sep).join('/');
    return roots.length > 1 ? `${path.basename(best)}/${rel}` : rel;
}

/**
 * 1-based inclusive line numbers of a whole-lines range (`end` is the start of
 * the line after the last, or a position inside the last line).
 */
export function lineSpan(range: Range): { first: number; last: number } {
    const first = range.start.line + 1;
    const endLine = range.end.character === 0 && range.end.line > range.start.line ? range.end.line - 1 : range.end.line;
    return { first, last: Math.max(first, endLine + 1) };
}

export function formatLines(range: Range): string {
    const { first, last } = lineSpan(range);
    return first === last ? `${first}` : `${first}-${last}`;
}

/** The first non-blank line of a preview, shortened to `max` characters. */
export function previewLine(preview: string, max = 160): string {
    const line = preview.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? '';
    return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The label of a hit: its name (with container) or, for unnamed chunks, its preview. */
export function hitTitle(hit: Hit): string {
    if (hit.name !== undefined && hit.name !== '') {
        return hit.container !== undefined && hit.container !== '' ? `${hit.container}::${hit.name}` : hit.name;
    }
    return previewLine(hit.preview, 80) || '(unnamed)';
}

/** A search result as a QuickPick item: name, kind, path:lines and score; the preview below. */
export function hitToItem(hit: Hit, roots: readonly string[]): HitItem {
    return {
        label: `$(${kindIcon(hit.kind)}) ${hitTitle(hit)}`,
        description: `${hit.kind} · ${displayPath(hit.uri, roots)}:${formatLines(hit.range)} · ${formatScore(hit.score)}`,
        detail: previewLine(hit.preview),
        alwaysShow: true,
        hit,
    };
}

/** Hits as items, best first (the server's order), dropping duplicates of one range. */
export function hitsToItems(hits: readonly Hit[], roots: readonly string[]): HitItem[] {
    const seen = new Set<string>();
    const items: HitItem[] = [];
    for (const hit of hits) {
        const key = `${hit.uri}#${hit.range.start.line}-${hit.range.end.line}`;
        if (!seen.has(key)) {
            seen.add(key);
            items.push(hitToItem(hit, roots));
        }
    }
    return items;
}

/** A size in bytes for people: 1.2 MB. */
export function formatBytes(n: number): string {
    if (!Number.isFinite(n) || n < 0) {
        return '?';
    }
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let v = n;
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
        v /= 1024;
        i++;
    }
    return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
