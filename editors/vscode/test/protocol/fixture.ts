/**
 * A small workspace in three languages, written to a temp dir. The target of
 * the search test, `load_config`, shares no word with its query "read
 * settings from disk"; the other functions do unrelated things.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const FILES: Readonly<Record<string, string>> = {
    'src/config.rs': `use std::collections::HashMap;
use std::fs;
use std::io;

pub fn render_table(rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        for (cell, w) in row.iter().zip(&widths) {
            out.push_str(&format!("| {:<width$} ", cell, width = *w));
        }
        out.push_str("|\\n");
    }
    out
}

pub fn load_config(path: &str) -> io::Result<HashMap<String, String>> {
    let text = fs::read_to_string(path)?;
    let mut values = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            values.insert(key.trim().to_string(), value.trim().to_string());
        }
    }
    Ok(values)
}

pub fn checksum(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 2166136261;
    for b in bytes {
        hash ^= *b as u32;
        hash = hash.wrapping_mul(16777619);
    }
    hash
}
`,
    'tools/mailer.py': `import smtplib
from email.message import EmailMessage


def send_welcome_email(server, address, name):
    msg = EmailMessage()
    msg["Subject"] = "Welcome!"
    msg["To"] = address
    msg.set_content(f"Hello {name}, thanks for signing up.")
    with smtplib.SMTP(server) as smtp:
        smtp.send_message(msg)


def average_latency(samples):
    if not samples:
        return 0.0
    total = sum(s.elapsed_ms for s in samples)
    return total / len(samples)


class RetryPolicy:
    def __init__(self, attempts, backoff):
        self.attempts = attempts
        self.backoff = backoff

    def delays(self):
        return [self.backoff * (2 ** i) for i in range(self.attempts)]
`,
    'web/cart.ts': `export interface Item {
    price: number;
    quantity: number;
}

export function cartTotal(items: Item[], taxRate: number): number {
    const subtotal = items.reduce((sum, item) => sum + item.price * item.quantity, 0);
    return Math.round(subtotal * (1 + taxRate) * 100) / 100;
}

export function formatPrice(cents: number, currency = 'EUR'): string {
    return new Intl.NumberFormat('de-DE', { style: 'currency', currency }).format(cents / 100);
}
`,
};

/**
 * A Python function typed into tools/mailer.py in the editor and never saved:
 * it does what send_welcome_email does, in other words. Its lines exist only
 * in the buffer (on disk the file is shorter).
 */
export const UNSAVED_FUNCTION = `

def notify_new_member(host, recipient, member):
    note = EmailMessage()
    note["Subject"] = "You joined the club"
    note["To"] = recipient
    note.set_content("Dear " + member + ", your membership is active.")
    connection = smtplib.SMTP(host)
    connection.send_message(note)
    connection.quit()
`;

export function writeFixture(root: string): void {
    for (const [rel, text] of Object.entries(FILES)) {
        const file = path.join(root, rel);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
    }
}

/** The 0-based line of the first line of `text` that starts with `prefix`. */
export function lineOf(text: string, prefix: string): number {
    const line = text.split('\n').findIndex((l) => l.startsWith(prefix));
    if (line < 0) {
        throw new Error(`no line starts with ${prefix}`);
    }
    return line;
}
