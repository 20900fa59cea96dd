import { common, COMMON, connection, CONNECTION, type CommandSpec } from './shared-flags.ts'

/** `tessera pin`: its flags and help. */
export const PIN_SPEC: CommandSpec = {
  summary: "keep a room's values and results on disk and serve them",
  usage: `usage: tessera pin --dir <dir> [flags]

Joins the room as a peer with no workers and keeps its store: the documents,
and every value, argument, function and result stored as a blob, fetched as
they appear, checked against their hash, kept under <dir>/<room>/ and served
to peers, so they outlive every tab. Restarted on the same --dir, it serves
them again without fetching. Past --quota it evicts the least recently used
blobs, never an open job's function or arguments, nor a result newer than
--result-window (docs/pinning.md). Prints a status line every --interval.

  --dir <dir>         where it keeps the room's data (required)
${CONNECTION}
  --quota <size>      bytes of blobs to keep at most: 500MB, 10GB, 2GiB (default 10GB)
  --result-window <time>
                      results stored or served this recently are never evicted:
                      90s, 30m, 1h, 7d (default 1h)
  --interval <time>   how often it prints its status line (default 30s)
  --s3-bucket <name>  also write every blob through to this S3 bucket, and read back
                      from it what the disk lacks (credentials: AWS_ACCESS_KEY_ID and
                      AWS_SECRET_ACCESS_KEY, or the AWS SDK's other sources)
  --s3-endpoint <url> an S3-compatible server instead of AWS (MinIO, Ceph...)
  --s3-region <name>  the bucket's region (env AWS_REGION; default us-east-1)
  --s3-prefix <p>     prepended to each blob's address to make its key (default tessera/)
${COMMON}`,
  options: {
    dir: { type: 'string' },
    ...connection,
    quota: { type: 'string' },
    'result-window': { type: 'string' },
    interval: { type: 'string' },
    's3-bucket': { type: 'string' },
    's3-endpoint': { type: 'string' },
    's3-region': { type: 'string' },
    's3-prefix': { type: 'string' },
    ...common,
  },
  positionals: [],
}
