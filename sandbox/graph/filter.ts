import { GraphHttpError } from '../http';

/**
 * An OData $filter engine covering what directory queries use: eq/ne/ge/le/in, not, and/or, parentheses, startsWith/endsWith,
 * and `any` lambdas over string collections and identities. Support per property and operator follows Graph's table for
 * directory objects, including which forms need the advanced query parameters (ConsistencyLevel: eventual plus $count=true).
 */

export type Support = 'default' | 'advanced';

export interface FilterProperty {
  /** Canonical (Graph) spelling. */
  name: string;
  kind: 'string' | 'boolean' | 'datetime' | 'stringCollection' | 'identities' | 'complex';
  eq?: Support;
  ne?: Support;
  not?: Support;
  in?: Support;
  range?: Support;
  startsWith?: Support;
  endsWith?: Support;
  nullEq?: Support;
  /** For `complex`: sub-properties addressed as `parent/child`. */
  children?: Record<string, FilterProperty>;
}

export interface EntityFilterSpec {
  /** Graph's resource name in error messages: 'User', 'Group'. */
  resource: string;
  /** OData type for "could not find a property" messages. */
  odataType: string;
  properties: Record<string, FilterProperty>;
}

type Literal = { kind: 'string'; value: string } | { kind: 'boolean'; value: boolean } | { kind: 'null' } | { kind: 'number'; value: number };
type Comparison = 'eq' | 'ne' | 'ge' | 'le' | 'gt' | 'lt';

export type FilterExpr =
  | { t: 'and' | 'or'; left: FilterExpr; right: FilterExpr }
  | { t: 'not'; expr: FilterExpr }
  | { t: 'cmp'; op: Comparison; path: string[]; value: Literal }
  | { t: 'in'; path: string[]; values: Literal[] }
  | { t: 'fn'; name: 'startswith' | 'endswith'; path: string[]; value: string }
  | { t: 'any'; path: string[]; variable: string; body: FilterExpr };

type Token =
  | { t: 'ident'; v: string; pos: number }
  | { t: 'string'; v: string; pos: number }
  | { t: 'number'; v: number; pos: number }
  | { t: 'punct'; v: '(' | ')' | ',' | ':' | '/'; pos: number };

