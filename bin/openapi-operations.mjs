#!/usr/bin/env node
// Writes apps/api/src/openapi/operations.generated.ts: for every controller method, what the
// TypeScript checker knows of it and @nestjs/swagger cannot see at run time (issue 14):
// - the JSON Schema of what it answers, converted from the type the method returns (awaited), so
//   the document says what the server sends and cannot drift from it;
// - the request headers it honours (Idempotency-Key through commandMeta, If-Match through
//   executeOptions/expectedRevision, X-On-Behalf-Of), the query parameters it reads (ReadAt's asOf
//   and minPosition, a @Query() object's fields, also inside the helpers it is passed to), and the
//   response headers it sets (ETag, Location);
// - whether it is @Public().
// apps/api/src/openapi/document.ts completes the generated document with these. A test
// (test/openapi.e2e.spec.ts) fails when this file is out of date: run `node bin/openapi-operations.mjs`.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OUTPUT = path.join(ROOT, 'apps/api/src/openapi/operations.generated.ts');
const HTTP_METHODS = new Set(['Get', 'Post', 'Put', 'Delete', 'Patch']);
const COMPONENT_NAME = /[^A-Za-z0-9._-]/g;
/**
 * Types no operation returns that the document still names: the extensions of the one Problem
 * schema (apps/api/src/openapi/document.ts), e.g. the `cells` of a refused targets import.
 */
const EXTRA_TYPES = [['libs/workflows/plan/plan-import.ts', 'TargetCellProblem']];

function decoratorsOf(node) {
  return (ts.canHaveDecorators(node) ? ts.getDecorators(node) : undefined) ?? [];
}
function decoratorName(d) {
  const e = d.expression;
  if (ts.isCallExpression(e)) return ts.isIdentifier(e.expression) ? e.expression.text : undefined;
  return ts.isIdentifier(e) ? e.text : undefined;
}
function decoratorArgs(d) {
  return ts.isCallExpression(d.expression) ? d.expression.arguments : [];
}

