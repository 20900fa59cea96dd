/** Thrown when lib0 no longer has the line the patch replaces. */
export declare class Lib0PatchError extends Error {}

/** `code` with the ASCII string paths put in when `id` is lib0's `decoding.js` or `encoding.js`; undefined for any other module. */
export declare function patchLib0(id: string, code: string): string | undefined
