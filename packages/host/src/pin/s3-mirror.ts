import type { S3Client } from '@aws-sdk/client-s3'
import type { Address } from '@tessera/core'

export interface S3MirrorOptions {
  readonly bucket: string
  /** Prepended to each blob's address to make its key. Default `tessera/`. */
  readonly prefix?: string
  /** An S3-compatible server's URL (MinIO, Ceph, R2...); addressed path-style. Default: AWS itself. */
  readonly endpoint?: string
  /** Default: the SDK's (AWS_REGION), else `us-east-1`. */
  readonly region?: string
  /** Default: the SDK's chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, profiles, instance roles). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string }
}

/**
 * Blobs in an S3-compatible bucket, one object per blob, keyed by address,
 * through the official AWS SDK. Content addressing makes the bucket safe to
 * share: whoever reads an object checks it against its address first.
 */
export class S3Mirror {
  private constructor(
    private readonly client: S3Client,
    private readonly sdk: typeof import('@aws-sdk/client-s3'),
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  /** Loads the SDK only when a bucket is asked for: every other command starts without it. */
  static async open(options: S3MirrorOptions): Promise<S3Mirror> {
    const sdk = await import('@aws-sdk/client-s3')
    const client = new sdk.S3Client({
      region: options.region ?? process.env['AWS_REGION'] ?? 'us-east-1',
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint, forcePathStyle: true }),
      ...(options.credentials === undefined ? {} : { credentials: { ...options.credentials } }),
      // S3-compatible servers do not all know the checksums the SDK adds by default.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })
    return new S3Mirror(client, sdk, options.bucket, options.prefix ?? 'tessera/')
  }

  /** Where `address` lives in the bucket. */
  key(address: Address): string {
    return `${this.prefix}${address}`
  }

  async put(address: Address, bytes: Uint8Array): Promise<void> {
    await this.client.send(new this.sdk.PutObjectCommand({ Bucket: this.bucket, Key: this.key(address), Body: bytes, ContentType: 'application/octet-stream' }))
  }

  /** The object's bytes, unchecked (the caller verifies them); undefined when the bucket has no such object. */
  async get(address: Address): Promise<Uint8Array | undefined> {
    try {
      const reply = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.key(address) }))
      return reply.Body === undefined ? undefined : await reply.Body.transformToByteArray()
    } catch (error) {
      if (error instanceof this.sdk.NoSuchKey) return undefined
      throw error
    }
  }

  close(): void {
    this.client.destroy()
  }
}
