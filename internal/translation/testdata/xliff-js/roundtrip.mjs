// Plays a translation agency's tool for the Go tests (internal/translation): reads the platform's
// XLIFF 2.0 export with npm's xliff library, fills every unit's target from its source through a
// fixed substitution (so the test knows what to expect), and writes the file back with the same
// library.
//
//   node roundtrip.mjs in.xlf out.xlf PREFIX
import { readFileSync, writeFileSync } from "node:fs";
import xliff2js from "xliff/xliff2js";
import js2xliff from "xliff/js2xliff";

const [input, output, prefix] = process.argv.slice(2);
const js = await xliff2js(readFileSync(input, "utf8"));
if (!js.resources || Object.keys(js.resources).length === 0) throw new Error("the library found no files in the export");
let units = 0;
for (const file of Object.values(js.resources)) {
  for (const unit of Object.values(file)) {
    if (typeof unit.source !== "string") throw new Error("a source the library does not read as plain text: " + JSON.stringify(unit.source));
    unit.target = prefix + unit.source;
    units++;
  }
}
writeFileSync(output, await js2xliff(js));
process.stdout.write(JSON.stringify({ units, sourceLanguage: js.sourceLanguage, targetLanguage: js.targetLanguage }) + "\n");
