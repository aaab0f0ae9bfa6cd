// Rows loaded straight into a shared WebAssembly.Memory (loadRatingsFile's `inPlace`), so that a
// wasm fit adopts that memory and trains on the rows where they lie instead of copying them: at
// 100M ratings that copy is 1.2 GB, the difference between fitting in a laptop's memory or not.
//
// Only shared memory will do: growing a non-shared memory detaches every view of it, which would
// empty the Dataset's arrays the moment a fit allocated its factors; a shared memory's old views
// stay valid. Without SharedArrayBuffer (a browser page that is not cross-origin isolated) there
// is no resident memory and the rows are plain arrays, as always.

/** Where the rows start: above any kernel build's static data (a few KiB below __heap_base). */
export const RESIDENT_ROWS_AT = 1 << 20;
const PAGE = 65536;
const MAX_PAGES = 65536;
const ALIGN = 16;

/**
 * A shared memory holding a dataset's rows in its first `rowsEnd` bytes (loadRatingsFile's
 * `inPlace`): a wasm engine fitting on that dataset adopts it rather than copying the rows. The
 * fit finds it from the dataset's arrays; nothing for a user to pass or change.
 *
 * @internal
 */
export interface ResidentMemory {
  /** The shared WebAssembly memory the rows lie in. */
  readonly memory: WebAssembly.Memory;
  /** The first byte after the rows: an engine adopting the memory allocates from here. */
  readonly rowsEnd: number;
  /** The highest byte an engine has handed out (memory above it is still zero). */
  dirtyEnd: number;
  /** An engine runs on the memory now. */
  busy: boolean;
}

/** Row arrays in a fresh resident memory ({@link residentRows}). */
export interface ResidentRows {
  /** Internal user id per row, in the memory. */
  users: Uint32Array;
  /** Internal item id per row, in the memory. */
  items: Uint32Array;
  /** Rating per row, in the memory. */
  ratings: Float32Array;
  /** The memory they lie in. */
  resident: ResidentMemory;
}

/** Memories by the buffer their views were made on (a shared memory's buffer object changes only on growth). */
const owners = new WeakMap<ArrayBufferLike, ResidentMemory>();

/** The most ratings a resident memory holds, leaving `spareBytes` of wasm32's 4 GiB for the fit. */
export function maxResidentRows(spareBytes = 0): number {
  return Math.max(0, Math.floor((MAX_PAGES * PAGE - RESIDENT_ROWS_AT - 3 * ALIGN - spareBytes) / 12));
}

/**
 * Three arrays of `rows` elements in a fresh shared memory, or why there can be none (too many
 * rows for wasm32, no shared memory in this runtime).
 */
export function residentRows(rows: number): ResidentRows | { reason: string } {
  if (rows > maxResidentRows()) {
    return { reason: `${rows} ratings need ${rows * 12} bytes; wasm32 memory holds at most ${maxResidentRows()} ratings` };
  }
  if (typeof SharedArrayBuffer === 'undefined') return { reason: 'this runtime has no SharedArrayBuffer (a browser page must be cross-origin isolated)' };
  const bytes = Math.ceil((rows * 4) / ALIGN) * ALIGN;
  const itemsAt = RESIDENT_ROWS_AT + bytes, ratingsAt = itemsAt + bytes, rowsEnd = ratingsAt + bytes;
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: Math.ceil(rowsEnd / PAGE), maximum: MAX_PAGES, shared: true });
  } catch (err) {
    return { reason: `a shared memory of ${rowsEnd} bytes could not be made (${(err as Error).message})` };
  }
  const buffer = memory.buffer;
  const resident: ResidentMemory = { memory, rowsEnd, dirtyEnd: rowsEnd, busy: false };
  owners.set(buffer, resident);
  return {
    users: new Uint32Array(buffer, RESIDENT_ROWS_AT, rows),
    items: new Uint32Array(buffer, itemsAt, rows),
    ratings: new Float32Array(buffer, ratingsAt, rows),
    resident,
  };
}

/** The resident memory all three arrays lie in (within its rows), or undefined. */
export function residentMemoryOf(data: { userIndex: Uint32Array; itemIndex: Uint32Array; ratings: Float32Array }): ResidentMemory | undefined {
  const resident = owners.get(data.userIndex.buffer);
  if (resident === undefined) return undefined;
  for (const a of [data.userIndex, data.itemIndex, data.ratings]) {
    if (owners.get(a.buffer) !== resident || a.byteOffset < RESIDENT_ROWS_AT || a.byteOffset + a.byteLength > resident.rowsEnd) return undefined;
  }
  return resident;
}
