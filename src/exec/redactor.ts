/**
 * Remembers secret values (API keys, tokens, passwords) and removes them from any text before it
 * is logged, thrown or printed. Values shorter than MIN_LENGTH are ignored: redacting "1" or "on"
 * would mangle every message while protecting nothing.
 */
export const REDACTED = '«redacted»'
const MIN_LENGTH = 6

export class Redactor {
  private readonly secrets = new Set<string>()

  add(value: string | undefined): void {
    if (value === undefined) return
    const trimmed = value.trim()
    if (trimmed.length >= MIN_LENGTH) this.secrets.add(trimmed)
  }

  get size(): number {
    return this.secrets.size
  }

  redact(text: string): string {
    let out = text
    // Longest first, so a secret that contains another is removed whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED)
    }
    return out
  }

  redactAll(texts: readonly string[]): string[] {
    return texts.map((t) => this.redact(t))
  }
}
