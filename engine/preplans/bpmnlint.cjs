// bpmnlint's recommended rules on diagrams given as JSON on stdin ({"name.bpmn": "<xml>", ...}); prints
// {"name.bpmn": [{"rule", "id", "message", "category"}, ...]} (a diagram moddle cannot read: one "parse" report).
'use strict';
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');
const { BpmnModdle } = require('bpmn-moddle');

async function lintOne(linter, xml) {
  let rootElement;
  try {
    ({ rootElement } = await new BpmnModdle().fromXML(xml));
  } catch (error) {
    return [{ rule: 'parse', id: null, message: String(error.message || error), category: 'error' }];
  }
  const reports = await linter.lint(rootElement);
  return Object.entries(reports).flatMap(([rule, found]) =>
    found.map((r) => ({ rule, id: r.id || null, message: r.message, category: r.category })));
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const diagrams = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const linter = new Linter({ config: { extends: 'bpmnlint:recommended' }, resolver: new NodeResolver() });
  const result = {};
  for (const [name, xml] of Object.entries(diagrams)) result[name] = await lintOne(linter, xml);
  process.stdout.write(JSON.stringify(result));
}

main().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