function syntaxError(filter: string, pos: number): GraphHttpError {
  return new GraphHttpError(400, 'BadRequest', `Invalid filter clause: Syntax error at position ${pos} in '${filter}'.`);
}

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const c = filter.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= filter.length) throw syntaxError(filter, start);
        const ch = filter.charAt(i);
        if (ch === "'") {
          if (filter.charAt(i + 1) === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += ch;
        i++;
      }
      tokens.push({ t: 'string', v: value, pos: start });
    } else if (c === '(' || c === ')' || c === ',' || c === ':' || c === '/') {
      tokens.push({ t: 'punct', v: c, pos: i });
      i++;
    } else if (/^\d{4}-\d{2}-\d{2}/.test(filter.slice(i))) {
      const m = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/.exec(filter.slice(i));
      const literal = m?.[0] ?? '';
      tokens.push({ t: 'string', v: literal, pos: i });
      i += literal.length;
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(filter.slice(i));
      if (!m) throw syntaxError(filter, i);
      tokens.push({ t: 'number', v: Number(m[0]), pos: i });
      i += m[0].length;
    } else if (/[A-Za-z_$@]/.test(c)) {
      const m = /^[A-Za-z_$@][A-Za-z0-9_.$@]*/.exec(filter.slice(i));
      if (!m) throw syntaxError(filter, i);
      tokens.push({ t: 'ident', v: m[0], pos: i });
      i += m[0].length;
    } else {
      throw syntaxError(filter, i);
    }
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly filter: string,
  ) {}

  parse(): FilterExpr {
    const expr = this.parseOr();
    const rest = this.tokens[this.i];
    if (rest) throw syntaxError(this.filter, rest.pos);
    return expr;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  private fail(): GraphHttpError {
    return syntaxError(this.filter, this.peek()?.pos ?? this.filter.length);
  }

  private keyword(word: string): boolean {
    const tok = this.peek();
    if (tok?.t === 'ident' && tok.v.toLowerCase() === word) {
      this.i++;
      return true;
    }
    return false;
  }

  private punct(p: '(' | ')' | ',' | ':' | '/'): boolean {
    const tok = this.peek();
    if (tok?.t === 'punct' && tok.v === p) {
      this.i++;
      return true;
    }
    return false;
  }

  private expectPunct(p: '(' | ')' | ',' | ':' | '/'): void {
    if (!this.punct(p)) throw this.fail();
  }

  private parseOr(): FilterExpr {
    let left = this.parseAnd();
    while (this.keyword('or')) left = { t: 'or', left, right: this.parseAnd() };
    return left;
  }

  private parseAnd(): FilterExpr {
    let left = this.parseUnary();
    while (this.keyword('and')) left = { t: 'and', left, right: this.parseUnary() };
    return left;
  }

  private parseUnary(): FilterExpr {
    const tok = this.peek();
    if (tok?.t === 'ident' && tok.v.toLowerCase() === 'not') {
      this.i++;
      return { t: 'not', expr: this.parseUnary() };
    }
    if (this.punct('(')) {
      const inner = this.parseOr();
      this.expectPunct(')');
      return inner;
    }
    return this.parsePrimary();
  }

  private parsePath(): string[] {
    const first = this.peek();
    if (first?.t !== 'ident') throw this.fail();
    this.i++;
    const path = [first.v];
    while (this.peek()?.t === 'punct' && this.peek()?.v === '/') {
      const next = this.peek(1);
      if (next?.t !== 'ident') throw this.fail();
      const lambda = next.v.toLowerCase();
      if ((lambda === 'any' || lambda === 'all') && this.peek(2)?.t === 'punct' && this.peek(2)?.v === '(') break;
      this.i += 2;
      path.push(next.v);
    }
    return path;
  }

  private parseLiteral(): Literal {
    const tok = this.peek();
    if (!tok) throw this.fail();
    this.i++;
    if (tok.t === 'string') return { kind: 'string', value: tok.v };
    if (tok.t === 'number') return { kind: 'number', value: tok.v };
    if (tok.t === 'ident') {
      const v = tok.v.toLowerCase();
      if (v === 'true' || v === 'false') return { kind: 'boolean', value: v === 'true' };
      if (v === 'null') return { kind: 'null' };
    }
    throw syntaxError(this.filter, tok.pos);
  }

  private parsePrimary(): FilterExpr {
    const tok = this.peek();
    if (tok?.t !== 'ident') throw this.fail();
    const fn = tok.v.toLowerCase();
    if ((fn === 'startswith' || fn === 'endswith') && this.peek(1)?.t === 'punct' && this.peek(1)?.v === '(') {
      this.i += 2;
      const path = this.parsePath();
      this.expectPunct(',');
      const lit = this.parseLiteral();
      this.expectPunct(')');
      if (lit.kind !== 'string') throw syntaxError(this.filter, tok.pos);
      return { t: 'fn', name: fn, path, value: lit.value };
    }
    const path = this.parsePath();
    if (this.peek()?.t === 'punct' && this.peek()?.v === '/') {
      this.i++;
      const lambda = this.peek();
      if (lambda?.t !== 'ident') throw this.fail();
      this.i++;
      this.expectPunct('(');
      const varTok = this.peek();
      if (varTok?.t !== 'ident') throw this.fail();
      this.i++;
      this.expectPunct(':');
      const body = this.parseOr();
      this.expectPunct(')');
      if (lambda.v.toLowerCase() !== 'any') {
        throw new GraphHttpError(400, 'Request_UnsupportedQuery', `Unsupported query: lambda operator '${lambda.v}' is not supported.`);
      }
      return { t: 'any', path, variable: varTok.v, body };
    }
    const opTok = this.peek();
    if (opTok?.t !== 'ident') throw this.fail();
    const op = opTok.v.toLowerCase();
    this.i++;
    if (op === 'in') {
      this.expectPunct('(');
      const values: Literal[] = [this.parseLiteral()];
      while (this.punct(',')) values.push(this.parseLiteral());
      this.expectPunct(')');
      return { t: 'in', path, values };
    }
    if (op === 'eq' || op === 'ne' || op === 'ge' || op === 'le' || op === 'gt' || op === 'lt') {
      return { t: 'cmp', op, path, value: this.parseLiteral() };
    }
    throw syntaxError(this.filter, opTok.pos);
  }
}

