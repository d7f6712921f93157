import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
    FindSimilarRequest,
    findSimilarParams,
    isIndexReady,
    modelProblem,
    parseShowSimilarArgs,
    ReindexRequest,
    reindexParams,
    SearchRequest,
    searchParams,
    StatusRequest,
    statusParams,
} from '../../src/core/protocol';

describe('request definitions', () => {
    it('use the contract method names', () => {
        assert.equal(SearchRequest.method, 'semnav/search');
        assert.equal(FindSimilarRequest.method, 'semnav/findSimilar');
        assert.equal(StatusRequest.method, 'semnav/status');
        assert.equal(ReindexRequest.method, 'semnav/reindex');
    });

    it('build the params each command sends', () => {
        assert.deepEqual(searchParams('  read settings from disk '), { query: 'read settings from disk', limit: 30 });
        assert.deepEqual(searchParams('x', 5), { query: 'x', limit: 5 });
        const pos = { line: 3, character: 4 };
        assert.deepEqual(findSimilarParams('file:///a.rs', pos), { textDocument: { uri: 'file:///a.rs' }, position: pos, limit: 20 });
        const empty = { start: pos, end: pos };
        assert.deepEqual(findSimilarParams('file:///a.rs', pos, empty), { textDocument: { uri: 'file:///a.rs' }, position: pos, limit: 20 });
        const sel = { start: { line: 1, character: 0 }, end: { line: 3, character: 4 } };
        assert.deepEqual(findSimilarParams('file:///a.rs', pos, sel).range, sel);
        assert.deepEqual(statusParams(), {});
        assert.deepEqual(reindexParams(), {});
    });
});

describe('parseShowSimilarArgs', () => {
    it('reads the resolved lens arguments', () => {
        assert.deepEqual(parseShowSimilarArgs(['file:///a.rs', { line: 4, character: 0 }]), { uri: 'file:///a.rs', position: { line: 4, character: 0 } });
        assert.deepEqual(parseShowSimilarArgs(['file:///a.rs', { line: 4 }]), { uri: 'file:///a.rs', position: { line: 4, character: 0 } });
    });

    it('rejects other shapes', () => {
        assert.equal(parseShowSimilarArgs([]), undefined);
        assert.equal(parseShowSimilarArgs(['', { line: 1 }]), undefined);
        assert.equal(parseShowSimilarArgs(['file:///a.rs', { line: -1 }]), undefined);
        assert.equal(parseShowSimilarArgs(['file:///a.rs', null]), undefined);
        assert.equal(parseShowSimilarArgs([{ uri: 'x' }, { line: 1 }]), undefined);
    });
});

describe('status helpers', () => {
    const s = { root: '/w', indexDir: '/i', model: 'm', files: 3, chunks: 9, pendingEmbeddings: 0, diskBytes: 1, indexing: false };
    it('tell when the index is ready', () => {
        assert.equal(isIndexReady(s), true);
        assert.equal(isIndexReady({ ...s, indexing: true }), false);
        assert.equal(isIndexReady({ ...s, pendingEmbeddings: 1 }), false);
        assert.equal(isIndexReady({ ...s, files: 0 }), false);
    });

    it('extract the model problem', () => {
        assert.equal(modelProblem(s), undefined);
        assert.equal(modelProblem({ model: 'unavailable: missing model.onnx' }), 'missing model.onnx');
    });
});
