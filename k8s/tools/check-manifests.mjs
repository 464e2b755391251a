// Checks rendered manifests strictly against typed models of their kinds: every YAML document becomes a typed
// TypeScript object literal, so the compiler's excess-property check rejects unknown or misspelled fields, and its
// type check rejects wrong types and missing required fields. A kind without a known model is an error too.
//   node check-manifests.mjs TOOLS_DIR rendered-1.yaml [rendered-2.yaml ...]
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const [toolsDir, ...files] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(toolsDir), "package.json"));
const YAML = require("yaml");
const ts = require("typescript");

// Kubernetes API groups live in kubernetes-models; custom resources in their own model packages.
const CRD_PACKAGES = {
  "keda.sh": "@kubernetes-models/keda",
  "kafka.strimzi.io": "@kubernetes-models/strimzi-kafka-operator",
  "core.strimzi.io": "@kubernetes-models/strimzi-kafka-operator",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

function modelModule(apiVersion, kind) {
  const slash = apiVersion.lastIndexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const base = CRD_PACKAGES[group] ? `${CRD_PACKAGES[group]}/${group}` : group ? `kubernetes-models/${group}` : "kubernetes-models";
  const module = `${base}/${version}/${kind}`;
  // the model packages export ESM only: look for the type declarations on disk rather than resolving at run time
  return fs.existsSync(path.join(path.resolve(toolsDir), "node_modules", `${module}.d.ts`)) ? module : null;
}

const problems = [];
const documents = []; // {file, index, label, firstLine, lastLine}
let source = "";
let line = 1;
for (const file of files) {
  const parsed = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
  parsed.forEach((doc, index) => {
    const where = `${path.basename(file)} document ${index + 1}`;
    if (doc.errors.length) {
      problems.push(`${where}: YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
      return;
    }
    const object = doc.toJS();
    if (object === null || object === undefined) {
      return;
    }
    const label = `${where} (${object.apiVersion} ${object.kind} ${object.metadata?.name ?? "<no name>"})`;
    if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
      problems.push(`${label}: apiVersion and kind are required`);
      return;
    }
    const module = modelModule(object.apiVersion, object.kind);
    if (!module) {
      problems.push(`${label}: no schema known for ${object.apiVersion} ${object.kind}`);
      return;
    }
    const n = documents.length;
    const literal = JSON.stringify(object, null, 2);
    const text = `import type { I${object.kind} as T${n} } from "${module}";\nexport const d${n}: T${n} = ${literal};\n`;
    documents.push({ label, firstLine: line, lastLine: line + text.split("\n").length - 2 });
    source += text;
    line += text.split("\n").length - 1;
  });
}

const checkFile = path.join(path.resolve(toolsDir), "manifests.generated.ts");
fs.writeFileSync(checkFile, source || "export {};\n");
const program = ts.createProgram([checkFile], {
  strict: true, noEmit: true, skipLibCheck: true, types: [], target: ts.ScriptTarget.ES2020,
  module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10,
});
for (const d of ts.getPreEmitDiagnostics(program)) {
  const message = ts.flattenDiagnosticMessageText(d.messageText, "\n    ");
  if (!d.file || path.resolve(d.file.fileName) !== checkFile) {
    problems.push(`model packages: ${message}`);
    continue;
  }
  const at = d.file.getLineAndCharacterOfPosition(d.start).line + 1;
  const doc = documents.find((x) => at >= x.firstLine && at <= x.lastLine);
  const snippet = d.file.text.split("\n")[at - 1].trim();
  problems.push(`${doc ? doc.label : "line " + at}: ${message}\n    at: ${snippet}`);
}

for (const p of problems) {
  console.error("INVALID " + p);
}
console.log(`${documents.length} objects checked against their schemas, ${problems.length} problem(s)`);
process.exit(problems.length ? 1 : 0);
