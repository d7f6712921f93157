/**
 * The semnav server's custom requests (see the contract's LSP section) and the
 * exact parameters each extension command sends.
 *
 * Pure: imports only the protocol library, never `vscode`, so the protocol
 * test drives the real server with these same definitions.
 */
import { RequestType, type Position, type Range } from 'vscode-languageserver-protocol';

/** One search or similar-code result. Ranges are whole lines: `end` is the start of the line after the last. */
export interface Hit {
    uri: string;
    range: Range;
    score: number;
    kind: string;
    name?: string;
    container?: string;
    language: string;
    preview: string;
}

export interface HitsResult {
    results: Hit[];
    /** True while the index is still being built: results may be incomplete. */
    indexing: boolean;
}

export interface SearchParams {
    query: string;
    limit?: number;
    languages?: string[];
    globs?: string[];
}

export interface FindSimilarParams {
    textDocument: { uri: string };
    position?: Position;
    range?: Range;
    limit?: number;
}

export interface IndexStatus {
    root: string | null;
    roots?: string[];
    indexDir: string | null;
    /** The model id, or `unavailable: <why>` when it cannot be loaded. */
    model: string;
    files: number;
    chunks: number;
    pendingEmbeddings: number;
    diskBytes: number;
    indexing?: boolean;
}

// `semnav/status` and `semnav/reindex` take an empty object.
export const SearchRequest = new RequestType<SearchParams, HitsResult, void>('semnav/search');
export const FindSimilarRequest = new RequestType<FindSimilarParams, HitsResult, void>('semnav/findSimilar');
export const StatusRequest = new RequestType<Record<string, never>, IndexStatus, void>('semnav/status');
export const ReindexRequest = new RequestType<Record<string, never>, null, void>('semnav/reindex');

/** The client-side command the server puts on resolved code lenses. */
export const SHOW_SIMILAR_COMMAND = 'semnav.showSimilar';

/** How many results the search QuickPick asks for. */
export const SEARCH_LIMIT = 30;
/** How many results "Find Similar Code" asks for. */
export const SIMILAR_LIMIT = 20;

/** Parameters of `semnav/search` as the QuickPick sends them while the user types. */
export function searchParams(query: string, limit: number = SEARCH_LIMIT): SearchParams {
    return { query: query.trim(), limit };
}

/**
 * Parameters of `semnav/findSimilar` for "Find Similar Code": the cursor, plus
 * the selection when there is one (the server takes the chunk at its start).
 */
export function findSimilarParams(uri: string, position: Position, selection?: Range, limit: number = SIMILAR_LIMIT): FindSimilarParams {
    const params: FindSimilarParams = { textDocument: { uri }, position, limit };
    if (selection !== undefined && !isEmptyRange(selection)) {
        params.range = selection;
    }
    return params;
}

export function statusParams(): Record<string, never> {
    return {};
}

export function reindexParams(): Record<string, never> {
    return {};
}

function isEmptyRange(r: Range): boolean {
    return r.start.line === r.end.line && r.start.character === r.end.character;
}

/**
 * Reads the arguments of a resolved "N similar" lens:
 * `[uriString, {line, character}]`. Returns undefined when they are not that shape.
 */
export function parseShowSimilarArgs(args: readonly unknown[]): { uri: string; position: Position } | undefined {
    const [uri, pos] = args;
    if (typeof uri !== 'string' || uri.length === 0 || typeof pos !== 'object' || pos === null) {
        return undefined;
    }
    const { line, character } = pos as { line?: unknown; character?: unknown };
    if (typeof line !== 'number' || !Number.isInteger(line) || line < 0) {
        return undefined;
    }
    const ch = typeof character === 'number' && Number.isInteger(character) && character >= 0 ? character : 0;
    return { uri, position: { line, character: ch } };
}

/** True when the server is done: nothing being indexed or embedded, and something indexed. */
export function isIndexReady(s: IndexStatus): boolean {
    return s.indexing !== true && s.pendingEmbeddings === 0 && s.files > 0;
}

/** The reason the model is unavailable, or undefined when it loaded. */
export function modelProblem(s: Pick<IndexStatus, 'model'>): string | undefined {
    const prefix = 'unavailable:';
    return s.model.startsWith(prefix) ? s.model.slice(prefix.length).trim() : undefined;
}
