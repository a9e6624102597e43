import * as fs from "fs";
import { listQueries, NOT_EXPRESSIBLE, QUERY_DIR, renderQuery, selectQueries } from "../../benchmark/queries";

const params = {
    bootstrapServers: "kafka.test:9094",
    topics: { person: "nexmark-person", auction: "nexmark-auction", bid: "nexmark-bid" },
    resultsTopic: "nexmark-results-q0",
    groups: { person: "run1-q0-person", auction: "run1-q0-auction", bid: "run1-q0-bid" },
};

describe("query files", () => {
    const queries = listQueries();

    it("cover q0-q8 except the ones Arroyo cannot express, plus the expressible later ones", () => {
        const ids = queries.map((q) => q.id);
        for (let i = 0; i <= 22; i++) {
            const id = `q${i}`;
            if (NOT_EXPRESSIBLE[id]) expect(ids).not.toContain(id);
        }
        for (const id of ["q0", "q1", "q2", "q3", "q5", "q7", "q8"]) expect(ids).toContain(id);
        expect(ids.length + Object.keys(NOT_EXPRESSIBLE).length).toBe(23);
    });

    it.each(listQueries().map((q) => [q.id, q] as const))("%s renders completely and names only the Nexmark and results topics", (_id, q) => {
        const sql = renderQuery(q, params);
        expect(sql).not.toMatch(/\{\{|\}\}/);
        const topics = [...sql.matchAll(/\btopic\s*=\s*'([^']+)'/g)].map((m) => m[1]);
        expect(new Set(topics)).toEqual(new Set(["nexmark-person", "nexmark-auction", "nexmark-bid", "nexmark-results-q0"]));
        expect([...sql.matchAll(/bootstrap_servers\s*=\s*'([^']+)'/g)].every((m) => m[1] === "kafka.test:9094")).toBe(true);
        expect(sql).toMatch(/INSERT INTO results\b/);
        expect(sql).toMatch(/type = 'sink'/);
        expect(q.title).toMatch(new RegExp(`^${q.id.toUpperCase()} `));
    });

    it("knows which Nexmark tables each query reads", () => {
        const reads = Object.fromEntries(queries.map((q) => [q.id, q.reads]));
        expect(reads).toMatchObject({ q0: ["bid"], q3: ["person", "auction"], q8: ["person", "auction"], q20: ["auction", "bid"] });
    });

    it("marks a latency column only where the output carries it", () => {
        for (const q of queries.filter((x) => x.latencyColumn)) {
            expect(q.body).toMatch(new RegExp(`\\b${q.latencyColumn}\\b[^;]*FROM`, "s"));
        }
    });

    it("refuses parameters that would break out of a SQL string", () => {
        expect(() => renderQuery(queries[0], { ...params, resultsTopic: "x'; DROP" })).toThrow(/results_topic must be a non-empty value without quotes/);
    });

    it("selects queries by id and explains the ones it cannot run", () => {
        expect(selectQueries(["q1", "q0"]).map((q) => q.id)).toEqual(["q1", "q0"]);
        expect(() => selectQueries(["q4"])).toThrow(/--queries: q4 cannot run on Arroyo: joins each bid to its auction only while the auction is open/);
        expect(() => selectQueries(["q99"])).toThrow(/--queries: q99 is not a known query\. Available: q0, q1, q2/);
    });

    it("keeps one file per query and nothing else besides the shared sources", () => {
        const files = fs.readdirSync(QUERY_DIR).sort();
        expect(files.filter((f) => !/^q\d+\.sql$/.test(f))).toEqual(["sources.sql"]);
    });
});
