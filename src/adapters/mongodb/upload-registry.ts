import type { Collection, Db, IndexDescription } from "mongodb";
import type { Upload, UploadRegistry } from "../../ports/index.ts";
import { isDuplicateKey } from "./collections.ts";

type UploadDoc = Omit<Upload, "id"> & { _id: string };
/** One document per claimed upload: the unique _id makes exactly one claim win on every server (see RefreshTokenUseDoc). */
interface ClaimDoc {
  _id: string;
  claim: string;
}

const UPLOAD_INDEXES: (IndexDescription & { name: string })[] = [
  { key: { owner: 1 }, name: "owner" },
  { key: { messageId: 1 }, name: "message" },
  { key: { claimed: 1, createdAt: 1 }, name: "claimed_created" },
];

const toUpload = ({ _id, ...rest }: UploadDoc): Upload => ({ id: _id, ...rest, claimed: rest.claimed ?? false });

/** Upload metadata in the `uploads` collection, claims in `upload_claims`. */
export class MongoUploadRegistry implements UploadRegistry {
  private uploads: Collection<UploadDoc>;
  private claims: Collection<ClaimDoc>;

  constructor(db: Db) {
    this.uploads = db.collection<UploadDoc>("uploads");
    this.claims = db.collection<ClaimDoc>("upload_claims");
  }

  async start(): Promise<void> {
    // One index per command, only those missing (FerretDB 1.24 drops the connection otherwise; see collections.ts).
    const existing = new Set((await this.uploads.listIndexes().toArray().catch(() => [])).map((i: { name?: string }) => i.name));
    for (const spec of UPLOAD_INDEXES) if (!existing.has(spec.name)) await this.uploads.createIndexes([spec]);
  }

  async add(u: Upload): Promise<void> {
    const { id, ...rest } = u;
    await this.uploads.insertOne({ _id: id, ...rest });
  }

  async get(id: string): Promise<Upload | null> {
    const doc = await this.uploads.findOne({ _id: id });
    return doc ? toUpload(doc) : null;
  }

  async usage(owner: string): Promise<number> {
    const docs = await this.uploads.find({ owner }, { projection: { size: 1, previewSize: 1 } }).toArray();
    return docs.reduce((sum, d) => sum + d.size + (d.previewSize ?? 0), 0);
  }

  async claim(ids: readonly string[], claim: string): Promise<Set<string>> {
    const held = new Set<string>();
    const added: string[] = [];
    for (const id of ids) {
      try {
        await this.claims.insertOne({ _id: id, claim });
        added.push(id);
        held.add(id);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        if ((await this.claims.findOne({ _id: id }))?.claim === claim) held.add(id);
      }
    }
    if (held.size !== ids.length) {
      if (added.length > 0) await this.claims.deleteMany({ _id: { $in: added } });
    } else {
      await this.uploads.updateMany({ _id: { $in: [...ids] } }, { $set: { claimed: true } });
    }
    return held;
  }

  async bind(ids: readonly string[], messageId: string): Promise<void> {
    await this.uploads.updateMany({ _id: { $in: [...ids] } }, { $set: { messageId } });
  }

  async byMessage(messageId: string): Promise<Upload[]> {
    return (await this.uploads.find({ messageId }).toArray()).map(toUpload);
  }

  async expired(before: number, limit: number): Promise<Upload[]> {
    return (await this.uploads.find({ claimed: { $ne: true }, createdAt: { $lt: before } }).sort({ createdAt: 1 }).limit(limit).toArray()).map(toUpload);
  }

  async remove(id: string): Promise<void> {
    await this.uploads.deleteOne({ _id: id });
    await this.claims.deleteOne({ _id: id });
  }
}
