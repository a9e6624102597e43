import * as fs from "fs";
import {
    listQueries,
    NOT_INCLUDED as BY_ENGINE,
    queryDir,
    renderQuery,
    resultsFilesUrl,
    selectQueries,
    splitStatements,
} from "../../benchmark/queries";
import { isKafkaTable, scanQuery } from "../doubles/arroyo-stand-in/sql";
import { arroyoFunctions, functionCalls, unknownFunctions } from "../doubles/arroyo-stand-in/functions";

const FILES_URL = "s3::http://minio.test:9000/nexmark-results/run1/q0";
const params = {
    bootstrapServers: "kafka.test:9094",
    resultsTopic: "nexmark-results-q0",
    resultsFilesUrl: FILES_URL,
    source: {
        kind: "kafka" as const,
        topics: { person: "nexmark-person", auction: "nexmark-auction", bid: "nexmark-bid" },
        groups: { person: "run1-q0-person", auction: "run1-q0-auction", bid: "run1-q0-bid" },
    },
};

const NOT_INCLUDED = BY_ENGINE.arroyo;

describe("Arroyo's query files", () => {
    const queries = listQueries();

    it("cover q0-q8 except the ones Arroyo cannot express, plus the expressible later ones", () => {
        const ids = queries.map((q) => q.id);
        for (let i = 0; i <= 22; i++) {
            const id = `q${i}`;
            if (NOT_INCLUDED[id]) expect(ids).not.toContain(id);
        }
        for (const id of ["q0", "q1", "q2", "q3", "q4", "q5", "q7", "q8", "q10", "q15", "q16", "q17"])
            expect(ids).toContain(id);
        expect(ids.length + Object.keys(NOT_INCLUDED).length).toBe(23);
    });

    it.each(listQueries().map((q) => [q.id, q] as const))(
        "%s says what the reference computes, how Arroyo does it, and what differs; its sink has the columns it lists",
        (_id, q) => {
            for (const field of [q.reference, q.written, q.deviation]) expect(field.length).toBeGreaterThan(3);
            expect(q.reference).toMatch(/^nexmark-flink q\d+: /);
            const sink = /CREATE TABLE results \(([\s\S]*?)\) WITH/.exec(q.body);
            expect(sink).not.toBeNull();
            expect(
                sink![1].split(",").map((c) =>
                    c
                        .trim()
                        .split(/\s+/)[0]
                        .replace(/^"(.*)"$/, "$1"),
                ),
            ).toEqual(q.columns);
            // Only the three Nexmark tables of sources.sql are read, and only the results table is written.
            // Comments and extract(x FROM column) name no table.
            const sql = q.body.replace(/--[^\n]*/g, " ").replace(/extract\([^)]*\)/gi, " ");
            const tables = [...sql.matchAll(/\b(?:FROM|JOIN)\s+([A-Za-z_]\w*)/gi)]
                .map((m) => m[1].toLowerCase())
                .filter((t) => !["select"].includes(t));
            expect(tables.length).toBeGreaterThan(0);
            expect(tables.every((t) => ["person", "auction", "bid"].includes(t))).toBe(true);
            expect([...sql.matchAll(/INSERT INTO\s+(\w+)/gi)].map((m) => m[1])).toEqual(["results"]);
        },
    );

    it.each(listQueries().map((q) => [q.id, q] as const))(
        "%s calls only functions Arroyo 0.15 registers, by the names it registers",
        (_id, q) => {
            const sql = renderQuery(q, { ...params, updatingTtlSeconds: 600 });
            expect(unknownFunctions(sql)).toEqual([]);
        },
    );

    it("finds the calls an SQL text makes, and refuses DataFusion's aliases Arroyo does not register", () => {
        expect(
            functionCalls(
                "CREATE TABLE t (a INT) WITH (x = 'length(y)'); INSERT INTO r SELECT count(*), lower(a), CAST(b AS DECIMAL(10, 2)) FROM t WHERE a IN (1, 2) -- upper(c)",
            ),
        ).toEqual(["count", "lower"]);
        expect(
            unknownFunctions(
                "SELECT length(extra), char_length(extra), character_length(extra), count_char(extra) FROM bid",
            ),
        ).toEqual([
            "Error during planning: Invalid function 'length' (DataFusion's alias of 'character_length', which Arroyo registers by its name only)",
            "Error during planning: Invalid function 'char_length' (DataFusion's alias of 'character_length', which Arroyo registers by its name only)",
            "Error during planning: Invalid function 'count_char'",
        ]);
        // The list holds what the queries lean on, window placeholders and DataFusion's defaults alike.
        const f = arroyoFunctions();
        for (const name of [
            "hop",
            "tumble",
            "session",
            "split_part",
            "to_char",
            "date_part",
            "character_length",
            "replace",
        ])
            expect([...f.scalar, ...f.arroyo]).toContain(name);
        for (const name of ["count", "max", "avg", "sum", "min"]) expect(f.aggregate).toContain(name);
        expect(f.scalar).not.toContain("length");
    });

    it("sets updating_ttl ahead of the query when asked, and the double reads it", () => {
        const q = selectQueries(["q4"])[0];
        const sql = renderQuery(q, { ...params, updatingTtlSeconds: 900 });
        expect(sql.startsWith("SET updating_ttl = INTERVAL '900' SECOND;\n")).toBe(true);
        expect(scanQuery(sql)).toMatchObject({ updatingTtlSeconds: 900, errors: [] });
        expect(() => renderQuery(q, { ...params, updatingTtlSeconds: 0 })).toThrow(
            /updating_ttl must be a positive whole number of seconds/,
        );
        expect(scanQuery(`SET parallelism = 4;\n${sql}`).errors).toContain(
            "Error during planning: invalid option 'parallelism'; supported options are 'updating_ttl'",
        );
    });

    it("refuses WITH options Arroyo's connectors do not take, as its planner does", () => {
        const sql = renderQuery(selectQueries(["q0"])[0], params).replace(
            "'source.offset' = 'group',",
            "'source.offset' = 'group', 'source.start' = 'now',",
        );
        expect(scanQuery(sql).errors).toContain(
            "Error during planning: unknown options provided in WITH clause: 'source.start'",
        );
        expect(scanQuery(renderQuery(selectQueries(["q10"])[0], params)).errors).toEqual([]);
    });

    it("reads the window a query groups by, for the double's output timing", () => {
        expect(scanQuery(renderQuery(selectQueries(["q5"])[0], params)).window).toEqual({
            kind: "hop",
            slideMs: 2_000,
            widthMs: 10_000,
        });
        expect(scanQuery(renderQuery(selectQueries(["q7"])[0], params)).window).toEqual({
            kind: "tumble",
            slideMs: 10_000,
            widthMs: 10_000,
        });
        expect(scanQuery(renderQuery(selectQueries(["q11"])[0], params)).window).toEqual({
            kind: "session",
            gapMs: 10_000,
        });
        expect(scanQuery(renderQuery(selectQueries(["q0"])[0], params)).window).toBeUndefined();
    });

    it.each(listQueries().map((q) => [q.id, q] as const))(
        "%s renders completely and names only the Nexmark topics and its results topic or files",
        (_id, q) => {
            const sql = renderQuery(q, params);
            expect(sql).not.toMatch(/\{\{|\}\}/);
            const topics = [...sql.matchAll(/\btopic\s*=\s*'([^']+)'/g)].map((m) => m[1]);
            const paths = [...sql.matchAll(/\bpath\s*=\s*'([^']+)'/g)].map((m) => m[1]);
            expect(new Set(topics)).toEqual(
                new Set([
                    "nexmark-person",
                    "nexmark-auction",
                    "nexmark-bid",
                    ...(q.sink === "kafka" ? ["nexmark-results-q0"] : []),
                ]),
            );
            expect(paths).toEqual(q.sink === "files" ? [FILES_URL] : []);
            const servers = [...sql.matchAll(/bootstrap_servers\s*=\s*'([^']+)'/g)].map((m) => m[1]);
            expect(servers.length).toBeGreaterThan(0);
            expect(servers.every((b) => b === "kafka.test:9094")).toBe(true);
            expect(sql).toMatch(/INSERT INTO results\b/);
            expect(sql).toMatch(/type = 'sink'/);
            expect(q.title).toMatch(new RegExp(`^${q.id.toUpperCase()} `));
        },
    );

    it.each(listQueries().map((q) => [q.id, q] as const))(
        "%s renders on Arroyo's Nexmark source: one nexmark table, the three views, only the results topic",
        (_id, q) => {
            const sql = renderQuery(q, {
                bootstrapServers: "kafka.test:9094",
                resultsTopic: "nexmark-results-q0",
                resultsFilesUrl: FILES_URL,
                source: { kind: "nexmark", eventRate: 5_000_000 },
            });
            expect(sql).not.toMatch(/\{\{|\}\}/);
            expect(sql).toMatch(/connector = 'nexmark',\s+event_rate = '5000000'/);
            for (const view of ["person", "auction", "bid"]) expect(sql).toMatch(new RegExp(`CREATE VIEW ${view} AS`));
            expect([...sql.matchAll(/\btopic\s*=\s*'([^']+)'/g)].map((m) => m[1])).toEqual(
                q.sink === "kafka" ? ["nexmark-results-q0"] : [],
            );
            expect(sql).not.toMatch(/connector = 'kafka',\s+type = 'source'/);
        },
    );

    it("knows which Nexmark tables each query reads", () => {
        const reads = Object.fromEntries(queries.map((q) => [q.id, q.reads]));
        expect(reads).toMatchObject({
            q0: ["bid"],
            q3: ["person", "auction"],
            q4: ["auction", "bid"],
            q8: ["person", "auction"],
            q10: ["bid"],
            q20: ["auction", "bid"],
        });
    });

    it("sends q10's output to files in the results bucket and every other query's to its results topic", () => {
        expect(queries.filter((q) => q.sink === "files").map((q) => q.id)).toEqual(["q10"]);
        expect(resultsFilesUrl("http://arroyo-pi-local-minio:9000/", "nexmark-results", "run1", "q10")).toBe(
            "s3::http://arroyo-pi-local-minio:9000/nexmark-results/run1/q10",
        );
        expect(resultsFilesUrl(undefined, "nexmark-results", "run1", "q10")).toBeUndefined();
        const q10 = selectQueries(["q10"])[0];
        const { resultsFilesUrl: _none, ...withoutFiles } = params;
        expect(() => renderQuery(q10, withoutFiles)).toThrow(
            /^q10 writes its output as files to the cluster's MinIO, but the stack outputs lack minioClusterEndpoint or buckets.results .*run 'npm run up'/,
        );
        // Queries writing to Kafka need no files URL.
        expect(() => renderQuery(selectQueries(["q0"])[0], withoutFiles)).not.toThrow();
    });

    it.each(listQueries().flatMap((q) => [[q.id, "kafka", q] as const, [q.id, "nexmark", q] as const]))(
        "the Arroyo double accepts %s on its %s source: WITH options, formats, a sink it knows",
        (_id, kind, q) => {
            const sql = renderQuery(
                q,
                kind === "kafka" ? params : { ...params, source: { kind: "nexmark", eventRate: 1_000 } },
            );
            const scanned = scanQuery(sql);
            expect(scanned.errors).toEqual([]);
            const sink = scanned.tables.find((t) => t.name === scanned.sink);
            expect(sink).toBeDefined();
            expect(isKafkaTable(sink!) ? "kafka" : "files").toBe(q.sink);
            const format = /format = '(\w+)'/.exec(q.body)![1];
            expect(sink!.format).toBe(format);
        },
    );

    it("the double refuses a filesystem sink Arroyo would refuse", () => {
        const sink = (opts: string) =>
            `CREATE TABLE bid (a BIGINT) WITH (connector = 'kafka', type = 'source', format = 'json', bootstrap_servers = 'k:1', topic = 'b'); CREATE TABLE out (a BIGINT) WITH (connector = 'filesystem', type = 'sink', ${opts}); INSERT INTO out SELECT a FROM bid;`;
        expect(scanQuery(sink("format = 'json', path = 's3::http://minio:9000/nexmark-results/x'")).errors).toEqual([]);
        expect(scanQuery(sink("format = 'csv', path = 's3::http://minio:9000/b/x'")).errors).toEqual([
            "Table out: unsupported format csv",
            "Error during planning: sink table 'out' not found",
        ]);
        // Arroyo's S3 endpoint URLs need a port (crates/arroyo-storage/src/lib.rs).
        expect(scanQuery(sink("format = 'json', path = 's3::http://minio/b/x'")).errors[0]).toBe(
            "Table out: invalid path 's3::http://minio/b/x'",
        );
        expect(scanQuery(sink("format = 'json'")).errors[0]).toBe("Table out: required option 'path' not set");
    });

    it("measures window-end latency only on window outputs", () => {
        const windowed = queries.filter((q) => q.latencyWindowEnd).map((q) => q.id);
        expect(windowed).toEqual(["q5", "q7", "q8", "q11"]);
        for (const q of queries.filter((x) => x.latencyWindowEnd)) {
            expect(q.latencyColumn).toBeUndefined();
            expect(q.body).toMatch(/\b(tumble|hop|session)\(/);
        }
    });

    it("marks a latency column only where the output carries it", () => {
        for (const q of queries.filter((x) => x.latencyColumn)) {
            expect(q.body).toMatch(new RegExp(`\\b${q.latencyColumn}\\b[^;]*FROM`, "s"));
        }
    });

    it("refuses parameters that would break out of a SQL string", () => {
        expect(() => renderQuery(queries[0], { ...params, resultsTopic: "x'; DROP" })).toThrow(
            /results_topic must be a non-empty value without quotes/,
        );
    });

    it("selects queries by id and explains the ones it cannot run", () => {
        expect(selectQueries(["q1", "q0"]).map((q) => q.id)).toEqual(["q1", "q0"]);
        expect(() => selectQueries(["q6"])).toThrow(
            /--queries: q6 is not included for arroyo: .*'Window functions require already windowed input', arroyo-planner\/src\/plan\/window_fn\.rs/,
        );
        expect(() => selectQueries(["q99"])).toThrow(/--queries: q99 is not a known query\. Available: q0, q1, q2/);
    });

    it("keeps one file per query and nothing else besides the two shared source files", () => {
        const files = fs.readdirSync(queryDir("arroyo")).sort();
        expect(files.filter((f) => !/^q\d+\.sql$/.test(f))).toEqual(["sources-nexmark.sql", "sources.sql"]);
    });
});