export function parseFilter(filter: string): FilterExpr {
  return new Parser(tokenize(filter), filter).parse();
}

const OPERATOR_NAMES: Record<Comparison, string> = {
  eq: 'Equals',
  ne: 'NotEqualsMatch',
  ge: 'GreaterThanEquals',
  le: 'LessThanEquals',
  gt: 'GreaterThan',
  lt: 'LessThan',
};

interface Context {
  spec: EntityFilterSpec;
  advanced: boolean;
}

function unsupported(ctx: Context, property: string): GraphHttpError {
  return new GraphHttpError(
    400,
    'Request_UnsupportedQuery',
    `Unsupported or invalid query filter clause specified for property '${property}' of resource '${ctx.spec.resource}'.`,
  );
}

function resolve(ctx: Context, path: string[]): FilterProperty {
  const [head, ...rest] = path;
  const prop = head ? ctx.spec.properties[head.toLowerCase()] : undefined;
  if (!prop) {
    throw new GraphHttpError(400, 'BadRequest', `Invalid filter clause: Could not find a property named '${head ?? ''}' on type '${ctx.spec.odataType}'.`);
  }
  if (rest.length === 0) return prop;
  if (prop.kind === 'complex' && rest.length === 1 && rest[0] !== undefined) {
    const child = prop.children?.[rest[0].toLowerCase()];
    if (child) return child;
  }
  throw new GraphHttpError(400, 'BadRequest', `Invalid filter clause: Could not find a property named '${rest.join('/')}' on type '${ctx.spec.odataType}'.`);
}

function allowed(ctx: Context, support: Support | undefined): boolean {
  return support === 'default' || (support === 'advanced' && ctx.advanced);
}

function validateComparison(ctx: Context, prop: FilterProperty, op: Comparison, value: Literal): void {
  if (op === 'gt' || op === 'lt') {
    throw new GraphHttpError(400, 'Request_UnsupportedQuery', `Unsupported property filter clause operator '${OPERATOR_NAMES[op]}'.`);
  }
  if (op === 'ne' && !ctx.advanced) {
    throw new GraphHttpError(400, 'Request_UnsupportedQuery', `Unsupported property filter clause operator '${OPERATOR_NAMES[op]}'.`);
  }
  const support = value.kind === 'null' ? (op === 'eq' || op === 'ne' ? prop.nullEq ?? 'advanced' : undefined) : op === 'eq' ? prop.eq : op === 'ne' ? prop.ne : prop.range;
  if (!allowed(ctx, support)) throw unsupported(ctx, prop.name);
  if (value.kind === 'boolean' && prop.kind !== 'boolean') throw unsupported(ctx, prop.name);
  if (value.kind === 'string' && prop.kind === 'boolean') {
    throw new GraphHttpError(400, 'BadRequest', `Invalid filter clause: A binary operator with incompatible types was detected. Found operand types 'Edm.Boolean' and 'Edm.String' for operator kind '${OPERATOR_NAMES[op]}'.`);
  }
}

