#!/usr/bin/env node
// SPDX-License-Identifier: EUPL-1.2
// Copy Leerlus's front-end dependencies from node_modules into the repository, so that
// running Leerlus never needs Node or a CDN. The copied files are committed.
//
//   npm --prefix frontend ci              # install the exact versions from package-lock.json
//   npm --prefix frontend run vendor      # copy them (also: `make vendor`)
//   npm --prefix frontend run vendor -- --check   # exit 1 if the committed copies are stale
//
// Every package's licence is copied beside its files. Only built, minified files are
// copied: no source maps, no unminified duplicates. The Utrecht component CSS ships
// unminified only, so it is minified here (comments and whitespace only; licence
// comments are kept).

import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const require = createRequire(join(here, "package.json"));
const check = process.argv.includes("--check");

/**
 * package: npm name; dest: folder relative to the repository root;
 * files: [from (inside the package), to (inside dest), transform?];
 * licences: [from, to]; clean: whether dest belongs to this script alone.
 */
const PACKAGES = [
  {
    package: "htmx.org",
    dest: "leerlus/static/vendor/htmx",
    files: [["dist/htmx.min.js", "htmx.min.js", stripSourceMap]],
    licences: [["LICENSE", "LICENSE"]],
    clean: true,
  },
  {
    package: "@utrecht/component-library-css",
    dest: "leerlus/static/vendor/utrecht/component-library-css",
    files: [["dist/index.css", "index.css", minifyCss]],
    licences: [["LICENSE.md", "LICENSE.md"]],
    clean: true,
  },
  {
    package: "uplot",
    dest: "leerlus/static/vendor/uplot",
    files: [
      ["dist/uPlot.iife.min.js", "uPlot.iife.min.js", stripSourceMap],
      ["dist/uPlot.min.css", "uPlot.min.css", stripSourceMap],
    ],
    licences: [["LICENSE", "LICENSE"]],
    clean: true,
  },
  {
    // Test-only: injected into pages by the Playwright accessibility tests, never served.
    package: "axe-core",
    dest: "tests/browser/vendor",
    files: [["axe.min.js", "axe.min.js", stripSourceMap]],
    licences: [
      ["LICENSE", "axe-core.LICENSE"],
      ["LICENSE-3RD-PARTY.txt", "axe-core.LICENSE-3RD-PARTY.txt"],
    ],
    clean: false, // the folder may hold other test helpers
  },
];

function packageRoot(name) {
  return dirname(require.resolve(`${name}/package.json`));
}

/** Refuse to vendor from a node_modules that does not match package.json. */
function checkVersion(name) {
  const wanted = JSON.parse(readFileSync(join(here, "package.json"), "utf8")).devDependencies[name];
  const installed = JSON.parse(readFileSync(join(packageRoot(name), "package.json"), "utf8")).version;
  if (wanted !== installed) {
    throw new Error(
      `${name}: package.json pins ${wanted} but ${installed} is installed; run \`npm --prefix frontend ci\``,
    );
  }
  return installed;
}

/** Remove `sourceMappingURL` comments: the maps are not vendored, and Django's
 * ManifestStaticFilesStorage fails on references to files that do not exist. */
function stripSourceMap(text) {
  return text.replace(/\n?\/[/*][#@] sourceMappingURL=[^\n]*?(\*\/)?\s*$/gm, "");
}

/**
 * A conservative CSS minifier: drops comments (keeping one copy of each `@license`
 * comment), collapses whitespace and removes it only where it can never matter
 * (around `{ } ; ,` and after `:`), leaving strings untouched. `@charset` goes first.
 */
function minifyCss(css) {
  const licences = [];
  let out = "";
  let i = 0;
  while (i < css.length) {
    const c = css[i];
    if (c === "/" && css[i + 1] === "*") {
      const end = css.indexOf("*/", i + 2);
      const comment = css.slice(i, end === -1 ? css.length : end + 2);
      if (/@license|^\/\*!/.test(comment)) {
        const tidy = comment.replace(/\n\s*\*/g, "\n *");
        if (!licences.includes(tidy)) licences.push(tidy);
      }
      i += comment.length;
      out += " ";
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < css.length && css[j] !== c) j += css[j] === "\\" ? 2 : 1;
      out += css.slice(i, j + 1);
      i = j + 1;
    } else if (/\s/.test(c)) {
      while (i < css.length && /\s/.test(css[i])) i += 1;
      out += " ";
    } else {
      out += c;
      i += 1;
    }
  }
  // Second pass, again outside strings only.
  const parts = out.split(/("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/);
  for (let p = 0; p < parts.length; p += 2) {
    parts[p] = parts[p]
      .replace(/ ?([{};,]) ?/g, "$1")
      .replace(/: /g, ":")
      .replace(/;}/g, "}");
  }
  let body = parts.join("").trim();
  let charset = "";
  body = body.replace(/@charset ?("[^"]*");/, (_, name) => {
    charset = `@charset ${name};\n`;
    return "";
  });
  return `${charset}${licences.join("\n")}\n${body}\n`;
}

let stale = 0;
function emit(path, content) {
  const rel = relative(root, path);
  if (check) {
    const current = existsSync(path) ? readFileSync(path) : null;
    if (current === null || !current.equals(Buffer.from(content))) {
      console.error(`stale: ${rel}`);
      stale += 1;
    }
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  console.log(`${rel} (${(Buffer.byteLength(content) / 1024).toFixed(1)} KiB)`);
}

const manifest = {};
for (const spec of PACKAGES) {
  const version = checkVersion(spec.package);
  const from = packageRoot(spec.package);
  const dest = join(root, spec.dest);
  const wanted = new Set([...spec.files.map((f) => f[1]), ...spec.licences.map((l) => l[1])]);
  if (spec.clean && existsSync(dest)) {
    for (const name of readdirSync(dest)) {
      if (wanted.has(name)) continue;
      if (check) {
        console.error(`unexpected: ${relative(root, join(dest, name))}`);
        stale += 1;
      } else {
        rmSync(join(dest, name), { recursive: true, force: true });
      }
    }
  }
  for (const [src, name, transform] of spec.files) {
    const text = readFileSync(join(from, src), "utf8");
    emit(join(dest, name), transform ? transform(text) : text);
  }
  for (const [src, name] of spec.licences) {
    emit(join(dest, name), readFileSync(join(from, src)));
  }
  const license = JSON.parse(readFileSync(join(from, "package.json"), "utf8")).license;
  manifest[spec.package] = { version, license, path: spec.dest, files: [...wanted].sort() };
}
emit(join(root, "leerlus/static/vendor/vendor.json"), `${JSON.stringify(manifest, null, 2)}\n`);

if (check && stale) {
  console.error(`${stale} vendored file(s) differ; run \`npm --prefix frontend run vendor\``);
  process.exit(1);
}
if (check) console.log("vendored files are up to date");