/** The operations of every controller of the project, with their schemas, from one TypeScript program. */
export function generate() {
  const configPath = path.join(ROOT, 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, { incremental: false, noEmit: true }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const files = config.fileNames.filter((f) => /\.controller\.ts$/.test(f) && !f.includes('/test/'));
  const program = ts.createProgram({ rootNames: files, options: { ...config.options, incremental: false, noEmit: true } });
  const checker = program.getTypeChecker();
  const components = new Map(); // name → schema
  const named = new Map(); // ts.Type → name
  const usedNames = new Map(); // name → declaration key

  const docOf = (symbol) => {
    const text = ts.displayPartsToString(symbol?.getDocumentationComment(checker) ?? []).trim();
    return text ? { description: text.replace(/\s+/g, ' ') } : {};
  };

  /** A readable, unique component name for a named type (generic arguments appended). */
  function nameFor(type) {
    const symbol = type.aliasSymbol ?? type.getSymbol();
    if (!symbol) return undefined;
    const base = symbol.getName();
    if (!base || base.startsWith('__')) return undefined;
    const decl = symbol.declarations?.[0];
    if (!decl) return undefined;
    const file = decl.getSourceFile().fileName;
    if (file.includes('/node_modules/')) return undefined;
    const args = type.aliasSymbol ? (type.aliasTypeArguments ?? []) : type.objectFlags & ts.ObjectFlags.Reference ? checker.getTypeArguments(type) : [];
    // Named arguments name the instance (Dated_PeriodScore); an anonymous one is left to the counter below.
    const argNames = args.map((a) => (a.aliasSymbol ?? a.getSymbol())?.getName()).filter((n) => n && !n.startsWith('__'));
    let name = [base, ...argNames].join('_').replace(COMPONENT_NAME, '');
    const key = `${file}#${checker.typeToString(type)}`;
    let n = 2;
    while (usedNames.has(name) && usedNames.get(name) !== key) name = `${name.replace(/_\d+$/, '')}_${n++}`;
    usedNames.set(name, key);
    return name;
  }

  function literalSchema(values) {
    const types = [...new Set(values.map((v) => (v === null ? 'null' : typeof v)))];
    return { type: types.length === 1 ? types[0] : types, enum: values };
  }

  function schemaOf(type, stack = []) {
    const f = type.flags;
    if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    if (f & ts.TypeFlags.Null) return { type: 'null' };
    if (f & ts.TypeFlags.StringLiteral) return { type: 'string', const: type.value };
    if (f & ts.TypeFlags.NumberLiteral) return { type: 'number', const: type.value };
    if (f & ts.TypeFlags.BooleanLiteral) return { type: 'boolean', const: checker.typeToString(type) === 'true' };
    if (f & ts.TypeFlags.Boolean) return { type: 'boolean' };
    if (f & (ts.TypeFlags.String | ts.TypeFlags.TemplateLiteral)) return { type: 'string' };
    if (f & ts.TypeFlags.Number) return { type: 'number' };
    if (f & ts.TypeFlags.BigInt) return { type: 'string' };
    if (f & (ts.TypeFlags.Undefined | ts.TypeFlags.Void | ts.TypeFlags.Never)) return {};
    if (f & ts.TypeFlags.EnumLiteral && type.isUnion?.()) return schemaOf(checker.getBaseTypeOfLiteralType(type), stack);
    if (type.isUnion()) {
      let members = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
      const hasTrue = members.some((t) => t.flags & ts.TypeFlags.BooleanLiteral && checker.typeToString(t) === 'true');
      const hasFalse = members.some((t) => t.flags & ts.TypeFlags.BooleanLiteral && checker.typeToString(t) === 'false');
      const collapseBoolean = hasTrue && hasFalse;
      if (collapseBoolean) members = members.filter((t) => !(t.flags & ts.TypeFlags.BooleanLiteral));
      const literal = (t) => t.flags & (ts.TypeFlags.StringLiteral | ts.TypeFlags.NumberLiteral | ts.TypeFlags.Null | ts.TypeFlags.BooleanLiteral);
      const valueOf = (t) => (t.flags & ts.TypeFlags.Null ? null : t.flags & ts.TypeFlags.BooleanLiteral ? checker.typeToString(t) === 'true' : t.value);
      if (!collapseBoolean && members.length > 0 && members.every(literal)) return literalSchema(members.map(valueOf));
      const parts = members.map((t) => schemaOf(t, stack));
      if (collapseBoolean) parts.push({ type: 'boolean' });
      if (parts.length === 1) return parts[0];
      // number | null → { type: ['number', 'null'] }: simpler for readers and generators alike.
      const simple = parts.every((p) => typeof p.type === 'string' && Object.keys(p).length === 1);
      if (simple) return { type: [...new Set(parts.map((p) => p.type))] };
      return { anyOf: parts };
    }
    if (type.isIntersection()) {
      // A branded primitive (string & { __brand }) is that primitive.
      const primitive = type.types.find((t) => t.flags & (ts.TypeFlags.String | ts.TypeFlags.Number | ts.TypeFlags.Boolean | ts.TypeFlags.StringLiteral));
      if (primitive) return schemaOf(primitive, stack);
      // Named & { extra }: the named part stays a reference.
      if (!nameFor(type) && type.types.some((t) => nameFor(t))) return { allOf: type.types.map((t) => schemaOf(t, stack)) };
    }
    const symbolName = type.getSymbol()?.getName();
    if (symbolName === 'Date') return { type: 'string', format: 'date-time' };
    if (['Buffer', 'Uint8Array', 'StreamableFile', 'ArrayBuffer'].includes(symbolName ?? '')) return { type: 'string', contentMediaType: 'application/octet-stream' };
    if (checker.isArrayType(type)) return { type: 'array', items: schemaOf(checker.getTypeArguments(type)[0], stack) };
    if (checker.isTupleType(type)) {
      const items = checker.getTypeArguments(type).map((t) => schemaOf(t, stack));
      return { type: 'array', prefixItems: items, minItems: type.target.minLength ?? items.length, maxItems: items.length };
    }
    if (f & ts.TypeFlags.Object || type.isIntersection()) {
      const name = nameFor(type);
      if (name) {
        if (!named.has(type)) {
          named.set(type, name);
          components.set(name, {}); // placeholder: a recursive reference finds it
          components.set(name, { ...docOf(type.aliasSymbol ?? type.getSymbol()), ...objectSchema(type, stack) });
        }
        return { $ref: `#/components/schemas/${named.get(type)}` };
      }
      if (stack.includes(type)) return {};
      return objectSchema(type, [...stack, type]);
    }
    return {};
  }

  function objectSchema(type, stack) {
    const properties = {};
    const required = [];
    for (const prop of checker.getPropertiesOfType(type)) {
      const decl = prop.valueDeclaration ?? prop.declarations?.[0];
      const propType = decl ? checker.getTypeOfSymbolAtLocation(prop, decl) : checker.getTypeOfSymbol(prop);
      if (propType.getCallSignatures().length > 0 && propType.getProperties().length === 0) continue; // a method: not in the JSON
      if (prop.getName().startsWith('#')) continue;
      const optional = (prop.flags & ts.SymbolFlags.Optional) !== 0 || (propType.isUnion() && propType.types.some((t) => t.flags & ts.TypeFlags.Undefined));
      properties[prop.getName()] = { ...schemaOf(propType, stack), ...docOf(prop) };
      if (!optional) required.push(prop.getName());
    }
    const schema = { type: 'object', properties };
    if (required.length) schema.required = required;
    const index = checker.getIndexInfosOfType(type).find((i) => i.keyType.flags & (ts.TypeFlags.String | ts.TypeFlags.Number));
    if (index) schema.additionalProperties = schemaOf(index.type, stack);
    return schema;
  }

  const operations = {};
  for (const file of program.getSourceFiles().filter((s) => files.includes(s.fileName))) {
    const functions = new Map(); // module-level functions: name → declaration
    for (const n of file.statements) if (ts.isFunctionDeclaration(n) && n.name) functions.set(n.name.text, n);
    ts.forEachChild(file, (cls) => {
      if (!ts.isClassDeclaration(cls) || !cls.name) return;
      const controller = decoratorsOf(cls).find((d) => decoratorName(d) === 'Controller');
      if (!controller) return;
      const classPublic = decoratorsOf(cls).some((d) => decoratorName(d) === 'Public');
      const members = new Map(cls.members.filter((m) => m.name).map((m) => [m.name.getText(file), m]));
      for (const method of cls.members) {
        if (!ts.isMethodDeclaration(method)) continue;
        const decorators = decoratorsOf(method);
        const route = decorators.find((d) => HTTP_METHODS.has(decoratorName(d)));
        if (!route) continue;
        const httpMethod = decoratorName(route).toLowerCase();
        const code = decorators.find((d) => decoratorName(d) === 'HttpCode');
        const status = code ? Number(decoratorArgs(code)[0].getText(file)) : httpMethod === 'post' ? 201 : 200;
        const interceptors = decorators.filter((d) => decoratorName(d) === 'UseInterceptors').flatMap((d) => decoratorArgs(d).map((a) => a.getText(file)));

        // The method's body with the class's own helpers it calls (this.#run, this.helper), once each.
        const bodies = [];
        const seen = new Set();
        const visitMember = (m) => {
          if (!m || seen.has(m)) return;
          seen.add(m);
          bodies.push(m);
          const walk = (n) => {
            if (ts.isPropertyAccessExpression(n) && n.expression.kind === ts.SyntaxKind.ThisKeyword) visitMember(members.get(n.name.getText(file)));
            ts.forEachChild(n, walk);
          };
          walk(m);
        };
        visitMember(method);
        const calls = new Set();
        const strings = new Set();
        let unchanged = false;
        for (const b of bodies) {
          const walk = (n) => {
            if (ts.isCallExpression(n)) calls.add(ts.isIdentifier(n.expression) ? n.expression.text : n.expression.getText(file).replace(/^.*\./, ''));
            // res.status(200) in a creation: it answers 200 when nothing was created.
            if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'status' && n.arguments[0]?.getText(file) === '200')
              unchanged = true;
            if (ts.isStringLiteralLike(n)) strings.add(n.text.toLowerCase());
            ts.forEachChild(n, walk);
          };
          walk(b);
        }

        // Query parameters read off a @Query() object, here or in the module's helpers it is passed to.
        const query = new Set();
        const readsOf = (scope, name, visited) => {
          const walk = (n) => {
            if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === name) query.add(n.name.text);
            if (ts.isElementAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === name && ts.isStringLiteral(n.argumentExpression))
              query.add(n.argumentExpression.text);
            if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && functions.has(n.expression.text) && !visited.has(n.expression.text)) {
              const fn = functions.get(n.expression.text);
              n.arguments.forEach((a, i) => {
                if (ts.isIdentifier(a) && a.text === name && fn.parameters[i] && ts.isIdentifier(fn.parameters[i].name)) {
                  readsOf(fn, fn.parameters[i].name.text, new Set([...visited, n.expression.text]));
                }
              });
            }
            ts.forEachChild(n, walk);
          };
          walk(scope);
        };
        let readAt = false;
        let queryDto;
        for (const p of method.parameters) {
          for (const d of decoratorsOf(p)) {
            const dn = decoratorName(d);
            if (dn === 'ReadAtParam') readAt = true;
            if (dn === 'Query' && decoratorArgs(d).length === 0 && ts.isIdentifier(p.name)) {
              const typeText = p.type?.getText(file) ?? '';
              if (/^Record</.test(typeText)) readsOf(method, p.name.text, new Set());
              else queryDto = typeText;
            }
          }
        }
        if (calls.has('readAtOf')) readAt = true;

        // What it answers: the awaited return type; none when it writes the answer itself (@Res()).
        const signature = checker.getSignatureFromDeclaration(method);
        const returned = signature ? checker.getAwaitedType(checker.getReturnTypeOfSignature(signature)) : undefined;
        const writesItself = method.parameters.some((p) => decoratorsOf(p).some((d) => decoratorName(d) === 'Res' && decoratorArgs(d).length === 0));
        const voidish = !returned || returned.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined);
        // CommandResultInterceptor sets ETag from a result's revision and X-Position from its position:
        // documented as the result type has them (a month opened has a position and no one revision).
        const commandResult = interceptors.includes('CommandResultInterceptor');
        const resultHas = (name) => !voidish && !!returned.getProperty(name);
        const produces = decorators
          .filter((d) => decoratorName(d) === 'ApiProduces')
          .flatMap((d) => decoratorArgs(d).map((a) => (ts.isStringLiteral(a) ? a.text : a.getText(file))));
        const operationId = `${cls.name.text}_${method.name.getText(file)}`;
        operations[operationId] = {
          method: httpMethod,
          status,
          ...(unchanged && status === 201 ? { unchanged: 200 } : {}),
          public: classPublic || decorators.some((d) => decoratorName(d) === 'Public'),
          ...(writesItself || voidish ? {} : { response: schemaOf(returned) }),
          ...(writesItself ? { writesItself: true } : {}),
          ...(produces.length ? { produces } : {}),
          headers: {
            idempotencyKey: calls.has('commandMeta'),
            ifMatch: calls.has('executeOptions') || calls.has('expectedRevision'),
            onBehalfOf: strings.has('x-on-behalf-of'),
          },
          responseHeaders: {
            etag: (commandResult && resultHas('revision')) || strings.has('etag'),
            location: strings.has('location'),
            position: (commandResult && resultHas('position')) || strings.has('x-position'),
          },
          readAt,
          query: [...query].sort(),
          ...(queryDto ? { queryDto } : {}),
        };
      }
    });
  }
  for (const [file, name] of EXTRA_TYPES) {
    const source = program.getSourceFile(path.join(ROOT, file));
    const decl = source?.statements.find((n) => (ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) && n.name.text === name);
    if (!decl) throw new Error(`${file} has no type ${name} (EXTRA_TYPES)`);
    const schema = schemaOf(checker.getDeclaredTypeOfSymbol(checker.getSymbolAtLocation(decl.name)));
    if (schema.$ref !== `#/components/schemas/${name}`) throw new Error(`${name} did not become the component ${name}`);
  }
  const sortedComponents = Object.fromEntries([...components.entries()].sort(([a], [b]) => a.localeCompare(b)));
  const sortedOperations = Object.fromEntries(Object.entries(operations).sort(([a], [b]) => a.localeCompare(b)));
  return { operations: sortedOperations, components: sortedComponents };
}

/** The generated module's text, formatted as Prettier would (the lint checks it). */
export async function render() {
  const { operations, components } = generate();
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(OUTPUT)) ?? {};
  const text = `// Generated by bin/openapi-operations.mjs from the controllers' TypeScript: do not edit by hand.
// test/openapi.e2e.spec.ts fails when it is out of date (run: node bin/openapi-operations.mjs).
import type { GeneratedOperation } from './operations.js';

export const OPERATIONS: Record<string, GeneratedOperation> = ${JSON.stringify(operations)};

export const SCHEMAS: Record<string, object> = ${JSON.stringify(components)};
`;
  return prettier.format(text, { ...options, filepath: OUTPUT });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  writeFileSync(OUTPUT, await render());
  console.log(`wrote ${path.relative(ROOT, OUTPUT)} in ${Date.now() - started} ms`);
}