function validate(ctx: Context, expr: FilterExpr): void {
  switch (expr.t) {
    case 'and':
    case 'or':
      validate(ctx, expr.left);
      validate(ctx, expr.right);
      return;
    case 'not':
      if (!ctx.advanced) throw new GraphHttpError(400, 'Request_UnsupportedQuery', "Unsupported Query: operator 'Not' needs advanced query parameters.");
      validate(ctx, expr.expr);
      return;
    case 'cmp': {
      const prop = resolve(ctx, expr.path);
      if (prop.kind === 'stringCollection' || prop.kind === 'identities' || prop.kind === 'complex') throw unsupported(ctx, prop.name);
      validateComparison(ctx, prop, expr.op, expr.value);
      return;
    }
    case 'in': {
      const prop = resolve(ctx, expr.path);
      if (!allowed(ctx, prop.in)) throw unsupported(ctx, prop.name);
      // GD concepts/filter-query-parameter: "the request is limited to 15 expressions in the filter clause by default" (an
      // advanced query is limited by URL length instead). The wording is Graph's answer for an `or` chain over the limit.
      if (!ctx.advanced && expr.values.length > MAX_IN_VALUES) {
        throw new GraphHttpError(400, 'Request_BadRequest', `Too many child clauses specified in search filter expression containing 'OR' operators: ${expr.values.length}. Max allowed: ${MAX_IN_VALUES}.`);
      }
      return;
    }
    case 'fn': {
      const prop = resolve(ctx, expr.path);
      const support = expr.name === 'startswith' ? prop.startsWith : prop.endsWith;
      if (!allowed(ctx, support) || prop.kind === 'identities' || prop.kind === 'complex') throw unsupported(ctx, prop.name);
      return;
    }
    case 'any': {
      const prop = resolve(ctx, expr.path);
      if (prop.kind === 'stringCollection') {
        validateLambdaOverStrings(ctx, prop, expr.variable, expr.body);
        return;
      }
      if (prop.kind === 'identities') {
        validateIdentitiesLambda(ctx, prop, expr.variable, expr.body);
        return;
      }
      throw unsupported(ctx, prop.name);
    }
  }
}

function validateLambdaOverStrings(ctx: Context, prop: FilterProperty, variable: string, body: FilterExpr): void {
  const isVar = (path: string[]): boolean => path.length === 1 && path[0] === variable;
  switch (body.t) {
    case 'and':
    case 'or':
      validateLambdaOverStrings(ctx, prop, variable, body.left);
      validateLambdaOverStrings(ctx, prop, variable, body.right);
      return;
    case 'cmp':
      if (!isVar(body.path) || body.value.kind !== 'string') throw unsupported(ctx, prop.name);
      validateComparison(ctx, prop, body.op, body.value);
      return;
    case 'fn':
      if (!isVar(body.path) || !allowed(ctx, body.name === 'startswith' ? prop.startsWith : prop.endsWith)) throw unsupported(ctx, prop.name);
      return;
    case 'not':
    case 'in':
    case 'any':
      throw unsupported(ctx, prop.name);
  }
}

const IDENTITY_FIELDS = new Set(['issuer', 'issuerassignedid', 'signintype']);

function validateIdentitiesLambda(ctx: Context, prop: FilterProperty, variable: string, body: FilterExpr): void {
  const fields = new Set<string>();
  const walk = (e: FilterExpr): void => {
    if (e.t === 'and') {
      walk(e.left);
      walk(e.right);
      return;
    }
    if (e.t !== 'cmp' || e.op !== 'eq' || e.value.kind !== 'string' || e.path.length !== 2 || e.path[0] !== variable) throw unsupported(ctx, prop.name);
    const field = (e.path[1] ?? '').toLowerCase();
    if (!IDENTITY_FIELDS.has(field)) throw unsupported(ctx, prop.name);
    fields.add(field);
  };
  walk(body);
  if (!fields.has('issuer') || !fields.has('issuerassignedid')) throw unsupported(ctx, prop.name);
}

/** Parses and checks a filter against the entity's supported forms; throws Graph's error for anything it would refuse. */
/** Values one `in` may list outside advanced queries. */
const MAX_IN_VALUES = 15;

export function compileFilter(filter: string, spec: EntityFilterSpec, advanced: boolean): FilterExpr {
  const expr = parseFilter(filter);
  validate({ spec, advanced }, expr);
  return expr;
}

