// gen.mjs writes ../static/world.json: the world's country boundaries at
// Natural Earth's 1:110m scale (public domain), from the world-atlas npm
// package's TopoJSON, as GeoJSON that ECharts' registerMap reads. Each
// feature carries our ISO3 key (from ../../data/reference/countries.csv, by
// ISO numeric code) so the map series can match the partners' rows; the
// three Natural Earth units without an ISO code keep their name, prefixed
// "NE:", and are drawn without a value. Coordinates are rounded to 0.01°
// (about 1 km), finer than the 1:110m source. Rings that cross the
// antimeridian are unwrapped (see unwrapRing).
//
// Run from this folder: npm install && node gen.mjs. The versions are pinned
// in package.json; the output is committed, so a build needs no npm.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { feature } from "topojson-client";

const require = createRequire(import.meta.url);
const topology = require("world-atlas/countries-110m.json");
const version = require("world-atlas/package.json").version;

// parseCSV reads RFC 4180 CSV (quoted fields may hold commas).
function parseCSV(text) {
  const rows = [];
  let row = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n") { row.push(field); rows.push(row); row = []; field = ""; }
    else if (c !== "\r") field += c;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

const [header, ...countries] = parseCSV(readFileSync(new URL("../../data/reference/countries.csv", import.meta.url), "utf8"));
const col = (name) => header.indexOf(name);
const byNumeric = new Map();
for (const r of countries) {
  if (r[col("aggregate")] === "1") continue;
  byNumeric.set(Number(r[col("m49")]), r[col("iso3")]);
}

const round = (x) => Math.round(x * 100) / 100;
function roundCoords(c) {
  return typeof c[0] === "number" ? [round(c[0]), round(c[1])] : c.map(roundCoords);
}

// unwrapRing moves a ring that crosses the antimeridian (Russia's
// Chukotka, Fiji) to one side of it: in spherical coordinates the jump
// from 180° to −180° is a short step, but a flat map draws it as a line
// across the world. Antarctica's ring runs along the map's foot and is
// left as it is.
function unwrapRing(ring) {
  const crosses = ring.some((p, i) => i > 0 && Math.abs(p[0] - ring[i - 1][0]) > 180);
  return crosses ? ring.map(([x, y]) => [x < 0 ? x + 360 : x, y]) : ring;
}
function unwrap(geometry, iso3) {
  if (iso3 === "ATA") return geometry;
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  const out = polygons.map((rings) => rings.map(unwrapRing));
  return { type: geometry.type, coordinates: geometry.type === "Polygon" ? out[0] : out };
}

const geo = feature(topology, topology.objects.countries);
const unmatched = [];
geo.features = geo.features.map((f) => {
  const iso3 = f.id === undefined ? undefined : byNumeric.get(Number(f.id));
  if (!iso3) unmatched.push(`${f.id ?? "(no id)"} ${f.properties.name}`);
  return {
    type: "Feature",
    properties: { iso3: iso3 || "NE:" + f.properties.name, name: f.properties.name },
    geometry: unwrap({ type: f.geometry.type, coordinates: roundCoords(f.geometry.coordinates) }, iso3),
  };
});
const out = {
  type: "FeatureCollection",
  source: `Natural Earth 1:110m admin-0 countries (public domain), via world-atlas ${version} (ISC); see world-NOTICE.md`,
  features: geo.features,
};
writeFileSync(new URL("../static/world.json", import.meta.url), JSON.stringify(out) + "\n");
console.log(`wrote ../static/world.json: ${geo.features.length} features; without an ISO3 key: ${unmatched.join("; ") || "none"}`);
