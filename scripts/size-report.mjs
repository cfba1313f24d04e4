#!/usr/bin/env node
// Prints where a wasm's bytes go, from twiggy's item list of a copy that keeps its names: the
// largest items, then the code summed by crate (the first path segment of each function's name,
// generic `<T as Trait>` impls by T's crate). Sizes are of the named copy's items (names are not
// counted); the stripped build's total is printed beside it, raw and gzip.
//   node scripts/size-report.mjs NAMED.wasm STRIPPED.wasm [N]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const [named, stripped, count = '30'] = process.argv.slice(2);
const csv = execFileSync('.tools/bin/twiggy', ['top', '--format', 'csv', '-n', '100000', named], {
  encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
});
const items = [];
for (const line of csv.trim().split('\n').slice(1)) {
  // Name,ShallowSize,ShallowSizePercent,RetainedSize,RetainedSizePercent; a name with quotes or
  // commas is quoted, its quotes doubled.
  const match = line.match(/^(.*),(\d+),([\d.]+),([^,]*),([^,]*)$/);
  if (!match) continue;
  const name = match[1].startsWith('"') ? match[1].slice(1, -1).replaceAll('""', '"') : match[1];
  if (!name.startsWith('Σ') && !name.startsWith('...')) items.push({ name, size: Number(match[2]) });
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const bytes = readFileSync(stripped);
console.log(`${stripped}: ${kb(bytes.length)} raw, ${kb(gzipSync(bytes, { level: 9 }).length)} gzip\n`);

// The names themselves are not in the stripped build.
const named_ = items.filter((item) => !item.name.includes('subsection'));
console.log(`| the ${count} largest items | bytes |\n|---|---|`);
// Without the symbol hashes and crate disambiguators, which say nothing to a reader.
const readable = (name) => name.replace(/::h[0-9a-f]{16}$/, '').replace(/\[[0-9a-f]{16}\]/g, '');
for (const item of named_.slice(0, Number(count))) console.log(`| \`${readable(item.name).slice(0, 110)}\` | ${item.size} |`);

const crateOf = (name) => {
  if (name.startsWith('data segment') || name.startsWith('data[')) return '(data)';
  let text = name.replace(/^<+/, '').replace(/^(&|mut |dyn )+/, '');
  text = readable(text);
  const match = text.match(/^([A-Za-z_][A-Za-z0-9_]*)::/);
  return match ? match[1] : '(other)';
};
const byCrate = new Map();
for (const item of named_) byCrate.set(crateOf(item.name), (byCrate.get(crateOf(item.name)) ?? 0) + item.size);
const total = named_.reduce((sum, item) => sum + item.size, 0);
console.log(`\n| crate | bytes | share |\n|---|---|---|`);
for (const [crate, size] of [...byCrate].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  console.log(`| ${crate} | ${size} | ${((100 * size) / total).toFixed(1)}% |`);
}
