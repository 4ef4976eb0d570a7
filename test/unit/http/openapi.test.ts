// The OpenAPI document as client generators need it: an operationId, tags and described responses on every
// operation, /metrics with its content type; openapi-typescript turns it into a client with every operation.
import openapiTS, { astToString } from 'openapi-typescript';
import type { OpenAPIV3_1 } from 'openapi-types';
import t, { type Test } from 'tap';
import ts from 'typescript';
import { buildApp } from '../../../agent/http/app.js';
import { completeDocument } from '../../../agent/http/openapi.js';
import { silentLogger } from '../../../agent/log.js';
import { makeDeps, openRepos, TOKEN } from '../../helpers/http-fixtures.js';

async function documentOf(t: Test): Promise<OpenAPIV3_1.Document> {
  const app = buildApp(makeDeps(openRepos(t.testdir()), {}, silentLogger()));
  t.teardown(() => app.close());
  const res = await app.inject({
    method: 'GET',
    url: '/openapi.json',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  t.equal(res.statusCode, 200);
  return res.json<OpenAPIV3_1.Document>();
}

function operationsOf(doc: OpenAPIV3_1.Document) {
  return Object.entries(doc.paths ?? {}).flatMap(([url, item]) =>
    (['get', 'put', 'post', 'delete', 'patch'] as const)
      .filter((m) => item?.[m])
      .map((method) => ({ url, method, op: item![method]! })),
  );
}

t.test('every operation has an operationId, known tags and described responses', async (t) => {
  const doc = await documentOf(t);
  const ops = operationsOf(doc);
  t.ok(ops.length >= 14, `${ops.length} operations`);
  const tags = new Set((doc.tags ?? []).map((x) => x.name));
  const ids = new Set<string>();
  for (const { url, method, op } of ops) {
    const where = `${method.toUpperCase()} ${url}`;
    t.match(op.operationId, /^[a-z][A-Za-z0-9]*$/, `${where}: operationId ${op.operationId}`);
    t.notOk(ids.has(op.operationId!), `${where}: operationId unique`);
    ids.add(op.operationId!);
    t.ok(op.tags?.length, `${where}: tagged`);
    for (const tag of op.tags ?? []) t.ok(tags.has(tag), `${where}: tag ${tag} is described`);
    t.ok(op.summary, `${where}: summary`);
    for (const [status, r] of Object.entries(op.responses ?? {})) {
      const d = (r as OpenAPIV3_1.ResponseObject).description;
      t.ok(d && d !== 'Default Response', `${where} ${status}: described (${d})`);
    }
  }
  const metrics = doc.paths?.['/metrics']?.get?.responses?.['200'] as OpenAPIV3_1.ResponseObject;
  t.same(
    Object.keys(metrics.content ?? {}),
    ['text/plain; version=0.0.4; charset=utf-8'],
    '/metrics content type',
  );
  t.match(metrics.content?.['text/plain; version=0.0.4; charset=utf-8']?.schema, { type: 'string' });
});

t.test('openapi-typescript generates a client type with every operation and path', async (t) => {
  const doc = await documentOf(t);
  const source = astToString(await openapiTS(doc as never));
  const file = ts.createSourceFile('api.d.ts', source, ts.ScriptTarget.ES2022, true);
  const members = (name: string) => {
    const decl = file.statements.find(
      (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
    );
    return new Set(
      (decl?.members ?? []).map((m) =>
        m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) ? m.name.text : '',
      ),
    );
  };
  const generatedOps = members('operations');
  const generatedPaths = members('paths');
  for (const { url, op } of operationsOf(doc)) {
    t.ok(generatedOps.has(op.operationId!), `operations.${op.operationId}`);
    t.ok(generatedPaths.has(url), `paths['${url}']`);
  }
  t.match(source, /"text\/plain; version=0\.0\.4; charset=utf-8": string/, 'the metrics body is a string');
});

t.test(
  'a route that forgets its operationId and tags still gets stable ones, and its tag is declared',
  async (t) => {
    const doc = completeDocument({
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      tags: [{ name: 'agent' }],
      paths: {
        '/jobs/{jobId}/notes': { get: { responses: { '200': { description: 'Default Response' } } } },
      },
    });
    const op = doc.paths?.['/jobs/{jobId}/notes']?.get;
    t.equal(op?.operationId, 'getJobsByJobIdNotes');
    t.same(op?.tags, ['jobs']);
    t.equal((op?.responses?.['200'] as OpenAPIV3_1.ResponseObject).description, 'Success');
    t.ok(
      doc.tags?.some((x) => x.name === 'jobs'),
      'the derived tag is declared',
    );
  },
);
