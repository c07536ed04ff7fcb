import type pg from 'pg';
import { isPlatformWide, type Principal } from '../../auth/roles.ts';

/** Something that runs a query: the read pool, or a counting wrapper in tests. */
export type Queryable = Pick<pg.Pool, 'query'>;

/**
 * WHERE conditions built with numbered parameters. Values are always parameters: no client
 * text is ever spliced into SQL.
 */
export class Conditions {
  readonly parameters: unknown[] = [];
  private readonly parts: string[] = [];

  parameter(value: unknown): string {
    this.parameters.push(value);
    return `$${this.parameters.length}`;
  }

  /** Adds a condition; each `?` in the text becomes the next value's placeholder. */
  add(text: string, ...values: unknown[]): this {
    let index = 0;
    this.parts.push(
      text.replace(/\?/g, () => {
        if (index >= values.length) throw new Error('more placeholders than values');
        return this.parameter(values[index++]);
      }),
    );
    if (index !== values.length) throw new Error('more values than placeholders');
    return this;
  }

  addIfGiven(text: string, value: unknown): this {
    if (value !== undefined && value !== null) this.add(text, value);
    return this;
  }

  clone(): Conditions {
    const copy = new Conditions();
    copy.parameters.push(...this.parameters);
    copy.parts.push(...this.parts);
    return copy;
  }

  where(): string {
    return this.parts.length === 0 ? '' : `WHERE ${this.parts.join(' AND ')}`;
  }
}

/**
 * Tenant isolation, applied to every read: a tenant's key is limited to its own rows; a
 * platform key may narrow to one merchant. `merchantId` from a tenant key is ignored, so the
 * answer is the same as for any other filter that matches nothing of theirs.
 */
export function scopeToTenant(
  conditions: Conditions,
  principal: Principal,
  merchantId: string | null | undefined,
  column = 'tenant_id',
): Conditions {
  if (!isPlatformWide(principal)) {
    conditions.add(`${column} = ?`, principal.tenant);
    if (merchantId && merchantId !== principal.tenant) conditions.add('false');
  } else if (merchantId) {
    conditions.add(`${column} = ?`, merchantId);
  }
  return conditions;
}
