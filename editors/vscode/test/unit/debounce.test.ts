import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { debounce, Latest, shouldQuery, type Timers } from '../../src/core/debounce';

/** A manual clock: timers fire only when the test advances time. */
class FakeTimers implements Timers {
    now = 0;
    private next = 1;
    private readonly pending = new Map<number, { at: number; fn: () => void }>();
    setTimeout(fn: () => void, ms: number): unknown {
        const id = this.next++;
        this.pending.set(id, { at: this.now + ms, fn });
        return id;
    }
    clearTimeout(handle: unknown): void {
        this.pending.delete(handle as number);
    }
    advance(ms: number): void {
        this.now += ms;
        for (const [id, t] of [...this.pending].sort((a, b) => a[1].at - b[1].at)) {
            if (t.at <= this.now) {
                this.pending.delete(id);
                t.fn();
            }
        }
    }
}

describe('debounce', () => {
    it('calls once with the last arguments after a quiet period', () => {
        const clock = new FakeTimers();
        const calls: string[] = [];
        const d = debounce((q: string) => calls.push(q), 200, clock);
        d('r');
        clock.advance(100);
        d('re');
        clock.advance(100);
        d('read');
        assert.equal(d.pending, true);
        clock.advance(199);
        assert.deepEqual(calls, []);
        clock.advance(1);
        assert.deepEqual(calls, ['read']);
        assert.equal(d.pending, false);
    });

    it('cancel drops and flush runs the pending call', () => {
        const clock = new FakeTimers();
        const calls: number[] = [];
        const d = debounce((n: number) => calls.push(n), 50, clock);
        d(1);
        d.cancel();
        clock.advance(100);
        assert.deepEqual(calls, []);
        d(2);
        d.flush();
        assert.deepEqual(calls, [2]);
        d.flush();
        clock.advance(100);
        assert.deepEqual(calls, [2]);
    });

    it('works with real timers', async () => {
        const calls: string[] = [];
        const d = debounce((q: string) => calls.push(q), 10);
        d('a');
        d('b');
        await new Promise((r) => setTimeout(r, 40));
        assert.deepEqual(calls, ['b']);
    });
});

describe('Latest', () => {
    it('keeps only the newest ticket current', () => {
        const latest = new Latest();
        const a = latest.next();
        const b = latest.next();
        assert.equal(a.isCurrent(), false);
        assert.equal(b.isCurrent(), true);
        latest.invalidate();
        assert.equal(b.isCurrent(), false);
    });

    it('drops a slow answer that arrives after a newer one', async () => {
        const latest = new Latest();
        const shown: string[] = [];
        const ask = async (q: string, ms: number): Promise<void> => {
            const t = latest.next();
            await new Promise((r) => setTimeout(r, ms));
            if (t.isCurrent()) {
                shown.push(q);
            }
        };
        await Promise.all([ask('slow old', 30), ask('fast new', 5)]);
        assert.deepEqual(shown, ['fast new']);
    });
});

describe('shouldQuery', () => {
    it('skips empty and one-letter queries', () => {
        assert.equal(shouldQuery(''), false);
        assert.equal(shouldQuery(' a '), false);
        assert.equal(shouldQuery('db'), true);
    });
});