function getPath(obj: Record<string, unknown>, spec: EntityFilterSpec, path: string[]): unknown {
  const [head, ...rest] = path;
  const prop = head ? spec.properties[head.toLowerCase()] : undefined;
  let value: unknown = prop ? obj[prop.name] : undefined;
  if (rest.length === 1 && prop?.children && rest[0] !== undefined) {
    const child = prop.children[rest[0].toLowerCase()];
    value = child && typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[child.name] : undefined;
  }
  return value;
}

function compare(actual: unknown, op: Comparison, literal: Literal): boolean {
  if (literal.kind === 'null') {
    const isNull = actual === null || actual === undefined;
    return op === 'eq' ? isNull : op === 'ne' ? !isNull : false;
  }
  if (actual === null || actual === undefined) return op === 'ne';
  if (literal.kind === 'boolean') {
    const eq = actual === literal.value;
    return op === 'eq' ? eq : op === 'ne' ? !eq : false;
  }
  const a = String(actual).toLowerCase();
  const b = String(literal.kind === 'string' ? literal.value : literal.value).toLowerCase();
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'ge':
      return a >= b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    case 'lt':
      return a < b;
  }
}

function evalWithValue(body: FilterExpr, variable: string, element: unknown): boolean {
  switch (body.t) {
    case 'and':
      return evalWithValue(body.left, variable, element) && evalWithValue(body.right, variable, element);
    case 'or':
      return evalWithValue(body.left, variable, element) || evalWithValue(body.right, variable, element);
    case 'not':
      return !evalWithValue(body.expr, variable, element);
    case 'cmp': {
      const value = body.path.length === 1 ? element : fieldOf(element, body.path[1]);
      return compare(value, body.op, body.value);
    }
    case 'fn': {
      const value = body.path.length === 1 ? element : fieldOf(element, body.path[1]);
      if (typeof value !== 'string') return false;
      return body.name === 'startswith' ? value.toLowerCase().startsWith(body.value.toLowerCase()) : value.toLowerCase().endsWith(body.value.toLowerCase());
    }
    case 'in': {
      const value = body.path.length === 1 ? element : fieldOf(element, body.path[1]);
      return body.values.some((v) => compare(value, 'eq', v));
    }
    case 'any':
      throw new Error('A lambda inside a lambda reached evaluation: compileFilter refuses it, as Graph does.');
  }
}

function fieldOf(element: unknown, field: string | undefined): unknown {
  if (!field || typeof element !== 'object' || element === null) return undefined;
  const entry = Object.entries(element).find(([k]) => k.toLowerCase() === field.toLowerCase());
  return entry?.[1];
}

/** Evaluates a compiled filter; string comparisons ignore case, as the directory's do. */
export function matches(expr: FilterExpr, obj: Record<string, unknown>, spec: EntityFilterSpec): boolean {
  switch (expr.t) {
    case 'and':
      return matches(expr.left, obj, spec) && matches(expr.right, obj, spec);
    case 'or':
      return matches(expr.left, obj, spec) || matches(expr.right, obj, spec);
    case 'not':
      return !matches(expr.expr, obj, spec);
    case 'cmp':
      return compare(getPath(obj, spec, expr.path), expr.op, expr.value);
    case 'in': {
      const actual = getPath(obj, spec, expr.path);
      return expr.values.some((v) => compare(actual, 'eq', v));
    }
    case 'fn': {
      const actual = getPath(obj, spec, expr.path);
      if (typeof actual !== 'string') return false;
      const a = actual.toLowerCase();
      const b = expr.value.toLowerCase();
      return expr.name === 'startswith' ? a.startsWith(b) : a.endsWith(b);
    }
    case 'any': {
      const collection = getPath(obj, spec, expr.path);
      if (!Array.isArray(collection)) return false;
      const prop = spec.properties[(expr.path[0] ?? '').toLowerCase()];
      return collection.some((element: unknown) => {
        if (prop?.kind === 'identities' && fieldOf(element, 'signInType') === 'userPrincipalName') return false;
        return evalWithValue(expr.body, expr.variable, element);
      });
    }
  }
}
