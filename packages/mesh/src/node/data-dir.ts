/** Where a Node peer keeps its documents and blobs unless told otherwise, relative to the working directory. */
export const DEFAULT_DATA_DIR = '.tessera'
