// The relation blocks of a Bayesian FM (Rendle 2013): the user block's row u is user u's features
// — its id, the bag of items it rated (SVD++'s implicit feedback) and its attributes — and the
// item block's row i is item i's id, the bag of users who rated it (the "flipped" bag) and its
// attributes. Every rating points at its user's row and its item's row. Each kind of feature is
// a group with its own hyperprior (myFM's grouping); attributes are grouped by the part of their
// name before the first ':' ("genre:Drama" and "genre:Comedy" share one).
//
// Bags are built from the training ratings only, each row scaled by 1/√(its size) as SVD++ and
// myFM do.
import type { Dataset } from '../../data/dataset.js';
import { groupValues } from '../../data/group.js';
import type { AttributeRows } from '../ranking/hybrid-layout.js';
import { dayOf } from '../core/days.js';

/** One block before it goes into engine memory: rows by CSR over named groups of columns. */
export interface BlockLayout {
  rowOf: Uint32Array;
  rowCount: number;
  rowStart: Uint32Array;
  rowCols: Uint32Array;
  rowVals: Float64Array;
  featureCount: number;
  /** Group (index into `groups`) of each feature. */
  group: Uint32Array;
  /** The block's group names, e.g. ['user', 'user bag', 'user age']. */
  groups: string[];
  /** Where the bag's features start (one per id of the other side, in its order), when there is a bag. */
  bagOffset?: number;
}

export interface BlockFeatures {
  /** The bag of the other side's ids each row rated (users: items; items: users). */
  bag: boolean;
  attributes?: AttributeRows;
}

/**
 * One side's block: rows are the side's training ids (`rowOf` each rating's row); columns the ids,
 * then the bag (one per id of the other side), then the attributes.
 */
export function sideBlock(train: Dataset, who: 'user' | 'item', features: BlockFeatures): BlockLayout {
  const rowOf = who === 'user' ? train.userIndex : train.itemIndex;
  const colOf = who === 'user' ? train.itemIndex : train.userIndex;
  const rowCount = who === 'user' ? train.userCount : train.itemCount;
  const otherCount = who === 'user' ? train.itemCount : train.userCount;
  const ids = who === 'user' ? train.users : train.items;
  const groups: string[] = [who];
  const bagGroup = features.bag ? groups.push(`${who} bag`) - 1 : -1;
  const bagOffset = rowCount;
  const attributeOffset = rowCount + (features.bag ? otherCount : 0);
  const attributes = features.attributes;
  const attributeGroup = attributes ? attributeGroups(attributes, who, groups) : new Uint32Array(0);
  const bags = features.bag ? groupValues(rowOf, rowCount, colOf) : undefined;
  const start = new Uint32Array(rowCount + 1);
  const cols: number[] = [], vals: number[] = [];
  for (let r = 0; r < rowCount; r++) {
    cols.push(r);
    vals.push(1);
    if (bags) {
      // A user may rate an item twice in some data: its bag holds the item once.
      const seen = [...new Set(bags.values.subarray(bags.start[r], bags.start[r + 1]))].sort((a, b) => a - b);
      const weight = 1 / Math.sqrt(Math.max(1, seen.length));
      for (const c of seen) {
        cols.push(bagOffset + c);
        vals.push(weight);
      }
    }
    const a = attributes ? attributes.ids.get(ids.raw[r]) : -1;
    if (a >= 0) {
      for (let t = attributes!.start[a]; t < attributes!.start[a + 1]; t++) {
        cols.push(attributeOffset + attributes!.cols[t]);
        vals.push(attributes!.vals[t]);
      }
    }
    start[r + 1] = cols.length;
  }
  const featureCount = attributeOffset + (attributes ? attributes.names.size : 0);
  const group = new Uint32Array(featureCount);
  for (let j = bagOffset; j < attributeOffset; j++) group[j] = bagGroup;
  for (let c = 0; c < attributeGroup.length; c++) group[attributeOffset + c] = attributeGroup[c];
  return {
    rowOf, rowCount, rowStart: start, rowCols: Uint32Array.from(cols), rowVals: Float64Array.from(vals), featureCount, group, groups,
    ...(features.bag ? { bagOffset } : {}),
  };
}

/** Each attribute's group: one per name prefix before ':', appended to `groups`. */
function attributeGroups(attributes: AttributeRows, who: string, groups: string[]): Uint32Array {
  const byPrefix = new Map<string, number>();
  return Uint32Array.from(attributes.names.raw, (name) => {
    const colon = name.indexOf(':');
    const prefix = colon > 0 ? name.slice(0, colon) : '';
    let g = byPrefix.get(prefix);
    if (g === undefined) {
      g = groups.push(prefix ? `${who} ${prefix}` : `${who} attributes`) - 1;
      byPrefix.set(prefix, g);
    }
    return g;
  });
}

/** The block's features by column (CSC): for feature j, the rows holding it and their values. */
export function byColumn(b: BlockLayout): { colStart: Uint32Array; colRows: Uint32Array; colVals: Float64Array } {
  const colStart = new Uint32Array(b.featureCount + 1);
  for (const c of b.rowCols) colStart[c + 1]++;
  for (let j = 0; j < b.featureCount; j++) colStart[j + 1] += colStart[j];
  const next = colStart.slice(0, b.featureCount);
  const colRows = new Uint32Array(b.rowCols.length), colVals = new Float64Array(b.rowCols.length);
  for (let r = 0; r < b.rowCount; r++) {
    for (let t = b.rowStart[r]; t < b.rowStart[r + 1]; t++) {
      const at = next[b.rowCols[t]]++;
      colRows[at] = r;
      colVals[at] = b.rowVals[t];
    }
  }
  return { colStart, colRows, colVals };
}

/**
 * The day block (myFM's "rating day", one-hot): its rows are the training data's days in ascending
 * order, each row one feature, the day's id; every rating points at its day's row. `days` holds
 * each row's day number.
 */
export function dayBlock(train: Dataset): { layout: BlockLayout; days: Float64Array } {
  const times = train.times!;
  const dayNumbers = Float64Array.from(new Set(Array.from(times, dayOf))).sort();
  const rowOfDay = new Map<number, number>();
  dayNumbers.forEach((d, r) => rowOfDay.set(d, r));
  const rowOf = Uint32Array.from(times, (t) => rowOfDay.get(dayOf(t))!);
  const R = dayNumbers.length;
  const rowStart = Uint32Array.from({ length: R + 1 }, (_, r) => r);
  const rowCols = Uint32Array.from({ length: R }, (_, r) => r);
  const layout: BlockLayout = { rowOf, rowCount: R, rowStart, rowCols, rowVals: new Float64Array(R).fill(1), featureCount: R, group: new Uint32Array(R), groups: ['day'] };
  return { layout, days: dayNumbers };
}
