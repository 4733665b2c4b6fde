// Validates Azure Pipelines YAML files with Microsoft's own validator, the
// azure-pipelines-language-service npm package (it understands the schema's
// extensions to JSON Schema, which generic validators reject), against the
// Azure Pipelines schema (service-schema.json).
//
//   node validate-azure.cjs TOOLS_DIR SCHEMA_JSON FILE.yml...
//
// Prints one line per problem (file:line:col: severity: message) and exits 1
// when any error or warning was found, 2 when it could not run.
"use strict";
const fs = require("fs");
const path = require("path");

const [tools, schemaPath, ...files] = process.argv.slice(2);
if (!tools || !schemaPath || files.length === 0) {
  console.error("usage: node validate-azure.cjs TOOLS_DIR SCHEMA_JSON FILE.yml...");
  process.exit(2);
}
const modules = path.resolve(tools, "node_modules");
const als = require(path.join(modules, "azure-pipelines-language-service"));
const { TextDocument } = require(path.join(modules, "vscode-languageserver-textdocument"));

// The language service traces schema lookups with console.log; keep stdout for problems.
const print = console.log;
console.log = () => {};

const schemaURI = "file://" + path.resolve(schemaPath);
const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
const service = als.getLanguageService(() => Promise.resolve(schema), [], null);
service.configure({ validate: true, schemas: [{ uri: schemaURI, fileMatch: ["*"], schema }] });

const severities = { 1: "error", 2: "warning", 3: "info", 4: "hint" };

async function main() {
  let problems = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    const doc = TextDocument.create("file://" + path.resolve(file), "azure-pipelines", 1, text);
    const diagnostics = await service.doValidation(doc, als.parse(text));
    for (const d of diagnostics) {
      const severity = severities[d.severity] || "error";
      if (severity === "error" || severity === "warning") {
        problems++;
      }
      print(`${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${severity}: ${d.message}`);
    }
  }
  process.exit(problems > 0 ? 1 : 0);
}

main().catch((err) => {
  console.error(`validate-azure: ${err && err.stack ? err.stack : err}`);
  process.exit(2);
});
