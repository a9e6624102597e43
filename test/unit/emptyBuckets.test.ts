import { bucketsToEmpty } from "../../scripts/emptyBuckets";

// A stack's state as `pulumi stack export` has it (deployment.resources), reduced to what is read.
const PROVIDER_URN =
    "urn:pulumi:local::arroyo-pi::arroyo-pi:index:ArroyoCluster$arroyo-pi:index:ControllerRole$arroyo-pi:index:ObjectStore$pulumi:providers:minio::controller-minio-admin";
// As `pulumi stack export` wrote them for a deployed local stack (the provider's id at the top level).
const provider = {
    type: "pulumi:providers:minio",
    urn: PROVIDER_URN,
    id: "5c1c6f5e",
    inputs: { minioServer: "localhost:9000", minioSsl: "false" },
    outputs: {},
};
const bucket = (name: string, forceDestroy: boolean, retainOnDelete?: boolean) => ({
    type: "minio:index/s3Bucket:S3Bucket",
    urn: `urn:pulumi:local::arroyo-pi::...$minio:index/s3Bucket:S3Bucket::controller-minio-bucket-${name}`,
    provider: `${PROVIDER_URN}::5c1c6f5e`,
    inputs: { bucket: name, acl: "private", forceDestroy },
    outputs: { bucket: name, id: name },
    ...(retainOnDelete === undefined ? {} : { retainOnDelete }),
});

describe("bucketsToEmpty", () => {
    it("takes the buckets destroy deletes, at their provider's endpoint", () => {
        expect(
            bucketsToEmpty({ resources: [provider, bucket("nexmark-results", true), bucket("arroyo", true)] }),
        ).toEqual([{ endpoint: "http://localhost:9000", buckets: ["arroyo", "nexmark-results"] }]);
    });

    it("never touches a retained bucket or one without forceDestroy", () => {
        expect(
            bucketsToEmpty({
                resources: [
                    provider,
                    bucket("arroyo", false, true),
                    bucket("kept", true, true),
                    bucket("plain", false),
                ],
            }),
        ).toEqual([]);
    });

    it("finds nothing in an empty state, and skips a bucket whose provider is unknown", () => {
        expect(bucketsToEmpty({})).toEqual([]);
        expect(bucketsToEmpty({ resources: [bucket("arroyo", true)] })).toEqual([]);
    });
});