describe("Flink's query files", () => {
    const queries = listQueries("flink");
    const notIncluded = BY_ENGINE.flink;
    /** The sink's columns as written, metadata columns (the record's timestamp) left out. */
    const sinkColumns = (body: string) =>
        /CREATE TABLE results \(([\s\S]*?)\) WITH/
            .exec(body)![1]
            .split(",")
            .map((c) => c.trim())
            .filter((c) => !/\bMETADATA\b/.test(c))
            .map((c) => c.split(/\s+/)[0].replace(/^`(.*)`$/, "$1"));

    it("cover every query q0-q22 but those Flink cannot run here, each with its reason", () => {
        const ids = queries.map((q) => q.id);
        expect(ids.length + Object.keys(notIncluded).length).toBe(23);
        for (const id of Object.keys(notIncluded)) expect(ids).not.toContain(id);
        // What Arroyo cannot plan and Flink can: the unwindowed ROW_NUMBER queries and processing time.
        for (const id of ["q9", "q12", "q18", "q19"]) expect(ids).toContain(id);
        // Every query Arroyo runs, Flink runs too, but q10 (files in MinIO), so the two can be compared.
        expect(
            listQueries("arroyo")
                .map((q) => q.id)
                .filter((id) => !ids.includes(id)),
        ).toEqual(["q10"]);
        expect(queries.every((q) => q.engine === "flink" && q.dir === queryDir("flink"))).toBe(true);
    });

    it.each(listQueries("flink").map((q) => [q.id, q] as const))(
        "%s says what the reference computes, how Flink does it, and what differs; its sink has the columns it lists",
        (_id, q) => {
            for (const field of [q.reference, q.written, q.deviation]) expect(field.length).toBeGreaterThan(3);
            expect(q.reference).toMatch(/^nexmark-flink q\d+: /);
            expect(sinkColumns(q.body)).toEqual(q.columns);
            const sql = q.body.replace(/--[^\n]*/g, " ");
            expect([...sql.matchAll(/INSERT INTO\s+(\w+)/gi)].map((m) => m[1])).toEqual(["results"]);
            // Window outputs stamp their records with the window's time, which window-end latency reads.
            if (q.latencyWindowEnd) expect(q.body).toMatch(/ts TIMESTAMP_LTZ\(3\) METADATA FROM 'timestamp'/);
            // The same columns as Arroyo's file of the query, where both exist.
            const arroyo = listQueries("arroyo").find((a) => a.id === q.id);
            if (arroyo) expect(q.columns).toEqual(arroyo.columns);
        },
    );

    it("renders the shared tables with the run's groups read from their offsets, and the state TTL as Flink's SET", () => {
        const [q] = selectQueries(["q3"], "flink");
        const sql = renderQuery(q, { ...params, updatingTtlSeconds: 900 });
        const statements = splitStatements(sql);
        expect(statements[0]).toBe("SET 'table.exec.state.ttl' = '900 s'");
        expect(statements.filter((s) => s.startsWith("CREATE TABLE")).length).toBe(4);
        expect(statements[statements.length - 1]).toMatch(/^INSERT INTO results\b/);
        expect(sql).toContain("'properties.group.id' = 'run1-q0-person'");
        expect(statements.join("\n").match(/'scan.startup.mode' = 'group-offsets'/g)?.length).toBe(3);
        expect(sql).not.toMatch(/\{\{/);
        expect(() => renderQuery(q, { ...params, source: { kind: "nexmark", eventRate: 10 } })).toThrow(
            /the built-in Nexmark source is Arroyo's; flink reads the Kafka topics only/,
        );
    });

    it("selects by engine and explains what Flink leaves out", () => {
        expect(selectQueries(["q19"], "flink")[0].engine).toBe("flink");
        expect(() => selectQueries(["q19"])).toThrow(/q19 is not included for arroyo/);
        expect(() => selectQueries(["q10"], "flink")).toThrow(
            /--queries: q10 is not included for flink: writes files to MinIO/,
        );
        expect(fs.readdirSync(queryDir("flink")).filter((f) => !/^q\d+\.sql$/.test(f))).toEqual(["sources.sql"]);
    });
});
