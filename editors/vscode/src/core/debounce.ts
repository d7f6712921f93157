/**
 * Debouncing and "latest answer wins", for queries sent while the user types.
 * Pure; the timer functions are injectable for tests.
 */

export interface Timers {
    setTimeout(fn: () => void, ms: number): unknown;
    clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface Debounced<A extends unknown[]> {
    /** Schedules a call with these arguments, replacing any scheduled one. */
    (...args: A): void;
    /** Drops the scheduled call, if any. */
    cancel(): void;
    /** Runs the scheduled call now, if any. */
    flush(): void;
    /** Whether a call is scheduled. */
    readonly pending: boolean;
}

/** Calls `fn` with the last arguments once `ms` have passed without a new call. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number, timers: Timers = realTimers): Debounced<A> {
    let handle: unknown;
    let args: A | undefined;
    const run = (): void => {
        const a = args;
        handle = undefined;
        args = undefined;
        if (a !== undefined) {
            fn(...a);
        }
    };
    const debounced = ((...a: A): void => {
        if (handle !== undefined) {
            timers.clearTimeout(handle);
        }
        args = a;
        handle = timers.setTimeout(run, Math.max(0, ms));
    }) as Debounced<A>;
    debounced.cancel = (): void => {
        if (handle !== undefined) {
            timers.clearTimeout(handle);
        }
        handle = undefined;
        args = undefined;
    };
    debounced.flush = (): void => {
        if (handle !== undefined) {
            timers.clearTimeout(handle);
            run();
        }
    };
    Object.defineProperty(debounced, 'pending', { get: () => handle !== undefined });
    return debounced;
}

/**
 * Hands out tickets; only the newest one is current. Answers to older
 * requests are dropped, so a slow answer never replaces a newer one.
 */
export class Latest {
    private seq = 0;

    /** A new ticket; every earlier one stops being current. */
    next(): { readonly id: number; isCurrent(): boolean } {
        const id = ++this.seq;
        return { id, isCurrent: () => id === this.seq };
    }

    /** Makes every ticket stale (e.g. when the QuickPick closes). */
    invalidate(): void {
        this.seq++;
    }
}

/** The search QuickPick's delay between the last keystroke and the query. */
export const SEARCH_DEBOUNCE_MS = 200;
/** Queries shorter than this are not sent. */
export const MIN_QUERY_LENGTH = 2;

/** Whether a typed query is worth sending. */
export function shouldQuery(query: string): boolean {
    return query.trim().length >= MIN_QUERY_LENGTH;
}
